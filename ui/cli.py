"""`onewindow app`: start the terminal's window."""
from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("app", help="start the terminal window on this data dir")
    p.add_argument("--screenshot", metavar="PNG", help="render the first screen to PNG and exit")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from PySide6.QtWidgets import QApplication

    from kiosk.cli import terminal_from_args
    from ui.catalog_window import CatalogWindow
    from ui.fonts import install_fonts

    terminal = terminal_from_args(args)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    install_fonts(app)
    window = CatalogWindow(terminal.catalog, terminal.settings.hall_name_zh)
    window.show()
    if args.screenshot:
        app.processEvents()
        window.grab().save(args.screenshot)
        return 0
    return app.exec()
