"""The rules of the board's voice: which call is spoken next, and how many times.

NovoSGA's board cuts off a call still being spoken when the next arrives, and a citizen who heard
half a number walks to the wrong counter. Here the voice speaks one thing at a time: a call is only
started once the speaker has said the last one has finished (`finished()`), calls are spoken in the
order the hub made them, and each is spoken at most `max_times` times: again only when nothing else
waits once it has been said (a quiet hall hears each call twice, a busy one hears each once and no
call waits behind repetitions). A recall is a new call (its own sequence number) and is spoken again.

A call that arrives twice (a reconnect replays an event) is spoken once. A recall of a ticket whose
earlier call still waits unspoken replaces that call (a clerk who pressed recall before the first
call's turn came): the ticket is called once, as the recall, in the recall's place. A call older than `max_age_s` when its turn comes
is dropped and counted: after a long outage the board shows it, but reading out a backlog of calls
from minutes ago would only send people the wrong way.

No Qt and no clock of its own: the caller passes `now` (seconds, any monotonic origin), so the rules
are unit-tested as plain functions and the benchmark replays them with simulated speaking times.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from kiosk.queue.model import Call

LANGUAGE = "zh"  # calls are spoken in Mandarin


@dataclass(frozen=True)
class Utterance:
    """One speaking of one call: the `time`-th (1 or 2)."""

    call: Call
    time: int
    text: str
    lang: str = LANGUAGE


@dataclass
class _Waiting:
    call: Call
    arrived: float
    times_said: int = 0


@dataclass
class AnnouncementLog:
    """What happened, for the board's diagnostics and the benchmark's figures."""

    started: list[Utterance] = field(default_factory=list)
    finished: list[Utterance] = field(default_factory=list)
    dropped_stale: list[Call] = field(default_factory=list)
    duplicates: int = 0
    merged: int = 0


class AnnouncementQueue:
    def __init__(self, *, max_times: int = 2, max_age_s: float | None = 120.0) -> None:
        if max_times < 1:
            raise ValueError("a call is spoken at least once")
        self.max_times = max_times
        self.max_age_s = max_age_s
        self._waiting: deque[_Waiting] = deque()
        self._current: tuple[_Waiting, Utterance] | None = None
        self._seen: set[int] = set()
        self._last_seq = 0
        self.log = AnnouncementLog()

    # --- what the board tells it ------------------------------------------------------------------------
    def add(self, call: Call, now: float) -> Utterance | None:
        """A call the board received. Returns the utterance to start now if the speaker is idle, else None."""
        if call.seq in self._seen:
            self.log.duplicates += 1
            return None
        self._seen.add(call.seq)
        self._last_seq = max(self._last_seq, call.seq)
        for entry in list(self._waiting):
            if entry.call.ticket_id == call.ticket_id:  # a recall while the earlier call still waits: one call
                self._waiting.remove(entry)
                self.log.merged += 1
        self._append(_Waiting(call, now))
        return None if self.speaking else self._next(now)

    def finished(self, now: float) -> Utterance | None:
        """The speaker has finished the current utterance. Returns the next one to start, or None."""
        if self._current is None:
            return None
        entry, utterance = self._current
        self._current = None
        self.log.finished.append(utterance)
        entry.times_said += 1
        if entry.times_said < self.max_times and not self._fresh_waiting(now):
            return self._start(entry)  # nothing else waits: say it once more
        return self._next(now)

    def abandon(self) -> None:
        """The voice went away: nothing is being said any more and nothing waits (calls are not saved up)."""
        self._current = None
        self._waiting.clear()

    # --- what the board asks ----------------------------------------------------------------------------
    @property
    def speaking(self) -> Utterance | None:
        return self._current[1] if self._current is not None else None

    @property
    def waiting(self) -> tuple[Call, ...]:
        return tuple(entry.call for entry in self._waiting)

    # --- inside -----------------------------------------------------------------------------------------
    def _append(self, entry: _Waiting) -> None:
        """In the hub's order: a call that arrives late (events from two paths) goes before later ones."""
        position = len(self._waiting)
        while position > 0 and self._waiting[position - 1].call.seq > entry.call.seq:
            position -= 1
        self._waiting.insert(position, entry)

    def _stale(self, entry: _Waiting, now: float) -> bool:
        return self.max_age_s is not None and now - entry.arrived > self.max_age_s

    def _fresh_waiting(self, now: float) -> bool:
        while self._waiting and self._stale(self._waiting[0], now):
            self.log.dropped_stale.append(self._waiting.popleft().call)
        return bool(self._waiting)

    def _next(self, now: float) -> Utterance | None:
        if not self._fresh_waiting(now):
            return None
        return self._start(self._waiting.popleft())

    def _start(self, entry: _Waiting) -> Utterance:
        utterance = Utterance(entry.call, entry.times_said + 1, entry.call.spoken_zh())
        self._current = (entry, utterance)
        self.log.started.append(utterance)
        return utterance
