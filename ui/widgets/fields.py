"""One input with its label, hint and inline check, for any field type.

The check is the domain's own (`kiosk.forms.check_field` or an identity
parser), run when the person leaves the field, so the kiosk, the counter and
the CLI accept exactly the same input. An error is shown as a sentence with
a mark, never as a red border alone (no meaning by colour alone). Labels come
from callables so a language switch relabels without touching what was typed.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from kiosk.catalog import FormField, Text
from kiosk.errors import Message
from kiosk.forms import check_field
from kiosk.identity import InvalidIdentity, parse_mobile, parse_resident_id
from ui.i18n import lang, msg, translate
from ui.text import para
from ui.theme import set_role, set_style_property
from ui.widgets.column_grid import ColumnGrid
from ui.widgets.wrap_button import WrapButton

Checker = Callable[[str], tuple[Any, Message | None]]


class BaseField(QWidget):
    """Label, input, hint and error, stacked; subclasses supply the input."""

    edited = Signal()

    def __init__(self, key: str, label: Text, required: bool, help_text: Text | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self._label_text = label
        self._help = help_text
        self.required = required
        self._error: Message | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(6)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.hint = set_role(QLabel(), "hint")
        self.hint.setWordWrap(True)
        self.error_label = set_role(QLabel(), "error")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self._layout.addWidget(self.label)

    def _finish_layout(self) -> None:
        self._layout.addWidget(self.hint)
        self._layout.addWidget(self.error_label)
        self.retranslate()

    # -- values -----------------------------------------------------------
    def raw(self) -> str:
        raise NotImplementedError

    def set_raw(self, value: str) -> None:
        raise NotImplementedError

    def check(self, raw: str) -> tuple[Any, Message | None]:
        raise NotImplementedError

    def validate(self) -> bool:
        """Check now and show the result; True when the value is acceptable."""
        _value, problem = self.check(self.raw())
        self.show_error(problem)
        return problem is None

    def show_error(self, problem: Message | None) -> None:
        self._error = problem
        self.setProperty("invalid", problem is not None)
        self._render_error()

    @property
    def error(self) -> Message | None:
        return self._error

    def _render_error(self) -> None:
        if self._error is None:
            self.error_label.hide()
            self.error_label.clear()
        else:
            self.error_label.setText(para("✖ " + msg(self._error)))
            self.error_label.show()

    def retranslate(self) -> None:
        mark = translate("Widgets", "(required)") if self.required else translate("Widgets", "(optional)")
        self.label.setText(para(f"{self._label_text.get(lang())}  {mark}", bold=True))
        self.hint.setText(para(self._help.get(lang())) if self._help else "")
        self.hint.setVisible(self._help is not None)
        self._render_error()

    def clear(self) -> None:
        self.set_raw("")
        self.show_error(None)


class LineField(BaseField):
    def __init__(self, key: str, label: Text, required: bool, checker: Checker, *, help_text: Text | None = None,
                 placeholder: Text | None = None, max_length: int | None = None, digits: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(key, label, required, help_text, parent)
        self._checker = checker
        self._placeholder = placeholder
        self.edit = QLineEdit()
        self.edit.setObjectName(f"field_{key}")
        if max_length:
            self.edit.setMaxLength(max_length + 10)  # let the check explain an overlong value
        if digits:
            self.edit.setInputMethodHints(Qt.InputMethodHint.ImhPreferNumbers)
        self.edit.editingFinished.connect(self.validate)
        self.edit.textEdited.connect(self._on_edit)
        self._layout.addWidget(self.edit)
        self._finish_layout()

    def _on_edit(self, _text: str) -> None:
        if self._error is not None:
            self.show_error(None)
        self.edited.emit()

    def raw(self) -> str:
        return self.edit.text()

    def set_raw(self, value: str) -> None:
        self.edit.setText(value)  # also clears the undo history, so wiped text cannot be undone back

    def check(self, raw: str) -> tuple[Any, Message | None]:
        return self._checker(raw)

    def show_error(self, problem: Message | None) -> None:
        super().show_error(problem)
        set_style_property(self.edit, "invalid", problem is not None)

    def retranslate(self) -> None:
        super().retranslate()
        self.edit.setAccessibleName(self._label_text.get(lang()))  # what a screen reader says for the field
        self.edit.setAccessibleDescription(self._help.get(lang()) if self._help else "")
        if self._placeholder is not None:
            self.edit.setPlaceholderText(self._placeholder.get(lang()))


class ChoiceField(BaseField):
    """Big toggle buttons instead of a drop-down: one tap, no tiny pop-up list."""

    def __init__(self, field: FormField, parent: QWidget | None = None) -> None:
        super().__init__(field.key, field.label, field.required, field.help, parent)
        self.field = field
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        grid = ColumnGrid(max_columns=min(3, max(1, len(field.options))), spacing=10)  # columns by real width
        self.buttons: dict[str, QPushButton] = {}
        for option in field.options:
            button = set_role(WrapButton(), "tab")
            button.reserve("✔ ")
            button.setObjectName(f"choice_{field.key}_{option.value}")
            button.setCheckable(True)
            self.group.addButton(button)
            self.buttons[option.value] = button
            button.clicked.connect(self._on_pick)
            button.toggled.connect(self._relabel)
            grid.addWidget(button)
        self._layout.addLayout(grid)
        self._finish_layout()

    def _on_pick(self) -> None:
        self.show_error(None)
        self.edited.emit()

    def raw(self) -> str:
        return next((value for value, b in self.buttons.items() if b.isChecked()), "")

    def set_raw(self, value: str) -> None:
        if value in self.buttons:
            self.buttons[value].setChecked(True)
        else:
            self.group.setExclusive(False)
            for b in self.buttons.values():
                b.setChecked(False)
            self.group.setExclusive(True)

    def check(self, raw: str) -> tuple[Any, Message | None]:
        return check_field(self.field, raw)

    def _relabel(self, _checked: bool = False) -> None:
        """The chosen option carries a tick, not only a fill colour."""
        for option in self.field.options:
            button = self.buttons[option.value]
            button.setText(("✔ " if button.isChecked() else "") + option.label.get(lang()))

    def retranslate(self) -> None:
        super().retranslate()
        self._relabel()


_PLACEHOLDERS = {
    "date": Text("如 2026-01-31", "e.g. 2026-01-31"),
    "money": Text("金额（元），如 1200.50", "Amount in yuan, e.g. 1200.50"),
    "phone": Text("如 13800138000", "e.g. 13800138000"),
    "id_number": Text("18位身份证号码", "18-character ID number"),
    "credit_code": Text("18位统一社会信用代码", "18-character credit code"),
    "integer": Text("填写数字", "A whole number"),
}


def field_widget(field: FormField) -> BaseField:
    """The right widget for a catalog form field."""
    if field.type == "choice":
        return ChoiceField(field)
    digits = field.type in ("phone", "integer", "money", "id_number", "date")
    return LineField(field.key, field.label, field.required, lambda raw, f=field: check_field(f, raw),
                     help_text=field.help, placeholder=_PLACEHOLDERS.get(field.type), max_length=field.max_length,
                     digits=digits)


# The applicant's own fields, checked the same way at a kiosk and at a counter.
def check_id_number(raw: str) -> tuple[Any, Message | None]:
    try:
        return parse_resident_id(raw).number, None
    except InvalidIdentity as exc:
        return None, exc.message


def check_mobile(raw: str) -> tuple[Any, Message | None]:
    try:
        return parse_mobile(raw), None
    except InvalidIdentity as exc:
        return None, exc.message
