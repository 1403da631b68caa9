"""The counter's side of the hall queue: opening the counter, calling, serving, and the day's figures.

Each function acts through `Terminal.hall` (the link to the hall hub), so the window, the CLI and a
script do exactly the same thing. No hub configured is a refusal a clerk can act on (`UserFacingError`);
a hub that cannot be reached raises `HallUnavailable` from the link, untouched, so a screen can say the
queue is away while the clerk's other work goes on.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

from kiosk.errors import Message, UserFacingError
from kiosk.queue.metrics import QueueFigures, compute_figures
from kiosk.queue.model import CounterState, HallPart, HallState, HelpRequest, Ticket, TicketState
from kiosk.terminal import Terminal

NO_HUB = Message("本窗口没有连接叫号服务器（未设置 hall_url 或尚未配对）。",
                 "This counter has no hall queue server (hall_url is not set, or the counter is not paired).")
MAX_COUNTER_NO = 999
MAX_REF_LENGTH = 64


def _hall(t: Terminal) -> HallPart:
    if t.hall is None:
        raise UserFacingError(NO_HUB, code="no_hub")
    return t.hall


def _ticket_id(ticket_id: str) -> str:
    ticket_id = (ticket_id or "").strip()
    if not ticket_id:
        raise UserFacingError(Message("没有指定号票。", "No ticket was named."), code="ticket_missing")
    return ticket_id


def counter_no(t: Terminal) -> int | None:
    """This counter's number in the hall, if the link knows it (the pairing gives it)."""
    return _hall(t).counter_no


def open_counter(t: Terminal, categories: tuple[str, ...] | None = None) -> CounterState:
    if categories is not None:
        categories = tuple(c.strip().upper() for c in categories if c.strip())
        if not categories:
            raise UserFacingError(Message("请至少选择一个业务类别。", "Choose at least one line to call from."),
                                  code="no_categories")
    return _hall(t).open_counter(categories)


def close_counter(t: Terminal) -> CounterState:
    return _hall(t).close_counter()


def call_next(t: Terminal) -> Ticket | None:
    """The next ticket for this counter's lines, or None when nobody is waiting."""
    return _hall(t).call_next()


def recall(t: Terminal, ticket_id: str) -> Ticket:
    return _hall(t).recall(_ticket_id(ticket_id))


def start(t: Terminal, ticket_id: str) -> Ticket:
    return _hall(t).start(_ticket_id(ticket_id))


def finish(t: Terminal, ticket_id: str) -> Ticket:
    return _hall(t).finish(_ticket_id(ticket_id))


def no_show(t: Terminal, ticket_id: str) -> Ticket:
    return _hall(t).no_show(_ticket_id(ticket_id))


def transfer(t: Terminal, ticket_id: str, to_counter: int) -> Ticket:
    if not isinstance(to_counter, int) or isinstance(to_counter, bool) or not 1 <= to_counter <= MAX_COUNTER_NO:
        raise UserFacingError(Message(f"窗口号应为 1 到 {MAX_COUNTER_NO} 之间的数字。",
                                      f"A counter number is a number from 1 to {MAX_COUNTER_NO}."),
                              code="bad_counter")
    hall = _hall(t)
    if hall.counter_no == to_counter:
        raise UserFacingError(Message("不能转到本窗口，请选择其他窗口。",
                                      "That is this counter; choose another one."), code="same_counter")
    return hall.transfer(_ticket_id(ticket_id), to_counter)


def link_ticket(t: Terminal, ticket_id: str, application_ref: str) -> Ticket:
    """Name the application or case the ticket led to, so waited, served and applied are one record."""
    ref = (application_ref or "").strip()
    if not ref or len(ref) > MAX_REF_LENGTH or any(ch.isspace() for ch in ref):
        raise UserFacingError(Message("请填写回执编号、案件号或申请编号（不含空格，最多 64 个字符）。",
                                      "Give a receipt, case or application number (no spaces, at most 64 "
                                      "characters)."), code="bad_ref")
    return _hall(t).link(_ticket_id(ticket_id), ref)


def acknowledge_help(t: Terminal, help_id: str) -> HelpRequest:
    help_id = (help_id or "").strip()
    if not help_id:
        raise UserFacingError(Message("没有指定求助请求。", "No help request was named."), code="help_missing")
    return _hall(t).acknowledge_help(help_id)


def hall_snapshot(t: Terminal) -> HallState:
    """What the queue panel shows: the lines, the counters, the calls and the open help requests."""
    return _hall(t).state()


@dataclass(frozen=True)
class CounterView:
    """The queue panel's snapshot: the hall, and this counter's own state (None until it is known)."""

    hall: HallState
    counter_no: int | None
    counter: CounterState | None
    current: Ticket | None
    at: datetime


def counter_view(t: Terminal) -> CounterView:
    hall = _hall(t)
    state = hall.state()
    own = counter_no(t)
    mine = next((c for c in state.counters if c.counter_no == own), None) if own is not None else None
    current = mine.current if mine is not None else None
    if current is None and own is not None:
        # a hub whose counter states do not carry the current ticket: the day's tickets say which it is
        held = [tk for tk in hall.tickets(state.service_day)
                if tk.counter_no == own and tk.state in (TicketState.CALLED, TicketState.SERVING)]
        current = max(held, key=lambda tk: tk.called_at or tk.issued_at, default=None)
    if current is not None and current.state not in (TicketState.CALLED, TicketState.SERVING):
        current = None
    return CounterView(state, own, mine, current, datetime.now(timezone.utc))


def _check_day(day: str) -> str:
    try:
        return date.fromisoformat(day).isoformat()
    except (TypeError, ValueError):
        raise UserFacingError(Message(f"日期请按 年-月-日 填写，如 2026-11-29：{day!r}", f"A day is written YYYY-MM-DD: {day!r}"),
                              code="bad_day") from None


def queue_figures(t: Terminal, day: str) -> QueueFigures:
    """The day's queue figures, recomputed from the hub's stored timestamps."""
    day = _check_day(day)
    hall = _hall(t)
    tickets = hall.tickets(day)
    sessions = hall.counter_sessions(day)
    return compute_figures(day, tickets, sessions, t.settings.queue_target_wait_minutes)
