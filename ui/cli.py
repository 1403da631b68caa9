"""`onewindow app`: start the terminal's window (the citizen's kiosk on a kiosk terminal).

`--screenshot PNG` renders the first screen and exits, for checking a
terminal's fonts and display without a person at it. It waits until the
display has shown the window; with `--fullscreen` it saves the whole
screen as the display shows it (so a window that does not cover the
screen shows as such), otherwise the window.
"""
from __future__ import annotations

import argparse
import sys
from typing import Any


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("app", help="start the terminal window on this data dir")
    p.add_argument("--screenshot", metavar="PNG", help="render the first screen to PNG and exit")
    p.add_argument("--fullscreen", action="store_true", help="full screen, frameless")
    p.add_argument("--local-platform", action="store_true",
                   help="start the reference platform on this machine if none answers, publish the catalog to it "
                        "and enroll this terminal; also a hall queue server, this terminal paired with it "
                        "(the embedded defaults of ./dev.sh app)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ui.kiosk.app import build_window, prepare_environment

    prepare_environment(keyboard=not args.screenshot)  # before QApplication
    from PySide6.QtWidgets import QApplication

    from kiosk.settings import load_settings
    from ui.lifecycle import begin
    from ui.terminal_setup import open_terminal

    from kiosk.centre_settings_trial import StartChoice, begin_window_start
    from ui.settings_trial import confirm_when_up

    home = getattr(args, "home", None)
    life = begin("app", load_settings(home, centre=False))  # one window per data dir; exits 2 if another runs
    try:
        # counted before anything can crash; a screenshot run judges no settings
        trial = begin_window_start(life.lock.home) if not args.screenshot else StartChoice(0, on_trial=False)
        settings = load_settings(home)
        if args.local_platform:  # answering before the terminal opens: its sync process starts with it
            from sync.embedded import ensure_local_platform, start_local_platform

            life.local_platform = start_local_platform(settings, stop_requested=lambda: life.stop_requested)
            if life.stop_requested:  # SIGTERM while the platform started: it is held, so it is stopped
                return 0
        terminal = life.terminal = open_terminal(settings)
        if args.local_platform:
            ensure_local_platform(terminal, platform=life.local_platform, stop_requested=lambda: life.stop_requested)
            if life.stop_requested:
                return 0
            from sync.hall.embedded import start_local_hub_quietly

            life.local_hub = start_local_hub_quietly(terminal)  # the hall queue of a one-PC office
        if life.stop_requested:  # no window to build only to close it
            return 0
        app = QApplication.instance() or QApplication(sys.argv[:1])
        life.watch(app)
        window = life.window = build_window(terminal, fullscreen=args.fullscreen)
        if args.screenshot:
            life.exit_code = save_screenshot(window, args.screenshot, whole_screen=args.fullscreen)
            return life.exit_code
        confirm_when_up(settings.home, trial, window.isVisible, app)
        return life.exec(app)
    finally:
        life.shutdown()  # SIGTERM, SIGINT and closing the window all end here


def save_screenshot(window: Any, path: str, *, whole_screen: bool, timeout_s: float = 20.0) -> int:
    """Wait for the display to show `window`, then save it (or the whole screen) as PNG; 0 when saved."""
    import time

    from PySide6.QtGui import QGuiApplication

    deadline = time.monotonic() + timeout_s
    handle = window.windowHandle()
    while handle is None or not handle.isExposed():
        if time.monotonic() > deadline:
            print(f"窗口未能显示 / the window was not shown within {timeout_s:.0f} s", file=sys.stderr)
            return 1
        QGuiApplication.processEvents()
        handle = window.windowHandle()
    window.repaint()  # paint now, not when the event loop gets round to it
    QGuiApplication.sync()  # and let the display server have it before reading the screen back
    screen = window.screen()
    picture = screen.grabWindow(0) if whole_screen and screen is not None else window.grab()
    if picture.isNull():
        picture = window.grab()
    saved = picture.save(path)
    window.close()  # stops the read-aloud process cleanly
    if not saved:
        print(f"无法保存截图 {path} / could not save the screenshot {path}", file=sys.stderr)
        return 1
    return 0
