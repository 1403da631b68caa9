"""Building the kiosk: environment before Qt starts, then fonts, devices and the window."""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.settings import Settings
    from kiosk.terminal import Terminal
    from ui.kiosk.window import KioskWindow

VK_PLUGIN = "libqtvirtualkeyboardplugin.so"


def virtual_keyboard_available() -> bool:
    import PySide6

    folder = Path(PySide6.__file__).resolve().parent / "Qt" / "plugins" / "platforminputcontexts"
    return (folder / VK_PLUGIN).is_file() or any(folder.glob("*virtualkeyboard*"))


def prepare_environment(*, keyboard: bool = True, language: str | None = None) -> bool:
    """Must run before the QApplication exists: Qt reads QT_IM_MODULE once, at start-up.

    The keyboard starts in the kiosk's language (pinyin for Chinese, the default), not the machine's locale.
    """
    from ui.kiosk.virtual_keyboard import start_locale

    if keyboard and "QT_IM_MODULE" not in os.environ and virtual_keyboard_available():
        os.environ["QT_IM_MODULE"] = "qtvirtualkeyboard"
        # Chinese (pinyin) and English layouts only; the keyboard's language key switches between them.
        os.environ.setdefault("QT_VIRTUALKEYBOARD_STYLE", "default")
    if os.environ.get("QT_IM_MODULE") == "qtvirtualkeyboard":
        start_locale(language or "zh")
        return True
    return False


def build_window(terminal: "Terminal | None" = None, *, settings: "Settings | None" = None,
                 language: str | None = None, large_text: bool | None = None,
                 fullscreen: bool = False) -> "KioskWindow":
    """The QApplication must exist. Returns the shown `KioskWindow`.

    With `settings` only, the welcome screen shows at once and the store
    opens in the background (importing SQLAlchemy and Alembic and checking
    migrations costs about a second); a tap that needs the store waits for it.
    """
    from PySide6.QtCore import QSize, QTimer
    from PySide6.QtWidgets import QApplication

    from ui.errors import install_excepthook
    from ui.fonts import install_fonts
    from ui.jobs import run_job
    from ui.kiosk.window import KioskWindow
    from ui.pyside_fixes import repair_singleton_refcounts
    from ui.terminal_setup import open_terminal
    from ui.threads import START_UP_SETTLED_MS, favour_gui_thread, freeze_start_up, install_gc_guard
    from ui.widgets.window_placement import show_on_screen

    app = QApplication.instance()
    install_gc_guard()  # garbage collection on the GUI thread only (see ui/threads.py)
    favour_gui_thread()  # Python's lock back to the GUI thread within 1 ms of a job's (ui/threads.py)
    repair_singleton_refcounts()  # PySide6 6.12.0 on CPython 3.11 would abort after about two hours (ui/pyside_fixes.py)
    install_fonts(app)
    window = KioskWindow(terminal, settings=settings, language=language, large_text=large_text)
    from ui import i18n
    from ui.kiosk.virtual_keyboard import KeyboardLanguage, in_use

    if in_use():
        KeyboardLanguage(i18n.lang(), window)  # pinyin in Chinese, English in English; lives as long as the window
    install_excepthook(window.report)
    if terminal is None:
        assert settings is not None
        opening = settings
        run_job("open-store", lambda: open_terminal(opening), on_done=window.attach, on_error=window.report)
    show_on_screen(window, fullscreen=fullscreen, preferred=QSize(1600, 900))
    QTimer.singleShot(START_UP_SETTLED_MS, freeze_start_up)
    return window
