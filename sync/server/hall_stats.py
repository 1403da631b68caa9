"""The hall queue's statistics on the platform: counters send recomputed rows, each replaces the one it names.

A row is one hour of one line of one hall on one day (`kiosk.queue.model.DailyStats`), with its sums in
seconds so a province can add halls, days and hours up and still divide exactly. The hall is always the
sending counter's own; a kiosk may not send (it has no hub figures of its own to vouch for).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync import wire
from sync.server import platform_audit
from sync.server.models import Device, HallQueueStat

FIELDS = ("issued", "served", "no_shows", "wait_seconds_sum", "walk_seconds_sum", "service_seconds_sum",
          "served_within_target")


def replace_rows(session: Session, device: Device, push: wire.HallStatsPush) -> tuple[int, list[str]]:
    """Insert or overwrite each named row of the device's hall; rows not named are left alone.

    The audit entry comes first: on PostgreSQL it takes the platform audit's lock, so two counters of a hall
    sending the same rows at once replace them one after the other instead of racing to insert."""
    days = sorted({r.service_day for r in push.rows})
    platform_audit.record(session, actor=f"device:{device.id}", action="hall_stats.received",
                          subject=device.hall_code, details={"rows": len(push.rows), "days": days})
    for row in push.rows:
        held = session.get(HallQueueStat, (device.hall_code, row.service_day, row.hour, row.category))
        values = {f: getattr(row, f) for f in FIELDS}
        if held is None:
            session.add(HallQueueStat(hall_code=device.hall_code, service_day=row.service_day, hour=row.hour,
                                      category=row.category, device_id=device.id, **values))
        else:
            for key, value in values.items():
                setattr(held, key, value)
            held.device_id = device.id
    session.flush()
    return len(push.rows), days


def rows_of(session: Session, hall_code: str, date_from: str | None = None,
            date_to: str | None = None) -> list[dict[str, Any]]:
    query = select(HallQueueStat).where(HallQueueStat.hall_code == hall_code)
    if date_from:
        query = query.where(HallQueueStat.service_day >= date_from)
    if date_to:
        query = query.where(HallQueueStat.service_day <= date_to)
    query = query.order_by(HallQueueStat.service_day, HallQueueStat.hour, HallQueueStat.category)
    return [{"hall_code": r.hall_code, "service_day": r.service_day, "hour": r.hour, "category": r.category,
             **{f: getattr(r, f) for f in FIELDS}, "device_id": r.device_id,
             "received_at": r.received_at.isoformat() if r.received_at else None}
            for r in session.scalars(query)]
