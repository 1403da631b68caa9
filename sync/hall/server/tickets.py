"""Issuing (online), handing over (tickets a kiosk issued offline) and kiosks' number blocks.

Numbers come from `kiosk.queue.numbering`: one sequence per (day, line), kiosk blocks set aside from it,
and each kiosk slot's emergency range, which the hub never issues. A ticket id is the primary key, so a
retried request finds its ticket instead of making a second one; (day, line, number) is unique, so two
tickets can never carry one number.
"""
from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.queue import numbering
from kiosk.queue.model import (EventKind, HandoverResult, IssueRequest, NumberBlock, Priority, Ticket,
                               TicketState)
from kiosk.queue.selection import people_ahead
from sync.hall.server import clock
from sync.hall.server.config import HubConfig
from sync.hall.server.errors import bad_request, conflict
from sync.hall.server.events import append_event
from sync.hall.server.pairing import Device
from sync.hall.server.schema import BlockRow, CounterRow, SequenceRow, TicketRow
from sync.hall.server.store import HubStore, log

MAX_HANDOVER = 500


def to_ticket(r: TicketRow) -> Ticket:
    return Ticket(ticket_id=r.ticket_id, number=r.number, category=r.category, priority=Priority(r.priority),
                  state=TicketState(r.state), service_day=r.service_day, issued_at=r.issued_at,
                  issued_by=r.issued_by, appointment_at=r.appointment_at, called_at=r.called_at,
                  counter_no=r.counter_no, started_at=r.started_at, finished_at=r.finished_at,
                  no_show_at=r.no_show_at, calls=r.calls, issued_offline=r.issued_offline,
                  application_ref=r.application_ref)


def valid_ticket_id(ticket_id: str) -> bool:
    try:
        return str(uuid.UUID(ticket_id)) == ticket_id
    except (ValueError, AttributeError, TypeError):
        return False


def _check_id(ticket_id: str) -> None:
    if not valid_ticket_id(ticket_id):
        raise bad_request("ticket_id", "票号标识须为小写 UUID。", "A ticket id is a lower-case UUID.")


def _check_category(config: HubConfig, code: str) -> None:
    if config.category(code) is None:
        raise bad_request("category", f"没有“{code[:20]}”这一类业务。", f"There is no line “{code[:20]}”.")


def waiting_rows(s: Session, day: str, category: str | None = None) -> list[TicketRow]:
    q = select(TicketRow).where(TicketRow.service_day == day, TicketRow.state == TicketState.WAITING.value)
    if category is not None:
        q = q.where(TicketRow.category == category)
    return list(s.scalars(q))


@dataclass(frozen=True)
class Placed:
    ticket: Ticket
    people_ahead: int
    estimated_wait_minutes: int


def estimate(s: Session, config: HubConfig, ticket: Ticket) -> Placed:
    """People ahead x the day's mean service minutes for the line (or its configured figure), shared
    among the open counters serving the line."""
    if ticket.state != TicketState.WAITING:
        return Placed(ticket, 0, 0)
    waiting = [to_ticket(r) for r in waiting_rows(s, ticket.service_day, ticket.category)]
    ahead = people_ahead(ticket, waiting)
    served = s.execute(select(TicketRow.started_at, TicketRow.finished_at).where(
        TicketRow.service_day == ticket.service_day, TicketRow.category == ticket.category,
        TicketRow.state == TicketState.DONE.value, TicketRow.started_at.is_not(None))).all()
    category = config.category(ticket.category)
    minutes = category.minutes_per_ticket if category else 6.0
    if served:
        minutes = sum((f - st).total_seconds() for st, f in served) / 60 / len(served)
    counters = sum(1 for codes in s.scalars(select(CounterRow.categories).where(CounterRow.is_open.is_(True)))
                   if ticket.category in codes.split(","))
    return Placed(ticket, ahead, math.ceil(ahead * minutes / max(1, counters)))


def issue(store: HubStore, config: HubConfig, device: Device, req: IssueRequest) -> Placed:
    _check_id(req.ticket_id)
    _check_category(config, req.category)
    if req.appointment_at is not None and req.priority != Priority.APPOINTMENT:
        raise bad_request("appointment_at", "只有预约号才有预约时间。", "Only an appointment ticket has an appointment time.")
    now = clock.now()
    day = clock.service_day(now)
    with store.write() as s:
        existing = s.get(TicketRow, req.ticket_id)
        if existing is not None:
            if existing.category != req.category or existing.priority != req.priority.value:
                raise conflict("ticket_id_reused", "这个票号标识已用于另一张票。",
                               "This ticket id already belongs to another ticket.")
            return estimate(s, config, to_ticket(existing))
        seq = s.get(SequenceRow, (day, req.category))
        if seq is None:
            seq = SequenceRow(service_day=day, category=req.category, last=0)
            s.add(seq)
        n = numbering.next_hub_number(seq.last)
        seq.last = n
        row = TicketRow(ticket_id=req.ticket_id, number=numbering.format_number(req.category, n), number_value=n,
                        category=req.category, priority=req.priority.value, state=TicketState.WAITING.value,
                        service_day=day, issued_at=now, issued_by=device.name, appointment_at=req.appointment_at,
                        calls=0, issued_offline=False, received_at=now)
        s.add(row)
        s.flush()
        ticket = to_ticket(row)
        append_event(s, EventKind.ISSUED, now, ticket=ticket)
        return estimate(s, config, ticket)


def _number_value(ticket: Ticket) -> int | None:
    digits = ticket.number[len(ticket.category):]
    if not ticket.number.startswith(ticket.category) or not digits.isdigit() or len(digits) > 6:
        return None
    n = int(digits)
    return n if n >= 1 and numbering.format_number(ticket.category, n) == ticket.number else None


def _valid_day(day: str) -> bool:
    try:
        return datetime.fromisoformat(day).date().isoformat() == day
    except ValueError:
        return False


def hand_over(store: HubStore, config: HubConfig, device: Device, tickets: list[Ticket]) -> HandoverResult:
    """Accept a kiosk's offline tickets: each number must lie in that kiosk's block for its day and line or
    in its slot's emergency range. Already held (same id, same number): accepted again, nothing changes."""
    if len(tickets) > MAX_HANDOVER:
        raise bad_request("too_many", f"一次最多交回 {MAX_HANDOVER} 张票。",
                          f"Hand over at most {MAX_HANDOVER} tickets at a time.")
    for t in tickets:
        _check_id(t.ticket_id)
        _check_category(config, t.category)
        if not _valid_day(t.service_day):
            raise bad_request("service_day", "营业日须写成“2026-11-30”这样的格式。", "A service day is YYYY-MM-DD.")
        if _number_value(t) is None:
            raise bad_request("number", f"票号“{t.number[:20]}”格式不对。",
                              f"The number “{t.number[:20]}” is not a ticket number.")
    if len({t.ticket_id for t in tickets}) != len(tickets):
        raise bad_request("duplicate_ids", "同一张票在一次交回中出现了两次。", "A ticket appears twice in one hand-over.")
    now = clock.now()
    accepted: list[str] = []
    refused: list[str] = []
    with store.write() as s:
        emergency = numbering.emergency_range(device.kiosk_slot) if device.kiosk_slot else None
        for t in sorted(tickets, key=lambda t: (t.issued_at, t.number)):
            n = _number_value(t)
            assert n is not None
            existing = s.get(TicketRow, t.ticket_id)
            if existing is not None:
                if (existing.number, existing.service_day, existing.issued_by) == (t.number, t.service_day, device.name):
                    accepted.append(t.ticket_id)
                else:
                    log.error("HANDOVER CLASH: %s from %s claims id %s, held as %s %s from %s", t.number,
                              device.name, t.ticket_id, existing.number, existing.service_day, existing.issued_by)
                    refused.append(t.ticket_id)
                continue
            in_block = s.scalar(select(func.count()).select_from(BlockRow).where(
                BlockRow.device_id == device.id, BlockRow.service_day == t.service_day,
                BlockRow.category == t.category, BlockRow.first <= n, BlockRow.last >= n)) or 0
            if not in_block and not (emergency and emergency[0] <= n <= emergency[1]):
                log.error("HANDOVER CLASH: %s %s from %s is outside its blocks and its emergency range %s",
                          t.service_day, t.number, device.name, emergency)
                refused.append(t.ticket_id)
                continue
            holder = s.scalar(select(TicketRow).where(TicketRow.service_day == t.service_day,
                                                      TicketRow.category == t.category, TicketRow.number_value == n))
            if holder is not None:
                log.error("HANDOVER CLASH: %s %s from %s (id %s) is already ticket %s from %s", t.service_day,
                          t.number, device.name, t.ticket_id, holder.ticket_id, holder.issued_by)
                refused.append(t.ticket_id)
                continue
            issued_at = min(t.issued_at, now)  # a kiosk clock running fast must not put it behind the line's end
            row = TicketRow(ticket_id=t.ticket_id, number=t.number, number_value=n, category=t.category,
                            priority=t.priority.value, state=TicketState.WAITING.value, service_day=t.service_day,
                            issued_at=issued_at, issued_by=device.name,
                            appointment_at=t.appointment_at if t.priority == Priority.APPOINTMENT else None,
                            calls=0, issued_offline=True, received_at=now)
            s.add(row)
            s.flush()
            append_event(s, EventKind.ISSUED, now, ticket=to_ticket(row))
            accepted.append(t.ticket_id)
    if refused:
        log.error("HANDOVER from %s: %d ticket(s) refused: %s", device.name, len(refused), refused)
    return HandoverResult(tuple(accepted), tuple(refused))


def blocks(store: HubStore, config: HubConfig, device: Device) -> list[NumberBlock]:
    """Today's blocks of this kiosk, a fresh one set aside for each line whose newest block runs low."""
    day = clock.service_day()
    with store.write() as s:
        for code in config.codes:
            newest = s.scalar(select(BlockRow).where(BlockRow.device_id == device.id, BlockRow.service_day == day,
                                                     BlockRow.category == code).order_by(BlockRow.first.desc()))
            if newest is not None:
                used = s.scalar(select(func.count()).select_from(TicketRow).where(
                    TicketRow.service_day == day, TicketRow.category == code,
                    TicketRow.number_value.between(newest.first, newest.last))) or 0
                if newest.last - newest.first + 1 - used >= numbering.REFILL_BELOW:
                    continue
            seq = s.get(SequenceRow, (day, code))
            if seq is None:
                seq = SequenceRow(service_day=day, category=code, last=0)
                s.add(seq)
            first, last, seq.last = numbering.reserve_block(seq.last)
            s.add(BlockRow(device_id=device.id, service_day=day, category=code, first=first, last=last))
        rows = s.scalars(select(BlockRow).where(BlockRow.device_id == device.id, BlockRow.service_day == day)
                         .order_by(BlockRow.category, BlockRow.first))
        return [NumberBlock(r.service_day, r.category, r.first, r.last) for r in rows]


def tickets_of_day(store: HubStore, day: str) -> list[Ticket]:
    if not _valid_day(day):
        raise bad_request("day", "日期须写成“2026-11-30”这样的格式。", "A day is YYYY-MM-DD.")
    with store.read() as s:
        return [to_ticket(r) for r in s.scalars(select(TicketRow).where(TicketRow.service_day == day)
                                               .order_by(TicketRow.issued_at, TicketRow.number))]


def placed(store: HubStore, config: HubConfig, ticket_id: str) -> Placed | None:
    if not valid_ticket_id(ticket_id):
        return None
    with store.read() as s:
        row = s.get(TicketRow, ticket_id)
        return None if row is None else estimate(s, config, to_ticket(row))


__all__ = ["Placed", "blocks", "estimate", "hand_over", "issue", "placed", "tickets_of_day"]
