"""The counter's view of the hall's cases: the work list, search, deadlines, one case in full.

Every read checks the staff member's permission in the same transaction and
returns views with ID numbers and phone numbers masked. Nothing here writes:
each runs in a read-only transaction (`Store.read`), which never waits for the
sync or a submission writing meanwhile.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import worklist
from kiosk.catalog import Text
from kiosk.errors import Message, UserFacingError
from kiosk.identity import mask_id
from kiosk.licences.refs import ref_from_json
from kiosk.lifecycle import Status
from kiosk.staff import Permission, actor_of
from kiosk.store.models import Application, ApplicationMaterial, AuditEntry, MaterialFile
from kiosk.terminal import Terminal
from kiosk.usecases.staff import current_staff
from kiosk.usecases.views import CaseDetail, CaseRow, FileView, MaterialView
from kiosk.workdays import default_calendar
from kiosk.worklist import OPEN_STATUSES, CaseFields, Urgency, deadline_of

SOURCES = ("kiosk", "counter", "online")
WAITING = (Status.SUBMITTED.value, Status.RECEIVED.value, Status.NEEDS_SUPPLEMENT.value)
NOT_FOUND = Message("找不到这份申请。", "This application cannot be found.")
URGENCY_ORDER = {Urgency.OVERDUE: 0, Urgency.DUE_SOON: 1, Urgency.ON_TRACK: 2, Urgency.NONE: 3}


def mask_phone(phone: str | None) -> str | None:
    return (phone[:3] + "****" + phone[-4:]) if phone and len(phone) >= 8 else phone


def case_row(t: Terminal, app: CaseFields, today: date) -> CaseRow:
    item = t.catalog.item(app.service_item_code)
    deadline = deadline_of(app, default_calendar(), today)
    return CaseRow(
        id=app.id, receipt_no=app.receipt_no, case_no=app.case_no, service_item=app.service_item_code,
        item_name=item.name if item else Text(app.service_item_code, app.service_item_code),
        channel=app.channel, status=Status(app.status), applicant_name=app.applicant_name,
        id_masked=mask_id(app.applicant_id_number) if app.applicant_id_number else None,
        submitted_at=app.submitted_at, updated_at=app.updated_at, promised_date=app.promised_date,
        days_left=deadline.working_days_left, urgency=deadline.urgency)


def hall_application(t: Terminal, session: Session, application_id: str) -> Application:
    app = session.get(Application, application_id)
    if app is None or app.hall_code != t.settings.hall_code or app.status == Status.DRAFT.value:
        raise UserFacingError(NOT_FOUND, code="no_application")
    return app


def case_detail_in(t: Terminal, session: Session, application_id: str, today: date) -> CaseDetail:
    app = hall_application(t, session, application_id)
    item = t.catalog.item(app.service_item_code)
    form: list[tuple[Text, Text]] = []  # a choice's words differ by language; what was typed does not
    for key, value in (app.form or {}).items():
        spec = item.field(key) if item else None
        label = spec.label if spec else Text(key, key)
        shown = Text(str(value), str(value))
        if spec is not None and spec.type == "id_number":
            shown = Text(mask_id(shown.zh), mask_id(shown.zh))
        elif spec is not None and spec.type == "choice":
            option = next((o for o in spec.options if o.value == value), None)
            shown = option.label if option else shown
        form.append((label, shown))
    materials = tuple(
        MaterialView(m.material_code, Text(m.name_zh, m.name_en), m.required, m.review_state, m.review_note,
                     tuple(FileView(f.attachment_sha256, f.attachment.media_type, f.attachment.page_count,
                                    f.original_name) for f in m.files), bool(m.at_counter),
                     licence=ref_from_json(m.licence), prereview=m.prereview,
                     original_seen_at=m.original_seen_at)
        for m in app.materials)
    return CaseDetail(case_row(t, app, today), mask_phone(app.applicant_phone), tuple(form), materials,
                      app.status_note)


def work_list(t: Terminal, staff_id: int, *, source: str = "all", status: str = "all",
              today: date | None = None) -> list[CaseRow]:
    """Cases waiting for a counter: kiosk captures, walk-ins, and online cases to check in person."""
    statuses = list(WAITING) if status == "all" else [Status(status).value]
    channels = [source] if source in SOURCES else None
    with t.store.read() as session:
        current_staff(session, staff_id, Permission.REVIEW)
        apps = worklist.work_list(session, hall_code=t.settings.hall_code, statuses=statuses, channels=channels)
        return [case_row(t, a, today or date.today()) for a in apps]


def search_cases(t: Terminal, staff_id: int, text: str, *, today: date | None = None) -> list[CaseRow]:
    """By receipt, case or ID number, or the text of a receipt's QR code."""
    with t.store.read() as session:
        current_staff(session, staff_id, Permission.REVIEW)
        return [case_row(t, a, today or date.today())
                for a in worklist.search(session, text, hall_code=t.settings.hall_code)
                if a.status != Status.DRAFT.value]


def deadlines(t: Terminal, staff_id: int, *, hall_wide: bool, today: date | None = None) -> list[CaseRow]:
    """Open cases by urgency; the whole hall needs HALL_DEADLINES, otherwise the cases this person handled."""
    with t.store.read() as session:
        staff = current_staff(session, staff_id, Permission.HALL_DEADLINES if hall_wide else Permission.REVIEW)
        apps = worklist.work_list(session, hall_code=t.settings.hall_code, statuses=OPEN_STATUSES)
        if not hall_wide:
            mine = set(session.scalars(select(AuditEntry.subject).where(AuditEntry.actor == actor_of(staff))))
            apps = [a for a in apps if a.id in mine]
        rows = [case_row(t, a, today or date.today()) for a in apps]
    return sorted(rows, key=lambda r: (URGENCY_ORDER[r.urgency], r.days_left if r.days_left is not None else 10**6))


def case_detail(t: Terminal, staff_id: int, application_id: str, *, today: date | None = None) -> CaseDetail:
    with t.store.read() as session:
        current_staff(session, staff_id, Permission.REVIEW)
        return case_detail_in(t, session, application_id, today or date.today())


def attachment_bytes(t: Terminal, staff_id: int, sha256: str) -> bytes:
    """A file of one of this hall's cases, verified on the way out (the store checks its hash)."""
    with t.store.read() as session:
        current_staff(session, staff_id, Permission.REVIEW)
        hall = session.scalar(select(Application.hall_code).join(ApplicationMaterial)
                              .join(MaterialFile).where(MaterialFile.attachment_sha256 == sha256).limit(1))
    if hall != t.settings.hall_code:
        raise UserFacingError(Message("找不到这个文件。", "This file cannot be found."), code="no_file")
    return t.attachments.get(sha256)
