"""Checking in for a booked appointment at the kiosk: card or QR code in, priority ticket out.

    welcome --"Check in"--> checkin --(card / QR code)--> checkin_result --(Done, or idle)--> welcome
       |                       |  no booking: said on the screen and aloud; the idle clock (short) or
       |                       +  "Back to the start" returns to the welcome screen
       +--(a card laid on the welcome screen)--> checked in at once, no tap; no booking: a note there

The use cases are `kiosk.usecases.appointments` (check_in_by_id_number, check_in_by_code), which work
from the store, offline too; a check-in gives a `Priority.APPOINTMENT` ticket, printed exactly as a
number taken with "Take a number" (`ui.kiosk.ticket_flow.TicketFlow.print_ticket`). A check-in runs once
at a time: what is read while it runs is ignored, and the same card again gets the same ticket.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from kiosk.errors import Message, UserFacingError
from kiosk.queue.model import Category, HallUnavailable
from ui.i18n import msg
from ui.jobs import run_job

if TYPE_CHECKING:
    from kiosk.devices.id_card_reader import IdCardData
    from kiosk.terminal import Terminal
    from kiosk.usecases.appointments import CheckIn
    from ui.kiosk.context import KioskContext
    from ui.kiosk.screens.base import Screen
    from ui.kiosk.screens.checkin import CheckinScreen
    from ui.kiosk.ticket_flow import TicketFlow

log = logging.getLogger("onewindow.kiosk.checkin")

NO_BOOKING_HERE = Message("没有查到这张身份证今天的预约。如需办理其他业务，请点下方的按钮。",
                          "No appointment for today was found for this ID card. For anything else, tap one of "
                          "the buttons below.")
RESULT_SECONDS = 45  # the number on screen, then back to the welcome screen (as for a number taken)
REFUSED_SECONDS = 40  # "no booking today": time to read it, or to try the QR code instead, then the start
WELCOME_NOTE_MS = 15_000  # a card laid on the welcome screen without a booking: the note stays this long


class CheckinNavigator(Protocol):
    """What the flow needs of `ui.kiosk.navigator.KioskNavigator` (which creates the flow)."""

    screens: dict[str, Screen]
    ticket: TicketFlow

    def add_screen(self, screen: Screen) -> Screen: ...
    def drop_screen(self, screen: Screen) -> None: ...
    def show(self, name: str) -> Screen: ...
    def home(self) -> None: ...
    def current(self) -> Screen | None: ...


class CheckinShell(Protocol):
    """What the flow needs of the kiosk window (`ui.kiosk.window.KioskWindow`)."""

    def start_idle(self, seconds: int | None = None) -> None: ...
    def when_ready(self, action: Callable[[], None]) -> None: ...
    def clear_report(self) -> None: ...
    def report(self, exc: BaseException) -> None: ...
    def end_session(self, reason: str) -> None: ...
    def speak(self, text: str) -> None: ...


def _appointments():  # noqa: ANN202 - the module, looked up when first used (fast start-up)
    from kiosk.usecases import appointments

    return appointments


def _ticket_line(t: Terminal, code: str) -> Category:
    """The ticket's line with its names; offline the hub's last list; the bare code when it has none."""
    from kiosk.usecases.queue import queue_categories

    try:
        found = next((c for c in queue_categories(t) if c.code == code), None)
    except HallUnavailable:
        found = None
    return found or Category(code, Message(code, code))


def check_in(t: Terminal, *, id_number: str | None = None, code: str | None = None
             ) -> tuple[CheckIn, Category | None, bytes]:
    """One check-in, off the GUI thread: the use case, then the ticket's line and its QR code picture."""
    from kiosk.usecases.drafts import kiosk_actor

    cases = _appointments()
    actor = kiosk_actor(t)
    if id_number is not None:
        done = cases.check_in_by_id_number(t, id_number, actor=actor)
    else:
        done = cases.check_in_by_code(t, code or "", actor=actor)
    if done.ticket is None:
        return done, None, b""
    from printing.preview import qr_png

    url = done.ticket.status_url
    return done, _ticket_line(t, done.ticket.ticket.category), qr_png(url, module=6) if url else b""


class CheckinFlow:
    def __init__(self, nav: CheckinNavigator, window: CheckinShell, ctx: KioskContext) -> None:
        self.nav = nav
        self.window = window
        self.ctx = ctx
        self.running = False  # one check-in at a time, whichever way it was asked for

    # --- from the welcome screen ------------------------------------------------------------------
    def start(self) -> None:
        """"Check in" on the welcome screen: the screen that reads the card or the QR code."""
        if self.ctx.terminal is None:
            self.window.when_ready(self.start)
            return
        from ui.kiosk.screens.checkin import CheckinScreen

        screen = CheckinScreen(self.ctx)
        screen.back_requested.connect(self.nav.home)
        screen.card_read.connect(lambda card: self.by_card(card, screen))
        screen.code_read.connect(lambda code: self.by_code(code, screen))
        self.nav.add_screen(screen)
        self.window.start_idle()
        self.nav.show(screen.name)

    def card_on_welcome(self, card: IdCardData) -> None:
        """A card laid on the welcome screen: checked in at once if it has a booking; else a calm note."""
        self.by_card(card, None)

    def code_on_welcome(self, code: str) -> None:
        """A booking code from a hand-held scanner on the welcome screen."""
        self.by_code(code, None)

    # --- checking in ----------------------------------------------------------------------------------
    def by_card(self, card: IdCardData, screen: CheckinScreen | None) -> None:
        self._run(screen, id_number=card.id_number)

    def by_code(self, code: str, screen: CheckinScreen | None) -> None:
        self._run(screen, code=code)

    def _run(self, screen: CheckinScreen | None, **how: str) -> None:
        terminal = self.ctx.terminal
        if terminal is None or self.running:
            return
        self.running = True
        if screen is not None:
            screen.set_busy(True)
            self.window.start_idle()
        self.window.clear_report()
        run_job("check-in", lambda: check_in(terminal, **how),
                on_done=lambda done: self._checked_in(screen, *done),
                on_error=lambda exc: self._refused(screen, exc), owner=getattr(self.nav, "stack", None))

    def _here(self, screen: CheckinScreen | None) -> bool:
        """Is the citizen still where the check-in was asked for (the check-in screen, or the welcome)?"""
        current = self.nav.current()
        if screen is not None:
            return self.nav.screens.get(screen.name) is screen and current is screen
        return current is not None and current.name == "welcome"

    def _refused(self, screen: CheckinScreen | None, exc: BaseException) -> None:
        self.running = False
        if not self._here(screen):
            return
        if not isinstance(exc, UserFacingError):
            self.window.report(exc)  # a defect: logged with its traceback, a calm message on screen
            if screen is not None:
                screen.set_busy(False)
            return
        message = exc.message
        if screen is None and exc.code == "none":
            message = NO_BOOKING_HERE  # a card laid on the welcome screen, nothing booked: not an error
        # said aloud whatever the read-aloud mode, as a ticket's number is: the citizen laid a card down or
        # held up a code and waits for an answer, perhaps not looking at the screen
        self.window.speak(msg(message))
        if screen is not None:
            screen.set_problem(message)
            self.window.start_idle(REFUSED_SECONDS)
            return
        welcome = self.nav.screens.get("welcome")
        if welcome is not None:  # the citizen may have come for something else: the buttons are the way on
            welcome.show_checkin_note(message, WELCOME_NOTE_MS)  # type: ignore[attr-defined]

    def _checked_in(self, screen: CheckinScreen | None, checkin: CheckIn, category: Category | None,
                    qr: bytes) -> None:
        self.running = False
        if not self._here(screen):
            # the citizen left (Home) while it ran: the check-in stands (the card again shows the same ticket)
            log.warning("appointment %s was checked in after its citizen left the screen", checkin.appointment.id)
            return
        from ui.kiosk.screens.checkin_result import CheckinNoteScreen, CheckinTicketScreen

        if screen is not None:
            self.nav.drop_screen(screen)  # Back cannot check in a second time from the result
        if checkin.ticket is not None and category is not None:
            result: Screen = CheckinTicketScreen(self.ctx, checkin, category, qr)
        else:
            result = CheckinNoteScreen(self.ctx, checkin)
        result.finish_requested.connect(lambda: self.window.end_session("done"))  # type: ignore[attr-defined]
        self.nav.add_screen(result)
        self.window.clear_report()
        self.nav.show(result.name)
        self.window.start_idle(RESULT_SECONDS)
        if checkin.ticket is not None:
            self.nav.ticket.print_ticket(result, checkin.ticket)  # type: ignore[arg-type]
