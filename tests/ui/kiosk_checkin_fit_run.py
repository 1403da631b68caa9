"""The screen-fit walk for checking in, in a process of its own (see kiosk_ticket_fit_run).

    QT_QPA_PLATFORM=offscreen python -m tests.ui.kiosk_checkin_fit_run zh large

Prints one JSON object: the screens seen and every layout problem found at the four screen sizes.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def walk_and_audit(lang: str, large: bool, home: Path) -> dict[str, object]:
    from PySide6.QtWidgets import QApplication

    from tests.ui.kiosk_checkin_shots import walk_checkin
    from tests.ui.kiosk_ticket_shots import demo_hall
    from tests.ui.layout_audit import audit_at
    from ui.fonts import install_fonts
    from ui.kiosk.render_screens import close_window, demo_kiosk, open_window
    from ui.screenshots import SCREEN_SIZES

    app = QApplication.instance() or QApplication([])
    install_fonts(app)
    hall = demo_hall()
    screens: list[str] = []
    problems: list[str] = []
    with demo_kiosk(home) as demo:
        window = open_window(demo, lang, large, SCREEN_SIZES[0])
        try:
            for name in walk_checkin(window, demo, hall.part):  # type: ignore[attr-defined]
                screens.append(name)
                for width, height in SCREEN_SIZES:
                    problems += [f"{name} {width}x{height}: {p}" for p in audit_at(window, (width, height))]
        finally:
            close_window(window)
    return {"screens": screens, "problems": problems}


def main(argv: list[str]) -> int:
    lang, size = argv
    if lang not in ("zh", "en") or size not in ("normal", "large"):
        print("usage: kiosk_checkin_fit_run zh|en normal|large", file=sys.stderr)
        return 2
    home = Path(tempfile.mkdtemp(prefix="onewindow-checkin-fit-"))
    print(json.dumps(walk_and_audit(lang, size == "large", home), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
