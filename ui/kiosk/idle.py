"""Ending a forgotten session: a countdown the citizen can stop, then a wipe (the clock: `ui.widgets.idle`).

Any touch, click or key press restarts the clock. In the last seconds an
overlay covers the screen (hiding what was typed) with a large countdown
and "I need more time"; if nobody answers, `expired` fires and the window
ends the session.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.i18n import translate
from ui.text import para
from ui.theme import set_role


class IdleOverlay(QFrame):
    more_time = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("idleOverlay")
        set_role(self, "overlay")
        outer = QVBoxLayout(self)
        outer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box = set_role(QFrame(), "overlayBox")
        box.setMinimumWidth(760)
        box.setMaximumWidth(1000)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(48, 40, 48, 40)
        layout.setSpacing(24)
        self.heading = set_role(QLabel(), "title")
        self.heading.setWordWrap(True)
        self.countdown = set_role(QLabel(), "receipt")
        self.countdown.setObjectName("idleCountdown")
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.button = set_role(QPushButton(), "primary")
        self.button.setObjectName("moreTimeButton")
        self.button.clicked.connect(self.more_time)
        for w in (self.heading, self.countdown, self.text, self.button):
            layout.addWidget(w)
        outer.addWidget(box)
        self.remaining = 0
        self.hide()

    def show_countdown(self, seconds: int) -> None:
        self.remaining = seconds
        self.retranslate()
        self.setGeometry(self.parentWidget().rect())
        self.raise_()
        self.show()

    def retranslate(self) -> None:
        self.heading.setText(translate("Kiosk", "Are you still there?"))
        self.countdown.setText(translate("Kiosk", "%1 seconds").replace("%1", str(self.remaining)))
        self.text.setText(para(translate("Kiosk", "To protect your privacy, this session will end and what you "
                                                  "entered will be cleared from the screen.")))
        self.button.setText(translate("Kiosk", "I need more time"))
