"""What a counter has to do: the work list, search, and deadlines.

Deadlines count working days against the promised date, so a clerk sees
"2 working days left" the way the service guide promised it, holidays and
swapped weekends included.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from kiosk.errors import UserFacingError
from kiosk.identity import InvalidIdentity, parse_resident_id
from kiosk.lifecycle import TERMINAL, Status
from kiosk.receipt_numbers import parse_receipt_no, receipt_no_in
from kiosk.store.models import Application, ApplicationMaterial
from kiosk.workdays import WorkCalendar

DUE_SOON_DAYS = 2
OPEN_STATUSES = tuple(s.value for s in Status if s not in TERMINAL and s is not Status.DRAFT)


class Urgency(StrEnum):
    NONE = "none"          # closed, or no promised date
    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"  # at most DUE_SOON_DAYS working days left
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Deadline:
    promised: date | None
    working_days_left: int | None
    urgency: Urgency


def deadline_of(app: Application, calendar: WorkCalendar, today: date) -> Deadline:
    if app.promised_date is None or Status(app.status) in TERMINAL or app.status == Status.DRAFT:
        return Deadline(app.promised_date, None, Urgency.NONE)
    left = calendar.working_days_between(today, app.promised_date)
    if today > app.promised_date:
        urgency = Urgency.OVERDUE
    elif left <= DUE_SOON_DAYS:
        urgency = Urgency.DUE_SOON
    else:
        urgency = Urgency.ON_TRACK
    return Deadline(app.promised_date, left, urgency)


def _query():  # noqa: ANN202
    return select(Application).options(selectinload(Application.materials).selectinload(ApplicationMaterial.files))


def work_list(session: Session, *, hall_code: str, statuses: Iterable[str] = OPEN_STATUSES,
              channels: Iterable[str] | None = None) -> list[Application]:
    query = _query().where(Application.hall_code == hall_code, Application.status.in_(list(statuses)))
    if channels is not None:
        query = query.where(Application.channel.in_(list(channels)))
    return list(session.scalars(query.order_by(Application.promised_date.is_(None), Application.promised_date,
                                               Application.created_at)))


def drafts(session: Session, *, hall_code: str) -> list[Application]:
    return work_list(session, hall_code=hall_code, statuses=[Status.DRAFT.value])


def search(session: Session, text: str, *, hall_code: str) -> list[Application]:
    """By receipt number, case number or ID number, as typed or as a scanner 'types' it."""
    raw = unicodedata.normalize("NFKC", text or "").strip()
    if not raw:
        return []
    conditions = [Application.case_no == raw]
    try:
        conditions.append(Application.receipt_no == str(parse_receipt_no(raw)))
    except UserFacingError:
        pass
    try:
        conditions.append(Application.applicant_id_index == parse_resident_id(raw).number)  # the keyed index
    except InvalidIdentity:
        pass
    inside = receipt_no_in(raw)  # a receipt's QR code holds the status address with the number in it
    if inside is not None:
        conditions.append(Application.receipt_no == str(inside))
    query = _query().where(Application.hall_code == hall_code, or_(*conditions))
    return list(session.scalars(query.order_by(Application.created_at.desc())))
