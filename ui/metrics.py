"""Physical sizes on the screen: touch targets are millimetres, not pixels.

The elderly-friendly rules ask for targets of at least 15 mm; pixels per
millimetre come from the screen's logical DPI, so a 96-dpi panel gets 57 px
and a denser one proportionally more.
"""
from __future__ import annotations

import math

from PySide6.QtGui import QGuiApplication

TOUCH_MM = 15.0
LINE_SPACING = 1.4  # MIIT asks for at least 1.3


def px_per_mm() -> float:
    screen = QGuiApplication.primaryScreen()
    dpi = screen.logicalDotsPerInch() if screen is not None else 96.0
    return (dpi or 96.0) / 25.4


def touch_px() -> int:
    """The smallest side of anything a finger must hit."""
    return math.ceil(TOUCH_MM * px_per_mm())


def mm(value: float) -> int:
    return math.ceil(value * px_per_mm())
