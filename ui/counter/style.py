"""The counter's look: a denser sheet than the kiosk's, for a clerk at a desk with mouse and keyboard."""
from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.assets import asset

SIZES = {"BODY": 18, "SMALL": 16, "BIG": 21, "TITLE": 27, "CONTROL": 40, "TALL": 48}


def stylesheet() -> str:
    template = asset("styles", "counter.qss").read_text(encoding="utf-8")
    for key, value in SIZES.items():
        template = template.replace(f"@{key}@", str(value))
    return template


def apply_counter_style(window: QWidget) -> None:
    """On the counter's window, not the application: a kiosk window in the same process (the soak,
    `bench/terminal_soak.py`) keeps its own sheet, and neither restyles the other's every widget when it
    applies its own (that took the GUI thread for over half a second)."""
    font = QFont(QApplication.font())
    font.setPixelSize(SIZES["BODY"])
    window.setFont(font)
    window.setStyleSheet(stylesheet())
