"""A clerk's review: each material checked, then a decision and the notice it produces.

Local first: the status, the audit row, the outbox row that tells the
platform, and the notice's print job commit together (`kiosk.review`), so a
counter with no link decides as usual. What the notice says comes from the
case as decided: an acceptance only when every material passed, a
supplement notice naming what is missing.
"""
from __future__ import annotations

from datetime import date

from kiosk import review
from kiosk.errors import UserFacingError
from kiosk.lifecycle import Status
from kiosk.print_jobs import PrintKind
from kiosk.review import MaterialCheck
from kiosk.staff import Permission, actor_of
from kiosk.terminal import Terminal
from kiosk.usecases.cases import NOT_FOUND, case_detail_in, hall_application
from kiosk.usecases.receipts import attempt, queue_notice
from kiosk.usecases.staff import current_staff
from kiosk.usecases.views import CaseDetail, DecisionOutcome

#: what a decision prints: the notice the citizen takes home
DECISION_NOTICES = {Status.ACCEPTED: PrintKind.ACCEPTANCE, Status.NEEDS_SUPPLEMENT: PrintKind.SUPPLEMENT}


def check_material(t: Terminal, staff_id: int, application_id: str, code: str, result: MaterialCheck | str,
                   reason: str | None = None, *, today: date | None = None) -> CaseDetail:
    with t.store.transaction() as session:
        staff = current_staff(session, staff_id, Permission.REVIEW)
        app = hall_application(t, session, application_id)
        review.check_material(session, app, code, result, staff=staff, reason=reason)
        session.flush()
        return case_detail_in(t, session, application_id, today or date.today())


def decide(t: Terminal, staff_id: int, application_id: str, to: Status | str, note: str | None = None, *,
           lang: str = "zh", today: date | None = None) -> DecisionOutcome:
    target = Status(to)
    job_id: int | None = None
    with t.store.transaction() as session:
        staff = current_staff(session, staff_id, Permission.DECIDE)
        try:
            app = hall_application(t, session, application_id)
        except UserFacingError:
            raise UserFacingError(NOT_FOUND, code="no_application") from None
        missing = [{"name_zh": m.name_zh, "name_en": m.name_en, "note": m.review_note or ""}
                   for m in app.materials if m.review_state in (MaterialCheck.MISSING, MaterialCheck.INVALID)]
        decision = review.decide(session, app, target, staff=staff, note=note)
        kind = DECISION_NOTICES.get(target)
        actor = actor_of(staff)
        if kind is not None:
            job_id = queue_notice(session, t, app.id, kind, lang,
                                  missing if kind == PrintKind.SUPPLEMENT else None, actor)
        session.flush()
        detail = case_detail_in(t, session, application_id, today or date.today())
    if t.sync is not None:
        t.sync.poke()
    if job_id is None:
        return DecisionOutcome(decision, detail, None, None)
    result = attempt(t, job_id, actor)
    return DecisionOutcome(decision, detail, result.printed, result.message)
