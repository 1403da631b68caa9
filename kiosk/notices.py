"""What a notice may say: the rules a printed notice must not contradict.

An acceptance notice tells the citizen "申请材料齐全，予以受理"; printed for a
case that was never accepted (or whose materials are marked missing) it is a
false official statement, so every way of printing one (the counter's
decision, a reprint, `onewindow print acceptance`, a PDF) asks here first.
A supplement notice gives a deadline in working days from the day the
supplement was asked for.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from kiosk import glossary
from kiosk.errors import Message, UserFacingError
from kiosk.lifecycle import LABELS, Status
from kiosk.store.models import Application
from kiosk.workdays import WorkCalendar, default_calendar

#: the statuses in which the case has been accepted (approval comes after acceptance)
ACCEPTED_STATUSES = frozenset({Status.ACCEPTED, Status.APPROVED})
#: material review states that mean "not handed in" or "not acceptable" (kiosk.review.MaterialCheck)
LACKING_STATES = frozenset({"missing", "invalid"})


class NoticeNotAllowed(UserFacingError):
    """The case is not in a state the notice would describe."""


def _status_label(app: Application) -> Message:
    try:
        return LABELS[Status(app.status)]
    except ValueError:
        return Message("未知", "unknown")


def require_acceptance_allowed(app: Application) -> None:
    """Raise `NoticeNotAllowed` unless the case was accepted with every material passed."""
    number = app.receipt_no or app.id
    if Status(app.status) not in ACCEPTED_STATUSES:
        label = _status_label(app)
        raise NoticeNotAllowed(Message(
            f"{glossary.RECEIPT_NO.zh}为 {number} 的申请当前状态为“{label.zh}”，尚未{glossary.ACCEPT.zh}，"
            "不能出具受理通知书。请先在窗口审核材料并作出受理决定。",
            f"Application {number} is '{label.en}' and has not been accepted, so no acceptance notice can be "
            "printed. Review its materials and accept it at a counter first."), code="not_accepted")
    lacking = [m for m in app.materials if m.review_state in LACKING_STATES]
    if lacking:
        raise NoticeNotAllowed(Message(
            f"{glossary.RECEIPT_NO.zh}为 {number} 的申请有材料标为缺少或不合格（"
            + "、".join(m.name_zh for m in lacking) + "），不能出具受理通知书。",
            f"Application {number} has materials marked missing or not acceptable ("
            + ", ".join(m.name_en for m in lacking) + "), so no acceptance notice can be printed."),
            code="not_accepted")


def require_notice_allowed(app: Application, kind: str) -> None:
    """The check every printing path makes before a notice is queued or rendered."""
    if kind == "acceptance":
        require_acceptance_allowed(app)


def supplement_asked_on(app: Application, today: date | None = None) -> date:
    """The day the supplement was asked for (the status change), so a reprint keeps the same deadline."""
    if Status(app.status) is Status.NEEDS_SUPPLEMENT and app.updated_at is not None:
        moment = app.updated_at if app.updated_at.tzinfo else app.updated_at.replace(tzinfo=timezone.utc)
        return moment.astimezone().date()
    return today or datetime.now().date()


def supplement_deadline(app: Application, days: int, *, today: date | None = None,
                        calendar: WorkCalendar | None = None) -> date:
    """The last day to hand in the supplement: `days` working days after it was asked for."""
    return (calendar or default_calendar()).add_working_days(supplement_asked_on(app, today), days)
