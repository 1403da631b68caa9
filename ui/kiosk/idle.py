"""Ending a forgotten session: a countdown the citizen can stop, then a wipe (the clock: `ui.widgets.idle`).

Any touch, click or key press restarts the clock, wherever it lands. In the
last seconds an overlay covers the screen (hiding what was typed) with a
large countdown and "I need more time"; it stays above every other kiosk
card (`LAYER`), and any touch on it, not only the button, keeps the session.
If nobody answers, `expired` fires and the window ends the session.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QWidget

from ui.i18n import translate
from ui.kiosk.overlay import KioskOverlay
from ui.text import para
from ui.widgets import builders
from ui.widgets.builders import centred_card, label


class IdleOverlay(KioskOverlay):
    LAYER = 9  # above every other card: the countdown is what the citizen must see
    more_time = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("idleOverlay")
        layout = centred_card(self, "overlayBox", width=(760, 1000), margins=(48, 40), spacing=24)
        self.heading = label("title")
        self.countdown = label("receipt", name="idleCountdown", wrap=False)
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text = label()
        self.button = builders.button("moreTimeButton", self.more_time.emit, role="primary")
        for w in (self.heading, self.countdown, self.text, self.button):
            layout.addWidget(w)
        self.remaining = 0

    def show_countdown(self, seconds: int) -> None:
        self.remaining = seconds
        self.retranslate()
        self.cover()

    def retranslate(self) -> None:
        self.heading.setText(translate("Kiosk", "Are you still there?"))
        self.countdown.setText(translate("Kiosk", "%1 seconds").replace("%1", str(self.remaining)))
        self.text.setText(para(self._explanation()))
        self.button.setText(translate("Kiosk", "I need more time"))

    @staticmethod
    def _explanation() -> str:
        return translate("Kiosk", "To protect your privacy, this session will end and what you entered will be "
                                  "cleared from the screen. Touch the screen anywhere to continue.")

    def speech_text(self) -> str:
        return "。".join([translate("Kiosk", "Are you still there?"),
                          translate("Kiosk", "%1 seconds").replace("%1", str(self.remaining)), self._explanation()])
