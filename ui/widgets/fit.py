"""Choosing how many buttons fit side by side, so long English labels never get clipped."""
from __future__ import annotations

from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication

from ui.metrics import mm


def fit_columns(texts: list[str], max_columns: int, available: int | None = None, font: QFont | None = None,
                padding: int = 72, spacing: int = 12) -> int:
    """The most columns (up to `max_columns`) in which every text fits on one line."""
    if not texts:
        return 1
    metrics = QFontMetrics(font or QApplication.font())
    widest = max(metrics.horizontalAdvance(line) for t in texts for line in t.split("\n")) + padding
    width = available or _default_width()
    for columns in range(max_columns, 1, -1):
        if columns * widest + (columns - 1) * spacing <= width:
            return columns
    return 1


def _default_width() -> int:
    screen = QApplication.primaryScreen()
    width = screen.availableGeometry().width() if screen is not None else 1280
    return max(600, width - mm(40))  # margins and the scroll bar
