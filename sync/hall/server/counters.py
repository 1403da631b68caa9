"""What a counter does: open and close, call the next ticket, and move the ticket it holds.

A counter acts only on tickets called to it; every move is checked against the ticket's state, so a
finish of a waiting ticket or a recall of another counter's ticket is refused (409) and changes nothing.
Repeating a move that already happened (a retried finish) answers the ticket as it is.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.queue.model import CounterSession, CounterState, EventKind, Role, Ticket, TicketState
from kiosk.queue.selection import SelectionRules, select_next
from sync.hall.server import clock
from sync.hall.server.config import HubConfig
from sync.hall.server.errors import bad_request, conflict, not_found
from sync.hall.server.events import append_event
from sync.hall.server.pairing import Device
from sync.hall.server.schema import CounterRow, CounterSessionRow, DeviceRow, TicketRow
from sync.hall.server.store import HubStore
from sync.hall.server.tickets import to_ticket, valid_ticket_id, waiting_rows

ACTIVE = (TicketState.CALLED.value, TicketState.SERVING.value)
MAX_REF = 128


def current_ticket(s: Session, counter_no: int) -> TicketRow | None:
    return s.scalar(select(TicketRow).where(TicketRow.counter_no == counter_no, TicketRow.state.in_(ACTIVE))
                    .order_by(TicketRow.called_at.desc()))


def counter_state(s: Session, row: CounterRow) -> CounterState:
    current = current_ticket(s, row.counter_no)
    return CounterState(row.counter_no, row.is_open, tuple(c for c in row.categories.split(",") if c),
                        to_ticket(current) if current else None)


def _counter_row(s: Session, counter_no: int) -> CounterRow:
    row = s.get(CounterRow, counter_no)
    if row is None:
        row = CounterRow(counter_no=counter_no, is_open=False, categories="", priority_run=0)
        s.add(row)
    return row


def _no(device: Device) -> int:
    assert device.role is Role.COUNTER and device.counter_no is not None
    return device.counter_no


def open_counter(store: HubStore, config: HubConfig, device: Device, categories: tuple[str, ...] | None) -> CounterState:
    n = _no(device)
    if categories is not None:
        unknown = [c for c in categories if config.category(c) is None]
        if unknown or not categories or len(set(categories)) != len(categories):
            raise bad_request("categories", "请选择本窗口办理的业务类别（不能为空、不能重复、须为已有类别）。",
                              "Choose the lines this counter serves (at least one, no repeats, known lines only).")
    chosen = categories or config.counter_categories.get(n) or config.codes
    now = clock.now()
    with store.write() as s:
        row = _counter_row(s, n)
        joined = ",".join(chosen)
        if not row.is_open:
            s.add(CounterSessionRow(counter_no=n, opened_at=now))
        if not row.is_open or row.categories != joined:
            row.is_open, row.categories = True, joined
            s.flush()
            append_event(s, EventKind.COUNTER_OPENED, now, counter_no=n)
        return counter_state(s, row)


def close_counter(store: HubStore, device: Device) -> CounterState:
    n = _no(device)
    now = clock.now()
    with store.write() as s:
        row = _counter_row(s, n)
        if row.is_open:
            row.is_open = False
            for session in s.scalars(select(CounterSessionRow).where(CounterSessionRow.counter_no == n,
                                                                     CounterSessionRow.closed_at.is_(None))):
                session.closed_at = now
            s.flush()
            append_event(s, EventKind.COUNTER_CLOSED, now, counter_no=n)
        return counter_state(s, row)


def call_next(store: HubStore, config: HubConfig, device: Device) -> Ticket | None:
    n = _no(device)
    now = clock.now()
    rules = SelectionRules(config.fairness_minutes, config.priority_run)
    with store.write() as s:
        counter = s.get(CounterRow, n)
        if counter is None or not counter.is_open:
            raise conflict("counter_closed", f"{n} 号窗口尚未开启，请先开启窗口再叫号。",
                           f"Counter {n} is not open; open it before calling.")
        current = current_ticket(s, n)
        if current is not None:
            raise conflict("counter_busy", f"本窗口的 {current.number} 号尚未办结，请先完成、过号或转移。",
                           f"Ticket {current.number} at this counter is not finished: finish it, mark it a "
                           "no-show or transfer it first.")
        waiting = [to_ticket(r) for r in waiting_rows(s, clock.service_day(now))]
        chosen = select_next(waiting, counter_no=n, categories=counter.categories.split(","), now=now, rules=rules,
                             priority_run=counter.priority_run)
        if chosen is None:
            return None
        counter.priority_run = chosen.priority_run
        row = s.get(TicketRow, chosen.ticket.ticket_id)
        assert row is not None
        row.state, row.counter_no, row.called_at, row.calls = TicketState.CALLED.value, n, now, row.calls + 1
        s.flush()
        ticket = to_ticket(row)
        append_event(s, EventKind.CALLED, now, ticket=ticket, counter_no=n)
        return ticket


def _refuse_state(ticket: TicketRow, action_zh: str, action_en: str) -> Exception:
    states = {"waiting": ("在等候中", "is waiting"), "called": ("已叫号", "has been called"),
              "serving": ("正在办理", "is being served"), "done": ("已办结", "is finished"),
              "no_show": ("已过号", "was a no-show")}
    zh, en = states[ticket.state]
    return conflict("ticket_state", f"{ticket.number} 号{zh}，不能{action_zh}。",
                    f"Ticket {ticket.number} {en}; it cannot be {action_en}.")


def act(store: HubStore, device: Device, ticket_id: str, action: str, *, to_counter: int | None = None,
        application_ref: str | None = None) -> Ticket:
    n = _no(device)
    if not valid_ticket_id(ticket_id):
        raise not_found("ticket", "没有这张票。", "There is no such ticket.")
    if action == "transfer" and (to_counter is None or not 1 <= to_counter <= 999 or to_counter == n):
        raise bad_request("to_counter", "请选择另一个窗口。", "Choose another counter.")
    if action == "link" and not (application_ref and len(application_ref) <= MAX_REF
                                 and application_ref.isprintable() and application_ref.strip() == application_ref):
        raise bad_request("application_ref", f"办件编号须为 1-{MAX_REF} 个可见字符。",
                          f"An application reference is 1-{MAX_REF} printable characters.")
    now = clock.now()
    with store.write() as s:
        row = s.get(TicketRow, ticket_id)
        if row is None:
            raise not_found("ticket", "没有这张票。", "There is no such ticket.")
        if row.counter_no != n or row.state == TicketState.WAITING.value:
            if row.state == TicketState.WAITING.value:
                raise _refuse_state(row, _VERB[action][0], _VERB[action][1])
            raise conflict("other_counter", f"{row.number} 号不在本窗口（{n} 号窗口）办理。",
                           f"Ticket {row.number} is not at this counter ({n}).")
        step = _STEPS[action]
        kind = step(s, row, n, now, to_counter, application_ref)
        s.flush()
        ticket = to_ticket(row)
        if kind is not None:
            append_event(s, kind, now, ticket=ticket, counter_no=n)
        return ticket


_VERB = {"recall": ("重呼", "recalled"), "start": ("开始办理", "started"), "finish": ("办结", "finished"),
         "no-show": ("记为过号", "marked a no-show"), "transfer": ("转移", "transferred"),
         "link": ("关联办件", "linked")}


def _need(row: TicketRow, action: str, *states: TicketState) -> None:
    if row.state not in {s.value for s in states}:
        raise _refuse_state(row, *_VERB[action])


def _recall(s: Session, row: TicketRow, n: int, now, to, ref) -> EventKind | None:  # type: ignore[no-untyped-def]
    _need(row, "recall", TicketState.CALLED)
    row.calls, row.called_at = row.calls + 1, now
    return EventKind.RECALLED


def _start(s: Session, row: TicketRow, n: int, now, to, ref) -> EventKind | None:  # type: ignore[no-untyped-def]
    if row.state == TicketState.SERVING.value:
        return None
    _need(row, "start", TicketState.CALLED)
    row.state, row.started_at = TicketState.SERVING.value, now
    return EventKind.STARTED


def _finish(s: Session, row: TicketRow, n: int, now, to, ref) -> EventKind | None:  # type: ignore[no-untyped-def]
    if row.state == TicketState.DONE.value:
        return None
    _need(row, "finish", TicketState.SERVING)
    row.state, row.finished_at = TicketState.DONE.value, now
    return EventKind.FINISHED


def _no_show(s: Session, row: TicketRow, n: int, now, to, ref) -> EventKind | None:  # type: ignore[no-untyped-def]
    if row.state == TicketState.NO_SHOW.value:
        return None
    _need(row, "no-show", TicketState.CALLED)
    row.state, row.no_show_at = TicketState.NO_SHOW.value, now
    return EventKind.NO_SHOW


def _transfer(s: Session, row: TicketRow, n: int, now, to, ref) -> EventKind | None:  # type: ignore[no-untyped-def]
    _need(row, "transfer", TicketState.CALLED, TicketState.SERVING)
    target = s.scalar(select(DeviceRow.id).where(DeviceRow.counter_no == to, DeviceRow.unpaired_at.is_(None)))
    if target is None and s.get(CounterRow, to) is None:
        raise conflict("no_such_counter", f"没有 {to} 号窗口。", f"There is no counter {to}.")
    row.state, row.counter_no = TicketState.WAITING.value, to
    return EventKind.TRANSFERRED


def _link(s: Session, row: TicketRow, n: int, now, to, ref) -> EventKind | None:  # type: ignore[no-untyped-def]
    if row.application_ref == ref:
        return None
    _need(row, "link", TicketState.CALLED, TicketState.SERVING, TicketState.DONE)
    row.application_ref = ref
    return EventKind.LINKED


_STEPS: dict[str, Callable[..., EventKind | None]] = {
    "recall": _recall, "start": _start, "finish": _finish, "no-show": _no_show, "transfer": _transfer,
    "link": _link}
ACTIONS = tuple(_STEPS)


def sessions_of_day(store: HubStore, day: str) -> list[CounterSession]:
    try:
        start = clock.day_start(day)
    except ValueError:
        raise bad_request("day", "日期须写成“2026-11-30”这样的格式。", "A day is YYYY-MM-DD.") from None
    end = start + timedelta(days=1)
    with store.read() as s:
        rows = s.scalars(select(CounterSessionRow).where(CounterSessionRow.opened_at < end)
                         .where((CounterSessionRow.closed_at.is_(None)) | (CounterSessionRow.closed_at >= start))
                         .order_by(CounterSessionRow.opened_at))
        return [CounterSession(r.counter_no, r.opened_at, r.closed_at) for r in rows]


__all__ = ["ACTIONS", "act", "call_next", "close_counter", "counter_state", "open_counter", "sessions_of_day"]
