"""The kiosk's look: one QSS template, two text sizes, applied app-wide.

Every screen styles itself through object names and the dynamic ``role``
property, never with inline sizes, so switching to the large-text,
high-contrast sheet changes every screen at once.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.assets import asset
from ui.metrics import touch_px


@dataclass(frozen=True)
class Theme:
    name: str  # "normal" or "large"
    body_px: int
    title_px: int
    big_px: int
    small_px: int

    @property
    def large(self) -> bool:
        return self.name == "large"


NORMAL = Theme("normal", body_px=22, title_px=34, big_px=28, small_px=19)
LARGE = Theme("large", body_px=30, title_px=44, big_px=38, small_px=26)
_current: dict[str, Theme] = {"theme": NORMAL}


def current() -> Theme:
    return _current["theme"]


def stylesheet(theme: Theme) -> str:
    template = asset("styles", f"kiosk_{theme.name}.qss").read_text(encoding="utf-8")
    touch = touch_px()
    values = {"TOUCH": touch, "BODY": theme.body_px, "TITLE": theme.title_px, "BIG": theme.big_px,
              "SMALL": theme.small_px, "HALF_TOUCH": touch // 2, "RADIUS": max(8, touch // 6)}
    for key, value in values.items():
        template = template.replace(f"@{key}@", str(value))
    return template


def apply_theme(app: QApplication, large: bool, *, force: bool = False) -> Theme:
    """Restyling every widget costs a quarter of a second on a kiosk: only when the size really changes."""
    theme = LARGE if large else NORMAL
    sheet = stylesheet(theme)
    if not force and _current.get("theme") is theme and app.styleSheet() == sheet:
        return theme
    _current["theme"] = theme
    font = QFont(app.font())
    font.setPixelSize(theme.body_px)
    app.setFont(font)
    app.setStyleSheet(sheet)
    return theme


def set_role(widget: QWidget, role: str) -> QWidget:
    """Tag a widget for the stylesheet (QLabel[role="title"] and so on).

    Only a widget already polished is polished again: one still being built is
    polished when it is first shown, with its role set by then. Polishing it
    here as well cost a style-sheet pass per widget, and a second one when it
    was added to its parent (the style sheet polishes a polished widget again
    when its parent changes), which made building a kiosk screen slow."""
    widget.setProperty("role", role)
    if widget.testAttribute(Qt.WidgetAttribute.WA_WState_Polished):
        widget.style().unpolish(widget)
        widget.style().polish(widget)
    return widget
