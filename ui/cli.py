"""`onewindow app`: start the terminal's window (the citizen's kiosk on a kiosk terminal).

`--screenshot PNG` renders the first screen and exits, for checking a
terminal's fonts and display without a person at it.
"""
from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("app", help="start the terminal window on this data dir")
    p.add_argument("--screenshot", metavar="PNG", help="render the first screen to PNG and exit")
    p.add_argument("--fullscreen", action="store_true", help="full screen, frameless")
    p.add_argument("--local-platform", action="store_true",
                   help="start the reference platform on this machine if none answers, publish the catalog to it "
                        "and enroll this terminal (the embedded defaults of ./dev.sh app)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ui.kiosk.app import build_window, prepare_environment

    prepare_environment(keyboard=not args.screenshot)  # before QApplication
    from PySide6.QtWidgets import QApplication

    from kiosk.settings import load_settings
    from ui.lifecycle import begin
    from ui.terminal_setup import open_terminal

    settings = load_settings(getattr(args, "home", None))
    life = begin("app", settings)  # one window per data dir; exits 2 if another runs
    try:
        terminal = life.terminal = open_terminal(settings)
        if args.local_platform:
            from sync.embedded import ensure_local_platform

            life.local_platform = ensure_local_platform(terminal)
        app = QApplication.instance() or QApplication(sys.argv[:1])
        life.watch(app)
        window = life.window = build_window(terminal, fullscreen=args.fullscreen)
        if args.screenshot:
            app.processEvents()
            window.grab().save(args.screenshot)
            life.exit_code = 0
            return 0
        return life.exec(app)
    finally:
        life.shutdown()  # SIGTERM, SIGINT and closing the window all end here
