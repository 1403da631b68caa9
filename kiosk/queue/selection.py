"""Which waiting ticket a counter calls next, and how many people are ahead of a ticket.

The rules, in order:
1. a ticket transferred to this counter (bound to it) goes first, oldest issue first, whatever its line;
2. within the counter's lines, a normal ticket that has waited `fairness_minutes` or more goes before
   any priority ticket, so a busy morning of appointments never strands the normal line;
3. otherwise priority tickets go first, in `Priority` order (appointment, elderly, disabled), oldest
   first, but after `priority_run` priority tickets called in a row while normal tickets waited, the
   oldest normal ticket is called;
4. then normal tickets, oldest first.
"Oldest" is the time the ticket was issued (a ticket a kiosk issued offline keeps its own time). Pure:
the hub passes everything in, so each rule is tested without a hub.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from kiosk.queue.model import Priority, Ticket, TicketState

PRECEDENCE: dict[Priority, int] = {p: i for i, p in enumerate(Priority)}


@dataclass(frozen=True)
class SelectionRules:
    fairness_minutes: float = 20.0
    priority_run: int = 3


def line_key(ticket: Ticket) -> tuple[int, datetime, str]:
    """The order of the line without the fairness rules: precedence, then time of issue."""
    return PRECEDENCE[ticket.priority], ticket.issued_at, ticket.number


def _oldest_first(ticket: Ticket) -> tuple[datetime, str]:
    return ticket.issued_at, ticket.number


@dataclass(frozen=True)
class Selection:
    ticket: Ticket
    priority_run: int  # the counter's priority tickets called in a row after this call


def select_next(waiting: Iterable[Ticket], *, counter_no: int, categories: Collection[str], now: datetime,
                rules: SelectionRules = SelectionRules(), priority_run: int = 0) -> Selection | None:
    """The ticket counter `counter_no` calls now, or None when nobody waits for it.

    `priority_run` is how many priority tickets this counter called in a row while normal tickets waited;
    the answer carries the new figure for the hub to keep.
    """
    line = [t for t in waiting if t.state == TicketState.WAITING]
    bound = sorted((t for t in line if t.counter_no == counter_no), key=_oldest_first)
    if bound:
        return Selection(bound[0], priority_run)
    mine = [t for t in line if t.counter_no is None and t.category in categories]
    normal = sorted((t for t in mine if t.priority == Priority.NORMAL), key=_oldest_first)
    priority = sorted((t for t in mine if t.priority != Priority.NORMAL), key=line_key)
    if normal and now - normal[0].issued_at >= timedelta(minutes=rules.fairness_minutes):
        return Selection(normal[0], 0)
    if priority and not (normal and priority_run >= rules.priority_run):
        return Selection(priority[0], priority_run + 1 if normal else 0)
    if normal:
        return Selection(normal[0], 0)
    return None


def people_ahead(ticket: Ticket, waiting: Iterable[Ticket]) -> int:
    """Tickets of the same line that the plain order puts before `ticket` (the fairness rules aside)."""
    key = line_key(ticket)
    return sum(1 for t in waiting
               if t.state == TicketState.WAITING and t.ticket_id != ticket.ticket_id and t.counter_no is None
               and t.category == ticket.category and line_key(t) < key)
