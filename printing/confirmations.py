"""Staff's word on a job the printer never confirmed: "it printed" or "print it again".

An "unconfirmed" job went out to the printer, which then said nothing (see
`printing.queue`). Only a person at the paper slot knows whether the receipt
is there, so nothing prints it again by itself: a second copy of a receipt
with a citizen's data is a harm too. Each action is one transaction with an
audit row naming the staff member, and needs the permission that the
counter's own reprint button needs (`Permission.REVIEW`), checked in the same
transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from kiosk import audit
from kiosk.errors import Message, UserFacingError
from kiosk.print_jobs import STATE_LABELS, PrintState
from kiosk.staff import Permission, actor_of, require
from kiosk.store.models import Application, PrintJob, Staff, utcnow
from printing.queue import SENT_ATTEMPT

#: the counter's reprint button needs the same
PERMISSION = Permission.REVIEW


@dataclass(frozen=True)
class StaffDecision:
    job_id: int
    state: PrintState
    message: Message
    new_job_id: int | None = None


def _staff(session: Session, staff_id: int) -> Staff:
    staff = session.get(Staff, staff_id)
    if staff is None:
        raise UserFacingError(Message("找不到该工作人员账号。", "There is no such staff account."), code="no_staff")
    require(staff, PERMISSION)
    return staff


def _unconfirmed_job(session: Session, job_id: int) -> PrintJob:
    job = session.get(PrintJob, job_id)
    if job is None:
        raise UserFacingError(Message(f"没有编号为 {job_id} 的打印任务。", f"There is no print job {job_id}."),
                              code="no_job")
    if job.state != PrintState.UNCONFIRMED:
        label = STATE_LABELS[PrintState(job.state)]
        raise UserFacingError(Message(f"打印任务 {job_id} 的状态是“{label.zh}”，不是“待确认”，无需此操作。",
                                      f"Print job {job_id} is {label.en}, not unconfirmed; there is nothing to "
                                      "confirm or reprint."), code="not_unconfirmed")
    return job


def _details(session: Session, job: PrintJob, staff: Staff) -> dict[str, Any]:
    app = session.get(Application, job.application_id) if job.application_id else None
    return {"job_id": job.id, "kind": job.kind, "printer": job.printer,
            "receipt_no": app.receipt_no if app else None, "staff": staff.username}


def confirm_printed(terminal: Any, job_id: int, *, staff_id: int) -> StaffDecision:
    """Staff saw the paper: the job is printed, on their word (the audit row says whose)."""
    with terminal.store.transaction() as session:
        staff = _staff(session, staff_id)
        job = _unconfirmed_job(session, job_id)
        job.state, job.printed_at, job.last_error, job.next_attempt_at = PrintState.PRINTED, utcnow(), None, None
        job.payload = {**(job.payload or {}), "confirmed_by": actor_of(staff)}
        audit.record(session, actor=actor_of(staff), action="print_confirmed", subject=job.application_id or "",
                     details=_details(session, job, staff))
    return StaffDecision(job_id, PrintState.PRINTED,
                         Message(f"打印任务 {job_id} 已确认打印。", f"Print job {job_id} is confirmed as printed."))


def reprint(terminal: Any, job_id: int, *, staff_id: int) -> StaffDecision:
    """Nothing came out: a new job for the same document, marked as a reprint; the old one is closed as failed."""
    with terminal.store.transaction() as session:
        staff = _staff(session, staff_id)
        job = _unconfirmed_job(session, job_id)
        payload = {k: v for k, v in (job.payload or {}).items() if k not in (SENT_ATTEMPT, "confirmed_by")}
        payload.update({"reprint": True, "reprint_of": job.id, "requested_by": actor_of(staff)})
        new = PrintJob(kind=job.kind, application_id=job.application_id, printer=job.printer,
                       state=PrintState.PENDING.value, attempts=0, payload=payload)
        session.add(new)
        session.flush()
        job.state, job.next_attempt_at = PrintState.FAILED, None
        job.last_error = Message(f"已补打为任务 {new.id}", f"reprinted as job {new.id}").both()
        audit.record(session, actor=actor_of(staff), action="print_reprinted", subject=job.application_id or "",
                     details={**_details(session, job, staff), "new_job_id": new.id})
        new_id = new.id
    return StaffDecision(job_id, PrintState.FAILED,
                         Message(f"已为打印任务 {job_id} 补打，新任务编号 {new_id}。",
                                 f"Print job {job_id} is being reprinted as job {new_id}."), new_job_id=new_id)
