"""The few lines every screen repeats to make a button, a label or a centred card, said once.

Object names are what the tests and the stylesheet find widgets by; roles are
the stylesheet's kinds (`ui.theme.set_role`).
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.theme import set_role


def button(name: str, on_click: Callable[[], object] | None = None, *, role: str | None = None,
           kind: type[QPushButton] = QPushButton, checkable: bool = False) -> QPushButton:
    made = kind()
    made.setObjectName(name)
    if role is not None:
        set_role(made, role)
    made.setCheckable(checkable)
    if on_click is not None:
        made.clicked.connect(lambda _checked=False: on_click())
    return made


def label(role: str | None = None, *, name: str | None = None, wrap: bool = True) -> QLabel:
    made = QLabel()
    if role is not None:
        set_role(made, role)
    if name is not None:
        made.setObjectName(name)
    made.setWordWrap(wrap)
    return made


def centred_card(owner: QWidget, role: str, *, width: tuple[int, int], margins: tuple[int, int],
                 spacing: int) -> QVBoxLayout:
    """A framed box in the middle of `owner` (a dialog-like panel drawn in the window): its layout."""
    outer = QVBoxLayout(owner)
    outer.setAlignment(Qt.AlignmentFlag.AlignCenter)
    card = set_role(QFrame(), role)
    card.setMinimumWidth(width[0])
    card.setMaximumWidth(width[1])
    layout = QVBoxLayout(card)
    layout.setContentsMargins(margins[0], margins[1], margins[0], margins[1])
    layout.setSpacing(spacing)
    outer.addWidget(card)
    return layout
