"""An application's life, as the hall and the platform see it.

Only the moves listed in `TRANSITIONS` exist; anything else is a bug or a
race and raises, so a case can never be approved twice or revived after it
was withdrawn.
"""
from __future__ import annotations

from enum import StrEnum

from sqlalchemy.orm import Session

from kiosk import audit
from kiosk.errors import Message, UserFacingError
from kiosk.store.models import Application, utcnow


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RECEIVED = "received"
    ACCEPTED = "accepted"
    NEEDS_SUPPLEMENT = "needs_supplement"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.DRAFT: frozenset({Status.SUBMITTED, Status.WITHDRAWN}),
    Status.SUBMITTED: frozenset({Status.RECEIVED, Status.ACCEPTED, Status.NEEDS_SUPPLEMENT, Status.REJECTED,
                                 Status.WITHDRAWN}),
    Status.RECEIVED: frozenset({Status.ACCEPTED, Status.NEEDS_SUPPLEMENT, Status.REJECTED, Status.WITHDRAWN}),
    Status.NEEDS_SUPPLEMENT: frozenset({Status.RECEIVED, Status.ACCEPTED, Status.REJECTED, Status.WITHDRAWN}),
    Status.ACCEPTED: frozenset({Status.APPROVED, Status.REJECTED, Status.NEEDS_SUPPLEMENT}),
    Status.APPROVED: frozenset(),
    Status.REJECTED: frozenset(),
    Status.WITHDRAWN: frozenset(),
}

TERMINAL = frozenset(s for s, nxt in TRANSITIONS.items() if not nxt)

LABELS: dict[Status, Message] = {
    Status.DRAFT: Message("草稿", "Draft"),
    Status.SUBMITTED: Message("已提交", "Submitted"),
    Status.RECEIVED: Message("平台已接收", "Received by the platform"),
    Status.ACCEPTED: Message("已受理", "Accepted"),
    Status.NEEDS_SUPPLEMENT: Message("需补正材料", "Supplementary materials needed"),
    Status.APPROVED: Message("已办结（准予）", "Completed (approved)"),
    Status.REJECTED: Message("不予受理/不予许可", "Rejected"),
    Status.WITHDRAWN: Message("已撤回", "Withdrawn"),
}


class IllegalTransition(UserFacingError):
    def __init__(self, current: Status, target: Status) -> None:
        super().__init__(
            Message(f"申请当前状态为“{LABELS[current].zh}”，不能变更为“{LABELS[target].zh}”。",
                    f"An application that is '{LABELS[current].en}' cannot become '{LABELS[target].en}'."),
            code="illegal_transition",
        )
        self.current = current
        self.target = target


def can_move(current: Status | str, target: Status | str) -> bool:
    return Status(target) in TRANSITIONS[Status(current)]


def move(session: Session, application: Application, target: Status | str, *, actor: str,
         note: str | None = None, details: dict[str, object] | None = None) -> None:
    """Change the status and write the audit row, inside the caller's transaction."""
    current, target = Status(application.status), Status(target)
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(current, target)
    application.status = target.value
    application.status_note = note
    application.updated_at = utcnow()
    if target in TERMINAL:
        application.completed_at = application.updated_at
    audit.record(session, actor=actor, action=f"status:{target.value}", subject=application.id,
                 details={"from": current.value, "to": target.value, "note": note, **(details or {})})
