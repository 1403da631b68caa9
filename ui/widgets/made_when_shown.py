"""Keypads whose keys are made when first shown, not with the screen that holds them.

A kiosk screen is built ahead in one turn of the event loop while the citizen
reads the step before (`ui.kiosk.navigator`), and every keypad on it (a date
picker's 48 keys, a number pad's 12) made that turn longer: each key is a
styled button, a few hundred microseconds of the GUI thread. Most keypads
are never opened; the one that is pays for its keys when its field is tapped.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget


class MadeWhenShown(QWidget):
    """Subclasses make their children in `_make()`, which runs once: when the widget is first shown (by
    `show()`, or with its parent), or when code asks for a key first (`made()`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._is_made = False

    def _make(self) -> None:
        raise NotImplementedError

    def made(self) -> None:
        if not self._is_made:
            self._is_made = True
            self._make()

    def setVisible(self, visible: bool) -> None:  # noqa: N802 - Qt's name; show() and hide() come here too
        if visible:
            self.made()
        super().setVisible(visible)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - shown with its parent: no setVisible call
        if not self._is_made:
            self.made()
            for child in self.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
                child.show()
        super().showEvent(event)
