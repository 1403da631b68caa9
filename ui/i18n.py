"""The UI language: Simplified Chinese by default, English complete.

Source strings are English inside `tr()` / `QCoreApplication.translate`;
`assets/i18n/onewindow_zh_CN.qm` (compiled from the `.ts` that
`pyside6-lupdate` extracts) turns them into Chinese. Catalog texts carry
both languages already and are picked with `lang()`.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from kiosk.assets import asset
from kiosk.errors import Message

LANGUAGES = ("zh", "en")
_state: dict[str, object] = {"lang": "zh", "translators": []}


def lang() -> str:
    return str(_state["lang"])


def qm_path() -> str:
    return str(asset("i18n", "onewindow_zh_CN.qm"))


def qt_qm_path() -> str:
    """Qt's own Chinese (stock buttons, dialogs, context menus), shipped in the PySide6 wheel."""
    return str(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath) + "/qtbase_zh_CN.qm")


def installed_translators() -> list[QTranslator]:
    return [t for t in _state["translators"] if isinstance(t, QTranslator)]  # type: ignore[attr-defined]


def set_language(code: str) -> None:
    """Install (zh) or remove (en) our translator and Qt's own; the caller retranslates its screens.

    Without Qt's catalogue a Chinese screen still shows stock English ("OK",
    "Cancel", "Copy" in a field's context menu); ours is installed last, so
    it wins where both translate the same text.
    """
    if code not in LANGUAGES:
        raise ValueError(code)
    app = QCoreApplication.instance()
    if app is not None:
        for old in installed_translators():
            app.removeTranslator(old)
    _state["translators"] = []
    if code == "zh" and app is not None:
        installed: list[QTranslator] = []
        for path in (qt_qm_path(), qm_path()):
            translator = QTranslator(app)
            if translator.load(path):
                app.installTranslator(translator)
                installed.append(translator)
        _state["translators"] = installed
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China) if code == "zh"
                       else QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    _state["lang"] = code


def msg(message: Message | object) -> str:
    """A bilingual domain message (Message or catalog Text) in the current language."""
    getter = getattr(message, "text", None) if isinstance(message, Message) else getattr(message, "get", None)
    return getter(lang()) if callable(getter) else str(message)


def translate(context: str, text: str) -> str:
    return QCoreApplication.translate(context, text)


def colon() -> str:
    """The colon between a label and its value: full-width in Chinese text, ASCII with a space in English."""
    return "：" if lang() == "zh" else ": "


def bracketed(*parts: str) -> str:
    """Words in brackets after a name: "（必交，原件）" in Chinese, " (required, original)" in English."""
    if lang() == "zh":
        return "（" + "，".join(parts) + "）"
    return " (" + ", ".join(parts) + ")"
