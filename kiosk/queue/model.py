"""The queue as the hub, the kiosks, the counters and the boards all see it.

A ticket keeps the five timestamps NovoSGA keeps (appointment, issued, called,
started, finished) plus a no-show time, so every figure a hall manager wants
(wait, walk, service, idle, no-shows) is recomputed exactly from what was stored.
Every change at the hub is an `QueueEvent` with a sequence number: a client that
missed some asks for everything after the last number it saw.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from kiosk.errors import Message


class Priority(StrEnum):
    """Who may be called before the normal line (the order here is the order of precedence)."""

    APPOINTMENT = "appointment"
    ELDERLY = "elderly"
    DISABLED = "disabled"
    NORMAL = "normal"


PRIORITY_LABELS: dict[Priority, Message] = {
    Priority.APPOINTMENT: Message("预约", "Appointment"),
    Priority.ELDERLY: Message("老年人优先", "Senior priority"),
    Priority.DISABLED: Message("残疾人优先", "Disability priority"),
    Priority.NORMAL: Message("普通", "Regular"),
}


class TicketState(StrEnum):
    WAITING = "waiting"  # issued, or sent back to the line by a transfer
    CALLED = "called"  # called to a counter, the citizen is walking there
    SERVING = "serving"  # service started at the counter
    DONE = "done"
    NO_SHOW = "no_show"


class Role(StrEnum):
    """What a device paired with the hub may do: a kiosk issues, a counter calls, a board only reads."""

    KIOSK = "kiosk"
    COUNTER = "counter"
    BOARD = "board"


class EventKind(StrEnum):
    ISSUED = "issued"  # also a ticket handed over after the kiosk issued it offline
    CALLED = "called"
    RECALLED = "recalled"
    STARTED = "started"
    FINISHED = "finished"
    NO_SHOW = "no_show"
    TRANSFERRED = "transferred"
    LINKED = "linked"  # the ticket now names the application or case it led to
    HELP_REQUESTED = "help_requested"
    HELP_ACKNOWLEDGED = "help_acknowledged"
    HELP_CLOSED = "help_closed"
    COUNTER_OPENED = "counter_opened"
    COUNTER_CLOSED = "counter_closed"


@dataclass(frozen=True)
class Category:
    """A line of the queue: one letter prefix, named after a department or theme of the catalog."""

    code: str  # "A", "B", ...: the ticket number's prefix
    name: Message
    departments: tuple[str, ...] = ()  # catalog department codes this line serves
    minutes_per_ticket: float = 6.0  # the estimate printed on a ticket until the day has its own figures


@dataclass(frozen=True)
class Ticket:
    ticket_id: str  # a UUID the issuer makes, so issuing and handing over are idempotent
    number: str  # "A015": category code + the day's number, 3 digits or more
    category: str
    priority: Priority
    state: TicketState
    service_day: str  # "2026-11-29", the hall's local day the number belongs to
    issued_at: datetime  # aware UTC, the issuer's clock (a kiosk's own for a ticket issued offline)
    issued_by: str  # the device name of the kiosk or counter that issued it
    appointment_at: datetime | None = None
    called_at: datetime | None = None  # the last call (a recall moves it)
    counter_no: int | None = None  # the counter it was called to, or the one it is transferred to
    started_at: datetime | None = None
    finished_at: datetime | None = None
    no_show_at: datetime | None = None
    calls: int = 0  # how many times it was called (first call + recalls)
    issued_offline: bool = False
    application_ref: str | None = None  # receipt number, case number or application UUID it led to
    # the first call (`called_at` moves with a recall or a call at another counter); the wait is measured to it.
    # Optional and added after the contract: None from a hub that does not keep it, then `called_at` stands in.
    first_called_at: datetime | None = None


@dataclass(frozen=True)
class IssuedTicket:
    """What the kiosk prints and says after issuing."""

    ticket: Ticket
    people_ahead: int
    estimated_wait_minutes: int
    status_url: str  # the ticket's own page on the hub, for its QR code ("how many are before me?")
    offline: bool = False  # issued from the kiosk's own number block; handed over when the hub is back


@dataclass(frozen=True)
class Call:
    """One call as the board shows and speaks it."""

    seq: int
    ticket_id: str
    number: str
    category: str
    counter_no: int
    at: datetime
    recall: bool = False

    def spoken_zh(self) -> str:
        return f"请 {self.number} 号到 {self.counter_no} 号窗口"

    def caption(self) -> Message:
        return Message(f"请 {self.number} 号到 {self.counter_no} 号窗口",
                       f"Ticket {self.number}, please go to counter {self.counter_no}")


@dataclass(frozen=True)
class HelpRequest:
    help_id: str
    kiosk: str  # device name of the kiosk that asked
    step: str  # the kiosk screen the citizen was on, e.g. "materials"
    step_label: Message
    requested_at: datetime
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None  # counter device name (and counter number in its label)
    closed_at: datetime | None = None


@dataclass(frozen=True)
class QueueEvent:
    seq: int
    kind: EventKind
    at: datetime
    ticket: Ticket | None = None
    help: HelpRequest | None = None
    counter_no: int | None = None


@dataclass(frozen=True)
class CounterState:
    counter_no: int
    open: bool
    categories: tuple[str, ...]
    current: Ticket | None = None  # called or being served


@dataclass(frozen=True)
class CounterSession:
    """A counter open for calls from `opened_at` to `closed_at` (None: still open); idle time is measured
    inside these, between a finish (or the opening) and the next call."""

    counter_no: int
    opened_at: datetime
    closed_at: datetime | None = None


@dataclass(frozen=True)
class HallState:
    """A snapshot: what a board shows after a restart before it follows the events from `seq` on."""

    seq: int
    service_day: str
    categories: tuple[Category, ...]
    waiting: dict[str, int]  # category code -> tickets waiting
    counters: tuple[CounterState, ...]
    recent_calls: tuple[Call, ...]  # newest first
    open_help: tuple[HelpRequest, ...] = ()


@dataclass(frozen=True)
class HubStatus:
    """What a screen says about this terminal's hub."""

    configured: bool  # a hub address is set and this terminal is paired
    reachable: bool | None  # None: not tried yet
    offline_tickets_pending: int = 0  # issued from the kiosk's own block, not yet handed over
    note: Message | None = None


class HallUnavailable(Exception):
    """The hub cannot be reached (or no hub is configured); `message` says so to a citizen or clerk."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.both())
        self.message = message


class Subscription(Protocol):
    def stop(self) -> None: ...


class HallPart(Protocol):
    """This terminal's link to its hall hub (`sync.hall.part`). Every call has short timeouts.

    Refusals the citizen or clerk can act on raise `kiosk.errors.UserFacingError`; an unreachable hub
    raises `HallUnavailable` except where a method says it works offline.
    """

    @property
    def counter_no(self) -> int | None:
        """This terminal's counter number in the hall (its pairing gives it); None for a kiosk or a board."""

    def status(self) -> HubStatus: ...

    def categories(self) -> tuple[Category, ...]:
        """The hub's lines; offline, the last list the hub gave (empty if it never did)."""

    def issue(self, category: str, priority: Priority) -> IssuedTicket:
        """Kiosk: a new ticket. With the hub away, from this kiosk's reserved block (`offline=True`)."""

    def hand_over(self) -> int:
        """Kiosk: send the tickets issued offline; returns how many the hub now holds. Idempotent."""

    def state(self) -> HallState: ...

    def events_since(self, seq: int, limit: int = 500) -> list[QueueEvent]:
        """REST catch-up; the board's fallback when the WebSocket is down."""

    def subscribe(self, since: int, on_events: Callable[[list[QueueEvent]], None],
                  on_link: Callable[[bool], None]) -> Subscription:
        """Follow the events after `since` (WebSocket, REST polling as fallback), on a background thread:
        the callbacks run on that thread; reconnects catch up from the last number seen, in order, no gaps."""

    # counter actions: the counter number is the one this terminal was paired as
    def open_counter(self, categories: tuple[str, ...] | None = None) -> CounterState: ...
    def close_counter(self) -> CounterState: ...
    def call_next(self) -> Ticket | None: ...
    def recall(self, ticket_id: str) -> Ticket: ...
    def start(self, ticket_id: str) -> Ticket: ...
    def finish(self, ticket_id: str) -> Ticket: ...
    def no_show(self, ticket_id: str) -> Ticket: ...
    def transfer(self, ticket_id: str, to_counter: int) -> Ticket: ...
    def link(self, ticket_id: str, application_ref: str) -> Ticket: ...
    def tickets(self, day: str) -> list[Ticket]:
        """Every ticket of a service day with its timestamps (the figures are computed from these)."""

    def counter_sessions(self, day: str) -> list[CounterSession]: ...

    # help on request
    def request_help(self, step: str, step_label: Message) -> HelpRequest: ...
    def help_request(self, help_id: str) -> HelpRequest: ...
    def acknowledge_help(self, help_id: str) -> HelpRequest: ...
    def close_help(self, help_id: str) -> HelpRequest: ...

    def stop(self, timeout: float = 5.0) -> None: ...


# --- shapes only the hub protocol uses --------------------------------------------------------------------

@dataclass(frozen=True)
class Pairing:
    """The hub's answer to a pairing code; the terminal keeps it (with the token) in its data dir."""

    hub_id: str
    device_name: str
    role: Role
    token: str
    counter_no: int | None = None  # a counter's number in the hall
    kiosk_slot: int | None = None  # a kiosk's slot: it owns the emergency numbers of `numbering`
    categories: tuple[Category, ...] = ()


@dataclass(frozen=True)
class IssueRequest:
    ticket_id: str
    category: str
    priority: Priority
    appointment_at: datetime | None = None


@dataclass(frozen=True)
class NumberBlock:
    """Numbers of one line and one day the hub set aside for one kiosk to issue while the hub is away."""

    service_day: str
    category: str
    first: int
    last: int  # inclusive


@dataclass(frozen=True)
class HandoverResult:
    accepted: tuple[str, ...]  # ticket ids now in the hub's line (new or already there with the same number)
    refused: tuple[str, ...] = ()  # ids whose number clashes; should never happen, logged loudly if it does


@dataclass(frozen=True)
class DailyStats:
    """One hour of one line on one day, as the platform receives it (sums in seconds, so it adds up)."""

    service_day: str
    hour: int
    category: str
    issued: int
    served: int
    no_shows: int
    wait_seconds_sum: float
    walk_seconds_sum: float
    service_seconds_sum: float
    served_within_target: int  # served with a wait of at most the hub's target minutes
