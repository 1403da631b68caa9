"""The print jobs a person must look at, and staff's word on them: "it printed" or "print it again".

An "unconfirmed" job went out to the printer, which then said nothing (see
`printing.queue`). Only a person at the paper slot knows whether the receipt
is there, so nothing prints it again by itself: a second copy of a receipt
with a citizen's data is a harm too. A "failed" job can never print as it is
(its document is gone, or its printer address is wrong). Each action is one
transaction with an audit row naming the staff member, and needs the
permission the counter's own reprint button needs.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import audit
from kiosk.errors import Message, UserFacingError
from kiosk.print_jobs import NEEDS_STAFF, SENT_ATTEMPT, STATE_LABELS, PrintKind, PrintState
from kiosk.staff import Permission, actor_of
from kiosk.store.models import Application, PrintJob, Staff, utcnow
from kiosk.terminal import Terminal
from kiosk.usecases.receipts import attempt
from kiosk.usecases.staff import current_staff
from kiosk.usecases.views import PrintResult

#: the counter's reprint button needs the same
PERMISSION = Permission.REVIEW
KIND_LABELS = {
    PrintKind.RECEIPT: Message("回执", "receipt"), PrintKind.FORM: Message("申请表", "application form"),
    PrintKind.ACCEPTANCE: Message("受理通知书", "acceptance notice"),
    PrintKind.SUPPLEMENT: Message("补正通知书", "supplement notice"),
    PrintKind.RECEIPT_COPY: Message("回执副本", "receipt copy"),
    PrintKind.TICKET: Message("排队号票", "queue ticket"),
}


@dataclass(frozen=True)
class PrintJobRow:
    id: int
    kind: PrintKind
    receipt_no: str | None
    printer: str
    state: PrintState
    reason: str | None
    created_at: datetime | None
    reprint: bool

    @property
    def kind_label(self) -> Message:
        return KIND_LABELS[self.kind]

    @property
    def state_label(self) -> Message:
        return STATE_LABELS[self.state]


@dataclass(frozen=True)
class StaffDecision:
    job_id: int
    state: PrintState
    message: Message
    new_job_id: int | None = None
    printed: PrintResult | None = None


def jobs_needing_staff(t: Terminal, staff_id: int) -> list[PrintJobRow]:
    """Unconfirmed and failed jobs, newest first, with the receipt they belong to."""
    with t.store.transaction() as session:
        current_staff(session, staff_id, PERMISSION)
        rows = session.execute(select(PrintJob, Application.receipt_no)
                               .outerjoin(Application, Application.id == PrintJob.application_id)
                               .where(PrintJob.state.in_(NEEDS_STAFF)).order_by(PrintJob.id.desc()).limit(200))
        return [PrintJobRow(job.id, PrintKind(job.kind), receipt_no, job.printer, PrintState(job.state),
                            job.last_error, job.created_at, bool((job.payload or {}).get("reprint")))
                for job, receipt_no in rows]


def _unconfirmed_job(session: Session, job_id: int, also: tuple[PrintState, ...] = ()) -> PrintJob:
    job = session.get(PrintJob, job_id)
    if job is None:
        raise UserFacingError(Message(f"没有编号为 {job_id} 的打印任务。", f"There is no print job {job_id}."),
                              code="no_job")
    if job.state != PrintState.UNCONFIRMED and job.state not in also:
        label = STATE_LABELS[PrintState(job.state)]
        raise UserFacingError(Message(f"打印任务 {job_id} 的状态是“{label.zh}”，不是“待确认”，无需此操作。",
                                      f"Print job {job_id} is {label.en}, not unconfirmed; there is nothing to "
                                      "confirm or reprint."), code="not_unconfirmed")
    return job


def _details(session: Session, job: PrintJob, staff: Staff) -> dict[str, Any]:
    app = session.get(Application, job.application_id) if job.application_id else None
    return {"job_id": job.id, "kind": job.kind, "printer": job.printer,
            "receipt_no": app.receipt_no if app else None, "staff": staff.username}


def confirm_printed(t: Terminal, staff_id: int, job_id: int) -> StaffDecision:
    """Staff saw the paper: the job is printed, on their word (the audit row says whose)."""
    with t.store.transaction() as session:
        staff = current_staff(session, staff_id, PERMISSION)
        job = _unconfirmed_job(session, job_id)
        job.state, job.printed_at, job.last_error, job.next_attempt_at = PrintState.PRINTED, utcnow(), None, None
        job.payload = {**(job.payload or {}), "confirmed_by": actor_of(staff)}
        audit.record(session, actor=actor_of(staff), action="print_confirmed", subject=job.application_id or "",
                     details=_details(session, job, staff))
    return StaffDecision(job_id, PrintState.PRINTED,
                         Message(f"打印任务 {job_id} 已确认打印。", f"Print job {job_id} is confirmed as printed."))


def reprint_job(t: Terminal, staff_id: int, job_id: int, *, print_now: bool = True) -> StaffDecision:
    """Nothing came out, or the applicant asks for a receipt that was not printed in time: a new job for the
    same document, marked as a reprint; the old one is closed as failed."""
    with t.store.transaction() as session:
        staff = current_staff(session, staff_id, PERMISSION)
        job = _unconfirmed_job(session, job_id, also=(PrintState.FAILED,))
        standalone = job.kind == PrintKind.TICKET  # a queue ticket's payload holds all it prints
        if not standalone and (job.application_id is None or session.get(Application, job.application_id) is None):
            raise UserFacingError(Message("这份文书的申请已不在本机，无法补打。",
                                          "The application of this document is no longer on this terminal; it "
                                          "cannot be printed again."), code="no_application")
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
        new_id, actor = new.id, actor_of(staff)
    printed = attempt(t, new_id, actor) if print_now else None
    return StaffDecision(job_id, PrintState.FAILED,
                         Message(f"已为打印任务 {job_id} 补打，新任务编号 {new_id}。",
                                 f"Print job {job_id} is being reprinted as job {new_id}."), new_job_id=new_id,
                         printed=printed)
