"""`onewindow setup --window [--fullscreen]`: the set-up window on the terminal's own display.

Under a kiosk compositor it is the first thing a technician sees on a new machine
(`cage -- onewindow setup --window --fullscreen`). `--screenshot PNG` saves what it shows and exits.
"""
from __future__ import annotations

import argparse


def run_window(args: argparse.Namespace) -> int:
    from PySide6.QtCore import QSize

    from kiosk.settings import load_settings
    from kiosk.terminal import Terminal
    from ui.errors import install_excepthook, message_for
    from ui.i18n import msg, set_language
    from ui.lifecycle import begin
    from ui.theme import apply_theme
    from ui.widgets.window_placement import show_on_screen

    settings = load_settings(getattr(args, "home", None))
    life = begin("setup", settings)  # one window per data dir; exits 2 if another runs
    try:
        app = life.start_qt()
        apply_theme(app, large=False)
        set_language("zh")
        terminal = life.terminal = Terminal.open(settings, parts=False)  # the set-up needs no sync or print worker
        from ui.setup.window import SetupWindow

        window = life.window = SetupWindow(terminal, wait_seconds=args.wait)
        install_excepthook(lambda exc: window.verdict.setText(msg(message_for(exc))))
        show_on_screen(window, fullscreen=args.fullscreen, preferred=QSize(1280, 1024))
        return life.exec(app)
    finally:
        life.shutdown()
