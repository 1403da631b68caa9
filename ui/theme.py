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
    """Tag a widget for the stylesheet (QLabel[role="title"] and so on)."""
    set_style_property(widget, "role", role)
    return widget


def set_style_property(widget: QWidget, name: str, value: object) -> bool:
    """Set a property the style sheet selects on, and polish the widget again only when it changed.

    Each polish is a style-sheet pass over the widget. A screen relabelled with the same roles
    paid for one on every label each time (issue 10), so an unchanged value costs nothing. A
    widget still being built is not polished here either: it is polished when first shown, with
    its properties set by then, and polishing it twice (here and again when added to its parent)
    made building a kiosk screen slow. True when the value changed."""
    if widget.property(name) == value:
        return False
    widget.setProperty(name, value)
    if widget.testAttribute(Qt.WidgetAttribute.WA_WState_Polished):
        widget.style().unpolish(widget)
        widget.style().polish(widget)
    return True
