"""A large numeric pad for phone numbers and other numbers, instead of the full on-screen keyboard.

An elderly citizen typing eleven digits on a QWERTY layout hunts for each
key among forty; on a pad of twelve finger-size keys the digits are where a
telephone has them. The pad types into a `QLineEdit` it is attached to
(`attach()`), so the field's own checks, maximum length and signals work as
with typing. Its keys never take the focus, so the field keeps its cursor,
and the field stops asking for the virtual keyboard (its input-method hints
say digits only, for any other input method).
"""
from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractSpinBox, QApplication, QGridLayout, QLineEdit, QPlainTextEdit, QPushButton,
                               QSizePolicy, QWidget)

from ui.i18n import translate
from ui.widgets.made_when_shown import MadeWhenShown
from ui.metrics import touch_px
from ui.theme import set_role

DELETE = "⌫"
DIGITS_ONLY = Qt.InputMethodHint.ImhDigitsOnly | Qt.InputMethodHint.ImhDialableCharactersOnly


def follow_focus(helper: QWidget, edit: QLineEdit, opened: Any) -> None:
    """Show `helper` while `edit` has the focus; fold it away only when another place to type takes it.

    Folding it when a button below took the focus would move that button up
    between press and release, and the tap would be lost.
    """
    helper.setVisible(edit.hasFocus())

    def changed(_old: QWidget | None, now: QWidget | None) -> None:
        if not shiboken6.isValid(helper) or not shiboken6.isValid(edit):
            return
        if now is edit:
            helper.show()
            opened.emit()
        elif isinstance(now, (QLineEdit, QPlainTextEdit, QAbstractSpinBox)) and helper.isVisible():
            helper.hide()

    app = QApplication.instance()
    app.focusChanged.connect(changed)  # type: ignore[attr-defined]
    helper.destroyed.connect(lambda: app.focusChanged.disconnect(changed))  # type: ignore[attr-defined]


class NumberPad(MadeWhenShown):
    """Keys 1–9, 0 and delete, and optionally one extra key (the X of an ID number); made when first shown
    (`MadeWhenShown`)."""

    key_tapped = Signal(str)
    opened = Signal()  # shown for its field: the screen scrolls it into view

    def __init__(self, extra: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("numberPad")
        self.edit: QLineEdit | None = None
        self._extra = extra
        self._keys: dict[str, QPushButton] = {}
        self.setMaximumWidth(560)

    @property
    def keys(self) -> dict[str, QPushButton]:
        self.made()
        return self._keys

    def _make(self) -> None:
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(10)
        layout = ["1", "2", "3", "4", "5", "6", "7", "8", "9", self._extra, "0", DELETE]
        for index, key in enumerate(layout):
            if not key:
                continue
            button = set_role(QPushButton(key), "key")
            button.setObjectName(f"key_{'delete' if key == DELETE else key}")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the field keeps its focus and cursor
            button.setAutoRepeat(key == DELETE)  # holding delete clears a wrong number
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setMinimumSize(touch_px(), touch_px())  # 15 mm, whatever the sheet says
            button.clicked.connect(lambda _=False, k=key: self.tap(k))
            grid.addWidget(button, index // 3, index % 3)
            self._keys[key] = button
        self.retranslate()

    def tap(self, key: str) -> None:
        """What a key does to the attached field: insert where the cursor is, or delete before it."""
        if self.edit is not None and not self.edit.isReadOnly():
            if key == DELETE:
                self.edit.backspace()  # emits textEdited, as a key press would
            else:
                self.edit.insert(key)
        self.key_tapped.emit(key)

    def attach(self, edit: QLineEdit, *, follow: bool = True) -> "NumberPad":
        """Type into `edit`; with `follow` the pad shows while the field has the focus."""
        self.edit = edit
        edit.setInputMethodHints(edit.inputMethodHints() | DIGITS_ONLY)
        edit.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)  # the pad, not the virtual keyboard
        if follow:
            follow_focus(self, edit, self.opened)
        return self

    def retranslate(self) -> None:
        """Names a screen reader says: the digit itself, or what a symbol key does."""
        spoken = {DELETE: translate("Widgets", "Delete"), ".": translate("Widgets", "Decimal point")}
        for key, button in self._keys.items():  # none yet: named as they are made
            button.setAccessibleName(spoken.get(key, key))
