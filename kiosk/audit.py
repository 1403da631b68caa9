"""The audit log: who did what to which application, as a hash chain.

Each row's hash covers its own content and the previous row's hash, and the
newest hash and row count are kept beside the log, so an edited, inserted or
deleted row (the last one included) breaks the chain and `verify_chain` says
where.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.canonical import content_hash
from kiosk.store.models import AuditEntry, KeyValue, utcnow

GENESIS = "0" * 64
HEAD_KEY = "audit_head"


def _entry_hash(prev_hash: str, at: datetime, actor: str, action: str, subject: str, details: dict[str, Any]) -> str:
    return content_hash({
        "prev": prev_hash,
        "at": at.isoformat(timespec="microseconds"),
        "actor": actor,
        "action": action,
        "subject": subject,
        "details": details,
    })


def record(session: Session, *, actor: str, action: str, subject: str, details: dict[str, Any] | None = None) -> AuditEntry:
    """Append one row; call inside the transaction that makes the change it describes."""
    details = details or {}
    last = session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    prev_hash = last.hash if last else GENESIS
    at = utcnow()
    entry = AuditEntry(at=at, actor=actor, action=action, subject=subject, details=details, prev_hash=prev_hash,
                       hash=_entry_hash(prev_hash, at, actor, action, subject, details))
    session.add(entry)
    session.flush()
    head = session.get(KeyValue, HEAD_KEY)
    value = f"{entry.id}:{entry.hash}"
    if head is None:
        session.add(KeyValue(key=HEAD_KEY, value=value))
    else:
        head.value = value
    return entry


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int | None
    problem: str


def verify_chain(session: Session) -> list[ChainBreak]:
    breaks: list[ChainBreak] = []
    prev_hash = GENESIS
    last: AuditEntry | None = None
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id)):
        if entry.prev_hash != prev_hash:
            breaks.append(ChainBreak(entry.id, "previous hash does not match: a row before it was changed or removed"))
        expected = _entry_hash(entry.prev_hash, entry.at, entry.actor, entry.action, entry.subject, entry.details)
        if expected != entry.hash:
            breaks.append(ChainBreak(entry.id, "content does not match its hash: the row was edited"))
        prev_hash = entry.hash
        last = entry
    head = session.get(KeyValue, HEAD_KEY)
    if head is not None:
        head_id, _, head_hash = head.value.partition(":")
        if last is None or str(last.id) != head_id or last.hash != head_hash:
            breaks.append(ChainBreak(None, "the newest rows were removed or replaced"))
    elif last is not None:
        breaks.append(ChainBreak(None, "the chain head record is missing"))
    return breaks
