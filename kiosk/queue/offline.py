"""The kiosk's own tickets, for when the hall hub does not answer.

While the hub answers, the kiosk keeps blocks of numbers the hub set aside for it (`store_blocks`) and the
hub's list of lines (`remember_categories`). With the hub away, `issue_offline` takes the next number of
today's block for the line, or with no block the kiosk slot's emergency range (`kiosk.queue.numbering`),
and records the ticket in the same transaction that moves the block on: the ticket is on disk before it is
printed, and the number can never be handed out again, even across a power cut (the store's unique
(day, line, number) makes a second use fail rather than print). The tickets wait here until the hub
explicitly accepts them (`mark_handed_over`).

A ticket request that timed out may have reached the hub after all; the offline ticket then names that
request (`lost_request_id`), and the hand-over looks for it at the hub: a ticket the hub issued that nobody
holds is shown to staff (`unheld_at_hub`) so a counter passes it over when it is called.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import func, select

from kiosk.errors import Message, UserFacingError
from kiosk.queue import numbering
from kiosk.queue.model import Category, NumberBlock, Priority, Ticket, TicketState
from kiosk.store import Store
from kiosk.store.key_values import get_value, put_value
from kiosk.store.models import HallCategory, HallNumberBlock, HallOfflineTicket

PENDING, HANDED_OVER, REFUSED = "pending", "handed_over", "refused"
LOST_UNKNOWN, LOST_ABSENT, LOST_AT_HUB = "unknown", "absent", "at_hub"
CATEGORY_CODE = re.compile(r"^[A-Z]{1,2}$")
PAGE_BASE_KEY = "hall.ticket_page_base"


def service_day(now: datetime | None = None) -> str:
    """The hall's local day a number belongs to (numbers restart each day)."""
    return (now or datetime.now(timezone.utc)).astimezone().date().isoformat()


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


# --- the lines ---------------------------------------------------------------------------------------------

def _category_document(c: Category) -> dict[str, object]:
    return {"code": c.code, "name": {"zh": c.name.zh, "en": c.name.en}, "departments": list(c.departments),
            "minutes_per_ticket": c.minutes_per_ticket}


def _category(doc: dict[str, object]) -> Category:
    name = doc["name"]
    assert isinstance(name, dict)
    departments = doc.get("departments") or []
    assert isinstance(departments, list)
    minutes = doc.get("minutes_per_ticket", 6.0)
    assert isinstance(minutes, (int, float))
    return Category(str(doc["code"]), Message(str(name["zh"]), str(name["en"])), tuple(str(d) for d in departments),
                    float(minutes))


def remember_categories(store: Store, categories: Sequence[Category]) -> None:
    """The hub's list replaces the one kept (a line the hub dropped is gone from the ticket screen too)."""
    with store.transaction() as s:
        kept = {row.code: row for row in s.scalars(select(HallCategory))}
        for position, c in enumerate(categories):
            row = kept.pop(c.code, None)
            if row is None:
                s.add(HallCategory(code=c.code, position=position, document=_category_document(c), seen_at=_utcnow()))
            else:
                row.position, row.document, row.seen_at = position, _category_document(c), _utcnow()
        for row in kept.values():
            s.delete(row)


def known_categories(store: Store) -> tuple[Category, ...]:
    with store.transaction() as s:
        return tuple(_category(row.document) for row in s.scalars(select(HallCategory).order_by(HallCategory.position)))


def check_category(store: Store, category: str) -> Category | None:
    """Refuse a line the hub never listed (or a malformed code when no list was ever received)."""
    known = known_categories(store)
    for c in known:
        if c.code == category:
            return c
    if known or not CATEGORY_CODE.match(category):
        codes = "、".join(c.code for c in known) or "-"
        raise UserFacingError(Message(f"没有“{category}”这一类业务的排队（可选：{codes}）。",
                                      f"There is no queue line '{category}' (lines: {codes.replace('、', ', ')})."),
                              code="unknown_category")
    return None


# --- blocks ------------------------------------------------------------------------------------------------

def store_blocks(store: Store, blocks: Iterable[NumberBlock]) -> int:
    """Keep the hub's blocks; one already kept (same day, line, first number) keeps its progress. Returns
    how many were new."""
    new = 0
    with store.transaction() as s:
        for b in blocks:
            if b.first < 1 or b.last < b.first or numbering.in_emergency_ranges(b.first) \
                    or numbering.in_emergency_ranges(b.last):
                raise ValueError(f"block {b} is not a block the hub may set aside")
            exists = s.scalar(select(HallNumberBlock.id).where(
                HallNumberBlock.service_day == b.service_day, HallNumberBlock.category == b.category,
                HallNumberBlock.first == b.first))
            if exists is None:
                s.add(HallNumberBlock(service_day=b.service_day, category=b.category, first=b.first, last=b.last,
                                      next_number=b.first, source="hub", received_at=_utcnow()))
                new += 1
    return new


def remaining(store: Store, day: str) -> dict[str, int]:
    """Numbers still to issue from the hub's blocks, per line, for `day`."""
    with store.transaction() as s:
        rows = s.execute(select(HallNumberBlock.category, func.sum(HallNumberBlock.last - HallNumberBlock.next_number + 1))
                         .where(HallNumberBlock.service_day == day, HallNumberBlock.source == "hub",
                                HallNumberBlock.next_number <= HallNumberBlock.last)
                         .group_by(HallNumberBlock.category))
        return {category: int(left) for category, left in rows}


def needs_refill(store: Store, day: str, categories: Iterable[str]) -> bool:
    left = remaining(store, day)
    return any(left.get(code, 0) < numbering.REFILL_BELOW for code in categories)


# --- issuing -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OfflineIssue:
    ticket: Ticket
    from_emergency_range: bool


def _ticket(row: HallOfflineTicket) -> Ticket:
    return Ticket(ticket_id=row.ticket_id, number=row.number, category=row.category, priority=Priority(row.priority),
                  state=TicketState.WAITING, service_day=row.service_day, issued_at=row.issued_at,
                  issued_by=row.issued_by, issued_offline=True)


EMERGENCY_USED_UP = Message("本机今天的备用号码已用完，请联系工作人员。",
                            "This kiosk has used up today's reserve numbers; please ask the staff.")


def issue_offline(store: Store, *, ticket_id: str, category: str, priority: Priority, kiosk_slot: int,
                  issued_by: str, lost_request_id: str | None = None, now: datetime | None = None) -> OfflineIssue:
    """One ticket from this kiosk's own numbers, in ONE transaction (BEGIN IMMEDIATE: two kiosk processes on
    one data dir queue here rather than take the same number)."""
    now = now or _utcnow()
    day = service_day(now)
    with store.transaction() as s:
        block = s.scalars(select(HallNumberBlock).where(
            HallNumberBlock.service_day == day, HallNumberBlock.category == category,
            HallNumberBlock.source == "hub", HallNumberBlock.next_number <= HallNumberBlock.last)
            .order_by(HallNumberBlock.first).limit(1)).first()
        emergency = block is None
        if block is None:
            first, last = numbering.emergency_range(kiosk_slot)
            block = s.scalars(select(HallNumberBlock).where(
                HallNumberBlock.service_day == day, HallNumberBlock.category == category,
                HallNumberBlock.first == first)).first()
            if block is None:
                block = HallNumberBlock(service_day=day, category=category, first=first, last=last, next_number=first,
                                        source="emergency", received_at=now)
                s.add(block)
                s.flush()
            if block.next_number > block.last:
                raise UserFacingError(EMERGENCY_USED_UP, code="reserve_numbers_used_up")
        n = block.next_number
        block.next_number = n + 1
        row = HallOfflineTicket(ticket_id=ticket_id, number=numbering.format_number(category, n), number_value=n,
                                category=category, priority=priority.value, service_day=day, issued_at=now,
                                issued_by=issued_by, block_id=block.id, state=PENDING, attempts=0,
                                lost_request_id=lost_request_id,
                                lost_request_state=LOST_UNKNOWN if lost_request_id else None)
        s.add(row)
        s.flush()
        return OfflineIssue(_ticket(row), emergency)


def waiting_offline(store: Store, day: str, category: str) -> int:
    """Tickets of this line this kiosk issued offline today and has not handed over yet."""
    with store.transaction() as s:
        return int(s.scalar(select(func.count()).select_from(HallOfflineTicket).where(
            HallOfflineTicket.service_day == day, HallOfflineTicket.category == category,
            HallOfflineTicket.state == PENDING)) or 0)


# --- the hand-over -----------------------------------------------------------------------------------------

def pending(store: Store, limit: int = 200) -> list[Ticket]:
    """The oldest tickets still owed to the hub."""
    with store.transaction() as s:
        rows = s.scalars(select(HallOfflineTicket).where(HallOfflineTicket.state == PENDING)
                         .order_by(HallOfflineTicket.issued_at, HallOfflineTicket.number_value).limit(limit))
        return [_ticket(r) for r in rows]


def pending_count(store: Store) -> int:
    with store.transaction() as s:
        return int(s.scalar(select(func.count()).select_from(HallOfflineTicket)
                            .where(HallOfflineTicket.state == PENDING)) or 0)


def mark_handed_over(store: Store, ticket_ids: Iterable[str]) -> int:
    """Only after the hub's explicit acceptance; ids this kiosk never issued are ignored."""
    ids = list(ticket_ids)
    changed = 0
    with store.transaction() as s:
        for row in s.scalars(select(HallOfflineTicket).where(HallOfflineTicket.ticket_id.in_(ids),
                                                             HallOfflineTicket.state == PENDING)):
            row.state, row.handed_over_at, row.last_error = HANDED_OVER, _utcnow(), None
            changed += 1
    return changed


def mark_refused(store: Store, ticket_ids: Iterable[str], reason: str) -> int:
    ids = list(ticket_ids)
    changed = 0
    with store.transaction() as s:
        for row in s.scalars(select(HallOfflineTicket).where(HallOfflineTicket.ticket_id.in_(ids),
                                                             HallOfflineTicket.state == PENDING)):
            row.state, row.last_error = REFUSED, reason[:500]
            changed += 1
    return changed


def record_failure(store: Store, ticket_ids: Iterable[str], error: str) -> None:
    ids = list(ticket_ids)
    with store.transaction() as s:
        for row in s.scalars(select(HallOfflineTicket).where(HallOfflineTicket.ticket_id.in_(ids))):
            row.attempts += 1
            row.last_error = error[:500]


def refused(store: Store) -> list[Ticket]:
    with store.transaction() as s:
        return [_ticket(r) for r in s.scalars(select(HallOfflineTicket).where(HallOfflineTicket.state == REFUSED))]


# --- requests that timed out -------------------------------------------------------------------------------

@dataclass(frozen=True)
class LostRequest:
    lost_request_id: str
    offline_ticket_id: str
    category: str
    service_day: str


def unresolved_lost_requests(store: Store) -> list[LostRequest]:
    with store.transaction() as s:
        rows = s.scalars(select(HallOfflineTicket).where(HallOfflineTicket.lost_request_state == LOST_UNKNOWN))
        return [LostRequest(str(r.lost_request_id), r.ticket_id, r.category, r.service_day) for r in rows]


def resolve_lost_request(store: Store, lost_request_id: str, number_at_hub: str | None) -> None:
    """What the hub holds under the timed-out request's id: None (it never arrived) or the number it gave."""
    with store.transaction() as s:
        for row in s.scalars(select(HallOfflineTicket).where(HallOfflineTicket.lost_request_id == lost_request_id)):
            row.lost_request_state = LOST_AT_HUB if number_at_hub else LOST_ABSENT
            row.lost_request_number = number_at_hub


def unheld_at_hub(store: Store, day: str) -> list[str]:
    """Numbers the hub issued today for requests whose answer never reached this kiosk: nobody holds them."""
    with store.transaction() as s:
        return sorted(str(n) for n in s.scalars(select(HallOfflineTicket.lost_request_number).where(
            HallOfflineTicket.service_day == day, HallOfflineTicket.lost_request_state == LOST_AT_HUB)))


# --- where a ticket's QR code points ---------------------------------------------------------------------------

def remember_ticket_page(store: Store, status_url: str, ticket_id: str) -> None:
    """The hub's address for ticket pages, from an online ticket's `status_url` (the hub may publish another
    address than the one this kiosk uses), so an offline ticket's QR code points where the hub's would."""
    if not status_url.endswith(ticket_id):
        return
    base = status_url[: -len(ticket_id)]
    with store.transaction() as s:
        put_value(s, PAGE_BASE_KEY, base)


def ticket_page(store: Store, ticket_id: str) -> str | None:
    with store.transaction() as s:
        base = get_value(s, PAGE_BASE_KEY)
        return base + ticket_id if base is not None else None
