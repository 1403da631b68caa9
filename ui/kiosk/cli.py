"""`onewindow kiosk [--fullscreen] [--lang zh|en]`: the citizen's self-service window.

Lock-down (no other apps, no desktop) is the operating system's job: run
this in an auto-login session under a kiosk compositor such as Debian's
`cage` (`cage -- onewindow kiosk --fullscreen`).
"""
from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("kiosk", help="start the citizen's self-service kiosk window")
    p.add_argument("--fullscreen", action="store_true", help="full screen, frameless (for the kiosk itself)")
    p.add_argument("--lang", choices=("zh", "en"), default=None, help="starting language (default: settings)")
    p.add_argument("--large-text", action="store_true", default=None, help="start in large-text, high-contrast mode")
    p.add_argument("--no-keyboard", action="store_true", help="do not load the on-screen keyboard")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ui.kiosk.app import build_window, prepare_environment

    from kiosk.centre_settings_trial import begin_window_start
    from kiosk.settings import load_settings

    home = getattr(args, "home", None)
    base = load_settings(home, centre=False)  # the lock and the log need only the data dir
    from ui.lifecycle import begin

    life = begin("kiosk", base)  # one window per data dir; exits 2 if another runs
    try:
        trial = begin_window_start(base.home)  # counted before anything can crash; may roll back a failed trial
        settings = load_settings(home)
        prepare_environment(keyboard=not args.no_keyboard, language=args.lang or settings.language)  # before QApplication
        from PySide6.QtWidgets import QApplication

        from ui.settings_trial import confirm_when_up

        app = QApplication.instance() or QApplication(sys.argv[:1])
        life.watch(app)
        window = life.window = build_window(settings=settings, language=args.lang, large_text=args.large_text,
                                            fullscreen=args.fullscreen)
        confirm_when_up(settings.home, trial, lambda: window.isVisible() and window.terminal is not None, app)
        return life.exec(app)
    finally:
        life.shutdown()  # SIGTERM, SIGINT and closing the window all end here
