"""What a board shows, from a snapshot and the events after it (kiosk.queue.board_view, no Qt)."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

from kiosk.errors import Message
from kiosk.queue.board_view import BoardFollower
from kiosk.queue.model import (Call, Category, EventKind, HallState, Priority, QueueEvent, Ticket,
                               TicketState)

AT = datetime(2026, 11, 29, 9, 0, tzinfo=timezone.utc)
DAY = "2026-11-29"
CATEGORIES = (Category("A", Message("社会保障", "Social security")), Category("B", Message("户籍", "Household")))


def ticket(number: str, state: TicketState = TicketState.WAITING, counter: int | None = None,
           day: str = DAY) -> Ticket:
    return Ticket(f"id-{number}", number, number[0], Priority.NORMAL, state, day, AT, "kiosk-1",
                  counter_no=counter)


def event(seq: int, kind: EventKind, t: Ticket) -> QueueEvent:
    return QueueEvent(seq, kind, AT, ticket=t, counter_no=t.counter_no)


def snapshot(seq: int = 10, waiting: dict[str, int] | None = None, calls: tuple[Call, ...] = ()) -> HallState:
    return HallState(seq, DAY, CATEGORIES, waiting if waiting is not None else {"A": 2, "B": 1}, (), calls)


def test_snapshot_then_issue_call_transfer_finish_keep_the_counts_right():
    board = BoardFollower()
    board.reset(snapshot())
    a3 = ticket("A003")
    calls = board.apply([event(11, EventKind.ISSUED, a3)])
    assert calls == [] and board.view.waiting == {"A": 3, "B": 1}
    # A001 was waiting before the snapshot: a call takes it out of the line
    a1 = ticket("A001", TicketState.CALLED, 4)
    calls = board.apply([event(12, EventKind.CALLED, a1)])
    assert [c.number for c in calls] == ["A001"] and calls[0].counter_no == 4 and not calls[0].recall
    assert board.view.waiting == {"A": 2, "B": 1} and board.view.newest.number == "A001"
    board.apply([event(13, EventKind.RECALLED, dataclasses.replace(a1, calls=2))])
    assert board.view.waiting["A"] == 2 and len(board.view.recent) == 1 and board.view.newest.recall
    board.apply([event(14, EventKind.TRANSFERRED, dataclasses.replace(a1, state=TicketState.WAITING, counter_no=7))])
    assert board.view.waiting["A"] == 3  # back in the line
    b_called = ticket("B001", TicketState.CALLED, 2)
    board.apply([event(15, EventKind.CALLED, b_called),
                 event(16, EventKind.STARTED, dataclasses.replace(b_called, state=TicketState.SERVING)),
                 event(17, EventKind.FINISHED, dataclasses.replace(b_called, state=TicketState.DONE))])
    assert board.view.waiting == {"A": 3, "B": 0} and board.view.seq == 17
    assert [c.number for c in board.view.recent] == ["B001", "A001"]
    assert board.gaps == 0 and not board.needs_snapshot


def test_replayed_events_change_nothing_and_a_jump_asks_for_a_snapshot():
    board = BoardFollower()
    board.reset(snapshot())
    board.apply([event(11, EventKind.ISSUED, ticket("A003"))])
    board.apply([event(11, EventKind.ISSUED, ticket("A003"))])
    assert board.view.waiting["A"] == 3 and board.replayed == 1
    board.apply([event(14, EventKind.ISSUED, ticket("A004"))])
    assert board.gaps == 2 and board.needs_snapshot
    assert board.reset(snapshot(seq=14, waiting={"A": 4, "B": 1}))
    assert not board.needs_snapshot and board.view.waiting["A"] == 4


def test_an_older_snapshot_is_refused_and_recent_calls_are_one_per_ticket():
    board = BoardFollower(recent_size=3)
    calls = tuple(Call(s, f"t{s % 2}", f"A00{s % 2}", "A", 1, AT) for s in (9, 8, 7))
    board.reset(snapshot(calls=calls))
    assert [c.seq for c in board.view.recent] == [9, 8]
    board.apply([event(11, EventKind.ISSUED, ticket("A003"))])
    assert not board.reset(snapshot(seq=10)) and board.view.seq == 11
    for seq, number in ((12, "B002"), (13, "B003"), (14, "B004")):
        board.apply([event(seq, EventKind.CALLED, ticket(number, TicketState.CALLED, 1))])
    assert [c.number for c in board.view.recent] == ["B004", "B003", "B002"]  # the newest three


def test_events_before_any_snapshot_ask_for_one():
    board = BoardFollower()
    assert board.apply([event(1, EventKind.ISSUED, ticket("A001"))]) == [] and board.needs_snapshot


def test_a_new_service_day_empties_the_lines_and_asks_for_a_snapshot():
    board = BoardFollower()
    board.reset(snapshot())
    board.apply([event(11, EventKind.ISSUED, ticket("A001", day="2026-11-30"))])
    assert board.view.service_day == "2026-11-30" and board.view.waiting == {"A": 1, "B": 0}
    assert board.view.recent == () and board.needs_snapshot
