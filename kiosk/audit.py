"""The audit log: who did what to which application, as a hash chain.

Each row's hash covers its own content and the previous row's hash, and the
newest hash and row count are kept beside the log, so an edited, inserted or
deleted row (the last one included) breaks the chain and `verify_chain` says
where. That much only holds against someone who does not recompute the chain;
the heads the platform keeps (below) hold against that too, for every entry
older than the last sync.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.canonical import content_hash
from kiosk.errors import Message
from kiosk.store.key_values import get_value, put_value
from kiosk.store.models import AuditEntry, utcnow

GENESIS = "0" * 64
HEAD_KEY = "audit_head"


def entry_hash(prev_hash: str, at: datetime, actor: str, action: str, subject: str, details: dict[str, Any]) -> str:
    """One link of the chain; the platform's own audit (sync.server.platform_audit) uses the same."""
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
                       hash=entry_hash(prev_hash, at, actor, action, subject, details))
    session.add(entry)
    session.flush()
    put_value(session, HEAD_KEY, f"{entry.id}:{entry.hash}")
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
        expected = entry_hash(entry.prev_hash, entry.at, entry.actor, entry.action, entry.subject, entry.details)
        if expected != entry.hash:
            breaks.append(ChainBreak(entry.id, "content does not match its hash: the row was edited"))
        prev_hash = entry.hash
        last = entry
    head = get_value(session, HEAD_KEY)
    if head is not None:
        head_id, _, head_hash = head.partition(":")
        if last is None or str(last.id) != head_id or last.hash != head_hash:
            breaks.append(ChainBreak(None, "the newest rows were removed or replaced"))
    elif last is not None:
        breaks.append(ChainBreak(None, "the chain head record is missing"))
    return breaks


# --- heads the platform holds ---------------------------------------------------------------------
#
# The chain alone cannot prove that nobody rewrote it: it has no secret, so whoever can write the
# database can recompute every hash, and the head kept beside the log is in that same database.
# With every sync the terminal therefore sends its head (last entry id, number of entries, last
# hash) to the platform, which keeps the history of heads per device and refuses a head that does
# not extend the one it holds. `compare_with_platform` checks the local log against that history:
# an entry older than the last sync that was edited, removed or wiped no longer matches.

ACK_KEY = "audit.platform_head"


@dataclass(frozen=True)
class ChainHead:
    """Where the chain ends: the newest entry's id and hash, and how many entries lead up to it."""

    last_id: int
    count: int
    hash: str


@dataclass(frozen=True)
class PlatformHead:
    """A head the platform accepted (`received_at` as the platform recorded it)."""

    last_id: int
    count: int
    hash: str
    received_at: datetime | None = None

    @property
    def empty(self) -> bool:
        """The platform's answer to an empty log while it held no head: a note that spares a terminal which
        has recorded nothing yet a request every pass, and proves no entry."""
        return self.last_id == 0

    def as_dict(self) -> dict[str, Any]:
        return {"last_id": self.last_id, "count": self.count, "hash": self.hash,
                "received_at": self.received_at.isoformat() if self.received_at else None}


@dataclass(frozen=True)
class PlatformHeads:
    """The platform's record of this device's heads, or why there is none (`note`).

    `reached` False: the platform could not be asked (link down, not enrolled, an answer that was not
    the platform's); `enrolled` False: this terminal has no platform to ask. `discrepancies` are the
    heads the platform refused because they did not extend the one it held.
    """

    reached: bool
    heads: tuple[PlatformHead, ...] = ()
    discrepancies: tuple[Message, ...] = ()
    note: Message | None = None
    enrolled: bool = True


@dataclass(frozen=True)
class HeadMismatch:
    """One platform head the local log no longer agrees with; `entry_id` is the position checked."""

    entry_id: int
    message: Message
    platform_hash: str
    local_hash: str | None


def chain_head(session: Session) -> ChainHead | None:
    last = session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    if last is None:
        return None
    count = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    return ChainHead(last.id, int(count), last.hash)


PLATFORM_ACTOR = "platform"  # entries the sync writes from the platform's own word (a status it set, staff)


def only_platform_entries_after(session: Session, acked: PlatformHead, head: ChainHead) -> bool:
    """Whether the log grew past the accepted head by entries the sync wrote from the platform's own word
    alone (and by nothing else: no entry removed, every one accounted for). Those record what the platform
    holds already, so they may wait for the next head that carries a local entry."""
    if head.last_id <= acked.last_id or head.count <= acked.count:
        return False
    added, local = session.execute(
        select(func.count(), func.count().filter(AuditEntry.actor != PLATFORM_ACTOR))
        .where(AuditEntry.id > acked.last_id)).one()
    return local == 0 and added == head.count - acked.count


def entry_hash_at(session: Session, entry_id: int) -> str | None:
    return session.scalar(select(AuditEntry.hash).where(AuditEntry.id == entry_id))


def count_through(session: Session, entry_id: int) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.id <= entry_id)) or 0)


def acknowledged_head(session: Session) -> PlatformHead | None:
    """The last head the platform accepted, as this terminal noted it (a convenience, not an authority:
    it sits in the same database as the log)."""
    value = get_value(session, ACK_KEY)
    if value is None:
        return None
    try:
        raw = json.loads(value)
        at = datetime.fromisoformat(raw["received_at"]) if raw.get("received_at") else None
        return PlatformHead(int(raw["last_id"]), int(raw["count"]), str(raw["hash"]), at)
    except (ValueError, KeyError, TypeError):
        return None


def remember_acknowledged(session: Session, head: PlatformHead) -> None:
    put_value(session, ACK_KEY, json.dumps(head.as_dict()))


def _short(h: str | None) -> str:
    return (h[:12] + "…") if h else "-"


def compare_with_platform(session: Session, heads: list[PlatformHead]) -> list[HeadMismatch]:
    """Each head the platform holds must still be in the log: the same hash at the same entry, with as
    many entries up to it. Because each hash covers every entry before it, a match at a head proves the
    whole log up to that entry; the previous matching head bounds where a change lies."""
    found: list[HeadMismatch] = []
    good_before = 0
    for head in sorted(heads, key=lambda h: h.last_id):
        local = entry_hash_at(session, head.last_id)
        count = count_through(session, head.last_id)
        since = (f"（#{good_before} 及之前仍与平台一致）" if good_before else "")
        since_en = (f" (up to #{good_before} it still matches the platform)" if good_before else "")
        when = head.received_at.isoformat(timespec="seconds") if head.received_at else "?"
        if local is None:
            found.append(HeadMismatch(head.last_id, Message(
                f"条目 #{head.last_id} 已不存在：平台在 {when} 同步时记录了 {head.count} 条、末条哈希 {_short(head.hash)}，"
                f"本机现有 {count} 条，日志被截断或清空{since}。",
                f"entry #{head.last_id} is gone: at the sync of {when} the platform recorded {head.count} entries "
                f"ending with hash {_short(head.hash)}; this terminal now has {count}: the log was truncated or "
                f"wiped{since_en}."), head.hash, None))
        elif local != head.hash or count != head.count:
            found.append(HeadMismatch(head.last_id, Message(
                f"条目 #{head.last_id} 与平台记录不符：平台哈希 {_short(head.hash)}（{head.count} 条），本机 {_short(local)}"
                f"（{count} 条），#{good_before + 1} 至 #{head.last_id} 之间的条目被修改、删除或重算{since}。",
                f"entry #{head.last_id} differs from the platform's record: platform hash {_short(head.hash)} "
                f"({head.count} entries), here {_short(local)} ({count} entries): an entry between #{good_before + 1} "
                f"and #{head.last_id} was edited, removed or the chain recomputed{since_en}."), head.hash, local))
        else:
            good_before = head.last_id
    return found
