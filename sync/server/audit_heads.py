"""Terminals' audit heads: kept per device, append-only, each one extending the last.

A terminal's audit chain has no secret, so on the terminal anyone who can
write its database can rewrite the log and recompute every hash. With every
sync the terminal sends its head here; the platform accepts it only when the
terminal shows that it still holds, at the entry of the head accepted last,
the same hash and the same number of entries up to it (the `anchor`). Every
hash covers all entries before it, so that proves the new head extends the
old one. Anything else (fewer entries, a different hash at a known position,
the entry gone) is recorded as a discrepancy, audited, and not accepted: the
platform's latest head stays the one it had, for `onewindow audit verify` to
compare against.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection, bindparam, func, insert, select, text
from sqlalchemy.orm import Session

from kiosk.errors import Message
from sync import wire
from sync.server import platform_audit, raw_sql
from sync.server.db import PlatformStore
from sync.server.models import AuditHead, AuditHeadDiscrepancy, Device, utcnow


@dataclass(frozen=True)
class HeldHead:
    """A head the platform holds, as `receive` reads and writes it (Core rows, not ORM objects: every sync
    pass sends a head, and the unit of work cost more than the statements)."""

    id: int
    last_id: int
    entry_count: int
    hash: str
    received_at: datetime


@dataclass(frozen=True)
class HeadOutcome:
    result: Literal["accepted", "unchanged", "anchor_needed", "discrepancy"]
    head: HeldHead | None = None
    anchor_id: int | None = None
    problem: Message | None = None
    recorded: bool = True  # False: a discrepancy seen on a Core connection, to be recorded through a session


def _newest(column: Any) -> Any:
    """`column` of the device's newest head, as a scalar subquery correlated with `devices`."""
    return (select(column).where(AuditHead.device_id == Device.id).order_by(AuditHead.last_id.desc()).limit(1)
            .scalar_subquery())


# The device row locked (one head of a device at a time; SQLite: BEGIN IMMEDIATE) and its newest head, in one
# statement; each subquery is one probe of the (device_id, last_id) index.
_LOCKED_NEWEST = (select(_newest(AuditHead.id).label("id"), _newest(AuditHead.last_id).label("last_id"),
                         _newest(AuditHead.entry_count).label("entry_count"), _newest(AuditHead.hash).label("hash"),
                         _newest(AuditHead.received_at).label("received_at"))
                  .where(Device.id == bindparam("device_id")).with_for_update(of=Device))
# The same on PostgreSQL through `raw_sql` (Core's statement binds each subquery's LIMIT as a parameter).
_LOCKED_NEWEST_PG = text(
    "SELECT newest.id, newest.last_id, newest.entry_count, newest.hash, newest.received_at FROM devices "
    "LEFT JOIN LATERAL (SELECT id, last_id, entry_count, hash, received_at FROM audit_heads "
    "WHERE audit_heads.device_id = devices.id ORDER BY last_id DESC LIMIT 1) AS newest ON true "
    "WHERE devices.id = :device_id FOR UPDATE OF devices")
_ADD = insert(AuditHead.__table__).returning(AuditHead.__table__.c.id)
_ADD_PG = text("INSERT INTO audit_heads (device_id, last_id, entry_count, hash, received_at) "
               "VALUES (:device_id, :last_id, :entry_count, :hash, :received_at) RETURNING audit_heads.id")


def head_dict(row: AuditHead | HeldHead) -> dict[str, Any]:
    return {"last_id": row.last_id, "count": row.entry_count, "hash": row.hash, "received_at": row.received_at}


def _short(h: str | None) -> str:
    return (h[:12] + "…") if h else "-"


def _problem(held: HeldHead, push: wire.AuditHeadPush) -> Message | None:
    """Why `push` does not extend `held`, or None when it does (the anchor is at `held`'s entry)."""
    anchor = push.anchor
    assert anchor is not None and anchor.last_id == held.last_id
    if anchor.hash is None:
        return Message(f"终端已没有条目 #{held.last_id}（平台记录其哈希 {_short(held.hash)}）：审计日志被截断或清空。",
                       f"the terminal no longer has entry #{held.last_id} (the platform holds its hash "
                       f"{_short(held.hash)}): its audit log was truncated or wiped.")
    if anchor.hash != held.hash:
        return Message(f"条目 #{held.last_id} 的哈希不符：平台 {_short(held.hash)}，终端 {_short(anchor.hash)}："
                       "该条目或其之前的审计记录被删除、替换、修改或重算。",
                       f"entry #{held.last_id} has a different hash: platform {_short(held.hash)}, terminal "
                       f"{_short(anchor.hash)}: it or an earlier audit entry was removed, replaced, edited or the "
                       "chain recomputed.")
    if anchor.count != held.entry_count:
        return Message(f"截至条目 #{held.last_id}，平台记录 {held.entry_count} 条，终端现有 {anchor.count} 条：有条目被删除或插入。",
                       f"up to entry #{held.last_id} the platform recorded {held.entry_count} entries, the terminal "
                       f"now has {anchor.count}: entries were removed or inserted.")
    if push.last_id < held.last_id or push.count < held.entry_count:
        return Message(f"新的审计头（#{push.last_id}，{push.count} 条）比平台已有的（#{held.last_id}，{held.entry_count} 条）更短。",
                       f"the new head (#{push.last_id}, {push.count} entries) is shorter than the one the platform "
                       f"holds (#{held.last_id}, {held.entry_count} entries).")
    if push.last_id == held.last_id and (push.hash != held.hash or push.count != held.entry_count):
        return Message(f"条目 #{held.last_id} 的审计头与平台记录不一致。",
                       f"the head at entry #{held.last_id} is not the one the platform holds.")
    if push.count - held.entry_count > push.last_id - held.last_id:
        return Message(f"新增 {push.count - held.entry_count} 条，但条目编号只前进了 {push.last_id - held.last_id}：审计头不成立。",
                       f"{push.count - held.entry_count} entries were added but the entry number moved by only "
                       f"{push.last_id - held.last_id}: the head is impossible.")
    return None


def receive(db: Session | Connection, device: Device, push: wire.AuditHeadPush) -> HeadOutcome:
    """Accept a head that extends the device's latest one; record anything else as a discrepancy.

    Every sync pass sends a head, so the usual answers (accepted, unchanged, anchor needed) take a Core
    connection (an ORM session cost more than the two statements). Recording a discrepancy writes the
    platform's audit log, which needs the session: on a connection, the outcome says it is not recorded yet
    (`recorded`), and the caller takes the head again in a session (`take`)."""
    held = _locked_newest(db, device.id)
    if held is None:
        if push.count == 0:
            return HeadOutcome("unchanged")
        if push.count > push.last_id:
            return HeadOutcome("discrepancy", problem=Message(
                f"{push.count} 条记录不可能止于条目 #{push.last_id}。",
                f"{push.count} entries cannot end at entry #{push.last_id}."))
        return HeadOutcome("accepted", _add(db, device, push))
    if push.last_id == held.last_id and push.hash == held.hash and push.count == held.entry_count:
        return HeadOutcome("unchanged", held)
    if push.anchor is None or push.anchor.last_id != held.last_id:
        return HeadOutcome("anchor_needed", held, anchor_id=held.last_id)
    problem = _problem(held, push)
    if problem is None:
        return HeadOutcome("accepted", _add(db, device, push))
    if not isinstance(db, Session):
        return HeadOutcome("discrepancy", held, problem=problem, recorded=False)
    _discrepancy(db, device, push, held, problem)
    return HeadOutcome("discrepancy", held, problem=problem)


def take(store: PlatformStore, device: Device, push: wire.AuditHeadPush) -> HeadOutcome:
    """`receive` in a transaction of its own: on a Core connection, and (a discrepancy, rarely) again in a
    session, under the device's lock once more, to record it."""
    with store.engine.begin() as conn:
        outcome = receive(conn, device, push)
    if outcome.recorded:
        return outcome
    with store.transaction() as session:
        return receive(session, device, push)


def _straight(db: Session | Connection) -> Connection | None:
    """`db` when it is a Core connection to PostgreSQL, where the usual answers go through `raw_sql`."""
    return db if isinstance(db, Connection) and raw_sql.is_postgresql(db) else None


def _locked_newest(db: Session | Connection, device_id: int) -> HeldHead | None:
    conn = _straight(db)
    if conn is not None:
        ((head_id, last_id, entry_count, head_hash, received_at),) = raw_sql.rows(
            conn, _LOCKED_NEWEST_PG, {"device_id": device_id})
        received_at = raw_sql.read_back(received_at)
    else:
        head_id, last_id, entry_count, head_hash, received_at = db.execute(
            _LOCKED_NEWEST, {"device_id": device_id}).one()
    return None if head_id is None else HeldHead(head_id, last_id, entry_count, head_hash, received_at)


def _add(db: Session | Connection, device: Device, push: wire.AuditHeadPush) -> HeldHead:
    now = utcnow()
    values = {"device_id": device.id, "last_id": push.last_id, "entry_count": push.count, "hash": push.hash}
    conn = _straight(db)
    if conn is not None:
        ((head_id,),) = raw_sql.rows(conn, _ADD_PG, {**values, "received_at": raw_sql.stored(now)})
    else:
        head_id = db.execute(_ADD, {**values, "received_at": now}).scalar_one()
    return HeldHead(head_id, push.last_id, push.count, push.hash, now)


def _discrepancy(session: Session, device: Device, push: wire.AuditHeadPush, held: HeldHead, problem: Message) -> None:
    """Recorded once per distinct claim: a terminal repeats a refused head at every sync."""
    anchor = push.anchor
    seen = session.scalar(select(AuditHeadDiscrepancy.id).where(
        AuditHeadDiscrepancy.device_id == device.id, AuditHeadDiscrepancy.held_head_id == held.id,
        AuditHeadDiscrepancy.last_id == push.last_id, AuditHeadDiscrepancy.hash == push.hash,
        AuditHeadDiscrepancy.entry_count == push.count,
        AuditHeadDiscrepancy.anchor_hash.is_(None) if anchor is None or anchor.hash is None
        else AuditHeadDiscrepancy.anchor_hash == anchor.hash).limit(1))
    if seen is not None:
        return
    session.add(AuditHeadDiscrepancy(device_id=device.id, last_id=push.last_id, entry_count=push.count, hash=push.hash,
                                     anchor_id=anchor.last_id if anchor else None,
                                     anchor_count=anchor.count if anchor else None,
                                     anchor_hash=anchor.hash if anchor else None, held_head_id=held.id,
                                     problem_zh=problem.zh, problem_en=problem.en))
    platform_audit.record(session, actor=f"device:{device.id}", action="audit_head.refused", subject=str(device.id),
                          details={"hall_code": device.hall_code, "held_last_id": held.last_id, "held_hash": held.hash,
                                   "sent_last_id": push.last_id, "sent_count": push.count, "sent_hash": push.hash,
                                   "problem": problem.en})


def record_of(session: Session, device: Device, limit: int) -> dict[str, Any]:
    """The device's heads (the newest `limit`, oldest first) and every discrepancy recorded for it."""
    rows = list(session.scalars(select(AuditHead).where(AuditHead.device_id == device.id)
                                .order_by(AuditHead.last_id.desc()).limit(limit)))
    total = session.scalar(select(func.count()).select_from(AuditHead).where(AuditHead.device_id == device.id)) or 0
    found = session.scalars(select(AuditHeadDiscrepancy).where(AuditHeadDiscrepancy.device_id == device.id)
                            .order_by(AuditHeadDiscrepancy.id))
    return {"heads": [head_dict(r) for r in reversed(rows)], "total_heads": int(total),
            "discrepancies": [{"received_at": d.received_at, "last_id": d.last_id, "count": d.entry_count,
                               "hash": d.hash, "reason": {"zh": d.problem_zh, "en": d.problem_en}} for d in found]}
