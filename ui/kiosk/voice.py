"""What the kiosk says aloud, and when: the policy; the voice itself is `ui.speech.ReadAloud`.

Read-aloud mode is on while large text is on (the elderly-friendly mode)
or once a citizen has used the keypad (a blind citizen cannot find the
large-text switch; `ui.kiosk.keypad`). In that mode, without pressing
anything, the citizen hears each step as it appears (its title and
instruction), every error (the notice bar's, and each field's error shown
after a tap), the idle countdown, every question card, and what happened
to their application when the session ends. The Read aloud button speaks
the current step in any mode.

Every call returns at once: the voice is another process, and a dead or
wedged one only makes the kiosk silent (`ReadAloud.state`).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QWidget

from ui.app_events import subscribe

from ui.i18n import lang, translate

_DECORATION = re.compile(r"^[\s▶‹›✔✖⚠ⓘ⏳●○…]+|[\s▶‹›✔✖⚠ⓘ⏳]+$")
_DOUBLED = re.compile(r"([。！？.!?：])[。，]")  # "申请人是谁？。" is read "申请人是谁？"


class Voice(Protocol):
    """What the policy needs of a voice: `ui.speech.ReadAloud`, or `RecordingVoice` in tests."""

    def say(self, text: str, lang: str) -> bool: ...
    def stop(self) -> None: ...
    def has_voice(self, lang: str) -> bool: ...


class RecordingVoice:
    """A voice that speaks every language and remembers what it was asked to say (tests, screenshots)."""

    def __init__(self) -> None:
        self.said: list[tuple[str, str]] = []
        self.stops = 0

    def say(self, text: str, lang: str) -> bool:
        self.said.append((text, lang))
        return True

    def stop(self) -> None:
        self.stops += 1

    def has_voice(self, lang: str) -> bool:
        return True

    def texts(self) -> list[str]:
        return [text for text, _lang in self.said]


def sentences(*parts: str) -> str:
    """Parts read one after another, each ended by a full stop unless it already has one."""
    kept = [p.strip() for p in parts if p and p.strip()]
    return "".join(p if p.endswith(("。", "！", "？", ".", "!", "?")) or i == len(kept) - 1 else p + "。"
                   for i, p in enumerate(kept))


def plain(text: str) -> str:
    """Rich text as it would be read: no tags, no decorative marks."""
    if "<" in text:
        text = QTextDocumentFragment.fromHtml(text).toPlainText()
    lines = [_DECORATION.sub("", line).strip() for line in text.splitlines()]
    return _DOUBLED.sub(r"\1", "，".join(line for line in lines if line))


def spoken_name(widget: QWidget) -> str:
    """A control as a screen reader names it: its accessible name (or its words) and what kind of control it is."""
    name = widget.accessibleName()
    if not name and isinstance(widget, QAbstractButton):
        name = widget.text()
    if not name and isinstance(widget, QLineEdit):
        owner = widget.parentWidget()
        caption = getattr(owner, "label", None)  # ui.widgets.fields: the field's own label
        name = caption.text() if isinstance(caption, QLabel) else widget.placeholderText()
    name = plain(name)
    if isinstance(widget, QLineEdit):
        typed = widget.text()
        kind = translate("Kiosk", "text field")
        return "，".join(part for part in (name, kind, typed) if part)
    if isinstance(widget, QAbstractButton):
        parts = [name, translate("Kiosk", "button")]
        if widget.isCheckable() and widget.isChecked():
            parts.append(translate("Kiosk", "selected"))
        return "，".join(part for part in parts if part)
    return name


class KioskVoice(QObject):
    def __init__(self, window: QWidget, large_text: Callable[[], bool]) -> None:
        super().__init__(window)
        self.window = window
        self.voice: Voice | None = None
        self.keypad_mode = False
        self._large_text = large_text
        self._errors_said = ""
        self._error_check = QTimer(self)
        self._error_check.setSingleShot(True)
        self._error_check.setInterval(0)
        self._error_check.timeout.connect(self._speak_field_errors)
        subscribe(self, (QEvent.Type.MouseButtonRelease, QEvent.Type.KeyRelease, QEvent.Type.TouchEnd),
                  self.eventFilter)

    @property
    def auto(self) -> bool:
        """Read-aloud mode: speak without being asked."""
        return self.keypad_mode or self._large_text()

    def say(self, text: str, *, asked: bool = False, language: str | None = None) -> bool:
        """Speak `text` in the screen's language (or `language`), if read-aloud mode is on (or the citizen `asked`)."""
        text = plain(text)
        if self.voice is None or not text or not (asked or self.auto):
            return False
        return self.voice.say(text, language or lang())

    def stop(self) -> None:
        if self.voice is not None:
            self.voice.stop()

    def reset(self) -> None:
        """A new citizen: the keypad mode was the last one's."""
        self.keypad_mode = False
        self._errors_said = ""
        self.stop()

    # --- events the window passes on ------------------------------------------------------------------
    def screen_shown(self, text: str, focused: QWidget | None = None) -> None:
        self._errors_said = ""
        self.say(sentences(plain(text), spoken_name(focused) if focused else ""))

    def error(self, text: str) -> None:
        self.say(text)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """After a tap or Enter in the window, look for field errors it brought up (a Next refused)."""
        kind = event.type()
        if kind in (QEvent.Type.MouseButtonRelease, QEvent.Type.KeyRelease, QEvent.Type.TouchEnd) \
                and isinstance(watched, QWidget) and self.window.isAncestorOf(watched):
            self._error_check.start()
        return False

    def _speak_field_errors(self) -> None:
        screen = getattr(getattr(self.window, "nav", None), "current", lambda: None)()
        if screen is None:
            return
        errors = [plain(l.text()) for l in screen.findChildren(QLabel)
                  if l.property("role") == "error" and l.isVisible() and l.text()]
        said = sentences(*errors)
        if said != self._errors_said:
            self._errors_said = said
            if said:
                self.say(said)

