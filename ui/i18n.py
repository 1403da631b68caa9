"""The UI language: Simplified Chinese by default, English complete.

Source strings are English inside `tr()` / `QCoreApplication.translate`;
`assets/i18n/onewindow_zh_CN.qm` (compiled from the `.ts` that
`pyside6-lupdate` extracts) turns them into Chinese. Catalog texts carry
both languages already and are picked with `lang()`.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from kiosk.assets import asset
from kiosk.errors import Message

LANGUAGES = ("zh", "en")
_state: dict[str, object] = {"lang": "zh", "translator": None}


def lang() -> str:
    return str(_state["lang"])


def qm_path() -> str:
    return str(asset("i18n", "onewindow_zh_CN.qm"))


def set_language(code: str) -> None:
    """Install (zh) or remove (en) the translator; the caller retranslates its screens."""
    if code not in LANGUAGES:
        raise ValueError(code)
    app = QCoreApplication.instance()
    old = _state["translator"]
    if isinstance(old, QTranslator) and app is not None:
        app.removeTranslator(old)
    _state["translator"] = None
    if code == "zh" and app is not None:
        translator = QTranslator(app)
        if translator.load(qm_path()):
            app.installTranslator(translator)
            _state["translator"] = translator
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China) if code == "zh"
                       else QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    _state["lang"] = code


def msg(message: Message | object) -> str:
    """A bilingual domain message (Message or catalog Text) in the current language."""
    getter = getattr(message, "text", None) if isinstance(message, Message) else getattr(message, "get", None)
    return getter(lang()) if callable(getter) else str(message)


def translate(context: str, text: str) -> str:
    return QCoreApplication.translate(context, text)
