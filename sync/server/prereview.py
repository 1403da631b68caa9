"""Online cases pre-reviewed on the platform, and the visits each case took.

A pre-review says, for every material of an online case, whether the platform's reviewer passed it or its
original must still be seen at the counter (须核验原件). It is recorded before the hall decides (the case
is "received") and reaches the hall through the changes feed: the case's assignment carries it to a counter
that takes the case in later, and a new assignment change tells a counter that already holds the case (the
feed's "received" change of an online case is its assignment, built from the case as it is now).

Visits are counted by the hall's terminals; each counter decision carries the count (`DecisionRequest.visits`)
and the platform keeps the latest per case, so the province sees the one-visit share too.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from kiosk.errors import Message, UserFacingError
from sync.server import platform_audit
from sync.server.cases import add_change
from sync.server.db import PlatformStore
from sync.server.models import Case, Change, Device, utcnow
from sync.server.prereview_models import CasePreReview, CaseVisits

PASSED, ORIGINAL = "passed", "original"
NOTE_MAX = 2000


class PreReviewRefused(UserFacingError):
    """A pre-review the platform will not record; nothing was changed."""


def _refuse(zh: str, en: str, code: str) -> PreReviewRefused:
    return PreReviewRefused(Message(zh, en), code=code)


def _clean_text(value: str, limit: int, what: Message, *, required: bool) -> str:
    text = value.strip()
    if required and not text:
        raise _refuse(f"请填写{what.zh}。", f"Please give {what.en}.", "prereview_input")
    if len(text) > limit:
        raise _refuse(f"{what.zh}不能超过{limit}个字。", f"{what.en.capitalize()} has at most {limit} characters.",
                      "prereview_input")
    if any((ord(c) < 32 and c not in "\n\t") or 0xD800 <= ord(c) <= 0xDFFF for c in text):
        raise _refuse(f"{what.zh}含有控制字符。", f"{what.en.capitalize()} contains control characters.",
                      "prereview_input")
    return text


def _verdicts(case: Case, passed: list[str], original: list[str]) -> dict[str, str]:
    """Every material named exactly once; a material without a file cannot have passed on paper it never saw."""
    details = [m for m in (case.document or {}).get("materials_detail") or [] if isinstance(m, dict)]
    codes = [str(m.get("code")) for m in details]
    named = passed + original
    unknown = [c for c in dict.fromkeys(named) if c not in codes]
    if unknown:
        raise _refuse(f"该案件没有这些材料：{'、'.join(unknown)}。", f"The case has no such materials: {', '.join(unknown)}.",
                      "unknown_material")
    twice = [c for c in dict.fromkeys(named) if named.count(c) > 1]
    if twice:
        raise _refuse(f"这些材料被重复列出：{'、'.join(twice)}（每项材料只能是通过或须核验原件之一）。",
                      f"These materials are named more than once: {', '.join(twice)} (each is either passed or "
                      "its original must be seen).", "duplicate_material")
    absent = {str(m.get("code")) for m in details if not m.get("required") and not m.get("files")}
    left = [c for c in codes if c not in named and c not in absent]  # an optional material not handed in needs none
    if left:
        raise _refuse(f"请为每项材料给出预审结论，尚缺：{'、'.join(left)}。",
                      f"Give a verdict for every material; missing: {', '.join(left)}.", "material_unreviewed")
    no_file = [str(m.get("code")) for m in details if str(m.get("code")) in passed and not m.get("files")]
    if no_file:
        raise _refuse(f"这些材料没有上传文件，不能预审通过，须到窗口核验原件：{'、'.join(no_file)}。",
                      f"These materials have no uploaded file, so they cannot pass the pre-review; their originals "
                      f"must be seen at the counter: {', '.join(no_file)}.", "no_file")
    return {c: (PASSED if c in passed else ORIGINAL) for c in codes if c in named}


def find_case(session: Session, ref: str) -> Case:
    ref = ref.strip()
    case = session.scalar(select(Case).where(or_(Case.case_no == ref, Case.uuid == ref.lower())).with_for_update()) \
        if ref and ref.isprintable() and len(ref) <= 64 else None
    if case is None:
        raise _refuse(f"平台上没有案件 {ref[:64]}。", f"The platform has no case {ref[:64]}.", "not_found")
    return case


@dataclass(frozen=True)
class PreReviewResult:
    case_no: str
    hall_code: str
    verdicts: dict[str, str]
    change_id: int


def record_prereview(store: PlatformStore, ref: str, *, passed: list[str], original: list[str], by: str,
                     note: str = "") -> PreReviewResult:
    """Record (or replace) an online case's pre-review and tell its hall through the feed."""
    by = _clean_text(by, 100, Message("预审人", "the reviewer's name"), required=True)
    note = _clean_text(note, NOTE_MAX, Message("预审意见", "the note"), required=False)
    with store.transaction() as session:
        case = find_case(session, ref)
        if (case.document or {}).get("channel") != "online":
            raise _refuse(f"案件 {case.case_no} 不是网上申请，无需预审。",
                          f"Case {case.case_no} was not made online; it has no pre-review.", "not_online")
        if case.status != "received":
            raise _refuse(f"案件 {case.case_no} 已由大厅办理（当前状态：{case.status}），不能再预审。",
                          f"Case {case.case_no} has already been handled by its hall (status: {case.status}); it can "
                          "no longer be pre-reviewed.", "already_decided")
        verdicts = _verdicts(case, passed, original)
        row = session.scalar(select(CasePreReview).where(CasePreReview.case_id == case.id))
        if row is None:
            row = CasePreReview(case_id=case.id, by=by, note=note or None, verdicts=verdicts, at=utcnow())
            session.add(row)
        else:
            row.by, row.note, row.verdicts, row.at = by, note or None, verdicts, utcnow()
        add_change(session, hall_code=case.hall_code, case_id=case.id, status="received", actor=by[:64],
                   note=note or None, missing_materials=[])  # a new assignment: the hall takes the pre-review in
        session.flush()
        change_id = int(session.scalar(select(func.max(Change.id)).where(Change.case_id == case.id)) or 0)
        platform_audit.record(session, actor=by, action="case.prereviewed", subject=case.uuid,
                              details={"case_no": case.case_no, "hall_code": case.hall_code, "verdicts": verdicts})
        assert case.case_no is not None
        return PreReviewResult(case.case_no, case.hall_code, verdicts, change_id)


def record_visits(store: PlatformStore, device: Device, application_id: str, visits: int) -> None:
    """The count a hall's counter sent with a decision; a count never goes down (a late retry of an older
    decision carries an older count)."""
    with store.transaction() as session:
        case = session.scalar(select(Case).where(Case.uuid == application_id, Case.hall_code == device.hall_code))
        if case is None:
            return
        row = session.scalar(select(CaseVisits).where(CaseVisits.case_id == case.id).with_for_update())
        if row is None:
            session.add(CaseVisits(case_id=case.id, visits=visits, device_id=device.id, reported_at=utcnow()))
        elif visits > row.visits:
            row.visits, row.device_id, row.reported_at = visits, device.id, utcnow()


def visits_summary(store: PlatformStore, hall_code: str | None = None) -> dict[str, Any]:
    """Cases whose counter reported visits, by number of visits, and the share done in at most one."""
    with store.transaction() as session:
        query = select(CaseVisits.visits, func.count()).join(Case, Case.id == CaseVisits.case_id)
        if hall_code:
            query = query.where(Case.hall_code == hall_code)
        by_visits = {int(v): int(n) for v, n in session.execute(query.group_by(CaseVisits.visits))}
    total = sum(by_visits.values())
    at_most_one = sum(n for v, n in by_visits.items() if v <= 1)
    return {"hall_code": hall_code, "cases": total, "by_visits": {str(k): by_visits[k] for k in sorted(by_visits)},
            "at_most_one_visit": at_most_one, "one_visit_share": round(at_most_one / total, 4) if total else None}
