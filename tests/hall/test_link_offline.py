"""kiosk.queue.offline: the kiosk's own numbers, one transaction per ticket, never a number twice."""
from __future__ import annotations

import threading
import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from kiosk.errors import Message, UserFacingError
from kiosk.queue import numbering, offline
from kiosk.queue.model import Category, NumberBlock, Priority
from kiosk.store.models import HallNumberBlock, HallOfflineTicket

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)
DAY = offline.service_day(NOW)
CATS = (Category("A", Message("社会保障", "Social security")), Category("B", Message("户籍", "Household")))


def _issue(store, category="A", slot=1, now=NOW, lost=None):
    return offline.issue_offline(store, ticket_id=str(uuid.uuid4()), category=category, priority=Priority.NORMAL,
                                 kiosk_slot=slot, issued_by="kiosk-1", lost_request_id=lost, now=now)


def test_block_numbers_first_then_the_slot_emergency_range(terminal):
    store = terminal.store
    assert offline.store_blocks(store, [NumberBlock(DAY, "A", 101, 102)]) == 1
    first, second, third = (_issue(store) for _ in range(3))
    assert [first.ticket.number, second.ticket.number] == ["A101", "A102"]
    assert not first.from_emergency_range and third.from_emergency_range
    assert third.ticket.number == numbering.format_number("A", numbering.emergency_range(1)[0])
    assert third.ticket.issued_offline and third.ticket.service_day == DAY
    # another line has its own numbers; another slot its own range
    assert _issue(store, "B", slot=2).ticket.number == f"B{numbering.emergency_range(2)[0]}"


def test_a_new_block_is_used_before_the_emergency_range_continues(terminal):
    store = terminal.store
    _issue(store)  # emergency 5001
    offline.store_blocks(store, [NumberBlock(DAY, "A", 201, 250)])
    assert _issue(store).ticket.number == "A201"


def test_blocks_are_per_day(terminal):
    store = terminal.store
    offline.store_blocks(store, [NumberBlock("2026-11-29", "A", 1, 50)])
    assert _issue(store).from_emergency_range  # yesterday's block is no use today


def test_a_block_kept_again_keeps_its_progress_and_bad_blocks_are_refused(terminal):
    store = terminal.store
    offline.store_blocks(store, [NumberBlock(DAY, "A", 1, 50)])
    _issue(store)
    assert offline.store_blocks(store, [NumberBlock(DAY, "A", 1, 50)]) == 0
    assert _issue(store).ticket.number == "A002"
    assert offline.remaining(store, DAY) == {"A": 48}
    with pytest.raises(ValueError):
        offline.store_blocks(store, [NumberBlock(DAY, "A", 5001, 5050)])  # a kiosk slot's emergency range
    with pytest.raises(ValueError):
        offline.store_blocks(store, [NumberBlock(DAY, "A", 60, 59)])
    assert offline.remaining(store, DAY) == {"A": 48}


def test_refill_is_wanted_below_the_threshold(terminal):
    store = terminal.store
    assert offline.needs_refill(store, DAY, ["A"])
    offline.store_blocks(store, [NumberBlock(DAY, "A", 1, numbering.REFILL_BELOW)])
    assert not offline.needs_refill(store, DAY, ["A"])
    _issue(store)
    assert offline.needs_refill(store, DAY, ["A"])
    assert offline.needs_refill(store, DAY, ["A", "B"])  # B has none


def test_emergency_range_used_up_is_refused_and_nothing_changes(terminal):
    store = terminal.store
    first, last = numbering.emergency_range(9)
    _issue(store, slot=9)
    with store.transaction() as s:  # as if the other 499 had been issued
        s.scalars(select(HallNumberBlock)).one().next_number = last + 1
    with pytest.raises(UserFacingError) as err:
        _issue(store, slot=9)
    assert "备用号码" in err.value.message.zh and "reserve numbers" in err.value.message.en
    assert offline.pending_count(store) == 1


def test_the_store_itself_refuses_a_number_twice(terminal):
    store = terminal.store
    made = _issue(store)
    with pytest.raises(IntegrityError):
        with store.transaction() as s:
            s.add(HallOfflineTicket(ticket_id=str(uuid.uuid4()), number=made.ticket.number, number_value=5001,
                                    category="A", priority="normal", service_day=DAY, issued_at=NOW,
                                    issued_by="x", block_id=1, state="pending", attempts=0))


def test_concurrent_issuing_never_shares_a_number(terminal):
    store = terminal.store
    offline.store_blocks(store, [NumberBlock(DAY, "A", 1, 30)])
    numbers: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(10):
            t = _issue(store).ticket.number
            with lock:
                numbers.append(t)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(numbers) == 60 and len(set(numbers)) == 60
    assert sorted(n for n in numbers if int(n[1:]) <= 30) == [f"A{i:03d}" for i in range(1, 31)]


def test_hand_over_bookkeeping(terminal):
    store = terminal.store
    a, b, c = (_issue(store).ticket for _ in range(3))
    assert [t.ticket_id for t in offline.pending(store)] == [a.ticket_id, b.ticket_id, c.ticket_id]
    offline.record_failure(store, [a.ticket_id], "timeout")
    assert offline.mark_handed_over(store, [a.ticket_id, "not-ours"]) == 1
    assert offline.mark_handed_over(store, [a.ticket_id]) == 0  # idempotent
    assert offline.mark_refused(store, [b.ticket_id], "clash") == 1
    assert offline.pending_count(store) == 1 and [t.number for t in offline.refused(store)] == [b.number]
    assert offline.waiting_offline(store, DAY, "A") == 1


def test_lost_requests_are_remembered_until_resolved(terminal):
    store = terminal.store
    made = _issue(store, lost="lost-1")
    _issue(store, lost="lost-2")
    assert {r.lost_request_id for r in offline.unresolved_lost_requests(store)} == {"lost-1", "lost-2"}
    offline.resolve_lost_request(store, "lost-1", "A017")
    offline.resolve_lost_request(store, "lost-2", None)
    assert offline.unresolved_lost_requests(store) == []
    assert offline.unheld_at_hub(store, made.ticket.service_day) == ["A017"]


def test_categories_kept_for_offline_and_unknown_lines_refused(terminal):
    store = terminal.store
    assert offline.check_category(store, "A") is None  # never listed: a well-formed code is taken
    with pytest.raises(UserFacingError):
        offline.check_category(store, "a1")
    offline.remember_categories(store, CATS)
    assert offline.known_categories(store) == CATS
    assert offline.check_category(store, "B") == CATS[1]
    with pytest.raises(UserFacingError) as err:
        offline.check_category(store, "Z")
    assert "Z" in err.value.message.zh and "lines: A, B" in err.value.message.en
    offline.remember_categories(store, CATS[1:])
    assert offline.known_categories(store) == CATS[1:]


def test_the_ticket_page_address_is_the_one_the_hub_gave(terminal):
    store = terminal.store
    assert offline.ticket_page(store, "t-2") is None
    offline.remember_ticket_page(store, "https://queue.example.gov.cn/t/t-1", "t-1")
    assert offline.ticket_page(store, "t-2") == "https://queue.example.gov.cn/t/t-2"
    offline.remember_ticket_page(store, "something else", "t-3")  # not a ticket page: ignored
    assert offline.ticket_page(store, "t-2") == "https://queue.example.gov.cn/t/t-2"
