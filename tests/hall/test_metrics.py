"""The queue figures against a day worked out by hand (times are the hall's, UTC+8)."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from kiosk.queue.metrics import compute_figures, daily_stats
from kiosk.queue.model import CounterSession, DailyStats, Priority, Ticket, TicketState

HALL = timezone(timedelta(hours=8))
DAY = "2026-11-29"


def at(hhmm: str) -> datetime:
    h, m = hhmm.split(":")
    return datetime(2026, 11, 29, int(h), int(m), tzinfo=HALL).astimezone(timezone.utc)


def ticket(tid: str, number: str, state: TicketState, issued: str, **times: object) -> Ticket:
    fields = {k: (at(v) if isinstance(v, str) else v) for k, v in times.items()}
    return Ticket(tid, number, number[0], Priority.NORMAL, state, DAY, at(issued), "kiosk-1", **fields)


DAY_TICKETS = [
    # served at counter 1: wait 10 min, walk 2, service 18
    ticket("t1", "A001", TicketState.DONE, "09:00", first_called_at="09:10", called_at="09:10", counter_no=1,
           started_at="09:12", finished_at="09:30", calls=1),
    # recalled: the wait runs to the first call (09:31), the walk from the recall (09:40)
    ticket("t2", "A002", TicketState.DONE, "09:05", first_called_at="09:31", called_at="09:40", counter_no=1,
           started_at="09:41", finished_at="10:00", calls=2),
    ticket("t3", "B001", TicketState.NO_SHOW, "09:20", first_called_at="09:50", called_at="09:50", counter_no=2,
           no_show_at="09:55", calls=1),
    # first called at counter 2, transferred to counter 1 and called there
    ticket("t4", "B002", TicketState.DONE, "09:30", first_called_at="09:56", called_at="10:30", counter_no=1,
           started_at="10:32", finished_at="10:50", calls=2),
    # still waiting when the figures are made
    ticket("t5", "A003", TicketState.WAITING, "10:10"),
    # issued offline by a kiosk at 08:50 (its own clock), handed over later, served: 70 min wait, over target
    ticket("t6", "C001", TicketState.DONE, "08:50", first_called_at="10:00", called_at="10:00", counter_no=2,
           started_at="10:05", finished_at="11:00", calls=1, issued_offline=True),
    # being served at noon
    ticket("t7", "A004", TicketState.SERVING, "11:30", first_called_at="11:45", called_at="11:45", counter_no=2,
           started_at="11:50", calls=1),
]
SESSIONS = [CounterSession(1, at("09:00"), at("12:00")), CounterSession(2, at("09:00"))]


def figures(tickets=DAY_TICKETS, sessions=SESSIONS, now="12:00"):
    return compute_figures(DAY, tickets, sessions, 30, now=at(now), tz=HALL)


def test_the_day_in_total():
    total = figures().total
    assert (total.issued, total.called, total.served, total.no_shows, total.still_waiting) == (7, 6, 4, 1, 1)
    assert total.wait_seconds_sum == 600 + 1560 + 1560 + 4200
    assert total.walk_seconds_sum == 120 + 60 + 120 + 300
    assert total.service_seconds_sum == 1080 + 1140 + 1080 + 3300
    assert total.served_within_target == 3
    assert total.within_target_share == 0.75
    assert total.mean_wait_seconds == 1980
    assert total.as_dict()["mean_wait_minutes"] == 33.0


def test_by_hour_of_issue():
    rows = {r.key: r for r in figures().by_hour}
    assert list(rows) == ["08", "09", "10", "11"]
    assert (rows["08"].issued, rows["08"].served, rows["08"].wait_seconds_sum, rows["08"].served_within_target) \
        == (1, 1, 4200, 0)
    nine = rows["09"]
    assert (nine.issued, nine.served, nine.no_shows, nine.wait_seconds_sum, nine.walk_seconds_sum,
            nine.service_seconds_sum, nine.served_within_target) == (4, 3, 1, 3720, 300, 3300, 3)
    assert (rows["10"].issued, rows["10"].still_waiting, rows["10"].served) == (1, 1, 0)
    assert (rows["11"].issued, rows["11"].called, rows["11"].served) == (1, 1, 0)
    assert rows["10"].mean_wait_seconds is None and rows["10"].within_target_share is None


def test_by_category():
    rows = {r.key: r for r in figures().by_category}
    a, b, c = rows["A"], rows["B"], rows["C"]
    assert (a.issued, a.served, a.still_waiting, a.wait_seconds_sum, a.walk_seconds_sum, a.service_seconds_sum,
            a.served_within_target) == (4, 2, 1, 2160, 180, 2220, 2)
    assert (b.issued, b.served, b.no_shows, b.wait_seconds_sum, b.served_within_target) == (2, 1, 1, 1560, 1)
    assert (c.issued, c.served, c.wait_seconds_sum, c.service_seconds_sum, c.served_within_target) \
        == (1, 1, 4200, 3300, 0)


def test_idle_per_counter_inside_open_sessions():
    counters = {c.counter_no: c for c in figures().counters}
    one, two = counters[1], counters[2]
    # counter 1: open 3 h; busy 09:10-09:30, 09:40-10:00, 10:30-10:50
    assert (one.open_seconds, one.busy_seconds, one.idle_seconds, one.served, one.no_shows) \
        == (10800, 3600, 7200, 3, 0)
    # counter 2: still open at noon; busy 09:50-09:55 (no-show), 10:00-11:00, 11:45-12:00 (still serving);
    # the transferred B002 is counted at counter 1, where it was served
    assert (two.open_seconds, two.busy_seconds, two.idle_seconds, two.served, two.no_shows) \
        == (10800, 4800, 6000, 1, 1)


def test_idle_merges_overlaps_and_sessions_reopened():
    tickets = [ticket("x1", "A001", TicketState.DONE, "09:00", called_at="09:00", counter_no=5, started_at="09:01",
                      finished_at="09:20"),
               # called while the first was still being served (overlap 09:10-09:20 counts once)
               ticket("x2", "A002", TicketState.DONE, "09:00", called_at="09:10", counter_no=5, started_at="09:21",
                      finished_at="09:30"),
               # served across the lunch break: only the time inside the sessions counts
               ticket("x3", "A003", TicketState.DONE, "09:00", called_at="11:50", counter_no=5, started_at="11:50",
                      finished_at="13:10")]
    sessions = [CounterSession(5, at("09:00"), at("12:00")), CounterSession(5, at("13:00"), at("14:00"))]
    five = figures(tickets, sessions, now="18:00").counters[0]
    assert five.open_seconds == 4 * 3600
    assert five.busy_seconds == 30 * 60 + 10 * 60 + 10 * 60
    assert five.idle_seconds == 4 * 3600 - 50 * 60


def test_a_clock_behind_counts_as_no_wait_never_negative():
    skewed = ticket("s1", "A001", TicketState.DONE, "09:30", first_called_at="09:20", called_at="09:20",
                    counter_no=1, started_at="09:21", finished_at="09:31", issued_offline=True)
    total = figures([skewed], []).total
    assert total.wait_seconds_sum == 0 and total.served_within_target == 1


def test_without_first_call_the_last_call_stands_in():
    old_hub = dataclasses.replace(DAY_TICKETS[1], first_called_at=None)
    assert figures([old_hub], []).total.wait_seconds_sum == 35 * 60


def test_an_open_session_ends_at_the_end_of_a_past_day():
    late = [CounterSession(1, at("22:00"))]
    one = compute_figures(DAY, [], late, 30, now=at("23:00") + timedelta(days=3), tz=HALL).counters[0]
    assert one.open_seconds == 2 * 3600 and one.idle_seconds == 2 * 3600


def test_other_days_tickets_are_left_out_and_an_empty_day_is_all_zero():
    other = dataclasses.replace(DAY_TICKETS[0], service_day="2026-11-28")
    empty = figures([other], [])
    assert empty.total.issued == 0 and empty.by_hour == () and empty.daily_stats == ()
    assert empty.total.as_dict()["within_target_share"] is None


def test_daily_stats_rows_add_up():
    rows = daily_stats(DAY, DAY_TICKETS, 30, tz=HALL)
    assert [(r.hour, r.category) for r in rows] == [(8, "C"), (9, "A"), (9, "B"), (10, "A"), (11, "A")]
    assert rows[1] == DailyStats(DAY, 9, "A", 2, 2, 0, 2160.0, 180.0, 2220.0, 2)
    assert rows[2] == DailyStats(DAY, 9, "B", 2, 1, 1, 1560.0, 120.0, 1080.0, 1)
    assert rows[0] == DailyStats(DAY, 8, "C", 1, 1, 0, 4200.0, 300.0, 3300.0, 0)
    assert rows[3] == DailyStats(DAY, 10, "A", 1, 0, 0, 0.0, 0.0, 0.0, 0)
    assert sum(r.wait_seconds_sum for r in rows) == figures().total.wait_seconds_sum
    assert sum(r.served for r in rows) == 4


@pytest.mark.parametrize("minutes,within", [(10, 1), (26, 3), (70, 4)])
def test_the_target_is_a_setting(minutes, within):
    assert compute_figures(DAY, DAY_TICKETS, [], minutes, now=at("12:00"), tz=HALL).total.served_within_target \
        == within
