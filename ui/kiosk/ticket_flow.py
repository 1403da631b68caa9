"""Taking a number: line, priority, ticket, print. Each step is one use case through the job helper.

    welcome --"Take a number"--> ticket_line --(a line)--> ticket_priority --(a priority)--> ticket_result
                                                                                              |  print_ticket
                                                                     back to welcome <--------+  (Done, or idle)

The use cases are `kiosk.usecases.queue` (queue_categories, take_ticket) and
`kiosk.usecases.ticket_print.print_ticket`. A ticket is issued once per tap
(the priority buttons lock while it is issued) and is never taken back by
what the printer does. The result screen goes back to the welcome screen on
its own after `RESULT_SECONDS` without a touch, by the kiosk's idle rules
(`ui.kiosk.idle`): any touch restarts the clock, a countdown comes first.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Protocol

from kiosk.errors import Message
from kiosk.queue.model import Category, IssuedTicket, Priority
from ui.i18n import lang
from ui.jobs import run_job

if TYPE_CHECKING:
    from collections.abc import Callable

    from ui.kiosk.context import KioskContext
    from ui.kiosk.screens.base import Screen
    from ui.kiosk.screens.ticket import TicketLineScreen, TicketPriorityScreen
    from ui.kiosk.screens.ticket_result import TicketResultScreen


class TicketNavigator(Protocol):
    """What the flow needs of `ui.kiosk.navigator.KioskNavigator` (which creates the flow)."""

    screens: dict[str, Screen]

    def add_screen(self, screen: Screen) -> Screen: ...
    def drop_screen(self, screen: Screen) -> None: ...
    def show(self, name: str) -> Screen: ...
    def home(self) -> None: ...


class TicketShell(Protocol):
    """What the flow needs of the kiosk window (`ui.kiosk.window.KioskWindow`)."""

    def start_idle(self, seconds: int | None = None) -> None: ...
    def when_ready(self, action: Callable[[], None]) -> None: ...
    def clear_report(self) -> None: ...
    def report(self, exc: BaseException) -> None: ...
    def end_session(self, reason: str) -> None: ...
    def speak(self, text: str) -> None: ...

log = logging.getLogger("onewindow.kiosk.ticket")

RESULT_SECONDS = 45  # the number on screen, then back to the welcome screen for the next person
SCREENS = ("ticket_line", "ticket_priority", "ticket_result")
NO_LINES = Message("叫号服务器还没有提供业务列表。", "The queue server has not given this kiosk its lines yet.")


def _queue() -> Any:
    """The queue's use cases (`kiosk.usecases.queue`), looked up when first used."""
    from kiosk.usecases import queue

    return queue


class TicketFlow:
    def __init__(self, nav: TicketNavigator, window: TicketShell, ctx: KioskContext) -> None:
        self.nav = nav
        self.window = window
        self.ctx = ctx

    def start(self) -> None:
        """"Take a number" on the welcome screen: the lines, fresh from the hub each time."""
        if self.ctx.terminal is None:
            self.window.when_ready(self.start)
            return
        from ui.kiosk.screens.ticket import TicketLineScreen

        terminal = self.ctx.terminal
        screen = TicketLineScreen(self.ctx)
        screen.back_requested.connect(self.nav.home)
        screen.line_chosen.connect(self.choose_line)
        self.nav.add_screen(screen)
        self.window.start_idle()
        self.nav.show(screen.name)
        run_job("queue-categories", lambda: _queue().queue_categories(terminal),
                on_done=lambda lines: self._lines(screen, lines), on_error=lambda exc: self._no_lines(screen, exc))

    def _lines(self, screen: TicketLineScreen, lines: tuple[Category, ...]) -> None:
        if self.nav.screens.get(screen.name) is screen:
            if lines:
                screen.set_categories(tuple(lines))
            else:
                screen.set_problem(NO_LINES)

    def _no_lines(self, screen: TicketLineScreen, exc: BaseException) -> None:
        from ui.errors import message_for

        if self.nav.screens.get(screen.name) is screen:
            screen.set_problem(message_for(exc))

    def choose_line(self, category: Category) -> None:
        from ui.kiosk.screens.ticket import TicketPriorityScreen

        screen = TicketPriorityScreen(self.ctx, category)
        screen.back_requested.connect(lambda: self.nav.show("ticket_line") if "ticket_line" in self.nav.screens
                                      else self.nav.home())
        screen.priority_chosen.connect(lambda priority: self.take(screen, priority))
        self.nav.add_screen(screen)
        self.window.clear_report()
        self.nav.show(screen.name)

    def take(self, screen: TicketPriorityScreen, priority: Priority) -> None:
        terminal, category = self.ctx.terminal, screen.category

        def work() -> tuple[IssuedTicket, bytes]:
            from printing.preview import qr_png

            issued = _queue().take_ticket(terminal, category.code, priority)
            return issued, qr_png(issued.status_url, module=6) if issued.status_url else b""

        run_job("take-ticket", work, on_done=lambda done: self._taken(screen, *done),
                on_error=lambda exc: self._not_taken(screen, exc))

    def _not_taken(self, screen: TicketPriorityScreen, exc: BaseException) -> None:
        if self.nav.screens.get(screen.name) is screen:
            screen.set_busy(False)
            self.window.report(exc)

    def _taken(self, screen: TicketPriorityScreen, issued: IssuedTicket, qr: bytes) -> None:
        if self.nav.screens.get(screen.name) is not screen:
            # the citizen left (Home) while it was issued: nobody is here to be told the number
            log.warning("ticket %s was issued after its citizen left the screen", issued.ticket.number)
            return
        from ui.kiosk.screens.ticket_result import TicketResultScreen

        for name in ("ticket_line", "ticket_priority"):  # Back cannot issue a second ticket from here
            if name in self.nav.screens:
                self.nav.drop_screen(self.nav.screens[name])
        result = TicketResultScreen(self.ctx, issued, screen.category, qr)
        result.finish_requested.connect(lambda: self.window.end_session("done"))
        self.nav.add_screen(result)
        self.window.clear_report()
        self.nav.show(result.name)
        self.window.start_idle(RESULT_SECONDS)
        self.print_ticket(result, issued)

    def print_ticket(self, result: TicketResultScreen, issued: IssuedTicket) -> None:
        """Print `issued` while `result` shows it, and tell that screen what the printer did (also used by
        `ui.kiosk.checkin_flow` for the ticket an appointment's check-in gives)."""
        from kiosk.usecases.drafts import kiosk_actor
        from kiosk.usecases.ticket_print import print_ticket

        terminal, language = self.ctx.terminal, lang()
        run_job("print-ticket", lambda: print_ticket(terminal, issued, actor=kiosk_actor(terminal), lang=language),
                on_done=lambda outcome: self._printed(result, issued, outcome),
                on_error=lambda exc: self._print_failed(result, issued, exc))

    def _printed(self, result: TicketResultScreen, issued: IssuedTicket, outcome: Any) -> None:
        from kiosk.usecases.ticket_print import no_printer_message

        if self.nav.screens.get(result.name) is not result:
            return
        if outcome is None:
            result.set_print_result(False, no_printer_message(issued.ticket.number))
        else:
            result.set_print_result(bool(outcome.printed), None if outcome.printed else outcome.message())
        if not result.printed:
            self.window.speak(result.print_text())

    def _print_failed(self, result: TicketResultScreen, issued: IssuedTicket, exc: BaseException) -> None:
        from kiosk.usecases.ticket_print import ticket_not_printed

        log.error("printing ticket %s failed: %s", issued.ticket.number,
                  getattr(exc, "__traceback_text__", repr(exc)))
        if self.nav.screens.get(result.name) is result:
            result.set_print_result(False, ticket_not_printed(issued.ticket.number))
            self.window.speak(result.print_text())
