"""The kiosk window on a real X display (xcb), a number taken and help asked, the screen saved as the display has it.

    DISPLAY=:N QT_QPA_PLATFORM=xcb python -m tests.ui.kiosk_ticket_xcb_run HOME OUT_PREFIX [--large]

The hall is the in-memory one (`tests.ui.kiosk_ticket_shots.demo_hall`); everything else is the app as a
hall's terminal runs it: `ui.kiosk.app.build_window` full screen, the print worker, the read-aloud process.
Writes OUT_PREFIX-number.png and OUT_PREFIX-help.png, read back from the X server, and prints their paths,
and OUT_PREFIX-boxes.json: where on the screen each line the test reads was drawn, so that tesseract reads one
line at a time (read as one block, the two columns of the ticket screen and its QR code, which changes with
every ticket, made tesseract misread a character now and then).
"""
from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path


def _until(condition: Callable[[], object], timeout: float = 30.0) -> None:
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the kiosk did not get there in time")
        QApplication.processEvents()
        time.sleep(0.01)


def _grab(window: object, path: str) -> str:
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    for _ in range(10):
        QApplication.processEvents()
    window.repaint()  # type: ignore[attr-defined]
    QGuiApplication.sync()
    screen = window.screen()  # type: ignore[attr-defined]
    if not screen.grabWindow(0).save(path):
        raise OSError(f"could not save {path}")
    return path


def _box(widget: object) -> list[int]:
    """The widget's rectangle on the screen, as [left, top, right, bottom] in the screen's pixels."""
    from PySide6.QtCore import QPoint

    corner = widget.mapToGlobal(QPoint(0, 0))  # type: ignore[attr-defined]
    ratio = widget.devicePixelRatioF()  # type: ignore[attr-defined]
    width, height = widget.width(), widget.height()  # type: ignore[attr-defined]
    return [round(corner.x() * ratio), round(corner.y() * ratio), round((corner.x() + width) * ratio),
            round((corner.y() + height) * ratio)]


def main(argv: list[str]) -> int:
    home, prefix = Path(argv[0]), argv[1]
    from ui.kiosk.app import prepare_environment

    prepare_environment(keyboard=False)
    from PySide6.QtWidgets import QApplication

    from kiosk.queue.model import Priority
    from kiosk.settings import load_settings
    from kiosk.terminal import Terminal
    from tests.ui.kiosk_ticket_shots import demo_hall
    from ui.jobs import wait_idle
    from ui.kiosk.app import build_window

    app = QApplication.instance() or QApplication(sys.argv[:1])
    hall = demo_hall()
    terminal = Terminal.open(load_settings(home, device_no=1, printer="fake:xcb-ticket"), background=True)
    terminal.hall = hall.part  # type: ignore[attr-defined]
    window = build_window(terminal, large_text="--large" in argv, fullscreen=True)
    try:
        _until(lambda: window.windowHandle() is not None and window.windowHandle().isExposed())
        window.nav.screens["welcome"].ticket_button.click()
        lines = window.nav.screens["ticket_line"]
        _until(lambda: bool(lines.line_buttons))
        lines.line_buttons["A"].click()
        window.nav.screens["ticket_priority"].buttons[Priority.ELDERLY].click()
        _until(lambda: "ticket_result" in window.nav.screens and window.nav.screens["ticket_result"].printed is not None)
        print(_grab(window, f"{prefix}-number.png"))
        shown = window.nav.screens["ticket_result"]
        boxes = {"caption": _box(shown.caption), "ahead": _box(shown.ahead), "printed": _box(shown.print_status)}
        window.top.help_button.click()
        _until(lambda: window.help.help_id is not None)
        hall.acknowledge(window.help.help_id)  # type: ignore[attr-defined]
        window.help.poll()
        _until(lambda: window.help_banner.isVisible() and window.help.state.value == "coming")
        print(_grab(window, f"{prefix}-help.png"))
        boxes["banner"] = _box(window.help_banner)
        Path(f"{prefix}-boxes.json").write_text(json.dumps(boxes), encoding="utf-8")
    finally:
        window.close()
        wait_idle()
        terminal.close()
        app.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
