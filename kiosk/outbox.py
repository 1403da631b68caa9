"""The outbox: what this terminal owes the platform, one row per item.

An item is written in the same transaction as what it carries (a submitted
application, a counter's decision), so a power cut leaves both or neither.
Its life, and the only module that moves it:

    pending --claim--> sending --(platform's explicit success)--> sent
        ^                 |
        +----retry--------+--(4xx for this item)--> rejected | conflict

"sending" is committed before the request leaves, and "sent" only after the
platform's own success answer: a crash in between means a harmless re-send
(the platform dedupes by UUID). "rejected" and "conflict" are final for the
machine and shown to staff with the platform's reason; one refused item never
blocks the others.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from kiosk.retry import RetryPolicy
from kiosk.store.models import OutboxItem, utcnow

ERROR_MAX = 2000


class OutboxState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    REJECTED = "rejected"
    CONFLICT = "conflict"


class OutboxKind(StrEnum):
    APPLICATION = "application"
    DECISION = "decision"


#: still owed: not yet confirmed by the platform, and not refused by it
OWED = (OutboxState.PENDING, OutboxState.SENDING)
#: refused by the platform: final, for staff to see
REFUSED = (OutboxState.REJECTED, OutboxState.CONFLICT)


def enqueue(session: Session, kind: OutboxKind, ref_id: str, payload: dict[str, Any]) -> OutboxItem:
    """Add an item inside the caller's transaction (the one that writes what it carries)."""
    item = OutboxItem(kind=kind.value, ref_id=ref_id, payload=payload, state=OutboxState.PENDING.value, attempts=0)
    session.add(item)
    return item


def due(session: Session, kind: OutboxKind, now: datetime | None = None) -> list[int]:
    """Items of `kind` to send now, oldest first."""
    now = now or utcnow()
    return list(session.scalars(select(OutboxItem.id).where(
        OutboxItem.kind == kind.value, OutboxItem.state.in_(OWED),
        or_(OutboxItem.next_attempt_at.is_(None), OutboxItem.next_attempt_at <= now)).order_by(OutboxItem.id)))


def owed(session: Session, kind: OutboxKind) -> list[OutboxItem]:
    """Every item of `kind` still owed, due or waiting for its retry time, oldest first."""
    return list(session.scalars(select(OutboxItem).where(OutboxItem.kind == kind.value,
                                                         OutboxItem.state.in_(OWED)).order_by(OutboxItem.id)))


def claim(session: Session, item_ids: Iterable[int]) -> list[OutboxItem]:
    """Mark items "sending" and count the attempt; commit before the request leaves."""
    items = list(session.scalars(select(OutboxItem).where(OutboxItem.id.in_(list(item_ids))).order_by(OutboxItem.id)))
    for item in items:
        item.state = OutboxState.SENDING.value
        item.attempts += 1
    return items


def _items(session: Session, item_ids: Iterable[int]) -> list[OutboxItem]:
    return list(session.scalars(select(OutboxItem).where(OutboxItem.id.in_(list(item_ids)))))


def mark_sent(session: Session, item_ids: Iterable[int], now: datetime | None = None) -> None:
    """Only after the platform's explicit success answer."""
    now = now or utcnow()
    for item in _items(session, item_ids):
        item.state = OutboxState.SENT.value
        item.sent_at = now
        item.last_error = None
        item.next_attempt_at = None


def mark_refused(session: Session, item_ids: Iterable[int], state: OutboxState, reason: str) -> None:
    """A 4xx for these items: final, kept with the platform's reason for staff."""
    if state not in REFUSED:
        raise ValueError(f"{state} is not a refusal")
    for item in _items(session, item_ids):
        item.state = state.value
        item.last_error = reason[:ERROR_MAX]
        item.next_attempt_at = None


def mark_retry(session: Session, item_ids: Iterable[int], error: str, policy: RetryPolicy,
               now: datetime | None = None) -> None:
    """Network trouble or 5xx: back to pending, due again after the policy's delay."""
    now = now or utcnow()
    for item in _items(session, item_ids):
        item.state = OutboxState.PENDING.value
        item.last_error = error[:ERROR_MAX]
        item.next_attempt_at = policy.next_attempt_at(item.attempts, now)


def owed_count(session: Session, kind: OutboxKind | None = None) -> int:
    query = select(func.count()).select_from(OutboxItem).where(OutboxItem.state.in_(OWED))
    if kind is not None:
        query = query.where(OutboxItem.kind == kind.value)
    return int(session.scalar(query) or 0)


def not_sent_refs(session: Session) -> set[str]:
    """Ids of everything with an item not confirmed sent (refused ones included): never purge those."""
    return set(session.scalars(select(OutboxItem.ref_id).where(OutboxItem.state != OutboxState.SENT.value)))


def sent_count(session: Session, kind: OutboxKind) -> int:
    return int(session.scalar(select(func.count()).select_from(OutboxItem).where(
        OutboxItem.kind == kind.value, OutboxItem.state == OutboxState.SENT.value)) or 0)


def refused_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(OutboxItem)
                              .where(OutboxItem.state.in_(REFUSED))) or 0)


def refused(session: Session) -> list[OutboxItem]:
    """What the platform refused, newest first: the staff's list of things to look at."""
    return list(session.scalars(select(OutboxItem).where(OutboxItem.state.in_(REFUSED))
                                .order_by(OutboxItem.id.desc())))


def state_by_ref(session: Session, kind: OutboxKind, refs: Iterable[str]) -> dict[str, OutboxState]:
    return {ref: OutboxState(state) for ref, state in session.execute(
        select(OutboxItem.ref_id, OutboxItem.state).where(OutboxItem.kind == kind.value,
                                                          OutboxItem.ref_id.in_(list(refs))))}
