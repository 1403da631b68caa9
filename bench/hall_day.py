#!/usr/bin/env python3
"""A hall's day, accelerated, against a real hub process (`onewindow hall serve`), killed twice mid-day.

    .venv/bin/python bench/hall_day.py [--tickets 2000] [--counters 10] [--kiosks 3] [--kills 2]

Who takes part, as real clients of the hub:
- 3 kiosks: each a `Terminal` with its own data dir and the real `HallPart` (`sync.hall.part`, paired
  through `pair_with_hub`, with its background worker), issuing tickets; while the hub is down they issue
  from their own number blocks (or emergency range) and hand those over when it is back (their worker, and a
  last explicit hand-over at the end of the day);
- 1 board: a `Terminal` with its own data dir and the real `HallPart`: a snapshot (`state()`), then
  `subscribe()` (WebSocket, REST polling as fallback, catch-up after reconnects); its events feed the
  board's view (`kiosk.queue.board_view`) and the call voice's queue (`kiosk.queue.announcements`) with
  simulated speaking times on the day's accelerated clock;
- 10 counters: the hub client (`sync.hall.client.HubClient`) directly, one per counter with its own
  pairing token: a Terminal (store, migrations, workers) per counter would be ten more databases in this
  process and adds nothing the counters' HTTP calls need.

The hub is killed with SIGKILL twice (after a third and two thirds of the tickets) and restarted on the same
home and port after `--outage` seconds. Printed: missed board updates, call-to-board latency p50/p95
(from the counter's call returning to the board's subscriber receiving the event), the voice's order,
cut-offs and repeats, tickets lost or duplicated; the last line says whether every target is met.
A figure-printing script, not a test.
"""
from __future__ import annotations

import argparse
import logging
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk.queue.announcements import AnnouncementQueue, Utterance  # noqa: E402
from kiosk.queue.board_view import BoardFollower, call_of  # noqa: E402
from kiosk.queue.model import (EventKind, HallUnavailable, IssuedTicket, Priority, QueueEvent,  # noqa: E402
                               Ticket, TicketState)
from sync.hall.client import HubClient, HubRefused, HubUnreachable  # noqa: E402
from tests.hall.hub_process import HubProcess  # noqa: E402
from tests.hall.link_devices import paired_terminal  # noqa: E402

TARGET_P95_MS = 300.0
HALL_DAY_S = 8 * 3600  # the simulated day: 08:30 to 16:30
SPEAK_S_PER_CHAR = 0.28  # "请 A015 号到 3 号窗口" (13 characters) takes about 3.6 s
PAUSE_S = 0.7


class Clock:
    """Bench seconds and the hall's accelerated seconds."""

    def __init__(self, speed: float) -> None:
        self.start = time.monotonic()
        self.speed = speed

    def now(self) -> float:
        return time.monotonic()

    def hall(self, moment: float | None = None) -> float:
        return ((moment if moment is not None else time.monotonic()) - self.start) * self.speed


# --- the board: a real HallPart subscription, its view and its voice ----------------------------------------

class SimulatedSpeaker:
    """Speaks an utterance for a time proportional to its length (on the hall's clock) and checks it is never
    handed a new one while speaking: that would be a call cut off."""

    def __init__(self, queue: AnnouncementQueue) -> None:
        self.queue = queue
        self.busy_until: float | None = None
        self.current: Utterance | None = None
        self.spoken: list[tuple[float, float, Utterance]] = []
        self.cut_off = 0

    def _speak(self, utterance: Utterance | None, at: float) -> None:
        if utterance is None:
            return
        if self.busy_until is not None and at < self.busy_until:
            self.cut_off += 1
        end = at + len(utterance.text) * SPEAK_S_PER_CHAR
        self.current, self.busy_until = utterance, end
        self.spoken.append((at, end, utterance))

    def advance(self, now: float) -> None:
        """Everything that finished by `now` (each end, a pause, then the next)."""
        while self.busy_until is not None and self.busy_until + PAUSE_S <= now:
            at = self.busy_until + PAUSE_S
            self.busy_until, self.current = None, None
            self._speak(self.queue.finished(at), at)

    def hear(self, calls: list, now: float) -> None:
        self.advance(now)
        for call in calls:
            self._speak(self.queue.add(call, now), now)


@dataclass
class BoardProbe:
    clock: Clock
    follower: BoardFollower = field(default_factory=BoardFollower)
    received: dict[int, float] = field(default_factory=dict)  # seq -> when the subscriber got it
    duplicates: int = 0
    link_changes: list[tuple[float, bool]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.voice = SimulatedSpeaker(AnnouncementQueue(max_times=2, max_age_s=120.0))

    def on_events(self, events: list[QueueEvent]) -> None:
        at = self.clock.now()
        with self.lock:
            for event in events:
                if event.seq in self.received:
                    self.duplicates += 1
                else:
                    self.received[event.seq] = at
            calls = self.follower.apply(events)
            self.voice.hear(calls, self.clock.hall(at))

    def on_link(self, up: bool) -> None:
        with self.lock:
            self.link_changes.append((self.clock.now(), up))


# --- counters: the hub client directly --------------------------------------------------------------------

@dataclass
class CounterStats:
    calls: dict[tuple[str, int], float] = field(default_factory=dict)  # (ticket id, nth call) -> call returned
    called: list[str] = field(default_factory=list)
    served: int = 0
    no_shows: int = 0
    recalls: int = 0
    lost_answers: int = 0
    refusals: int = 0


class DayOver(Exception):
    """The bench is stopping while a counter still waited for the hub."""


class CounterWorker(threading.Thread):
    def __init__(self, n: int, client: HubClient, day: "Day", rng: random.Random) -> None:
        super().__init__(name=f"counter-{n}", daemon=True)
        self.n, self.client, self.day, self.rng = n, client, day, rng
        self.stats = CounterStats()
        self.idle = False

    def _retry(self, fn):  # noqa: ANN001, ANN202 - any call on the client
        """Until the hub answers (it is down for a few seconds at a time)."""
        while not self.day.stopping.is_set():
            try:
                return fn()
            except HubUnreachable:
                time.sleep(0.2)
        raise DayOver

    def _current(self) -> Ticket | None:
        """After a lost answer: the ticket the hub has at this counter, if any."""
        state = self._retry(self.client.state)
        for counter in state.counters:
            if counter.counter_no == self.n:
                return counter.current
        return None

    def _act(self, ticket: Ticket, action: str) -> None:
        try:
            self._retry(lambda: self.client.ticket_action(ticket.ticket_id, action))
        except HubRefused:
            self.stats.refusals += 1  # already done when an earlier answer was lost: the hub says so

    def run(self) -> None:
        try:
            self._work()
        except DayOver:
            pass

    def _work(self) -> None:
        self._retry(lambda: self.client.open_counter(None))
        while not self.day.stopping.is_set():
            try:
                ticket = self.client.call_next()
                returned = time.monotonic()
            except HubUnreachable as exc:
                if exc.delivered_maybe:
                    self.stats.lost_answers += 1
                    ticket = self._current()
                    returned = None
                else:
                    time.sleep(0.2)
                    continue
            except HubRefused as exc:
                if exc.code != "counter_busy":
                    raise
                ticket, returned = self._current(), None
            if ticket is None:
                self.idle = True
                if self.day.all_issued.is_set() and self.day.handed_over.is_set():
                    if self.day.settled():
                        return
                time.sleep(0.05)
                continue
            self.idle = False
            if returned is not None:
                self.stats.calls[(ticket.ticket_id, ticket.calls)] = returned
                self.stats.called.append(ticket.ticket_id)
            if ticket.state == TicketState.CALLED:
                time.sleep(self.rng.uniform(0.01, 0.05))  # the citizen walks over
                if self.rng.random() < 0.03:
                    again = self._retry(lambda: self.client.ticket_action(ticket.ticket_id, "recall"))
                    self.stats.calls[(again.ticket_id, again.calls)] = time.monotonic()
                    self.stats.recalls += 1
                if self.rng.random() < 0.04:
                    self._act(ticket, "no-show")
                    self.stats.no_shows += 1
                    continue
                self._act(ticket, "start")
            time.sleep(self.rng.uniform(0.05, 0.25))  # the service itself
            self._act(ticket, "finish")
            self.stats.served += 1


# --- kiosks: Terminals with the real HallPart ---------------------------------------------------------------

class KioskWorker(threading.Thread):
    def __init__(self, terminal, quota: int, day: "Day", rng: random.Random, categories: list[str]) -> None:  # noqa: ANN001
        super().__init__(name=f"kiosk-{terminal.settings.home.name}", daemon=True)
        self.terminal, self.quota, self.day, self.rng, self.categories = terminal, quota, day, rng, categories
        self.issued: list[IssuedTicket] = []
        self.failures = 0

    def run(self) -> None:
        weights = [max(1, 6 - i) for i in range(len(self.categories))]  # the first lines busiest
        while len(self.issued) < self.quota and not self.day.stopping.is_set():
            category = self.rng.choices(self.categories, weights=weights)[0]
            priority = Priority.ELDERLY if self.rng.random() < 0.08 else Priority.NORMAL
            try:
                issued = self.terminal.hall.issue(category, priority)
            except HallUnavailable:
                self.failures += 1  # neither the hub nor the kiosk's own numbers: should not happen
                time.sleep(0.1)
                continue
            self.issued.append(issued)
            self.day.count_issued()
            time.sleep(self.rng.expovariate(1.0 / self.day.issue_gap))


@dataclass
class Day:
    tickets: int
    issue_gap: float
    stopping: threading.Event = field(default_factory=threading.Event)
    all_issued: threading.Event = field(default_factory=threading.Event)
    handed_over: threading.Event = field(default_factory=threading.Event)
    issued: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    settled_check: object = None

    def count_issued(self) -> None:
        with self.lock:
            self.issued += 1

    def settled(self) -> bool:
        return bool(self.settled_check and self.settled_check())  # type: ignore[operator]


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def all_events(client: HubClient) -> list[QueueEvent]:
    out: list[QueueEvent] = []
    seq = 0
    while True:
        page = client.events_since(seq, 500)
        out += page
        if len(page) < 500:
            return out
        seq = page[-1].seq


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--counters", type=int, default=10)
    parser.add_argument("--kiosks", type=int, default=3)
    parser.add_argument("--kills", type=int, default=2)
    parser.add_argument("--outage", type=float, default=4.0, help="seconds the hub stays down after each kill")
    parser.add_argument("--minutes", type=float, default=1.5, help="how long the kiosks take to issue the day's tickets")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--keep", action="store_true", help="keep the data dirs")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    rng = random.Random(args.seed)
    root = Path(tempfile.mkdtemp(prefix="onewindow-hall-day-"))
    issue_seconds = args.minutes * 60
    print(f"hall day: {args.tickets} tickets, {args.kiosks} kiosks, {args.counters} counters, 1 board, "
          f"hub killed {args.kills}x for {args.outage:.0f} s; data in {root}")
    print("clients: kiosks and board = Terminal + sync.hall.part HallPart (own data dir each); "
          "counters = sync.hall.client.HubClient directly (one pairing each)")

    started = time.monotonic()
    hub = HubProcess(root / "hub")
    terminals = []
    try:
        kiosks = [paired_terminal(hub, root / f"kiosk{i}", "kiosk", f"kiosk-{i}", background=True)
                  for i in range(1, args.kiosks + 1)]
        terminals += kiosks
        board_t = paired_terminal(hub, root / "board", "board", "board-1")
        terminals.append(board_t)
        counter_clients = [HubClient(hub.base_url, hub.pair("counter", f"counter-{n}", counter_no=n, cli=False).token)
                           for n in range(1, args.counters + 1)]
        checker = HubClient(hub.base_url, hub.pair("counter", "counter-check", counter_no=99, cli=False).token)
        categories = [c.code for c in kiosks[0].hall.categories()]
        set_up = time.monotonic() - started
        speed = HALL_DAY_S / issue_seconds
        clock = Clock(speed)
        day = Day(args.tickets, issue_gap=issue_seconds * args.kiosks / args.tickets)

        board = BoardProbe(clock)
        snapshot = board_t.hall.state()
        board.follower.reset(snapshot)
        subscription = board_t.hall.subscribe(snapshot.seq, board.on_events, board.on_link)

        counters = [CounterWorker(n, client, day, random.Random(args.seed * 100 + n))
                    for n, client in enumerate(counter_clients, start=1)]
        quotas = [args.tickets // args.kiosks + (1 if i < args.tickets % args.kiosks else 0)
                  for i in range(args.kiosks)]
        kiosk_workers = [KioskWorker(t, q, day, random.Random(args.seed * 10 + i), categories)
                         for i, (t, q) in enumerate(zip(kiosks, quotas))]

        def settled() -> bool:
            try:
                state = checker.state()
            except HallUnavailable:
                return False
            return sum(state.waiting.values()) == 0 and all(c.current is None for c in state.counters)

        day.settled_check = settled
        for worker in counters + kiosk_workers:
            worker.start()

        kills: list[tuple[float, float]] = []
        for k in range(1, args.kills + 1):
            mark = args.tickets * k // (args.kills + 1)
            while day.issued < mark and any(w.is_alive() for w in kiosk_workers):
                time.sleep(0.02)
            killed_at, killed_after = time.monotonic(), day.issued
            hub.kill()
            time.sleep(args.outage)
            hub.start()
            kills.append((killed_at - clock.start, time.monotonic() - killed_at))
            print(f"  hub killed (SIGKILL) after {killed_after} tickets, back after {kills[-1][1]:.1f} s "
                  f"({day.issued - killed_after} issued meanwhile)")
        for worker in kiosk_workers:
            worker.join()
        day.all_issued.set()
        offline_before = sum(1 for w in kiosk_workers for i in w.issued if i.offline)
        for t in kiosks:  # the day's last hand-over (the workers did most of it already)
            while True:
                try:
                    t.hall.hand_over()
                    break
                except HallUnavailable:
                    time.sleep(0.5)
        day.handed_over.set()
        deadline = time.monotonic() + 600
        for worker in counters:
            worker.join(max(1.0, deadline - time.monotonic()))
        unfinished_counters = [w.n for w in counters if w.is_alive()]
        day.stopping.set()
        elapsed_day = time.monotonic() - clock.start

        # --- the figures ---------------------------------------------------------------------------------------
        hub_events = all_events(checker)
        last = hub_events[-1].seq if hub_events else 0
        wait_end = time.monotonic() + 30
        while (not board.received or max(board.received) < last) and time.monotonic() < wait_end:
            time.sleep(0.05)
        subscription.stop()
        hub_seqs = [e.seq for e in hub_events]
        missed = sorted(set(hub_seqs) - set(board.received))
        final = checker.state()
        view = board.follower.view
        view_matches = (view is not None and view.waiting == final.waiting
                        and (view.newest.seq if view.newest else None) ==
                        (final.recent_calls[0].seq if final.recent_calls else None))

        latencies: list[float] = []
        after_restart: list[float] = []  # calls in the 15 s after a restart (the board reconnecting)
        calm: list[float] = []
        restarts = [clock.start + at + down for at, down in kills]
        call_events = 0
        calls_at_counter: dict[tuple[str, int], float] = {}
        for worker in counters:
            calls_at_counter.update(worker.stats.calls)
        for event in hub_events:
            call = call_of(event)
            if call is None or event.ticket is None:
                continue
            call_events += 1
            returned = calls_at_counter.get((event.ticket.ticket_id, event.ticket.calls))
            received = board.received.get(event.seq)
            if returned is not None and received is not None:
                latencies.append(max(0.0, received - returned) * 1000)
                (after_restart if any(0 <= returned - back <= 15 for back in restarts) else calm).append(latencies[-1])

        issued = [i for w in kiosk_workers for i in w.issued]
        hub_tickets = {t.ticket_id: t for t in checker.tickets(snapshot.service_day)}
        issued_ids = [i.ticket.ticket_id for i in issued]
        lost = [i for i in issued_ids if i not in hub_tickets]
        duplicate_ids = len(issued_ids) - len(set(issued_ids))
        numbers = Counter((t.category, t.number) for t in hub_tickets.values())
        duplicate_numbers = sum(n - 1 for n in numbers.values() if n > 1)
        callers: dict[str, set[int]] = defaultdict(set)
        for w in counters:
            for tid in w.stats.called:
                callers[tid].add(w.n)
        called_twice = sum(1 for s in callers.values() if len(s) > 1)  # one ticket handed to two counters
        unheld = len(set(hub_tickets) - set(issued_ids))  # issued at the hub, answer lost: the counters pass it
        not_done = [t for t in hub_tickets.values() if t.state not in (TicketState.DONE, TicketState.NO_SHOW)]

        voice = board.voice
        voice.advance(float("inf"))
        spoken = voice.spoken
        first_times = [u.call.seq for _s, _e, u in spoken if u.time == 1]
        in_order = all(a < b for a, b in zip(first_times, first_times[1:]))
        per_call = Counter(u.call.seq for _s, _e, u in spoken)
        twice = sum(1 for n in per_call.values() if n == 2)
        over_twice = sum(1 for n in per_call.values() if n > 2)
        stale = len(voice.queue.log.dropped_stale)

        p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
        print()
        print(f"set-up {set_up:.1f} s; the day {elapsed_day:.1f} s (x{speed:.0f}: {HALL_DAY_S / 3600:.0f} hall hours); "
              f"{len(hub_events)} hub events; offline tickets issued during outages: {offline_before}")
        print(f"tickets: issued {len(issued)} (kiosk failures {sum(w.failures for w in kiosk_workers)}), at the hub "
              f"{len(hub_tickets)}, served {sum(w.stats.served for w in counters)}, no-shows "
              f"{sum(w.stats.no_shows for w in counters)}, recalls {sum(w.stats.recalls for w in counters)}, "
              f"not finished {len(not_done)}; counter answers lost in the kills "
              f"{sum(w.stats.lost_answers for w in counters)}, unheld at the hub {unheld}")
        print(f"missed board updates: {len(missed)} (events the board's subscriber never received; "
              f"gaps seen {board.follower.gaps}, replays {board.duplicates}); "
              f"board view = hub state at the end: {'yes' if view_matches else 'NO'}")
        print(f"call-to-board latency: p50 {p50:.0f} ms, p95 {p95:.0f} ms, max "
              f"{max(latencies) if latencies else float('nan'):.0f} ms over {len(latencies)} calls "
              f"({call_events} call events; calls whose answer was lost in a kill are not timed)")
        print(f"  of which {len(after_restart)} in the 15 s after a restart: p50 {percentile(after_restart, 50):.0f} ms, "
              f"p95 {percentile(after_restart, 95):.0f} ms; the rest: p50 {percentile(calm, 50):.0f} ms, "
              f"p95 {percentile(calm, 95):.0f} ms")
        print(f"voice: {len(per_call)} calls spoken ({len(spoken)} utterances, {twice} twice), in order: "
              f"{'yes' if in_order else 'NO'}, cut off: {voice.cut_off}, spoken more than twice: {over_twice}, "
              f"dropped as stale: {stale}")
        print(f"tickets lost: {len(lost)}, duplicated: {duplicate_ids + duplicate_numbers + called_twice} "
              f"(ids {duplicate_ids}, numbers {duplicate_numbers}, called at two counters {called_twice})")
        if unfinished_counters:
            print(f"counters still busy at the end: {unfinished_counters}")
        met = (not missed and view_matches and p95 <= TARGET_P95_MS and in_order and voice.cut_off == 0
               and over_twice == 0 and not lost and duplicate_ids + duplicate_numbers + called_twice == 0
               and not unfinished_counters and len(issued) == args.tickets)
        print(f"targets {'ALL MET' if met else 'NOT MET'}: missed board updates 0, p95 <= {TARGET_P95_MS:.0f} ms, "
              f"spoken in order, none cut off, at most twice, 0 tickets lost, 0 duplicated "
              f"(total {time.monotonic() - started:.0f} s)")
        return 0 if met else 1
    finally:
        for t in terminals:
            t.close()
        hub.stop()
        if not args.keep:
            import shutil

            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
