"""The event log: every change at the hub, numbered, written in the transaction that makes the change.

A row holds the event's JSON without its seq; `event_json` puts the seq in front, so catch-up and live
sending never decode and re-encode an event.
"""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.queue.model import EventKind, HelpRequest, QueueEvent, Ticket
from sync.hall import wire
from sync.hall.server.schema import EventRow


def append_event(session: Session, kind: EventKind, at: datetime, *, ticket: Ticket | None = None,
                 help: HelpRequest | None = None, counter_no: int | None = None) -> None:
    body = wire.encode(QueueEvent(0, kind, at, ticket=ticket, help=help, counter_no=counter_no))
    del body["seq"]
    session.add(EventRow(kind=kind.value, at=at, counter_no=counter_no,
                         ticket_id=ticket.ticket_id if ticket else None,
                         payload=json.dumps(body, ensure_ascii=False, separators=(",", ":"))))
    session.flush()
    session.info["events"] = session.info.get("events", 0) + 1


def event_json(row: EventRow) -> str:
    return f'{{"seq":{row.seq},{row.payload[1:]}'


def rows_since(session: Session, since: int, limit: int) -> list[EventRow]:
    return list(session.scalars(select(EventRow).where(EventRow.seq > since).order_by(EventRow.seq).limit(limit)))


def events_since(session: Session, since: int, limit: int) -> list[QueueEvent]:
    return [wire.decode_as(QueueEvent, json.loads(event_json(r))) for r in rows_since(session, since, limit)]


def last_seq(session: Session) -> int:
    return int(session.scalar(select(func.max(EventRow.seq))) or 0)
