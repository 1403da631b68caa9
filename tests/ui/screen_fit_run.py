"""One screen-fit walk in a process of its own: a terminal (kiosk or counter), a language, a text size.

    QT_QPA_PLATFORM=offscreen python -m tests.ui.screen_fit_run kiosk zh large
    QT_QPA_PLATFORM=offscreen python -m tests.ui.screen_fit_run counter en normal

(The counter has one text size, denser than the kiosk's and with no large mode.)

Drives the window through every screen with the screenshot scripts' own
walk, audits each screen at the four screen sizes (`tests.ui.layout_audit`)
and prints one JSON object: the screens seen and every problem found.

`tests/ui/test_screen_fit.py` runs this as a subprocess rather than in the
pytest process, for two reasons: each walk starts from a clean application
(the kiosk's and the counter's stylesheets and fonts are app-wide), and
PySide6 6.12 on Python 3.11 drops a reference to None, True or False on
every call of a Qt method returning void or bool, so six walks in the test
process would use up those references and abort the interpreter (a fatal
"none_dealloc"). One walk per process stays far from that.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from ui.screenshots import SCREEN_SIZES  # noqa: E402 - after the platform is chosen


def walk_and_audit(terminal: str, lang: str, large: bool, home: Path) -> dict[str, object]:
    from PySide6.QtWidgets import QApplication

    from tests.ui.layout_audit import audit_walk
    from ui.fonts import install_fonts

    app = QApplication.instance() or QApplication([])
    install_fonts(app)
    if terminal == "kiosk":
        from ui.kiosk.render_screens import close_window, demo_kiosk, open_window, walk

        demo_context = demo_kiosk(home)
    else:
        from ui.counter.render_screens import close_window, demo_counter, open_window, walk  # type: ignore[assignment]

        demo_context = demo_counter(home)  # type: ignore[assignment]
    with demo_context as demo:
        window = (open_window(demo, lang, large, SCREEN_SIZES[0]) if terminal == "kiosk"
                  else open_window(demo, lang, SCREEN_SIZES[0]))  # type: ignore[call-arg]
        try:
            return audit_walk(window, walk(window, demo), SCREEN_SIZES)
        finally:
            close_window(window)


def main(argv: list[str]) -> int:
    terminal, lang, size = argv
    if terminal not in ("kiosk", "counter") or lang not in ("zh", "en") or size not in ("normal", "large"):
        print("usage: screen_fit_run kiosk|counter zh|en normal|large", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="onewindow-fit-", ignore_cleanup_errors=True) as home:
        print(json.dumps(walk_and_audit(terminal, lang, size == "large", Path(home)), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
