"""Printing the queue ticket the kiosk just issued.

The ticket is issued first (`kiosk.usecases.queue.take_ticket`): what the
printer does afterwards never takes the number away. The print job is a row
like a receipt's (`kiosk.print_jobs.enqueue_ticket`), holding everything the
ticket prints, so a printer that is out of paper loses nothing and the
background worker prints it when paper is back, within a few minutes
(`printing.queue.TICKET_PRINT_WINDOW_MINUTES`; after that nobody is waiting
at the tray for it).
"""
from __future__ import annotations

import dataclasses
import logging
from typing import Any

from kiosk.errors import Message
from kiosk.print_jobs import PrintKind, PrintOutcome, PrintState, enqueue_ticket, ticket_not_printed
from kiosk.queue.model import Category, HallUnavailable, IssuedTicket
from kiosk.store.models import PrintJob
from kiosk.terminal import Terminal

log = logging.getLogger("onewindow.queue")

__all__ = ["no_printer_message", "print_ticket", "ticket_not_printed", "ticket_payload"]


def no_printer_message(number: str) -> Message:
    """What the screen says on a kiosk with no ticket printer (`print_ticket` returned None)."""
    return Message(f"本机没有号票打印机。请记住您的号码 {number}，留意叫号屏和语音叫号。",
                   f"This kiosk has no ticket printer. Please remember your number {number}, and watch the call "
                   "board and listen for your call.")


def _category(t: Terminal, code: str) -> Category | None:
    """The line's names for the paper; offline the hall part answers from the last list the hub gave."""
    if t.hall is None:
        return None
    try:
        return next((c for c in t.hall.categories() if c.code == code), None)
    except HallUnavailable:
        return None


def ticket_payload(issued: IssuedTicket, category: Category | None) -> dict[str, Any]:
    """What the print job keeps: all the ticket prints, nothing personal (a ticket names no one)."""
    ticket = issued.ticket
    return {"ticket_id": ticket.ticket_id, "number": ticket.number, "category": ticket.category,
            "category_zh": category.name.zh if category else ticket.category,
            "category_en": category.name.en if category else ticket.category,
            "priority": ticket.priority.value, "service_day": ticket.service_day,
            "issued_at": ticket.issued_at.isoformat(), "people_ahead": issued.people_ahead,
            "wait_minutes": issued.estimated_wait_minutes, "status_url": issued.status_url,
            "offline": issued.offline}


def print_ticket(t: Terminal, issued: IssuedTicket, *, actor: str, lang: str | None = None) -> PrintOutcome | None:
    """Queue the ticket and make one attempt now, while the citizen waits; None: this kiosk has no printer.

    `outcome.message()` says what to tell the citizen (it names the number when the ticket did not print).
    """
    settings = t.settings
    if not settings.printer or t.printing is None:
        return None
    payload = ticket_payload(issued, _category(t, issued.ticket.category))
    with t.store.transaction() as session:
        job_id = enqueue_ticket(session, payload, printer=settings.printer, lang=lang or settings.language,
                                paper_mm=settings.receipt_paper_mm, profile=settings.printer_profile,
                                actor=actor).id
    outcome = t.printing.print_now(job_id, actor=actor)
    if outcome is None:  # the background worker has it (or had it): say where it stands
        with t.store.transaction() as session:
            job = session.get(PrintJob, job_id)
            state = PrintState(job.state) if job is not None else PrintState.PENDING
        outcome = PrintOutcome(job_id, PrintKind.TICKET.value, None, None, state)
    elif not outcome.printed:
        t.printing.poke()
        log.info("ticket %s did not print (%s); the number stands", issued.ticket.number, outcome.state)
    return dataclasses.replace(outcome, details={**outcome.details, "number": issued.ticket.number})
