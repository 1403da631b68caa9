"""What a call board shows, kept up to date from a snapshot and the hub's events after it.

A board starts from `HallState` (the hub's snapshot, with its sequence number) and then applies each
event after that number, in order. The waiting counts follow from the tickets' states: a ticket
counts as waiting in its line while its state is WAITING (issued, or sent back by a transfer). For a
ticket issued before the snapshot the board never saw its earlier state, but the ticket's life fixes
it: a call takes it out of the line, a transfer puts it back, nothing else moves it in or out.

Events arrive at least once and in order (a reconnect may replay some): an event at or below the
last number applied changes nothing. A jump in the numbers means events were lost on the way; the
board then says it needs a fresh snapshot (`needs_snapshot`), and counts the jump in `gaps`, which
should stay 0 (the benchmark prints it as missed board updates).

No Qt: the board's window, its tests and `bench/hall_day.py` all use this.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.queue.model import Call, Category, EventKind, HallState, QueueEvent, TicketState

RECENT_CALLS = 8
CALL_KINDS = (EventKind.CALLED, EventKind.RECALLED)


@dataclass(frozen=True)
class BoardView:
    seq: int
    service_day: str
    categories: tuple[Category, ...]
    waiting: dict[str, int]
    recent: tuple[Call, ...]  # newest first; a ticket appears once, at its latest call

    @property
    def newest(self) -> Call | None:
        return self.recent[0] if self.recent else None


def call_of(event: QueueEvent) -> Call | None:
    """The call an event announces, or None (not a call, or a call without a counter)."""
    ticket = event.ticket
    if event.kind not in CALL_KINDS or ticket is None:
        return None
    counter = ticket.counter_no if ticket.counter_no is not None else event.counter_no
    if counter is None:
        return None
    return Call(event.seq, ticket.ticket_id, ticket.number, ticket.category, counter, event.at,
                recall=event.kind == EventKind.RECALLED)


@dataclass
class BoardFollower:
    recent_size: int = RECENT_CALLS
    view: BoardView | None = None
    gaps: int = 0  # jumps in the event numbers: events that never reached this board
    replayed: int = 0  # events received again (a reconnect's overlap): harmless, ignored
    needs_snapshot: bool = False
    _known: dict[str, TicketState] = field(default_factory=dict)

    @property
    def seq(self) -> int:
        return self.view.seq if self.view is not None else 0

    def reset(self, state: HallState) -> bool:
        """Take a snapshot; False (and nothing changes) when it is older than what the board already shows."""
        if self.view is not None and state.seq < self.view.seq and state.service_day == self.view.service_day:
            return False
        recent: list[Call] = []
        for call in state.recent_calls:
            if all(c.ticket_id != call.ticket_id for c in recent):
                recent.append(call)
        waiting = {c.code: 0 for c in state.categories}
        waiting.update(state.waiting)
        self.view = BoardView(state.seq, state.service_day, state.categories, waiting,
                              tuple(recent[:self.recent_size]))
        self._known.clear()
        self.needs_snapshot = False
        return True

    def apply(self, events: list[QueueEvent]) -> list[Call]:
        """Apply events after the snapshot; returns the new calls among them, oldest first."""
        if self.view is None:
            self.needs_snapshot = True
            return []
        calls: list[Call] = []
        for event in sorted(events, key=lambda e: e.seq):
            if event.seq <= self.view.seq:
                self.replayed += 1
                continue
            if event.seq > self.view.seq + 1:
                self.gaps += event.seq - self.view.seq - 1
                self.needs_snapshot = True
            call = self._apply_one(event)
            if call is not None:
                calls.append(call)
        return calls

    def _apply_one(self, event: QueueEvent) -> Call | None:
        view = self.view
        assert view is not None
        waiting = dict(view.waiting)
        recent = view.recent
        day = view.service_day
        ticket = event.ticket
        call = call_of(event)
        if ticket is not None:
            if ticket.service_day > day:  # the hall's new day: yesterday's line is gone
                day, waiting, recent = ticket.service_day, {c.code: 0 for c in view.categories}, ()
                self._known.clear()
                self.needs_snapshot = True  # the new day's lines may differ: ask for them
            if ticket.service_day == day:
                before = self._known.get(ticket.ticket_id)
                was_waiting = (before == TicketState.WAITING if before is not None
                               else event.kind in (EventKind.CALLED,))  # a call takes a waiting ticket
                now_waiting = ticket.state == TicketState.WAITING
                if was_waiting != now_waiting:
                    waiting[ticket.category] = max(0, waiting.get(ticket.category, 0) + (1 if now_waiting else -1))
                if ticket.state in (TicketState.DONE, TicketState.NO_SHOW):
                    self._known.pop(ticket.ticket_id, None)
                else:
                    self._known[ticket.ticket_id] = ticket.state
        if call is not None:
            recent = (call, *(c for c in recent if c.ticket_id != call.ticket_id))[:self.recent_size]
        self.view = BoardView(event.seq, day, view.categories, waiting, recent)
        return call
