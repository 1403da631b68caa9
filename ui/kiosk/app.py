"""Building the kiosk: environment before Qt starts, then fonts, devices and the window."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

VK_PLUGIN = "libqtvirtualkeyboardplugin.so"


def virtual_keyboard_available() -> bool:
    import PySide6

    folder = Path(PySide6.__file__).resolve().parent / "Qt" / "plugins" / "platforminputcontexts"
    return (folder / VK_PLUGIN).is_file() or any(folder.glob("*virtualkeyboard*"))


def prepare_environment(*, keyboard: bool = True) -> bool:
    """Must run before the QApplication exists: Qt reads QT_IM_MODULE once, at start-up."""
    if keyboard and "QT_IM_MODULE" not in os.environ and virtual_keyboard_available():
        os.environ["QT_IM_MODULE"] = "qtvirtualkeyboard"
        # Chinese (pinyin) and English layouts only; the keyboard's language key switches between them.
        os.environ.setdefault("QT_VIRTUALKEYBOARD_STYLE", "default")
        return True
    return os.environ.get("QT_IM_MODULE") == "qtvirtualkeyboard"


def open_services(terminal_or_settings: Any) -> Any:
    """Open the store (migrations, catalog) and the devices: slow, so it runs as a background job."""
    from kiosk.terminal import Terminal
    from ui.kiosk.services import KioskServices, start_sync_worker

    terminal = (terminal_or_settings if isinstance(terminal_or_settings, Terminal)
                else Terminal.open(terminal_or_settings))
    services = KioskServices(terminal, scanner=configured_scanner(terminal.settings),
                             sync_worker=start_sync_worker(terminal))
    return services, terminal.catalog


def configured_scanner(settings: Any) -> Any:
    """The SANE scanner named in the settings, or None (the materials screen then offers import only)."""
    if not settings.scanner:
        return None
    from kiosk.devices.sane_scanner import SaneScanner

    return SaneScanner(settings.scanner)


def build_window(terminal: Any = None, *, settings: Any = None, language: str | None = None,
                 large_text: bool | None = None, fullscreen: bool = False, services: Any = None) -> Any:
    """The QApplication must exist. Returns the shown `KioskWindow`.

    With `settings` only, the welcome screen shows at once and the store
    opens in the background (importing SQLAlchemy and Alembic and checking
    migrations costs about a second); a tap that needs the store waits for it.
    """
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from ui.errors import install_excepthook
    from ui.fonts import install_fonts
    from ui.jobs import run_job
    from ui.kiosk.window import KioskWindow
    from ui.pyside_fixes import repair_singleton_refcounts
    from ui.threads import install_gc_guard

    app = QApplication.instance()
    install_gc_guard()  # garbage collection on the GUI thread only (see ui/threads.py)
    repair_singleton_refcounts()  # PySide6 6.12.0 on CPython 3.11 would abort after about two hours (ui/pyside_fixes.py)
    install_fonts(app)
    if services is None and terminal is not None:
        services, _catalog = open_services(terminal)
    settings = settings or (services.terminal.settings if services is not None else None)
    window = KioskWindow(services, settings=settings, language=language, large_text=large_text)
    install_excepthook(window.report)
    if services is None:
        run_job("open-store", lambda: open_services(settings), on_done=lambda pair: window.attach(*pair),
                on_error=window.report)
    if fullscreen:
        window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        window.showFullScreen()
    else:
        window.resize(1600, 900)
        window.show()
    return window
