"""An in-memory hall hub behind the `HallPart` protocol, for the windows' unit tests.

It keeps tickets, calls and help requests the simple way (priority first, then the order of issue) and
records every call made to it. The real hub (`sync.hall.server`) and its link (`sync.hall.part`) are tested
as real processes elsewhere; this stands at the edge of a screen's test only. `reachable = False` makes
every call that needs the hub raise `HallUnavailable`, and `issue` then hands out offline tickets.
"""
from __future__ import annotations

import dataclasses
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timezone

from kiosk.errors import Message
from kiosk.queue.model import (Call, Category, CounterSession, CounterState, EventKind, HallState, HallUnavailable,
                               HelpRequest, HubStatus, IssuedTicket, Priority, QueueEvent, Ticket, TicketState)

UNREACHABLE = Message("叫号服务器暂时无法连接。", "The hall's queue server cannot be reached right now.")
ORDER = [Priority.APPOINTMENT, Priority.ELDERLY, Priority.DISABLED, Priority.NORMAL]


def _now() -> datetime:
    return datetime.now(timezone.utc)


class _Subscription:
    def __init__(self, hall: "FakeHall", callback: Callable[[list[QueueEvent]], None]) -> None:
        self.hall, self.callback = hall, callback

    def stop(self) -> None:
        with self.hall.lock:
            if self in self.hall.subscribers:
                self.hall.subscribers.remove(self)


class _TicketBook(dict[str, Ticket]):
    """The tickets by id, and callable as `HallPart.tickets(day)`: the attribute shadows the protocol's method
    of the same name, and tests use both (`hall.tickets[ticket_id]`, `terminal.hall.tickets(day)`)."""

    def __init__(self, hall: "FakeHall") -> None:
        super().__init__()
        self._hall = hall

    def __call__(self, day: str) -> list[Ticket]:
        self._hall._need("tickets", day)
        return [t for t in self.values() if t.service_day == day]


class FakeHall:
    def __init__(self, *, counter_no: int | None = 3, device_name: str = "test-device",
                 categories: tuple[Category, ...] | None = None) -> None:
        self.counter_no = counter_no
        self.device_name = device_name
        self.reachable = True
        self.lock = threading.Lock()
        # Events are numbered and handed out in one order, also to a subscriber joining meanwhile (as the real
        # part's single follower thread does): an event made between a joiner's replay and its joining was
        # handed to it before the replay, which a board counted as a gap (found as a flaky board test in CI).
        # Taken inside `lock` by emitting calls, never the other way round.
        self._delivery = threading.RLock()
        self.calls_made: list[tuple[str, tuple[object, ...]]] = []
        self.tickets: _TicketBook = _TicketBook(self)
        self.events: list[QueueEvent] = []
        self.help: dict[str, HelpRequest] = {}
        self.subscribers: list[_Subscription] = []
        self.day = datetime.now().astimezone().date().isoformat()
        self.counter_open: dict[int, CounterState] = {}
        self.sessions: list[CounterSession] = []
        self._numbers: dict[str, int] = {}
        self._categories = categories or (
            Category("A", Message("社会保障", "Social security"), ("hrss",)),
            Category("B", Message("户籍与出入境", "Household registration and travel"), ("police",)),
            Category("C", Message("不动产与公积金", "Property and housing fund"), ("land",)))

    # --- plumbing ---------------------------------------------------------------------------------------------
    def _need(self, name: str, *args: object) -> None:
        self.calls_made.append((name, args))
        if not self.reachable:
            raise HallUnavailable(UNREACHABLE)

    def _emit(self, kind: EventKind, ticket: Ticket | None = None, help: HelpRequest | None = None,
              counter_no: int | None = None) -> None:
        with self._delivery:
            event = QueueEvent(len(self.events) + 1, kind, _now(), ticket=ticket, help=help, counter_no=counter_no)
            self.events.append(event)
            for sub in list(self.subscribers):
                sub.callback([event])

    def _put(self, ticket: Ticket, kind: EventKind, **changes: object) -> Ticket:
        ticket = dataclasses.replace(ticket, **changes)
        self.tickets[ticket.ticket_id] = ticket
        self._emit(kind, ticket=ticket, counter_no=ticket.counter_no)
        return ticket

    def _waiting(self, categories: tuple[str, ...] | None = None) -> list[Ticket]:
        waiting = [t for t in self.tickets.values() if t.state == TicketState.WAITING
                   and (categories is None or t.category in categories)]
        return sorted(waiting, key=lambda t: (ORDER.index(t.priority), t.issued_at))

    # --- HallPart ---------------------------------------------------------------------------------------------
    def status(self) -> HubStatus:
        return HubStatus(configured=True, reachable=self.reachable)

    def categories(self) -> tuple[Category, ...]:
        self.calls_made.append(("categories", ()))
        return self._categories

    def issue(self, category: str, priority: Priority) -> IssuedTicket:
        self.calls_made.append(("issue", (category, priority)))
        with self.lock:
            n = self._numbers.get(category, 0) + 1
            self._numbers[category] = n
            ahead = len(self._waiting((category,)))
            ticket = Ticket(str(uuid.uuid4()), f"{category}{n:03d}", category, priority, TicketState.WAITING,
                            self.day, _now(), self.device_name, issued_offline=not self.reachable)
            if self.reachable:
                self._put(ticket, EventKind.ISSUED)
        return IssuedTicket(ticket, ahead, ahead * 6, f"http://hub.test/t/{ticket.ticket_id}",
                            offline=not self.reachable)

    def hand_over(self) -> int:
        self._need("hand_over")
        return 0

    def state(self) -> HallState:
        self._need("state")
        with self.lock:
            waiting = {c.code: len(self._waiting((c.code,))) for c in self._categories}
            calls = tuple(Call(e.seq, e.ticket.ticket_id, e.ticket.number, e.ticket.category, e.ticket.counter_no,
                               e.at, recall=e.kind == EventKind.RECALLED)
                          for e in reversed(self.events) if e.kind in (EventKind.CALLED, EventKind.RECALLED)
                          and e.ticket is not None and e.ticket.counter_no is not None)[:8]
            return HallState(len(self.events), self.day, self._categories, waiting,
                             tuple(self.counter_open.values()), calls,
                             tuple(h for h in self.help.values() if h.closed_at is None))

    def events_since(self, seq: int, limit: int = 500) -> list[QueueEvent]:
        self._need("events_since", seq)
        return [e for e in self.events if e.seq > seq][:limit]

    def subscribe(self, since: int, on_events: Callable[[list[QueueEvent]], None],
                  on_link: Callable[[bool], None]) -> _Subscription:
        sub = _Subscription(self, on_events)
        with self._delivery:  # nothing is emitted between the replay and the joining
            self.subscribers.append(sub)
            missed = [e for e in self.events if e.seq > since]
            on_link(self.reachable)
            if missed:
                on_events(missed)
        return sub

    def open_counter(self, categories: tuple[str, ...] | None = None) -> CounterState:
        self._need("open_counter", categories)
        assert self.counter_no is not None
        state = CounterState(self.counter_no, True, categories or tuple(c.code for c in self._categories))
        self.counter_open[self.counter_no] = state
        self.sessions.append(CounterSession(self.counter_no, _now()))
        self._emit(EventKind.COUNTER_OPENED, counter_no=self.counter_no)
        return state

    def close_counter(self) -> CounterState:
        self._need("close_counter")
        assert self.counter_no is not None
        state = CounterState(self.counter_no, False, ())
        self.counter_open[self.counter_no] = state
        self._emit(EventKind.COUNTER_CLOSED, counter_no=self.counter_no)
        return state

    def call_next(self) -> Ticket | None:
        self._need("call_next")
        with self.lock:
            state = self.counter_open.get(self.counter_no or 0)
            waiting = self._waiting(state.categories if state else None)
            if not waiting:
                return None
            t = waiting[0]
            return self._put(t, EventKind.CALLED, state=TicketState.CALLED, called_at=_now(),
                             counter_no=self.counter_no, calls=t.calls + 1)

    def _act(self, name: str, ticket_id: str, kind: EventKind, **changes: object) -> Ticket:
        self._need(name, ticket_id)
        with self.lock:
            return self._put(self.tickets[ticket_id], kind, **changes)

    def recall(self, ticket_id: str) -> Ticket:
        t = self.tickets[ticket_id]
        return self._act("recall", ticket_id, EventKind.RECALLED, called_at=_now(), calls=t.calls + 1)

    def start(self, ticket_id: str) -> Ticket:
        return self._act("start", ticket_id, EventKind.STARTED, state=TicketState.SERVING, started_at=_now())

    def finish(self, ticket_id: str) -> Ticket:
        return self._act("finish", ticket_id, EventKind.FINISHED, state=TicketState.DONE, finished_at=_now())

    def no_show(self, ticket_id: str) -> Ticket:
        return self._act("no_show", ticket_id, EventKind.NO_SHOW, state=TicketState.NO_SHOW, no_show_at=_now())

    def transfer(self, ticket_id: str, to_counter: int) -> Ticket:
        return self._act("transfer", ticket_id, EventKind.TRANSFERRED, state=TicketState.WAITING,
                         counter_no=to_counter)

    def link(self, ticket_id: str, application_ref: str) -> Ticket:
        return self._act("link", ticket_id, EventKind.LINKED, application_ref=application_ref)

    def counter_sessions(self, day: str) -> list[CounterSession]:
        self._need("counter_sessions", day)
        return list(self.sessions)

    def request_help(self, step: str, step_label: Message) -> HelpRequest:
        self._need("request_help", step)
        h = HelpRequest(str(uuid.uuid4()), self.device_name, step, step_label, _now())
        self.help[h.help_id] = h
        self._emit(EventKind.HELP_REQUESTED, help=h)
        return h

    def help_request(self, help_id: str) -> HelpRequest:
        self._need("help_request", help_id)
        return self.help[help_id]

    def acknowledge_help(self, help_id: str) -> HelpRequest:
        self._need("acknowledge_help", help_id)
        h = dataclasses.replace(self.help[help_id], acknowledged_at=_now(),
                                acknowledged_by=f"{self.device_name} ({self.counter_no})")
        self.help[help_id] = h
        self._emit(EventKind.HELP_ACKNOWLEDGED, help=h)
        return h

    def close_help(self, help_id: str) -> HelpRequest:
        self._need("close_help", help_id)
        h = dataclasses.replace(self.help[help_id], closed_at=_now())
        self.help[help_id] = h
        self._emit(EventKind.HELP_CLOSED, help=h)
        return h

    def stop(self, timeout: float = 5.0) -> None:
        with self.lock:
            self.subscribers.clear()
