"""A clerk's review of an application: each material checked, then a decision.

A decision is local first: the status moves, the audit row is written and an
outbox row of kind ``decision`` carries it to the platform, all in one
transaction, so a counter with no link decides as usual and the platform
hears of it when the link returns.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from kiosk import audit, outbox, visits
from kiosk.errors import Message, UserFacingError
from kiosk.lifecycle import Status, move
from kiosk.staff import Permission, actor_of, require
from kiosk.outbox import OutboxKind
from kiosk.store.models import Application, ApplicationMaterial, Staff, utcnow

REASON_MAX = 300


class MaterialCheck(StrEnum):
    UNCHECKED = "unchecked"
    VALID = "valid"        # present, original checked, content acceptable
    MISSING = "missing"    # not provided, or not legible
    INVALID = "invalid"    # provided but wrong (expired, another person's, ...)


DECISIONS = (Status.ACCEPTED, Status.NEEDS_SUPPLEMENT, Status.REJECTED)


@dataclass(frozen=True)
class Decision:
    id: str
    application_id: str
    to: Status
    note: str
    missing: tuple[str, ...]


def _material(app: Application, code: str) -> ApplicationMaterial:
    for m in app.materials:
        if m.material_code == code:
            return m
    raise UserFacingError(Message(f"该申请没有材料“{code}”。", f"This application has no material '{code}'."),
                          code="no_material")


def _clean_reason(reason: str | None, *, required: bool, what: Message) -> str | None:
    text = (reason or "").strip()
    if required and not text:
        raise UserFacingError(Message(f"请填写{what.zh}。", f"Please give {what.en}."), code="reason_required")
    if len(text) > REASON_MAX:
        raise UserFacingError(Message(f"说明不能超过{REASON_MAX}个字。", f"A reason has at most {REASON_MAX} characters."),
                              code="reason_too_long")
    return text or None


def check_material(session: Session, app: Application, code: str, result: MaterialCheck | str, *, staff: Staff,
                   reason: str | None = None) -> ApplicationMaterial:
    require(staff, Permission.REVIEW)
    result = MaterialCheck(result)
    material = _material(app, code)
    if result is MaterialCheck.VALID and not material.files:
        raise UserFacingError(Message(f"“{material.name_zh}”没有任何文件，不能标为合格。请先扫描原件，或标为缺少。",
                                      f"'{material.name_en}' has no file, so it cannot be marked valid. Scan the "
                                      "original first, or mark it missing."), code="no_file")
    note = _clean_reason(reason, required=result in (MaterialCheck.MISSING, MaterialCheck.INVALID),
                         what=Message("材料不合格的原因", "the reason the material is not acceptable"))
    material.review_state = result.value
    material.review_note = note
    audit.record(session, actor=actor_of(staff), action="material_checked", subject=app.id,
                 details={"material": code, "result": result.value, "reason": note})
    return material


def decide(session: Session, app: Application, to: Status | str, *, staff: Staff, note: str | None = None) -> Decision:
    """Accept, ask for supplements or reject; raises with a plain reason when the review does not allow it."""
    require(staff, Permission.DECIDE)
    target = Status(to)
    if target not in DECISIONS:
        raise UserFacingError(Message("只能受理、要求补正或不予受理。", "The decision must be accept, supplement or reject."),
                              code="bad_decision")
    lacking = [m for m in app.materials if m.review_state in (MaterialCheck.MISSING, MaterialCheck.INVALID)]
    unchecked = [m for m in app.materials if m.required and m.review_state == MaterialCheck.UNCHECKED]
    no_file = [m for m in app.materials if m.review_state == MaterialCheck.VALID and not m.files]
    if target is Status.ACCEPTED and (lacking or unchecked or no_file):
        names = "、".join(m.name_zh for m in lacking + unchecked + no_file)
        names_en = ", ".join(m.name_en for m in lacking + unchecked + no_file)
        raise UserFacingError(Message(f"以下材料尚未核验通过，不能受理：{names}",
                                      f"These materials have not passed the check, so it cannot be accepted: {names_en}"),
                              code="materials_not_valid")
    if target is Status.NEEDS_SUPPLEMENT and not lacking:
        raise UserFacingError(Message("请先标出缺少或不合格的材料。", "First mark which materials are missing or not acceptable."),
                              code="nothing_missing")
    text = _clean_reason(note, required=target is Status.REJECTED,
                         what=Message("不予受理的理由", "the reason for the rejection")) or ""
    missing = tuple(m.material_code for m in lacking) if target is Status.NEEDS_SUPPLEMENT else ()
    decision = Decision(id=str(uuid.uuid4()), application_id=app.id, to=target, note=text, missing=missing)
    if Status(app.status) is Status.NEEDS_SUPPLEMENT:  # the citizen came back with the supplement: another trip
        visits.record(session, app, visits.VisitKind.SUPPLEMENT, actor_of(staff))
    move(session, app, target, actor=actor_of(staff), note=text or None,
         details={"decision_id": decision.id, "missing": list(missing)})
    # the payload is the wire body as the platform takes it (sync.wire.DecisionRequest); the platform knows staff
    # by user name (its staff accounts, synced to this counter), not by this terminal's row id
    outbox.enqueue(session, OutboxKind.DECISION, app.id, {
        "decision_id": decision.id, "application_id": app.id, "to": target.value, "note": text,
        "missing": list(missing), "decided_by": staff.username, "decided_at": utcnow().isoformat(),
        "visits": visits.count(session, app.id),  # the province counts trips per case too (one visit)
    })
    return decision
