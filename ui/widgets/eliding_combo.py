"""A drop-down that shortens the chosen entry with "…" when the box is narrower than its text.

`QComboBox` cuts a long entry off at the box's edge. On a narrow screen
this box elides it on purpose instead: the property ``elided`` says so,
the tooltip carries the whole text, and the list that drops down shows
every entry whole.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFontMetrics, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QComboBox, QStyle, QStyleOptionComboBox, QStylePainter, QWidget


class ElidingComboBox(QComboBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.currentIndexChanged.connect(self._mark)
        self.model().dataChanged.connect(self._mark)  # setItemText() after a language switch

    def _field_width(self) -> int:
        option = QStyleOptionComboBox()  # filled by attribute: see ui.widgets.wrap_button on void calls
        option.rect = self.rect()
        option.editable = self.isEditable()
        option.frame = self.hasFrame()
        return self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                           QStyle.SubControl.SC_ComboBoxEditField, self).width()

    def _mark(self) -> None:
        text = self.currentText()
        elided = QFontMetrics(self.font()).horizontalAdvance(text) > self._field_width()
        if bool(self.property("elided")) != elided or (elided and self.toolTip() != text):
            self.setProperty("elided", elided)
            self.setToolTip(text if elided else "")

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._mark()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._mark()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QStylePainter(self)
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        field = self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                            QStyle.SubControl.SC_ComboBoxEditField, self)
        option.currentText = QFontMetrics(self.font()).elidedText(option.currentText, Qt.TextElideMode.ElideRight,
                                                                  field.width())
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)
