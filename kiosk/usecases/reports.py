"""The supervisor's figures for the hall (no personal data in them)."""
from __future__ import annotations

from datetime import date, timedelta

from kiosk.queue.metrics import PeriodFigures, compute_figures, period_figures
from kiosk.queue.model import HallUnavailable
from kiosk.reports import Report, build_report, queue_section
from kiosk.staff import Permission
from kiosk.terminal import Terminal
from kiosk.usecases.staff import current_staff
from kiosk.workdays import default_calendar


def hall_report(t: Terminal, staff_id: int, date_from: date, date_to: date, *, today: date | None = None) -> Report:
    with t.store.transaction() as session:
        current_staff(session, staff_id, Permission.DASHBOARD)
        report = build_report(session, t.catalog, default_calendar(), date_from, date_to, today=today or date.today())
    report.queue = queue_report_section(t, date_from, date_to)
    return report


MAX_QUEUE_DAYS = 93  # a quarter: the hub is asked once per day of the period


def queue_period(t: Terminal, date_from: date, date_to: date) -> PeriodFigures:
    """The hall queue's figures for each day of a period and their sum, from the hub's stored timestamps.

    Raises `HallUnavailable` when the hub cannot be reached; needs a hub (`t.hall`)."""
    assert t.hall is not None
    days = []
    last = min(date_to, date_from + timedelta(days=MAX_QUEUE_DAYS - 1))
    day = date_from
    while day <= last:
        key = day.isoformat()
        days.append(compute_figures(key, t.hall.tickets(key), t.hall.counter_sessions(key),
                                    t.settings.queue_target_wait_minutes))
        day += timedelta(days=1)
    return period_figures(date_from.isoformat(), date_to.isoformat(), t.settings.queue_target_wait_minutes, days)


def queue_report_section(t: Terminal, date_from: date, date_to: date) -> dict[str, object] | None:
    """The report's queue part: None without a hub; with the hub away, a note saying so instead of zeros."""
    if t.hall is None:
        return None
    try:
        return queue_section(queue_period(t, date_from, date_to))
    except HallUnavailable as exc:
        return queue_section(None, exc.message)
