"""The supervisor's figures for the hall (no personal data in them)."""
from __future__ import annotations

from datetime import date

from kiosk.reports import Report, build_report
from kiosk.staff import Permission
from kiosk.terminal import Terminal
from kiosk.usecases.staff import current_staff
from kiosk.workdays import default_calendar


def hall_report(t: Terminal, staff_id: int, date_from: date, date_to: date, *, today: date | None = None) -> Report:
    with t.store.transaction() as session:
        current_staff(session, staff_id, Permission.DASHBOARD)
        return build_report(session, t.catalog, default_calendar(), date_from, date_to, today=today or date.today())
