"""The print queue: jobs are rows in the store, so a printer that is out of paper loses nothing.

Submitting never waits for a printer: `enqueue_receipt` only adds a row and
can run inside the submission's own transaction. The worker (`process_pending`)
claims a job, builds its bytes from the store, sends them outside any
transaction, then records the outcome and an audit row. A job whose printer
is unreachable or not ready stays `pending` and is tried again with backoff;
a job that can never print (the application is gone) becomes `failed`.
A job left `printing` by a crash is taken up again after `RECLAIM_AFTER`
(a receipt printed twice is harmless; one never printed is not).
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import audit
from kiosk.print_jobs import (  # noqa: F401 - enqueueing is the domain's; re-exported for printing's callers
    DOCUMENT_KINDS,
    PrintKind,
    PrintOutcome,
    PrintState,
    enqueue_document,
    enqueue_receipt,
)
from kiosk.retry import PRINT_JOBS
from kiosk.store.models import Application, PrintJob, utcnow
from printing.errors import PrintingError

log = logging.getLogger("onewindow.printing")

RECLAIM_AFTER = timedelta(minutes=5)
# the one place that names them is kiosk.print_jobs; kept here for the printing layer's callers
PENDING, PRINTING, PRINTED, UNCONFIRMED, FAILED = (PrintState.PENDING, PrintState.PRINTING, PrintState.PRINTED,
                                                   PrintState.UNCONFIRMED, PrintState.FAILED)
RECEIPT = PrintKind.RECEIPT
KINDS = tuple(PrintKind)


def _due(job: PrintJob, now: datetime, force: bool) -> bool:
    if job.state == PENDING:
        return force or job.next_attempt_at is None or job.next_attempt_at <= now
    if job.state == PRINTING:
        return job.last_attempt_at is None or now - job.last_attempt_at >= RECLAIM_AFTER
    return False


def run_job(terminal: Any, job_id: int, *, actor: str = "print-worker", force: bool = True,
            now: datetime | None = None, timeout: float = 5.0) -> PrintOutcome | None:
    """Try one job now; None if it is not due (printed, failed, or taken by another worker)."""
    from printing.render import render_job, send_job

    now = now or utcnow()
    catalog = terminal.catalog
    with terminal.store.transaction() as session:
        job = session.get(PrintJob, job_id)
        if job is None or not _due(job, now, force):
            return None
        app = session.get(Application, job.application_id) if job.application_id else None
        receipt_no = app.receipt_no if app else None
        job.state, job.attempts, job.last_attempt_at = PRINTING, job.attempts + 1, now
        kind, printer, payload, attempt = job.kind, job.printer, dict(job.payload or {}), job.attempts
        previous_error = job.last_error
        try:
            data = render_job(session, terminal.settings, catalog, job)
            render_error: PrintingError | None = None
        except PrintingError as exc:
            data, render_error = b"", exc
    error = render_error
    if error is None:
        try:
            send_job(kind, printer, data, payload, timeout=timeout)
        except PrintingError as exc:
            error = exc
    return _record(terminal, job_id, kind, printer, receipt_no, attempt, error, previous_error, actor, len(data))


def _record(terminal: Any, job_id: int, kind: str, printer: str, receipt_no: str | None, attempt: int,
            error: PrintingError | None, previous_error: str | None, actor: str, size: int) -> PrintOutcome:
    done = utcnow()
    with terminal.store.transaction() as session:
        job = session.get(PrintJob, job_id)
        assert job is not None
        details: dict[str, Any] = {"job_id": job_id, "kind": kind, "printer": printer, "receipt_no": receipt_no,
                                   "attempt": attempt}
        if error is None:
            job.state, job.printed_at, job.last_error, job.next_attempt_at = PRINTED, done, None, None
            details["bytes"] = size
            audit.record(session, actor=actor, action="printed", subject=job.application_id or "", details=details)
            log.info("print job %s (%s) printed on %s", job_id, kind, printer)
            return PrintOutcome(job_id, kind, job.application_id, receipt_no, PRINTED, details=details)
        job.state = PENDING if error.keeps_job_pending else FAILED
        job.last_error = error.message.both()
        job.next_attempt_at = PRINT_JOBS.next_attempt_at(job.attempts, done) if job.state == PENDING else None
        details.update({"error": error.code, "resultcode": error.resultcode, "message": error.message.both(),
                        "state": job.state})
        if job.last_error != previous_error:  # one audit row per new problem, not one per retry
            audit.record(session, actor=actor, action="print_failed", subject=job.application_id or "",
                         details=details)
        log.warning("print job %s (%s) on %s: %s", job_id, kind, printer, error.message.en)
        return PrintOutcome(job_id, kind, job.application_id, receipt_no, PrintState(job.state), error.message, error.code, details)


def process_pending(terminal: Any, *, actor: str = "print-worker", force: bool = False,
                    now: datetime | None = None, timeout: float = 5.0) -> list[PrintOutcome]:
    """Send every due job once, oldest first; one broken printer does not hold up jobs for another."""
    now = now or utcnow()
    with terminal.store.transaction() as session:
        ids = list(session.scalars(select(PrintJob.id).where(PrintJob.state.in_([PENDING, PRINTING]))
                                   .order_by(PrintJob.id)))
    outcomes: list[PrintOutcome] = []
    unreachable: set[str] = set()
    for job_id in ids:
        with terminal.store.transaction() as session:
            job = session.get(PrintJob, job_id)
            printer = job.printer if job else ""
        if printer in unreachable:  # don't wait out a timeout per job on a printer that is down
            continue
        outcome = run_job(terminal, job_id, actor=actor, force=force, now=now, timeout=timeout)
        if outcome is not None:
            outcomes.append(outcome)
            if outcome.state == PENDING:
                unreachable.add(printer)
    return outcomes


def describe_job(job: PrintJob, receipt_no: str | None) -> dict[str, Any]:
    return {"id": job.id, "kind": job.kind, "application_id": job.application_id, "receipt_no": receipt_no,
            "printer": job.printer, "state": job.state, "attempts": job.attempts, "last_error": job.last_error,
            "created_at": job.created_at.isoformat() if job.created_at else None,
            "last_attempt_at": job.last_attempt_at.isoformat() if job.last_attempt_at else None,
            "next_attempt_at": job.next_attempt_at.isoformat() if job.next_attempt_at else None,
            "printed_at": job.printed_at.isoformat() if job.printed_at else None,
            "reprint": bool((job.payload or {}).get("reprint"))}


def list_jobs(session: Session, states: list[str] | None = None) -> list[dict[str, Any]]:
    query = (select(PrintJob, Application.receipt_no)
             .outerjoin(Application, Application.id == PrintJob.application_id).order_by(PrintJob.id))
    if states:
        query = query.where(PrintJob.state.in_(states))
    return [describe_job(job, receipt_no) for job, receipt_no in session.execute(query)]
