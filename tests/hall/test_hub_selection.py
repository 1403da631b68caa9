"""The call order (kiosk.queue.selection), rule by rule, with no hub."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from kiosk.queue.model import Priority, Ticket, TicketState
from kiosk.queue.selection import SelectionRules, people_ahead, select_next

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)
RULES = SelectionRules(fairness_minutes=20, priority_run=2)


def ticket(number: str, minutes_ago: float, priority: Priority = Priority.NORMAL, *, counter_no: int | None = None,
           state: TicketState = TicketState.WAITING) -> Ticket:
    return Ticket(str(uuid.uuid4()), number, number[0], priority, state, "2026-11-30",
                  NOW - timedelta(minutes=minutes_ago), "kiosk-1", counter_no=counter_no)


def pick(line: list[Ticket], *, categories: tuple[str, ...] = ("A", "B"), run: int = 0, counter_no: int = 3) -> str | None:
    chosen = select_next(line, counter_no=counter_no, categories=categories, now=NOW, rules=RULES, priority_run=run)
    return chosen.ticket.number if chosen else None


def test_nobody_waiting_gives_none_and_other_lines_are_not_called() -> None:
    assert pick([]) is None
    assert pick([ticket("C001", 5)]) is None
    assert pick([ticket("A001", 5, state=TicketState.CALLED)]) is None


def test_normal_tickets_go_oldest_first_across_the_counters_lines() -> None:
    assert pick([ticket("A002", 3), ticket("B001", 4), ticket("A001", 2)]) == "B001"


def test_priority_precedence_follows_the_priority_order() -> None:
    line = [ticket("A001", 10), ticket("A002", 9, Priority.DISABLED), ticket("A003", 8, Priority.ELDERLY),
            ticket("A004", 1, Priority.APPOINTMENT)]
    assert pick(line) == "A004"
    assert pick(line[:3]) == "A003"
    assert pick(line[:2]) == "A002"


def test_a_ticket_transferred_here_goes_first_and_one_bound_elsewhere_is_never_taken() -> None:
    line = [ticket("A001", 30, Priority.APPOINTMENT), ticket("C009", 1, counter_no=3), ticket("A002", 2, counter_no=5)]
    assert pick(line) == "C009"  # even outside the counter's lines and before an old appointment
    assert pick(line, counter_no=4) == "A001"
    assert pick([ticket("A002", 2, counter_no=5)], counter_no=4) is None


def test_a_normal_ticket_waiting_past_the_fairness_limit_goes_before_priority() -> None:
    line = [ticket("A001", 21), ticket("A002", 1, Priority.ELDERLY)]
    assert pick(line) == "A001"
    line = [ticket("A001", 19), ticket("A002", 1, Priority.ELDERLY)]
    assert pick(line) == "A002"


def test_at_most_priority_run_priority_calls_in_a_row_while_normal_tickets_wait() -> None:
    line = [ticket("A001", 5), ticket("A002", 4, Priority.ELDERLY), ticket("A003", 3, Priority.ELDERLY),
            ticket("A004", 2, Priority.ELDERLY)]
    run = 0
    called = []
    for _ in range(4):
        chosen = select_next(line, counter_no=3, categories=("A",), now=NOW, rules=RULES, priority_run=run)
        assert chosen is not None
        called.append(chosen.ticket.number)
        run = chosen.priority_run
        line = [t for t in line if t.ticket_id != chosen.ticket.ticket_id]
    assert called == ["A002", "A003", "A001", "A004"]


def test_the_run_only_counts_while_normal_tickets_wait() -> None:
    chosen = select_next([ticket("A002", 4, Priority.ELDERLY)], counter_no=3, categories=("A",), now=NOW, rules=RULES,
                         priority_run=5)
    assert chosen is not None and chosen.ticket.number == "A002" and chosen.priority_run == 0


def test_people_ahead_counts_the_same_line_in_call_order() -> None:
    line = [ticket("A001", 5), ticket("A002", 4, Priority.ELDERLY), ticket("A003", 3), ticket("B001", 9),
            ticket("A004", 8, counter_no=2)]
    assert people_ahead(line[0], line) == 1  # the elderly ticket
    assert people_ahead(line[2], line) == 2
    assert people_ahead(line[1], line) == 0
