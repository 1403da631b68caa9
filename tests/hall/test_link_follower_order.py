"""The event follower hands events on in order, with no gaps and no duplicates, whatever order they arrive
in (a unit test: the hub's EVENTS route is a stub at the edge; the real hub is in test_link_hall.py)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from kiosk.queue.model import EventKind, HallUnavailable, QueueEvent
from kiosk.errors import Message
from sync.hall.follower import EventFollower, Gap

AT = datetime(2026, 11, 30, 1, 0, tzinfo=timezone.utc)


def ev(seq: int) -> QueueEvent:
    return QueueEvent(seq, EventKind.COUNTER_OPENED, AT, counter_no=1)


class StubHub:
    """EVENTS as the hub answers it: everything after `since`, ascending, `limit` at most."""

    def __init__(self, upto: int, *, down: bool = False) -> None:
        self.events = [ev(i) for i in range(1, upto + 1)]
        self.down = down
        self.asked: list[int] = []
        self.base_url = "http://hub.invalid"

    def clone(self) -> "StubHub":
        return self

    def events_since(self, seq: int, limit: int = 500) -> list[QueueEvent]:
        self.asked.append(seq)
        if self.down:
            raise HallUnavailable(Message("不可达", "unreachable"))
        return [e for e in self.events if e.seq > seq][:limit]

    def close(self) -> None:
        pass


def follower(hub: StubHub, since: int, got: list[int], page: int = 500) -> EventFollower:
    return EventFollower(hub, "tok", since, lambda events: got.extend(e.seq for e in events),  # type: ignore[arg-type]
                         lambda up: None, page=page)


def test_duplicates_are_dropped_and_a_gap_is_filled_from_events():
    hub = StubHub(10)
    got: list[int] = []
    f = follower(hub, 2, got, page=3)
    f.accept([ev(3), ev(3), ev(2)])
    f.accept([ev(8)])  # 4..7 missed: fetched first, in pages of 3
    f.accept([ev(9), ev(8), ev(10), ev(9)])
    assert got == list(range(3, 11)) and f.last_seq == 10
    assert hub.asked == [3, 6]


def test_a_gap_that_cannot_be_filled_hands_on_nothing_past_it():
    hub = StubHub(10, down=True)
    got: list[int] = []
    f = follower(hub, 0, got)
    f.accept([ev(1)])
    with pytest.raises(Gap):
        f.accept([ev(5)])
    assert got == [1] and f.last_seq == 1


def test_a_hub_that_skips_numbers_is_not_believed():
    hub = StubHub(6)
    del hub.events[2]  # the hub lost 3
    got: list[int] = []
    f = follower(hub, 0, got)
    with pytest.raises(Gap):
        f.accept([ev(5)])
    assert got == [] and f.last_seq == 0


def test_a_failing_callback_does_not_stop_the_sequence():
    hub = StubHub(3)
    seen: list[int] = []

    def bad(events: list[QueueEvent]) -> None:
        seen.extend(e.seq for e in events)
        raise RuntimeError("screen broke")

    f = EventFollower(hub, "tok", 0, bad, lambda up: None)  # type: ignore[arg-type]
    f.accept([ev(1)])
    f.accept([ev(2), ev(3)])
    assert seen == [1, 2, 3] and f.last_seq == 3
