"""A kiosk walk's screen-fit audit, in a process of its own (see screen_fit_run for why a process each).

    QT_QPA_PLATFORM=offscreen python -m tests.ui.kiosk_walk_fit_run ticket|checkin|licence zh|en normal|large

Prints one JSON object: the screens the walk reached and every layout problem found at the four screen sizes.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

Walker = Callable[[Any], Iterator[str]]  # window -> the names of the screens it reached


def _ticket(demo: Any) -> Walker:
    """Taking a number and the help states, with the in-memory hall as the terminal's hall part."""
    from tests.ui.kiosk_ticket_shots import demo_hall
    from ui.kiosk.render_screens import walk_ticket

    hall = demo_hall()
    demo.terminal.hall = hall.part
    return lambda window: walk_ticket(window, demo, hall.acknowledge, hall.set_reachable)


def _checkin(demo: Any) -> Walker:
    from tests.ui.kiosk_checkin_shots import walk_checkin
    from tests.ui.kiosk_ticket_shots import demo_hall

    hall = demo_hall()
    return lambda window: walk_checkin(window, demo, hall.part)


def _licence(demo: Any) -> Walker:
    from tests.ui.kiosk_licence_shots import attach_library, licence_link, walk_licences

    link = licence_link()
    attach_library(demo, link)
    return lambda window: walk_licences(window, demo, link)


#: each prepares the demo kiosk before its window opens, then walks the window
WALKS: dict[str, Callable[[Any], Walker]] = {"ticket": _ticket, "checkin": _checkin, "licence": _licence}


def walk_and_audit(walk: str, lang: str, large: bool, home: Path) -> dict[str, object]:
    from PySide6.QtWidgets import QApplication

    from tests.ui.layout_audit import audit_walk
    from ui.fonts import install_fonts
    from ui.kiosk.render_screens import close_window, demo_kiosk, open_window
    from ui.screenshots import SCREEN_SIZES

    app = QApplication.instance() or QApplication([])
    install_fonts(app)
    with demo_kiosk(home) as demo:
        walker = WALKS[walk](demo)
        window = open_window(demo, lang, large, SCREEN_SIZES[0])
        try:
            return audit_walk(window, walker(window), SCREEN_SIZES)
        finally:
            close_window(window)


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in WALKS or argv[1] not in ("zh", "en") or argv[2] not in ("normal", "large"):
        print(f"usage: kiosk_walk_fit_run {'|'.join(WALKS)} zh|en normal|large", file=sys.stderr)
        return 2
    walk, lang, size = argv
    with tempfile.TemporaryDirectory(prefix=f"onewindow-{walk}-fit-", ignore_cleanup_errors=True) as home:
        print(json.dumps(walk_and_audit(walk, lang, size == "large", Path(home)), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
