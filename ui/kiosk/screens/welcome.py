"""The first screen: large choices and nothing from the previous citizen.

"Take a number" comes first when this terminal has a hall hub (`Terminal.hall`):
in a hall with a queue, most people come to the kiosk for a ticket. "Check in for
an appointment" follows, on a day the store holds bookings for; a citizen with a booking need not even tap it: an ID
card laid on a reader that tells placements apart is checked in at once, and a
booking code from a hand-held scanner too (`ui.kiosk.checkin_flow`). A card
without a booking today gets a calm note here, nothing else.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QLabel, QWidget

from kiosk.devices.id_card_reader import IdCardError
from kiosk.errors import Message
from kiosk.usecases import appointments
from ui.i18n import lang, msg, translate
from ui.jobs import run_job
from ui.kiosk.card_watch import CardWatch
from ui.kiosk.context import KioskContext
from ui.kiosk.qr_watch import QrWatch
from ui.kiosk.screens.base import Screen
from ui.kiosk.screens.welcome_steps import WelcomeSteps
from ui.text import para
from ui.theme import set_role
from ui.widgets import builders
from ui.widgets.column_grid import ColumnGrid
from ui.widgets.wrap_button import WrapButton

log = logging.getLogger("onewindow.kiosk")
CHOICE_COLUMN_WIDTH = 560  # two columns from about 1,150 pixels of width: landscape screens, not portrait
BOOKINGS_MS = 60_000  # how soon bookings a sync pass brought show the check-in button on an idle kiosk


class WelcomeScreen(Screen):
    name = "welcome"
    apply_chosen = Signal()
    progress_chosen = Signal()
    rate_chosen = Signal()
    ticket_chosen = Signal()
    checkin_chosen = Signal()
    card_placed = Signal(object)  # IdCardData laid on the reader while this screen shows: a check-in
    code_scanned = Signal(str)  # a booking code from a hand-held scanner while this screen shows

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
        # The big choices: one column on a portrait screen, two side by side on a landscape one, so that a
        # 1366x768 screen in large text shows every choice without scrolling. Long English labels wrap.
        choices = QWidget()
        choices.setObjectName("welcomeChoices")
        self.choices = ColumnGrid(choices, max_columns=2, spacing=20, column_width=CHOICE_COLUMN_WIDTH)
        self.body.addWidget(choices)
        self.ticket_button = builders.button("ticketButton", self.ticket_chosen.emit, role="choice", kind=WrapButton)
        self.ticket_button.setMinimumHeight(self.ticket_button.minimumHeight() + 60)
        self.choices.addWidget(self.ticket_button)
        self.ticket_button.setVisible(False)  # until the terminal says it has a hall hub (`refresh_hall`)
        self.checkin_button = builders.button("checkinButton", self.checkin_chosen.emit, role="choice",
                                              kind=WrapButton)
        self.checkin_button.setMinimumHeight(self.checkin_button.minimumHeight() + 60)
        self.choices.addWidget(self.checkin_button)
        self.checkin_button.setVisible(False)  # until the store shows bookings for today (`refresh_bookings`)
        self._bookings_timer = QTimer(self)  # a sync pass may bring today's bookings while nobody is here
        self._bookings_timer.setInterval(BOOKINGS_MS)
        self._bookings_timer.timeout.connect(self.refresh_bookings)
        self._asking = self._ask_again = False
        # a card laid here without a booking today: said here, calmly (the citizen may have come to apply)
        self.checkin_note = set_role(QLabel(), "hint")
        self.checkin_note.setObjectName("welcomeCheckinNote")
        self.checkin_note.setWordWrap(True)
        self.checkin_note.hide()
        self._note: Message | None = None
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.timeout.connect(self.clear_checkin_note)
        self.card_watch: CardWatch | None = None  # made once the terminal is open (`refresh_hall`)
        self.code_watch: QrWatch | None = None
        self.apply_button = builders.button("applyButton", self.apply_chosen.emit, role="choice", kind=WrapButton)
        self.progress_button = builders.button("progressButton", self.progress_chosen.emit, role="choice", kind=WrapButton)
        self.rate_button = builders.button("rateButton", self.rate_chosen.emit, role="choice", kind=WrapButton)
        for button in (self.apply_button, self.progress_button, self.rate_button):
            button.setMinimumHeight(button.minimumHeight() + 60)
            self.choices.addWidget(button)
        self.body.addWidget(self.checkin_note)
        self.help = set_role(QLabel(), "hint")
        self.help.setWordWrap(True)
        self.body.addWidget(self.help)
        self.steps = WelcomeSteps()
        self.steps.setVisible(False)  # until the screen has its size and the panel fits (`_fit_steps`)
        self.body.addWidget(self.steps)
        self.body.addStretch(1)
        self._fit_timer = QTimer(self)  # once per turn, after the layout settled, however many changes asked
        self._fit_timer.setSingleShot(True)
        self._fit_timer.timeout.connect(self._fit_steps)
        self.scroll.viewport().installEventFilter(self)
        self.scroll.widget().installEventFilter(self)
        for chosen in (self.apply_chosen, self.progress_chosen, self.rate_chosen, self.ticket_chosen,
                       self.checkin_chosen, self.card_placed, self.code_scanned):
            chosen.connect(self.clear_farewell)  # the next citizen has begun
            chosen.connect(self.clear_checkin_note)
        self.refresh_hall()
        self.retranslate()

    def refresh_hall(self) -> None:
        """Show "Take a number" only on a terminal paired with a hall hub (the store may still be opening)."""
        terminal = self.ctx.terminal
        self.ticket_button.setVisible(terminal is not None and terminal.hall is not None)
        self.steps.set_devices(terminal.devices if terminal is not None else None)
        self.refresh_bookings()
        if terminal is not None and self.code_watch is None:
            reader = terminal.devices.id_reader
            if reader is not None and reader.watchable:
                self.card_watch = CardWatch(reader, self)
                self.card_watch.card_read.connect(self.card_placed.emit)
                self.card_watch.failed.connect(self._reader_failed)
            self.code_watch = QrWatch(None, self)  # keys only: no camera decoding while the hall is quiet
            self.code_watch.code_read.connect(self.code_scanned.emit)
            if self.isVisible():
                self._watch(True)

    def on_enter(self) -> None:
        self.refresh_hall()

    def refresh_bookings(self) -> None:
        """Offer "Check in for an appointment" only when the store holds bookings for today: a hall that
        takes no appointments (or none today) is not offered a step that could only say "no booking"."""
        terminal = self.ctx.terminal
        if terminal is None:
            return
        if self._asking:  # the answer on its way may predate what changed: ask once more after it
            self._ask_again = True
            return
        self._asking, self._ask_again = True, False
        run_job("welcome-bookings", lambda: bool(appointments.appointments_for_day(terminal)),
                on_done=self._bookings, on_error=self._bookings_failed)

    def _bookings(self, any_today: bool) -> None:
        self._asking = False
        self.checkin_button.setVisible(any_today)
        if self._ask_again:
            self.refresh_bookings()

    def _bookings_failed(self, exc: BaseException) -> None:
        self._asking = False
        log.error("reading today's bookings for the welcome screen failed: %s",
                  getattr(exc, "__traceback_text__", repr(exc)))
        if self._ask_again:
            self.refresh_bookings()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self._fit_timer.start(0)
        self._watch(True)
        self._bookings_timer.start()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt's name
        self._watch(False)
        self._bookings_timer.stop()
        super().hideEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in (QEvent.Type.Resize, QEvent.Type.LayoutRequest):
            self._fit_timer.start(0)
        return False

    def _fit_steps(self) -> None:
        """The steps only while they fit under the choices with no scrolling. The height without them is
        what decides, so showing them can never make them not fit (no flicker between the two)."""
        viewport, body = self.scroll.viewport(), self.body
        width = viewport.width()
        if width <= 0 or not self.isVisible():
            return
        margins = body.contentsMargins()
        spacing = body.spacing()
        panel = self.steps.heightForWidth(width - margins.left() - margins.right())
        if panel < 0:
            panel = self.steps.sizeHint().height()
        shown = self.steps.isVisibleTo(self.scroll.widget())
        without = body.heightForWidth(width) - (panel + spacing if shown else 0)
        fits = without + spacing + panel + spacing <= viewport.height()  # a spacing's margin: no scroll bar
        if fits != shown:
            self.steps.setVisible(fits)

    def _watch(self, on: bool) -> None:
        for watch in (self.card_watch, self.code_watch):
            if watch is not None:
                watch.start() if on else watch.stop()

    @staticmethod
    def _reader_failed(exc: BaseException) -> None:
        """A card pulled away too soon, a reader unplugged: nobody asked for anything yet, so nothing is shown;
        the watch goes on. Anything else is a defect, logged with what it was."""
        if not isinstance(exc, IdCardError):
            log.error("watching the ID card reader on the welcome screen failed: %s",
                      getattr(exc, "__traceback_text__", repr(exc)))

    def show_checkin_note(self, message: Message, msecs: int) -> None:
        """Why a card laid here checked nothing in (no booking today...), for `msecs`."""
        self._note = message
        self._render_note()
        self.checkin_note.show()
        self._note_timer.start(msecs)

    def clear_checkin_note(self) -> None:
        self._note_timer.stop()
        self._note = None
        self.checkin_note.clear()
        self.checkin_note.hide()

    def _render_note(self) -> None:
        if self._note is not None:
            self.checkin_note.setText(para("ⓘ " + msg(self._note)))

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
        self.checkin_button.setText("▶  " + translate("Kiosk", "Check in for an appointment"))
        self.apply_button.setText("▶  " + translate("Kiosk", "Apply for a service"))
        self.progress_button.setText("▶  " + translate("Kiosk", "Check the progress of an application"))
        self.rate_button.setText("▶  " + translate("Kiosk", "Rate a service"))
        self.help.setText(para(translate(
            "Kiosk", "You can switch the language, make the text larger or have this page read aloud with the "
                     "buttons at the top. If you need help, tap “Ask staff for help” at the top.")))
        self.steps.retranslate()
        self._render_farewell()
        self._render_note()

    def speech_text(self) -> str:
        choices = [self.ticket_button] if self.ticket_button.isVisibleTo(self) else []
        choices += [self.checkin_button] if self.checkin_button.isVisibleTo(self) else []
        choices += [self.apply_button, self.progress_button, self.rate_button]
        steps = [self.steps.speech_text()] if self.steps.isVisibleTo(self) else []
        return "。".join([self.title.text(), self._plain(self.subtitle.text())] + [b.text()[3:] for b in choices]
                        + steps)
