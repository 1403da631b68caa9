"""The counter's look: a denser sheet than the kiosk's, for a clerk at a desk with mouse and keyboard."""
from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from kiosk.assets import asset

SIZES = {"BODY": 18, "SMALL": 16, "BIG": 21, "TITLE": 27, "CONTROL": 40, "TALL": 48}


def stylesheet() -> str:
    template = asset("styles", "counter.qss").read_text(encoding="utf-8")
    for key, value in SIZES.items():
        template = template.replace(f"@{key}@", str(value))
    return template


def apply_counter_style(app: QApplication) -> None:
    font = QFont(app.font())
    font.setPixelSize(SIZES["BODY"])
    app.setFont(font)
    app.setStyleSheet(stylesheet())
