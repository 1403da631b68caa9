"""The application form generated from the catalog's schema, one widget per field."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.catalog import ServiceItem
from ui.widgets.fields import BaseField, field_widget


class FormView(QWidget):
    edited = Signal()

    def __init__(self, item: ServiceItem, values: dict[str, str] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(22)
        self.fields: list[BaseField] = []
        for spec in item.form:
            widget = field_widget(spec)
            widget.set_raw(str((values or {}).get(spec.key, "")))
            widget.edited.connect(self.edited)
            layout.addWidget(widget)
            self.fields.append(widget)

    def field(self, key: str) -> BaseField:
        return next(f for f in self.fields if f.key == key)

    def raw_values(self) -> dict[str, str]:
        return {f.key: f.raw() for f in self.fields}

    def validate(self) -> list[BaseField]:
        """Check every field and show each problem; returns the fields that failed."""
        return [f for f in self.fields if not f.validate()]

    def retranslate(self) -> None:
        for f in self.fields:
            f.retranslate()

    def clear(self) -> None:
        for f in self.fields:
            f.clear()
