"""Recognising a barcode/QR scanner that "types" like a keyboard: a fast burst of keys ending in Enter.

A person types a key every 100 ms or more; a keyboard-wedge scanner sends
its whole code within a few milliseconds per character and presses Enter.
The detector watches every key press in the application, so a receipt can
be scanned whichever field has the focus; the burst's Enter is swallowed
(it must not submit a half-filled form) and `scanned(text)` fires instead.
"""
from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit

from ui.app_events import subscribe

MAX_GAP_MS = 40      # slower than any scanner, faster than any person
MIN_LENGTH = 8       # the shortest code we act on (receipt numbers are longer)


class ScannerBurst(QObject):
    scanned = Signal(str)

    def __init__(self, parent: QObject | None = None, *, max_gap_ms: int = MAX_GAP_MS,
                 min_length: int = MIN_LENGTH) -> None:
        super().__init__(parent)
        self.max_gap_ms = max_gap_ms
        self.min_length = min_length
        self.enabled = True
        self._buffer: list[str] = []
        self._clock = QElapsedTimer()
        subscribe(self, (QEvent.Type.KeyPress,), self.eventFilter)

    def reset(self) -> None:
        self._buffer = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if not self.enabled or event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if not watched.isWidgetType():  # the same key also passes the window's QWindow: count it once
            return False
        gap = self._clock.restart() if self._clock.isValid() else 10**6
        if not self._clock.isValid():
            self._clock.start()
        if gap > self.max_gap_ms:
            self._buffer = []
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            text = "".join(self._buffer)
            self._buffer = []
            if len(text) >= self.min_length and gap <= self.max_gap_ms:
                self._strip_from(watched, text)
                self.scanned.emit(text)
                return True
            return False
        typed = event.text()
        if typed and typed.isprintable():
            self._buffer.append(typed)
        return False

    @staticmethod
    def _strip_from(widget: QObject, text: str) -> None:
        """The burst also landed in the focused field: take it out again, unless that field is for searching."""
        if isinstance(widget, QLineEdit) and widget.objectName() != "searchBox" and widget.text().endswith(text):
            widget.setText(widget.text()[: -len(text)])
        elif isinstance(widget, QPlainTextEdit) and widget.toPlainText().endswith(text):
            widget.setPlainText(widget.toPlainText()[: -len(text)])
