"""Keeping the focused field above the on-screen keyboard.

Qt Virtual Keyboard slides up over the lower part of the window and covers
whatever is there, often the very field being typed into. When the input
method reports the keyboard's rectangle, the scroll area gets that much room
at the bottom of its content (so even the last field can scroll up) and the
focused widget is scrolled into the part of the viewport the keyboard leaves
free. When the keyboard goes away, the room goes too.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRectF
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget

MARGIN = 24  # between the field and the keyboard's top edge


class KeyboardSpace(QObject):
    def __init__(self, scroll: QScrollArea) -> None:
        super().__init__(scroll)
        self.scroll = scroll
        self.overlap = 0
        layout = scroll.widget().layout() if scroll.widget() is not None else None
        self._bottom = layout.contentsMargins().bottom() if layout is not None else 0
        method = QGuiApplication.inputMethod()
        method.keyboardRectangleChanged.connect(self._from_input_method)
        method.visibleChanged.connect(self._from_input_method)

    def _from_input_method(self) -> None:
        method = QGuiApplication.inputMethod()
        self.fit(method.keyboardRectangle() if method.isVisible() else QRectF())

    def fit(self, keyboard: QRectF) -> None:
        """`keyboard` in window coordinates (empty: no keyboard)."""
        if not self.scroll.isVisible():
            return
        viewport = self.scroll.viewport()
        window = self.scroll.window()
        bottom = viewport.mapTo(window, QPoint(0, viewport.height())).y()
        self.overlap = max(0, int(bottom - keyboard.top())) if not keyboard.isEmpty() else 0
        layout = self.scroll.widget().layout() if self.scroll.widget() is not None else None
        if layout is not None:
            m = layout.contentsMargins()
            layout.setContentsMargins(m.left(), m.top(), m.right(), self._bottom + self.overlap)
            layout.activate()
            QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)  # the scroll range grows now, not later
        focus = QApplication.focusWidget()
        if self.overlap and focus is not None and self.scroll.widget() is not None \
                and self.scroll.widget().isAncestorOf(focus):
            self.reveal(focus)

    def reveal(self, widget: QWidget) -> None:
        """Scroll so `widget` lies in the viewport above the keyboard."""
        content = self.scroll.widget()
        top = widget.mapTo(content, QPoint(0, 0)).y()
        free = self.scroll.viewport().height() - self.overlap
        bar = self.scroll.verticalScrollBar()
        if top - MARGIN < bar.value():
            bar.setValue(max(0, top - MARGIN))
        elif top + widget.height() + MARGIN > bar.value() + free:
            bar.setValue(min(bar.maximum(), top + widget.height() + MARGIN - free))
