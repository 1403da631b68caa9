"""`onewindow counter [--lang zh|en] [--lock-minutes N] [--document-printer URI]`: the clerk's window.

Staff accounts come from `onewindow staff add NAME --role clerk|supervisor|administrator`.
"""
from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("counter", help="start the counter window for hall staff (login required)")
    p.add_argument("--lang", choices=("zh", "en"), default=None, help="starting language (default: settings)")
    p.add_argument("--lock-minutes", type=int, default=5, help="lock the counter after this many idle minutes")
    p.add_argument("--document-printer", default=None,
                   help="where A4 notices print (cups: for the default CUPS queue, cups:QUEUE for another, "
                        "file:/folder to keep PDFs); default: the document_printer setting")
    p.add_argument("--fullscreen", action="store_true", help="full screen, frameless, with or without a window manager")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import dataclasses

    from PySide6.QtCore import QSize, QTimer

    from kiosk.settings import load_settings
    from kiosk.usecases.link import connectivity_changed
    from ui.connectivity import watch_connectivity
    from ui.counter.context import CounterContext
    from ui.counter.window import CounterWindow
    from ui.errors import install_excepthook
    from ui.lifecycle import begin
    from ui.terminal_setup import attach_camera, open_terminal
    from ui.threads import START_UP_SETTLED_MS, freeze_start_up
    from ui.widgets.window_placement import show_on_screen

    if args.lock_minutes < 1:
        print("--lock-minutes must be at least 1 / 锁屏时间至少1分钟", file=sys.stderr)
        return 2
    from kiosk.centre_settings_trial import begin_window_start
    from ui.settings_trial import confirm_when_up

    home = getattr(args, "home", None)
    life = begin("counter", load_settings(home, centre=False))  # one window per data dir; exits 2 if another runs
    try:
        trial = begin_window_start(life.lock.home)  # counted before anything can crash
        settings = load_settings(home)
        if args.document_printer:
            settings = dataclasses.replace(settings, document_printer=args.document_printer)
        app = life.start_qt()
        terminal = life.terminal = open_terminal(settings)
        if life.stop_requested:  # SIGTERM while the store opened: no window to build only to close it
            return 0
        window = life.window = CounterWindow(CounterContext(terminal), language=args.lang,
                                             lock_seconds=args.lock_minutes * 60)
        attach_camera(terminal, window)  # its feed runs while the window is open
        watch_connectivity(lambda online: connectivity_changed(terminal, online), window)
        install_excepthook(window.report)
        show_on_screen(window, fullscreen=args.fullscreen, preferred=QSize(1920, 1080))
        QTimer.singleShot(START_UP_SETTLED_MS, freeze_start_up)
        confirm_when_up(settings.home, trial, window.isVisible, app)
        return life.exec(app)
    finally:
        life.shutdown()  # SIGTERM, SIGINT and closing the window all end here
