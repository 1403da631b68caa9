"""Ending a forgotten session: a countdown the citizen can stop, then a wipe (the clock: `ui.widgets.idle`).

Any touch, click or key press restarts the clock. In the last seconds an
overlay covers the screen (hiding what was typed) with a large countdown
and "I need more time"; if nobody answers, `expired` fires and the window
ends the session.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QWidget

from ui.i18n import translate
from ui.text import para
from ui.theme import set_role
from ui.widgets import builders
from ui.widgets.builders import centred_card, label


class IdleOverlay(QFrame):
    more_time = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("idleOverlay")
        set_role(self, "overlay")
        layout = centred_card(self, "overlayBox", width=(760, 1000), margins=(48, 40), spacing=24)
        self.heading = label("title")
        self.countdown = label("receipt", name="idleCountdown", wrap=False)
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text = label()
        self.button = builders.button("moreTimeButton", self.more_time.emit, role="primary")
        for w in (self.heading, self.countdown, self.text, self.button):
            layout.addWidget(w)
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
