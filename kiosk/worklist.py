"""What a counter has to do: the work list, search, and deadlines.

Deadlines count working days against the promised date, so a clerk sees
"2 working days left" the way the service guide promised it, holidays and
swapped weekends included.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

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


class CaseFields(Protocol):
    """What a row of the work list is made of: an `Application`, or one of `work_list`'s rows of its columns."""

    @property
    def id(self) -> str: ...
    @property
    def receipt_no(self) -> str | None: ...
    @property
    def case_no(self) -> str | None: ...
    @property
    def service_item_code(self) -> str: ...
    @property
    def channel(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def applicant_name(self) -> str | None: ...
    @property
    def applicant_id_number(self) -> str | None: ...
    @property
    def submitted_at(self) -> datetime | None: ...
    @property
    def updated_at(self) -> datetime: ...
    @property
    def promised_date(self) -> date | None: ...


#: the columns a work-list row shows: two of them sealed (name, ID number), where a whole application row also
#: unseals its phone, form and notes, and its materials and files are loaded with it
CASE_COLUMNS = (Application.id, Application.receipt_no, Application.case_no, Application.service_item_code,
                Application.channel, Application.status, Application.applicant_name, Application.applicant_id_number,
                Application.submitted_at, Application.updated_at, Application.promised_date)


def deadline_of(app: CaseFields, calendar: WorkCalendar, today: date) -> Deadline:
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
              channels: Iterable[str] | None = None) -> list[CaseFields]:
    """The waiting cases as rows of `CASE_COLUMNS` only: read after every decision on a window's job thread,
    whose Python shares a lock with the screen. Whole applications with their materials and files took
    34 ms of CPU at 200 cases and 113 ms at 400 (`bench/work_list_read.py`)."""
    query = _where(select(*CASE_COLUMNS), hall_code=hall_code, statuses=statuses, channels=channels)
    return list(session.execute(query))  # type: ignore[arg-type] - a Row has the columns as attributes


def _where(query, *, hall_code: str, statuses: Iterable[str], channels: Iterable[str] | None):  # noqa: ANN001, ANN202
    query = query.where(Application.hall_code == hall_code, Application.status.in_(list(statuses)))
    if channels is not None:
        query = query.where(Application.channel.in_(list(channels)))
    return query.order_by(Application.promised_date.is_(None), Application.promised_date, Application.created_at)


def drafts(session: Session, *, hall_code: str) -> list[Application]:
    """Whole, with their materials and files (the drafts page counts the files)."""
    return list(session.scalars(_where(_query(), hall_code=hall_code, statuses=[Status.DRAFT.value], channels=None)))


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
