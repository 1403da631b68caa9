"""Qt Virtual Keyboard in the kiosk's language: pinyin in Chinese, an English layout in English.

Left alone, the keyboard picks the default locale of the moment its input
context is made and, on a machine with a C or English locale, comes up as
British English, so a citizen could not enter a Chinese name. Two steps:

- before the QApplication exists, the default locale is set to the kiosk's
  language (`start_locale`), which the input context takes as its own;
- afterwards, when the kiosk switches language, the keyboard's own
  `VirtualKeyboardSettings` (a QML singleton in the keyboard panel's engine)
  is told the new locale, with Chinese and English as its only languages.
  The panel is made the first time the keyboard shows, so a switch made
  before then is applied when it appears.

When the application quits, the panel is unloaded first (`release_keyboard`).
"""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QEvent, QLocale, QObject, QTimer
from PySide6.QtGui import QGuiApplication

from ui.app_events import subscribe

LOCALES = {"zh": "zh_CN", "en": "en_GB"}
PINYIN_PLUGIN = Path("qml", "QtQuick", "VirtualKeyboard", "Plugins", "Pinyin", "libqtvkbpinyinplugin.so")


def qt_dir() -> Path:
    import PySide6

    return Path(PySide6.__file__).resolve().parent / "Qt"


def pinyin_available() -> bool:
    """Whether this PySide6 ships the keyboard's pinyin input method (the PyPI wheels do)."""
    return (qt_dir() / PINYIN_PLUGIN).is_file()


def start_locale(language: str) -> None:
    """Before the QApplication: the keyboard's input context starts in this language."""
    QLocale.setDefault(QLocale(LOCALES.get(language, LOCALES["zh"])))


def in_use() -> bool:
    return os.environ.get("QT_IM_MODULE") == "qtvirtualkeyboard"


def keyboard_settings() -> QObject | None:
    """The keyboard panel's `VirtualKeyboardSettings`, once the panel exists."""
    from PySide6.QtQml import QQmlEngine
    from PySide6.QtQuick import QQuickWindow

    for window in QGuiApplication.topLevelWindows():
        if not isinstance(window, QQuickWindow):
            continue
        root = window.contentItem()
        for item in [root, *root.childItems()]:
            context = QQmlEngine.contextForObject(item)
            if context is not None and context.engine() is not None:
                settings = context.engine().singletonInstance("QtQuick.VirtualKeyboard.Settings",
                                                              "VirtualKeyboardSettings")
                if isinstance(settings, QObject):
                    return settings
    return None


def release_keyboard() -> bool:
    """Unload the keyboard panel's QML while the application still exists; True when there was a panel.

    Otherwise the panel is torn down inside the QGuiApplication's destructor,
    where it makes a QPixmap with no application left, and Qt aborts the
    process ("Must construct a QGuiApplication before a QPixmap") at every
    exit after the keyboard was once shown.
    """
    from PySide6.QtCore import QUrl
    from PySide6.QtQuick import QQuickView

    QGuiApplication.inputMethod().hide()
    found = False
    for window in QGuiApplication.topLevelWindows():
        if isinstance(window, QQuickView) and window.engine() is not None:
            window.engine().clearComponentCache()
            window.setSource(QUrl())
            found = True
    return found


class KeyboardLanguage(QObject):
    """Keeps the keyboard's language with the kiosk's (watches the application's language changes)."""

    def __init__(self, language: str, parent: QObject | None = None) -> None:
        app = QGuiApplication.instance()
        super().__init__(parent or app)
        self.locale = LOCALES.get(language, LOCALES["zh"])
        self.applied: str | None = None
        QGuiApplication.inputMethod().visibleChanged.connect(self.apply)
        subscribe(self, (QEvent.Type.LanguageChange,), self.eventFilter)
        app.aboutToQuit.connect(release_keyboard)  # type: ignore[attr-defined]

    def set_language(self, language: str) -> None:
        self.locale = LOCALES.get(language, LOCALES["zh"])
        self.apply()

    def apply(self) -> bool:
        """Tell the keyboard panel, if it exists yet; True when it has the kiosk's language now."""
        settings = keyboard_settings()
        if settings is None:
            return False
        settings.setProperty("activeLocales", list(LOCALES.values()))
        if settings.property("locale") != self.locale:
            settings.setProperty("locale", self.locale)
        self.applied = self.locale
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is QGuiApplication.instance() and event.type() == QEvent.Type.LanguageChange:
            QTimer.singleShot(0, self, self._follow)  # ui.i18n records the new language just after this event
        return False

    def _follow(self) -> None:
        from ui.i18n import lang

        self.set_language(lang())
