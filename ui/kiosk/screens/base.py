"""The frame every kiosk screen shares: a title, a scrolling body, Back and Next.

Subclasses fill `self.body`, set their texts in `retranslate()` (called again
on every language switch, without touching typed values) and say what
read-aloud should speak in `speech_text()`.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QScrollArea, QWidget

from ui.i18n import translate
from ui.kiosk.context import KioskContext
from ui.text import para
from ui.theme import set_role
from ui.widgets import builders
from ui.widgets.box_layouts import FlexibleVBoxLayout, ScrollBodyLayout
from ui.widgets.keyboard_space import KeyboardSpace


class Screen(QWidget):
    back_requested = Signal()
    next_requested = Signal()
    announce = Signal(str)  # news on this screen read-aloud mode should speak (an answer that arrived)
    name = "screen"
    step: int | None = None  # position in the application steps, for the step label
    spoken_always = False  # read aloud as it appears even outside read-aloud mode (a ticket's number)
    done_when_idle = False  # the idle timeout ends the session as done (the citizen has what they came for)

    def __init__(self, ctx: KioskContext, *, back: bool = True, next_: bool = True) -> None:
        super().__init__(ctx.screens_parent)  # hidden until the navigator shows it
        self.ctx = ctx
        self.setObjectName(f"screen_{self.name}")
        outer = FlexibleVBoxLayout(self)  # stretches to the window; its least height is what it reports
        outer.setContentsMargins(48, 24, 48, 24)
        outer.setSpacing(16)
        self.title = set_role(QLabel(), "title")
        self.title.setWordWrap(True)
        self.subtitle = set_role(QLabel(), "hint")
        self.subtitle.setWordWrap(True)
        outer.addWidget(self.title)
        outer.addWidget(self.subtitle)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget()
        inner.setObjectName("scrollBody")
        self.body = ScrollBodyLayout(inner)  # long content scrolls; nothing is squeezed to fit
        self.body.setContentsMargins(0, 8, 16, 8)
        self.body.setSpacing(20)
        self.scroll.setWidget(inner)
        self.keyboard_space = KeyboardSpace(self.scroll)  # the focused field stays above the on-screen keyboard
        outer.addWidget(self.scroll, 1)
        self.footer = QHBoxLayout()
        self.footer.setSpacing(24)
        self.back_button = builders.button("backButton", self.back_requested.emit)
        self.next_button = builders.button("nextButton", self.on_next, role="primary")
        self.footer.addWidget(self.back_button)
        self.footer.addStretch(1)
        self.footer.addWidget(self.next_button)
        outer.addLayout(self.footer)
        # Only once they have a parent: a parentless widget made visible is a window of its own, for a moment.
        self.back_button.setVisible(back)
        self.next_button.setVisible(next_)

    def set_heading(self, title: str, subtitle: str = "") -> None:
        self.title.setText(title)
        self.subtitle.setText(para(subtitle) if subtitle else "")
        self.subtitle.setVisible(bool(subtitle))

    def reveal_soon(self, field: QWidget, helper: QWidget) -> None:
        """Once the layout has made room for a pad or picker under `field` (next turn of the event loop),
        scroll to it, keeping the field itself in view when both do not fit."""
        def reveal() -> None:
            if helper.isVisible():
                self.scroll.ensureWidgetVisible(helper, 0, 24)
                self.scroll.ensureWidgetVisible(field, 0, 24)

        QTimer.singleShot(0, self, reveal)

    def retranslate(self) -> None:
        self.back_button.setText("‹ " + translate("Kiosk", "Back"))
        self.next_button.setText(translate("Kiosk", "Next") + " ›")

    def on_enter(self) -> None:
        """Called each time the screen is shown."""

    def on_next(self) -> None:
        self.next_requested.emit()

    def speech_text(self) -> str:
        return f"{self.title.text()}。{self.subtitle.text() and self._plain(self.subtitle.text())}"

    @staticmethod
    def _plain(rich: str) -> str:
        from PySide6.QtGui import QTextDocumentFragment

        return QTextDocumentFragment.fromHtml(rich).toPlainText()
