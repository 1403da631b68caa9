"""`onewindow board [--fullscreen] [--home DIR]`: the hall's call board.

The board is a terminal paired with the hall hub as a board (`onewindow queue pair CODE` on its data
dir); it only reads. Run it full screen on the hall's display, under a kiosk compositor such as
`cage` (`cage -- onewindow board --fullscreen`). `--screenshot PNG` saves what it shows once the
hub has answered (or after a few seconds) and exits: a check of the display's fonts and layout.
"""
from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

FIRST_STATE_WAIT_S = 5.0
EXPOSE_WAIT_S = 20.0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("board", help="start the hall's call board (a terminal paired with the hub as a board)")
    p.add_argument("--fullscreen", action="store_true", help="full screen, frameless (for the hall's display)")
    p.add_argument("--silent", action="store_true", help="do not speak the calls")
    p.add_argument("--screenshot", metavar="PNG", help="save what the board shows to PNG and exit")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from PySide6.QtCore import QSize, QTimer

    from kiosk.errors import Message
    from kiosk.settings import load_settings
    from ui.errors import install_excepthook
    from ui.lifecycle import begin
    from ui.terminal_setup import open_terminal
    from ui.threads import START_UP_SETTLED_MS, freeze_start_up
    from ui.widgets.window_placement import show_on_screen

    settings = load_settings(getattr(args, "home", None))
    life = begin("board", settings)  # one window per data dir; exits 2 if another runs
    try:
        app = life.start_qt()
        terminal = life.terminal = open_terminal(settings)
        from ui.board.window import BoardWindow

        window = life.window = BoardWindow(terminal.hall, hall_name=Message(settings.hall_name_zh,
                                                                            settings.hall_name_en),
                                           speech=not (args.silent or args.screenshot))
        install_excepthook(window.report)
        show_on_screen(window, fullscreen=args.fullscreen, preferred=QSize(1920, 1080))
        logging.getLogger("onewindow.board").info("board shown (%s)", "paired with a hub" if terminal.hall
                                                  else "not paired with a hub")
        if args.screenshot:
            life.exit_code = save_screenshot(window, args.screenshot, whole_screen=args.fullscreen)
            return life.exit_code
        QTimer.singleShot(START_UP_SETTLED_MS, freeze_start_up)
        return life.exec(app)
    finally:
        life.shutdown()  # SIGTERM, SIGINT and closing the window all end here


def save_screenshot(window: Any, path: str, *, whole_screen: bool) -> int:
    """Once the display shows the board and the hub has answered (or not, within a few seconds), save it."""
    from PySide6.QtGui import QGuiApplication

    from ui.screenshots import pump

    try:
        pump(lambda: window.windowHandle() is not None and window.windowHandle().isExposed(), timeout=EXPOSE_WAIT_S)
    except TimeoutError:
        print(f"窗口未能显示 / the window was not shown within {EXPOSE_WAIT_S:.0f} s", file=sys.stderr)
        return 1
    try:
        pump(lambda: window.link.view is not None or not window.link.paired, timeout=FIRST_STATE_WAIT_S)
    except TimeoutError:
        pass  # the hub did not answer: the picture shows the board saying so
    window.repaint()
    QGuiApplication.sync()
    screen = window.screen()
    picture = screen.grabWindow(0) if whole_screen and screen is not None else window.grab()
    if picture.isNull():
        picture = window.grab()
    saved = picture.save(path)
    window.close()
    if not saved:
        print(f"无法保存截图 {path} / could not save the screenshot {path}", file=sys.stderr)
        return 1
    return 0
