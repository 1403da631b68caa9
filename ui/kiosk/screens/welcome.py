"""The first screen: large choices and nothing from the previous citizen.

"Take a number" comes first when this terminal has a hall hub (`Terminal.hall`):
in a hall with a queue, most people come to the kiosk for a ticket.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLabel

from ui.i18n import lang, translate
from ui.kiosk.context import KioskContext
from ui.kiosk.screens.base import Screen
from ui.text import para
from ui.theme import set_role
from ui.widgets import builders
from ui.widgets.wrap_button import WrapButton


class WelcomeScreen(Screen):
    name = "welcome"
    apply_chosen = Signal()
    progress_chosen = Signal()
    rate_chosen = Signal()
    ticket_chosen = Signal()

    def __init__(self, ctx: KioskContext) -> None:
        super().__init__(ctx, back=False, next_=False)
        # What happened to the last citizen's application, for them to read before they walk away.
        self.farewell = set_role(QLabel(), "ok")
        self.farewell.setObjectName("farewell")
        self.farewell.setWordWrap(True)
        self.farewell.hide()
        self._farewell_text: Callable[[], str] | None = None
        self._farewell_timer = QTimer(self)
        self._farewell_timer.setSingleShot(True)
        self._farewell_timer.timeout.connect(self.clear_farewell)
        self.body.addWidget(self.farewell)
        # long English labels wrap on a portrait screen
        self.ticket_button = builders.button("ticketButton", self.ticket_chosen.emit, role="choice", kind=WrapButton)
        self.ticket_button.setMinimumHeight(self.ticket_button.minimumHeight() + 60)
        self.body.addWidget(self.ticket_button)
        self.ticket_button.setVisible(False)  # until the terminal says it has a hall hub (`refresh_hall`)
        self.apply_button = builders.button("applyButton", self.apply_chosen.emit, role="choice", kind=WrapButton)
        self.progress_button = builders.button("progressButton", self.progress_chosen.emit, role="choice", kind=WrapButton)
        self.rate_button = builders.button("rateButton", self.rate_chosen.emit, role="choice", kind=WrapButton)
        for button in (self.apply_button, self.progress_button, self.rate_button):
            button.setMinimumHeight(button.minimumHeight() + 60)
            self.body.addWidget(button)
        self.help = set_role(QLabel(), "hint")
        self.help.setWordWrap(True)
        self.body.addWidget(self.help)
        self.body.addStretch(1)
        for chosen in (self.apply_chosen, self.progress_chosen, self.rate_chosen, self.ticket_chosen):
            chosen.connect(self.clear_farewell)  # the next citizen has begun
        self.refresh_hall()
        self.retranslate()

    def refresh_hall(self) -> None:
        """Show "Take a number" only on a terminal paired with a hall hub (the store may still be opening)."""
        terminal = self.ctx.terminal
        self.ticket_button.setVisible(terminal is not None and terminal.hall is not None)

    def on_enter(self) -> None:
        self.refresh_hall()

    def show_farewell(self, text: Callable[[], str], msecs: int) -> None:
        """Show `text()` (called again on a language switch) for `msecs`."""
        self._farewell_text = text
        self._render_farewell()
        self.farewell.show()
        self._farewell_timer.start(msecs)

    def clear_farewell(self) -> None:
        self._farewell_timer.stop()
        self._farewell_text = None
        self.farewell.clear()
        self.farewell.hide()

    def _render_farewell(self) -> None:
        if self._farewell_text is not None:
            self.farewell.setText(para("ⓘ " + self._farewell_text()))

    def retranslate(self) -> None:
        super().retranslate()
        settings = self.ctx.settings
        hall = settings.hall_name_en if lang() == "en" else settings.hall_name_zh
        self.set_heading(translate("Kiosk", "Welcome to %1").replace("%1", hall),
                         translate("Kiosk", "What would you like to do? Tap one of the large buttons below."))
        self.ticket_button.setText("▶  " + translate("Kiosk", "Take a number"))
        self.apply_button.setText("▶  " + translate("Kiosk", "Apply for a service"))
        self.progress_button.setText("▶  " + translate("Kiosk", "Check the progress of an application"))
        self.rate_button.setText("▶  " + translate("Kiosk", "Rate a service"))
        self.help.setText(para(translate(
            "Kiosk", "You can switch the language, make the text larger or have this page read aloud with the "
                     "buttons at the top. If you need help, tap “Ask staff for help” at the top.")))
        self._render_farewell()

    def speech_text(self) -> str:
        choices = [self.ticket_button] if self.ticket_button.isVisibleTo(self) else []
        choices += [self.apply_button, self.progress_button, self.rate_button]
        return "。".join([self.title.text(), self._plain(self.subtitle.text())] + [b.text()[3:] for b in choices])
