"""Online applications finished at the window (网办件窗口核验办结): one visit for the citizen.

An online case comes down to its hall with the platform's pre-review (`sync.assigned`): each material
passed, or its original to be seen here. At the counter the citizen is found by the ID card placed (or the
number typed), staff tick off each original they saw, and completing the case accepts it through the
existing decision path (`kiosk.review.decide`, the acceptance notice printed) and records the on-site
visit in the same transaction; the visit count reaches the platform with that decision.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from kiosk import review, visits
from kiosk.catalog import Text
from kiosk.errors import Message, UserFacingError
from kiosk.identity import InvalidIdentity, mask_id, parse_resident_id
from kiosk.lifecycle import Status
from kiosk.print_jobs import PrintKind
from kiosk.receipt_numbers import parse_receipt_no, receipt_no_in
from kiosk.review import MaterialCheck
from kiosk.staff import Permission, actor_of
from kiosk.store.models import Application, ApplicationMaterial, OnlinePreReview, PendingDownload, utcnow
from kiosk.terminal import Terminal
from kiosk.usecases.cases import case_detail_in
from kiosk.usecases.receipts import attempt, queue_notice
from kiosk.usecases.staff import current_staff
from kiosk.usecases.views import DecisionOutcome

ONLINE = "online"
PASSED = "passed"
#: an online case waits for the citizen's visit while it is here and undecided
OPEN = (Status.RECEIVED.value,)
NUMBER_MAX = 64

EMPTY = Message("请放置身份证，或输入身份证号、案件号或回执编号。",
                "Place the ID card, or type the ID number, the case number or the receipt number.")
UNKNOWN = Message("本大厅没有这个编号的网上申请。请核对号码。",
                  "This hall has no online application with that number. Please check the number.")
OTHER_HALL = Message("这件申请属于其他大厅，本窗口不能办理。请引导申请人到受理大厅。",
                     "This application belongs to another hall; this counter cannot handle it. Please direct the "
                     "applicant to that hall.")
NOT_ONLINE = Message("这件申请不是网上申请，请在“审核”中办理。",
                     "This application was not made online; handle it under Review.")
NOT_OPEN = Message("这件网上申请已办理，无需再次核验。", "This online application has already been handled.")
NO_SUCH = Message("找不到这件网上申请。", "This online application cannot be found.")


@dataclass(frozen=True)
class OnsiteMaterial:
    code: str
    name: Text
    required: bool
    prereview: str | None  # "passed", "original", or None (not pre-reviewed: the original must be seen)
    files: int
    original_seen_at: datetime | None
    original_seen_by: str | None

    @property
    def needs_original(self) -> bool:
        """Not passed by the pre-review, and handed in (an optional material left out has nothing to see)."""
        return self.prereview != PASSED and (self.required or self.files > 0 or self.prereview is not None)

    @property
    def cleared(self) -> bool:
        return not self.needs_original or self.original_seen_at is not None


@dataclass(frozen=True)
class OnsiteCase:
    id: str
    case_no: str | None
    item_name: Text
    applicant_name: str | None
    id_masked: str | None
    status: Status
    submitted_at: datetime | None
    prereview_by: str | None
    prereview_at: datetime | None
    prereview_note: str | None
    materials: tuple[OnsiteMaterial, ...]
    visits: int
    files_pending: int

    @property
    def originals_left(self) -> tuple[OnsiteMaterial, ...]:
        return tuple(m for m in self.materials if not m.cleared)

    @property
    def ready(self) -> bool:
        return not self.originals_left and not self.files_pending


@dataclass(frozen=True)
class OnsiteCompletion:
    case: OnsiteCase
    outcome: DecisionOutcome


def _view_of_material(m: ApplicationMaterial) -> OnsiteMaterial:
    return OnsiteMaterial(m.material_code, Text(m.name_zh, m.name_en), m.required, m.prereview, len(m.files),
                          m.original_seen_at, m.original_seen_by)


def _view(t: Terminal, session: Session, app: Application) -> OnsiteCase:
    item = t.catalog.item(app.service_item_code)
    held = session.get(OnlinePreReview, app.id)
    pending = len(list(session.scalars(select(PendingDownload.id).where(PendingDownload.application_id == app.id))))
    materials = tuple(_view_of_material(m) for m in app.materials)
    return OnsiteCase(app.id, app.case_no, item.name if item else Text(app.service_item_code, app.service_item_code),
                      app.applicant_name, mask_id(app.applicant_id_number) if app.applicant_id_number else None,
                      Status(app.status), app.submitted_at, held.by if held else None, held.at if held else None,
                      held.note if held else None, materials, visits.count(session, app.id), pending)


def _matches(session: Session, raw: str) -> tuple[list[Application], bool]:
    """Applications the number names in any hall, and whether it was an ID number (a citizen, not a case)."""
    conditions = [Application.case_no == raw]
    by_person = False
    try:
        conditions.append(Application.receipt_no == str(parse_receipt_no(raw)))
    except UserFacingError:
        pass
    inside = receipt_no_in(raw)
    if inside is not None:
        conditions.append(Application.receipt_no == str(inside))
    try:
        conditions.append(Application.applicant_id_index == parse_resident_id(raw).number)
        by_person = True
    except InvalidIdentity:
        pass
    query = (select(Application).options(selectinload(Application.materials).selectinload(ApplicationMaterial.files))
             .where(or_(*conditions), Application.status != Status.DRAFT.value)
             .order_by(Application.submitted_at.desc()))
    return list(session.scalars(query)), by_person


def find_online_cases(t: Terminal, staff_id: int, number: str) -> list[OnsiteCase]:
    """The citizen's online cases waiting for this visit, by ID number (the card placed), case or receipt
    number. An ID number with none open is an empty list; a case number names one case or is refused."""
    raw = unicodedata.normalize("NFKC", number or "").strip()
    if not raw:
        raise UserFacingError(EMPTY, code="onsite_empty")
    if len(raw) > NUMBER_MAX or not raw.isprintable():
        raise UserFacingError(UNKNOWN, code="onsite_unknown")
    with t.store.transaction() as session:
        current_staff(session, staff_id, Permission.REVIEW)
        found, by_person = _matches(session, raw)
        here = [a for a in found if a.hall_code == t.settings.hall_code]
        if not by_person:
            if not found:
                raise UserFacingError(UNKNOWN, code="onsite_unknown")
            if not here:
                raise UserFacingError(OTHER_HALL, code="onsite_other_hall")
            app = here[0]
            if app.channel != ONLINE:
                raise UserFacingError(NOT_ONLINE, code="onsite_not_online")
            if app.status not in OPEN:
                raise UserFacingError(NOT_OPEN, code="onsite_closed")
        return [_view(t, session, a) for a in here if a.channel == ONLINE and a.status in OPEN]


def _online_case(t: Terminal, session: Session, application_id: str) -> Application:
    app = session.get(Application, application_id)
    if app is None or app.status == Status.DRAFT.value:
        raise UserFacingError(NO_SUCH, code="onsite_unknown")
    if app.hall_code != t.settings.hall_code:
        raise UserFacingError(OTHER_HALL, code="onsite_other_hall")
    if app.channel != ONLINE:
        raise UserFacingError(NOT_ONLINE, code="onsite_not_online")
    if app.status not in OPEN:
        raise UserFacingError(NOT_OPEN, code="onsite_closed")
    return app


def online_case(t: Terminal, staff_id: int, application_id: str) -> OnsiteCase:
    with t.store.transaction() as session:
        current_staff(session, staff_id, Permission.REVIEW)
        return _view(t, session, _online_case(t, session, application_id))


def _material(app: Application, code: str) -> ApplicationMaterial:
    for m in app.materials:
        if m.material_code == code:
            return m
    raise UserFacingError(Message(f"该申请没有材料“{code}”。", f"This application has no material '{code}'."),
                          code="no_material")


def mark_original(t: Terminal, staff_id: int, application_id: str, code: str, seen: bool = True) -> OnsiteCase:
    """Staff saw (or, undoing a slip, did not see) the original of one material; audited either way."""
    from kiosk import audit

    with t.store.transaction() as session:
        staff = current_staff(session, staff_id, Permission.REVIEW)
        app = _online_case(t, session, application_id)
        material = _material(app, code)
        if not _view_of_material(material).needs_original:
            raise UserFacingError(Message(f"“{material.name_zh}”已通过平台预审或未提交，无需核验原件。",
                                          f"'{material.name_en}' passed the platform's pre-review or was not handed "
                                          "in; there is no original to see."), code="onsite_passed")
        material.original_seen_at = utcnow() if seen else None
        material.original_seen_by = actor_of(staff) if seen else None
        audit.record(session, actor=actor_of(staff), action="original_seen" if seen else "original_unseen",
                     subject=app.id, details={"material": code, "case_no": app.case_no})
        session.flush()
        return _view(t, session, app)


def complete(t: Terminal, staff_id: int, application_id: str, *, lang: str = "zh",
             today: date | None = None) -> OnsiteCompletion:
    """Accept the case at the window: every original seen, every file here; one visit, one notice."""
    job_id: int | None = None
    with t.store.transaction() as session:
        staff = current_staff(session, staff_id, Permission.DECIDE)
        app = _online_case(t, session, application_id)
        view = _view(t, session, app)
        if view.originals_left:
            names = "、".join(m.name.zh for m in view.originals_left)
            names_en = ", ".join(m.name.en for m in view.originals_left)
            raise UserFacingError(Message(f"以下材料的原件尚未核验，不能办结：{names}",
                                          f"The originals of these materials have not been checked, so the case "
                                          f"cannot be completed: {names_en}"), code="originals_unchecked")
        if view.files_pending:
            raise UserFacingError(Message("这件申请的文件还在从平台下载，请联网同步后再办结。",
                                          "This application's files are still coming from the platform; sync with "
                                          "the link up, then complete it."), code="files_pending")
        actor = actor_of(staff)
        for material in app.materials:
            if material.files:  # what was seen or passed is valid; an optional material never handed in stays as it is
                review.check_material(session, app, material.material_code, MaterialCheck.VALID, staff=staff)
        visits.record(session, app, visits.VisitKind.ONSITE, actor)
        decision = review.decide(session, app, Status.ACCEPTED, staff=staff)
        job_id = queue_notice(session, t, app.id, PrintKind.ACCEPTANCE, lang, None, actor)
        session.flush()
        detail = case_detail_in(t, session, application_id, today or date.today())
        done = _view(t, session, app)
    if t.sync is not None:
        t.sync.poke()
    if job_id is None:
        return OnsiteCompletion(done, DecisionOutcome(decision, detail, None, None))
    result = attempt(t, job_id, actor)
    return OnsiteCompletion(done, DecisionOutcome(decision, detail, result.printed, result.message))
