"""The figures a hall manager asks for, recomputed exactly from the tickets' stored timestamps.

Definitions (the same for the report, the dashboard, the CLI and the platform's statistics):

- wait: first call - issued; walk: started - last call; service: finished - started. The three sums
  (and their averages) are over the tickets *served* (finished), so `DailyStats` adds up across hours and
  lines and an average is always sum / served. A clock that puts a later moment before an earlier one (a
  kiosk's own clock for a ticket issued offline) counts as 0, never as a negative time.
- served within target: served with a wait of at most the hall's target minutes.
- no-shows: tickets the counter marked as not coming; still waiting: tickets not yet called (or sent back
  by a transfer and not called again) when the figures were made.
- a ticket belongs to the hour (hall local time) and the line it was issued in.
- idle per counter: inside its open sessions, the time with no ticket called to it or being served there.
  A ticket occupies its counter from its last call to its finish or no-show (or to the end of the
  observation while still called or served). A ticket's timestamps name only the last counter it was
  called to, so the time a transferred ticket spent at the first counter is not counted there.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from kiosk.queue.model import CounterSession, DailyStats, Ticket, TicketState


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max(0.0, (end - start).total_seconds())


def first_call(ticket: Ticket) -> datetime | None:
    return ticket.first_called_at or ticket.called_at


def wait_seconds(ticket: Ticket) -> float | None:
    return _seconds(ticket.issued_at, first_call(ticket))


def walk_seconds(ticket: Ticket) -> float | None:
    return _seconds(ticket.called_at, ticket.started_at)


def service_seconds(ticket: Ticket) -> float | None:
    return _seconds(ticket.started_at, ticket.finished_at)


def is_served(ticket: Ticket) -> bool:
    return ticket.state == TicketState.DONE and ticket.finished_at is not None


@dataclass(frozen=True)
class FigureRow:
    """One group of tickets (an hour, a line, or the whole day)."""

    key: str
    issued: int = 0
    called: int = 0  # called at least once
    served: int = 0
    no_shows: int = 0
    still_waiting: int = 0
    wait_seconds_sum: float = 0.0
    walk_seconds_sum: float = 0.0
    service_seconds_sum: float = 0.0
    served_within_target: int = 0

    def _mean(self, total: float) -> float | None:
        return total / self.served if self.served else None

    @property
    def mean_wait_seconds(self) -> float | None:
        return self._mean(self.wait_seconds_sum)

    @property
    def mean_walk_seconds(self) -> float | None:
        return self._mean(self.walk_seconds_sum)

    @property
    def mean_service_seconds(self) -> float | None:
        return self._mean(self.service_seconds_sum)

    @property
    def within_target_share(self) -> float | None:
        return self.served_within_target / self.served if self.served else None

    def as_dict(self) -> dict[str, object]:
        def minutes(v: float | None) -> float | None:
            return None if v is None else round(v / 60, 2)

        share = self.within_target_share
        return {"key": self.key, "issued": self.issued, "called": self.called, "served": self.served,
                "no_shows": self.no_shows, "still_waiting": self.still_waiting,
                "mean_wait_minutes": minutes(self.mean_wait_seconds),
                "mean_walk_minutes": minutes(self.mean_walk_seconds),
                "mean_service_minutes": minutes(self.mean_service_seconds),
                "served_within_target": self.served_within_target,
                "within_target_share": None if share is None else round(share, 4)}


@dataclass(frozen=True)
class CounterIdle:
    counter_no: int
    open_seconds: float
    busy_seconds: float
    idle_seconds: float
    served: int
    no_shows: int

    def as_dict(self) -> dict[str, object]:
        return {"counter_no": self.counter_no, "open_minutes": round(self.open_seconds / 60, 2),
                "busy_minutes": round(self.busy_seconds / 60, 2), "idle_minutes": round(self.idle_seconds / 60, 2),
                "served": self.served, "no_shows": self.no_shows}


@dataclass(frozen=True)
class QueueFigures:
    service_day: str
    target_minutes: int
    total: FigureRow
    by_hour: tuple[FigureRow, ...]  # key "09": the hour of issue, hall local time
    by_category: tuple[FigureRow, ...]  # key: the line's code
    counters: tuple[CounterIdle, ...]
    daily_stats: tuple[DailyStats, ...]

    def as_dict(self) -> dict[str, object]:
        return {"service_day": self.service_day, "target_minutes": self.target_minutes,
                "total": self.total.as_dict(), "by_hour": [r.as_dict() for r in self.by_hour],
                "by_category": [r.as_dict() for r in self.by_category],
                "counters": [c.as_dict() for c in self.counters]}


class _Sum:
    def __init__(self, key: str) -> None:
        self.key = key
        self.n = dict.fromkeys(("issued", "called", "served", "no_shows", "still_waiting", "within"), 0)
        self.wait = self.walk = self.service = 0.0

    def add(self, ticket: Ticket, target_seconds: float) -> None:
        self.n["issued"] += 1
        if first_call(ticket) is not None:
            self.n["called"] += 1
        if ticket.state == TicketState.NO_SHOW:
            self.n["no_shows"] += 1
        if ticket.state == TicketState.WAITING:
            self.n["still_waiting"] += 1
        if is_served(ticket):
            wait = wait_seconds(ticket) or 0.0
            self.n["served"] += 1
            self.wait += wait
            self.walk += walk_seconds(ticket) or 0.0
            self.service += service_seconds(ticket) or 0.0
            if first_call(ticket) is not None and wait <= target_seconds:
                self.n["within"] += 1

    def row(self) -> FigureRow:
        n = self.n
        return FigureRow(self.key, n["issued"], n["called"], n["served"], n["no_shows"], n["still_waiting"],
                         self.wait, self.walk, self.service, n["within"])


def _local_tz(tz: tzinfo | None) -> tzinfo:
    return tz if tz is not None else datetime.now().astimezone().tzinfo or timezone.utc


def day_bounds(service_day: str, tz: tzinfo | None = None) -> tuple[datetime, datetime]:
    local = _local_tz(tz)
    day = date.fromisoformat(service_day)
    start = datetime.combine(day, time.min, tzinfo=local)
    return start, start + timedelta(days=1)


def _merge(intervals: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _overlap(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> float:
    start, end = max(a[0], b[0]), min(a[1], b[1])
    return max(0.0, (end - start).total_seconds())


def counter_idle(tickets: Iterable[Ticket], sessions: Iterable[CounterSession], until: datetime) -> list[CounterIdle]:
    """Idle time per counter inside its open sessions; `until` ends sessions and services still open."""
    tickets = list(tickets)
    result: list[CounterIdle] = []
    by_counter: dict[int, list[CounterSession]] = defaultdict(list)
    for s in sessions:
        by_counter[s.counter_no].append(s)
    for no in sorted(by_counter):
        opened = _merge((s.opened_at, min(s.closed_at or until, until)) for s in by_counter[no])
        busy_spans: list[tuple[datetime, datetime]] = []
        served = no_shows = 0
        for t in tickets:
            if t.counter_no != no or t.called_at is None:
                continue
            if t.state == TicketState.DONE:
                end, served = t.finished_at, served + 1
            elif t.state == TicketState.NO_SHOW:
                end, no_shows = t.no_show_at, no_shows + 1
            elif t.state in (TicketState.CALLED, TicketState.SERVING):
                end = until
            else:  # sent back to the line by a transfer, not called again yet: at no counter now
                continue
            if end is not None:
                busy_spans.append((t.called_at, min(end, until)))
        busy = _merge(busy_spans)
        open_seconds = sum((e - s).total_seconds() for s, e in opened)
        busy_seconds = sum(_overlap(o, b) for o in opened for b in busy)
        result.append(CounterIdle(no, open_seconds, busy_seconds, max(0.0, open_seconds - busy_seconds), served,
                                  no_shows))
    return result


def compute_figures(service_day: str, tickets: Iterable[Ticket], sessions: Iterable[CounterSession],
                    target_minutes: int, *, now: datetime | None = None, tz: tzinfo | None = None) -> QueueFigures:
    """Everything for one service day; `now` (default: the clock) ends what is still open today."""
    local = _local_tz(tz)
    tickets = [t for t in tickets if t.service_day == service_day]
    target = target_minutes * 60.0
    total = _Sum("all")
    hours: dict[str, _Sum] = {}
    categories: dict[str, _Sum] = {}
    cells: dict[tuple[int, str], _Sum] = {}
    for t in tickets:
        hour = t.issued_at.astimezone(local).hour
        total.add(t, target)
        hours.setdefault(f"{hour:02d}", _Sum(f"{hour:02d}")).add(t, target)
        categories.setdefault(t.category, _Sum(t.category)).add(t, target)
        cells.setdefault((hour, t.category), _Sum("")).add(t, target)
    _start, end = day_bounds(service_day, local)
    until = min(now or datetime.now(timezone.utc), end)
    stats = tuple(DailyStats(service_day, hour, category, s.n["issued"], s.n["served"], s.n["no_shows"],
                             s.wait, s.walk, s.service, s.n["within"])
                  for (hour, category), s in sorted(cells.items()))
    return QueueFigures(service_day, target_minutes, total.row(),
                        tuple(hours[k].row() for k in sorted(hours)),
                        tuple(categories[k].row() for k in sorted(categories)),
                        tuple(counter_idle(tickets, sessions, until)), stats)


def daily_stats(service_day: str, tickets: Iterable[Ticket], target_minutes: int,
                tz: tzinfo | None = None) -> list[DailyStats]:
    """The rows the platform receives for one day (hour and line of issue)."""
    return list(compute_figures(service_day, tickets, (), target_minutes, tz=tz).daily_stats)


def combine_rows(key: str, rows: Iterable[FigureRow]) -> FigureRow:
    """Several groups (days, hours) as one: sums add, so averages and shares stay exact."""
    total = FigureRow(key)
    for r in rows:
        total = FigureRow(key, total.issued + r.issued, total.called + r.called, total.served + r.served,
                          total.no_shows + r.no_shows, total.still_waiting + r.still_waiting,
                          total.wait_seconds_sum + r.wait_seconds_sum, total.walk_seconds_sum + r.walk_seconds_sum,
                          total.service_seconds_sum + r.service_seconds_sum,
                          total.served_within_target + r.served_within_target)
    return total


def combine_counters(counters: Iterable[CounterIdle]) -> tuple[CounterIdle, ...]:
    by_no: dict[int, list[CounterIdle]] = defaultdict(list)
    for c in counters:
        by_no[c.counter_no].append(c)
    return tuple(CounterIdle(no, sum(c.open_seconds for c in cs), sum(c.busy_seconds for c in cs),
                             sum(c.idle_seconds for c in cs), sum(c.served for c in cs), sum(c.no_shows for c in cs))
                 for no, cs in sorted(by_no.items()))


@dataclass(frozen=True)
class PeriodFigures:
    """Several days' figures and their sum: what the report and the dashboard show for a period."""

    date_from: str
    date_to: str
    target_minutes: int
    days: tuple[QueueFigures, ...]
    total: FigureRow
    by_hour: tuple[FigureRow, ...]
    by_category: tuple[FigureRow, ...]
    counters: tuple[CounterIdle, ...]


def period_figures(date_from: str, date_to: str, target_minutes: int, days: Iterable[QueueFigures]) -> PeriodFigures:
    days = tuple(days)
    hours: dict[str, list[FigureRow]] = defaultdict(list)
    cats: dict[str, list[FigureRow]] = defaultdict(list)
    for d in days:
        for r in d.by_hour:
            hours[r.key].append(r)
        for r in d.by_category:
            cats[r.key].append(r)
    return PeriodFigures(date_from, date_to, target_minutes, days, combine_rows("all", (d.total for d in days)),
                         tuple(combine_rows(k, hours[k]) for k in sorted(hours)),
                         tuple(combine_rows(k, cats[k]) for k in sorted(cats)),
                         combine_counters(c for d in days for c in d.counters))


def figure_table(period: PeriodFigures) -> list[dict[str, object]]:
    """Flat rows for CSV, XML and spreadsheets: one per (day, group, key); day "" is the whole period."""
    rows: list[dict[str, object]] = []

    def add(day: str, group: str, figure: FigureRow) -> None:
        rows.append({"day": day, "group": group, **figure.as_dict()})

    for day, total, by_hour, by_cat in ([("", period.total, period.by_hour, period.by_category)]
                                        + [(d.service_day, d.total, d.by_hour, d.by_category) for d in period.days]):
        add(day, "total", total)
        for r in by_hour:
            add(day, "hour", r)
        for r in by_cat:
            add(day, "category", r)
    return rows


def counter_table(period: PeriodFigures) -> list[dict[str, object]]:
    rows = [{"day": "", **c.as_dict()} for c in period.counters]
    rows += [{"day": d.service_day, **c.as_dict()} for d in period.days for c in d.counters]
    return rows
