"""Tickets a kiosk issued while the hub was away: blocks, the emergency range, hand-over, clashes refused."""
from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from kiosk.queue.model import Pairing, Priority, Ticket, TicketState
from kiosk.queue.numbering import BLOCK_SIZE, emergency_range, format_number
from kiosk.submission import local_today
from sync.hall import wire
from tests.hall.hub_process import HubProcess


@pytest.fixture
def hall(tmp_path: Any) -> Any:
    hub = HubProcess(tmp_path / "hub")
    try:
        yield (hub, hub.pair("kiosk", "kiosk-1", cli=False), hub.pair("kiosk", "kiosk-2", cli=False),
               hub.pair("counter", "window-3", counter_no=3, cli=False), hub.pair("board", "board-1", cli=False))
    finally:
        hub.stop()
    assert hub.tracebacks() == ""


def offline(kiosk: Pairing, n: int, minutes_ago: float, category: str = "A", **changes: Any) -> Ticket:
    ticket = Ticket(str(uuid.uuid4()), format_number(category, n), category, Priority.NORMAL, TicketState.WAITING,
                    local_today().isoformat(), datetime.now(timezone.utc) - timedelta(minutes=minutes_ago),
                    kiosk.device_name, issued_offline=True)
    return dataclasses.replace(ticket, **changes)


def hand(hub: HubProcess, kiosk: Pairing, tickets: list[Ticket]) -> dict[str, Any]:
    r = hub.post(wire.HANDOVER, kiosk, {"tickets": [wire.encode(t) for t in tickets]})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def events(hub: HubProcess, board: Pairing) -> list[dict[str, Any]]:
    return hub.get(wire.EVENTS + "?limit=1000", board).json()  # type: ignore[no-any-return]


def test_block_tickets_join_the_line_in_issue_order_with_their_own_times(hall: Any) -> None:
    hub, k1, k2, counter, board = hall
    online = hub.post(wire.TICKETS, k1, {"ticket_id": str(uuid.uuid4()), "category": "A", "priority": "normal"}).json()
    assert online["ticket"]["number"] == "A001"
    blocks = {b["category"]: b for b in hub.post(wire.BLOCKS, k1).json()}
    assert blocks["A"] == {"service_day": local_today().isoformat(), "category": "A", "first": 2,
                           "last": 1 + BLOCK_SIZE}
    assert hub.post(wire.BLOCKS, k1).json() == list(blocks.values())  # plenty left: no new block
    other = {b["category"]: b for b in hub.post(wire.BLOCKS, k2).json()}
    assert other["A"]["first"] == 2 + BLOCK_SIZE  # never the same numbers for two kiosks
    after = hub.post(wire.TICKETS, k1, {"ticket_id": str(uuid.uuid4()), "category": "A", "priority": "normal"}).json()
    assert after["ticket"]["number"] == format_number("A", 2 + 2 * BLOCK_SIZE)  # the hub skips the blocks

    early, late = offline(k1, 2, minutes_ago=30), offline(k1, 3, minutes_ago=0)
    result = hand(hub, k1, [late, early])
    assert sorted(result["accepted"]) == sorted([early.ticket_id, late.ticket_id]) and result["refused"] == []
    issued = [e["ticket"] for e in events(hub, board) if e["kind"] == "issued" and e["ticket"]["issued_offline"]]
    assert [t["number"] for t in issued] == ["A002", "A003"]  # in issue order
    assert issued[0]["issued_at"] == wire.encode(early.issued_at)
    hub.post(wire.COUNTER_OPEN, counter)
    called = []
    for _ in range(4):
        t = hub.post(wire.CALL_NEXT, counter).json()
        called.append(t["number"])
        hub.post(wire.TICKET_ACTION.format(ticket_id=t["ticket_id"], action="no-show"), counter)
    assert called == ["A002", "A001", after["ticket"]["number"], "A003"]  # the wait counts from the kiosk's time


def test_a_hand_over_is_idempotent(hall: Any) -> None:
    hub, k1, k2, counter, board = hall
    first = emergency_range(k1.kiosk_slot)[0]
    tickets = [offline(k1, first, 5), offline(k1, first + 1, 4, "B")]
    assert hand(hub, k1, tickets)["accepted"] == [t.ticket_id for t in tickets]
    count = len(events(hub, board))
    assert hand(hub, k1, tickets)["accepted"] == [t.ticket_id for t in tickets]
    assert len(events(hub, board)) == count
    state = hub.get(wire.STATE, board).json()
    assert state["waiting"]["A"] == 1 and state["waiting"]["B"] == 1


def test_a_clash_is_refused_logged_loudly_and_changes_nothing(hall: Any) -> None:
    hub, k1, k2, counter, board = hall
    online = hub.post(wire.TICKETS, k1, {"ticket_id": str(uuid.uuid4()), "category": "A", "priority": "normal"}).json()
    k2_first = emergency_range(k2.kiosk_slot)[0]
    good = offline(k1, emergency_range(k1.kiosk_slot)[0], 3)
    hand(hub, k1, [good])
    before = len(events(hub, board))
    clashes = [
        offline(k1, 1, 3),  # A001: issued by the hub itself
        offline(k1, k2_first, 3),  # another kiosk's emergency range
        offline(k1, 777, 3),  # in nobody's block
        offline(k1, emergency_range(k1.kiosk_slot)[0], 2),  # a number k1 already handed over, under a new id
    ]
    result = hand(hub, k1, clashes)
    assert result["accepted"] == [] and sorted(result["refused"]) == sorted(t.ticket_id for t in clashes)
    taken = offline(k1, 9, 2, ticket_id=good.ticket_id)  # the same id with another number
    assert hand(hub, k1, [taken])["refused"] == [good.ticket_id]
    assert len(events(hub, board)) == before
    assert hub.log.read_text().count("HANDOVER CLASH") >= 5
    day = hub.get(wire.TICKETS + f"?day={local_today().isoformat()}", counter).json()
    assert sorted(t["number"] for t in day) == sorted([online["ticket"]["number"], good.number])


def test_tickets_handed_over_are_checked_before_anything_is_stored(hall: Any) -> None:
    hub, k1, k2, counter, board = hall
    first = emergency_range(k1.kiosk_slot)[0]
    good = offline(k1, first, 3)
    for bad in (offline(k1, first + 1, 3, "Z"), offline(k1, first + 1, 3, service_day="2026-13-01"),
                offline(k1, first + 1, 3, number="A5O02"), offline(k1, first + 1, 3, ticket_id="not-a-uuid")):
        r = hub.post(wire.HANDOVER, k1, {"tickets": [wire.encode(good), wire.encode(bad)]})
        assert r.status_code == 422, r.text
        assert r.json()["message"]["zh"]
    r = hub.post(wire.HANDOVER, k1, {"tickets": [wire.encode(good), wire.encode(good)]})
    assert r.status_code == 422
    assert events(hub, board) == []
