"""The print queue: jobs are rows in the store, so a printer that is out of paper loses nothing.

Submitting never waits for a printer: `enqueue_receipt` only adds a row and
can run inside the submission's own transaction. `run_job` claims a job
(state `printing`, in a `BEGIN IMMEDIATE` transaction, so two threads or two
processes never both claim it) and reads what it prints from the store in
that transaction; lays an A4 document out once it is committed (a window
process does that in its worker process, `kiosk.processes`), sends the bytes
outside any transaction, then records the outcome and an audit row:

- printed: with what "printed" rests on (`printing.render.Delivery`): the
  printer's own "ready" after the job, or only "the bytes were handed over";
- pending: the printer is unreachable or not ready, or stopped part way
  (paper out mid-job: then the retry prints it whole, marked "补打"); tried
  again with backoff (`kiosk.retry.PRINT_JOBS`) by `printing.worker`;
- unconfirmed: the bytes went out and the printer never said how it went;
  staff look at the tray and confirm or reprint (`printing.confirmations`),
  nothing here prints it again by itself;
- failed: it can never print (bad printer address, application purged).

Just before the first byte of a job goes out its row is marked as sending.
A claim left behind by a crash is taken up again after `RECLAIM_AFTER`: as
a normal retry if no byte had gone out, otherwise as "unconfirmed", because
a second copy of a receipt with a citizen's data is a harm too.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import CancelledError
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kiosk import audit, device_states
from kiosk.errors import Message
from kiosk.print_jobs import (  # noqa: F401 - enqueueing is the domain's; re-exported for printing's callers
    DOCUMENT_KINDS,
    OWED,
    PrintKind,
    PrintOutcome,
    SENT_ATTEMPT,
    PrintState,
    enqueue_document,
    enqueue_receipt,
)
from kiosk.processes import Offload, call_here
from kiosk.retry import PRINT_JOBS, RetryPolicy
from kiosk.store.models import Application, PrintJob, utcnow
from kiosk.terminal import Terminal
from printing.errors import PrintCancelled, PrintDefect, PrintingError

if TYPE_CHECKING:
    from printing.render import Delivery

log = logging.getLogger("onewindow.printing")

RECLAIM_AFTER = timedelta(minutes=5)
#: how long a job waits for its document's layout in the worker process (behind a kiosk's image work, at worst)
RENDER_TIMEOUT = 120.0
# the one place that names them is kiosk.print_jobs; kept here for the printing layer's callers
PENDING, PRINTING, PRINTED, UNCONFIRMED, FAILED = (PrintState.PENDING, PrintState.PRINTING, PrintState.PRINTED,
                                                   PrintState.UNCONFIRMED, PrintState.FAILED)
RECEIPT = PrintKind.RECEIPT
KINDS = tuple(PrintKind)
#: payload key: the attempt whose bytes started going out
INTERRUPTED_UNKNOWN = Message("打印过程中程序停止（崩溃或断电），无法确认是否已打印。请工作人员查看出纸口后确认或补打。",
                              "The terminal stopped while this job was being sent (a crash or power cut), so nobody "
                              "knows whether it printed. Staff should check the paper slot, then confirm or reprint it.")

#: how a caller runs one job: (job id, printer, force) -> outcome, None when it was not due
Attempt = Callable[[int, str, bool], PrintOutcome | None]


class SendGuard:
    """Lets a closing worker call an attempt off until the job's first byte goes out, and never after.

    `PrintWorker.stop()` must return within its timeout even while an attempt
    waits out a printer's connect or status timeout; handing the job back to
    the queue is safe only while nothing has been sent. `begin_sending` and
    `call_off` decide that under one lock, so exactly one of them wins.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._called_off = False
        self._sending = False
        self._claim: tuple[int, int] | None = None

    def claimed(self, job_id: int, attempt: int) -> bool:
        with self._lock:
            if self._called_off:
                return False
            self._claim = (job_id, attempt)
            return True

    def begin_sending(self) -> bool:
        with self._lock:
            if self._called_off:
                return False
            self._sending = True
            return True

    def call_off(self) -> tuple[int, int] | None:
        """Stop the attempt; returns the claim (job id, attempt) to hand back if no byte went out yet."""
        with self._lock:
            self._called_off = True
            return None if self._sending else self._claim


@dataclass(frozen=True)
class _Claim:
    job_id: int
    attempt: int
    kind: str
    printer: str
    application_id: str | None
    receipt_no: str | None
    previous_error: str | None


def _due(job: PrintJob, now: datetime, force: bool) -> bool:
    if job.state == PENDING:
        return force or job.next_attempt_at is None or job.next_attempt_at <= now
    if job.state == PRINTING:
        return job.last_attempt_at is None or now - job.last_attempt_at >= RECLAIM_AFTER
    return False


def _bytes_went_out(job: PrintJob) -> bool:
    return (job.payload or {}).get(SENT_ATTEMPT) == job.attempts


def run_job(terminal: Terminal, job_id: int, *, actor: str = "print-worker", force: bool = True,
            now: datetime | None = None, timeout: float = 5.0, retry: RetryPolicy = PRINT_JOBS,
            guard: SendGuard | None = None, offload: Offload = call_here) -> PrintOutcome | None:
    """Try one job now; None if it is not due (printed, unconfirmed, failed, or being sent by someone else).

    `offload` runs an A4 document's layout: `kiosk.processes.call_in_process` in a window process, whose GUI
    thread would otherwise wait for Python's lock while reportlab works (`Printers.offload`)."""
    from printing.render import prepare_job, render_document, send_job

    now = now or utcnow()
    with terminal.store.transaction() as session:
        job = session.get(PrintJob, job_id)
        if job is None or not _due(job, now, force):
            return None
        app = session.get(Application, job.application_id) if job.application_id else None
        receipt_no = app.receipt_no if app else None
        if job.state == PRINTING and _bytes_went_out(job):
            return _left_unconfirmed(session, job, receipt_no, actor)
        attempt = job.attempts + 1
        if guard is not None and not guard.claimed(job_id, attempt):
            return None
        job.state, job.attempts, job.last_attempt_at = PRINTING, attempt, utcnow()
        claim = _Claim(job_id, attempt, job.kind, job.printer, job.application_id, receipt_no, job.last_error)
        payload = dict(job.payload or {})
        try:
            prepared = prepare_job(session, terminal.settings, terminal.catalog, job)
            render_error: PrintingError | None = None
        except PrintingError as exc:
            prepared, render_error = b"", exc
        except Exception as exc:  # noqa: BLE001 - a defect: the same bytes would fail again, so the job fails
            log.exception("building print job %s failed", job_id)
            prepared, render_error = b"", PrintDefect(exc, keeps_job_pending=False)
    # the claim is in the store: a document is laid out with no transaction open (the claim's write lock
    # was held through a notice's whole layout, and other writers waited)
    data = prepared if isinstance(prepared, bytes) else b""
    if render_error is None and not isinstance(prepared, bytes):
        try:
            data = offload(render_document, prepared, terminal.settings, timeout=RENDER_TIMEOUT)
        except PrintingError as exc:
            render_error = exc
        except (BrokenProcessPool, CancelledError, TimeoutError) as exc:  # the worker process, not the document
            log.warning("laying out print job %s in the worker process failed: %r; kept for a retry", job_id, exc)
            render_error = PrintDefect(exc, keeps_job_pending=True)
        except Exception as exc:  # noqa: BLE001 - a defect in the layout: the same document would fail again
            log.error("building print job %s failed", job_id, exc_info=exc)  # with the worker's traceback
            render_error = PrintDefect(exc, keeps_job_pending=False)
    if render_error is not None:
        return _record(terminal, claim, render_error, None, actor, 0, retry)

    def begin_sending() -> bool:
        if guard is not None and not guard.begin_sending():
            return False
        return _mark_sending(terminal, claim)

    error: PrintingError | None = None
    delivery: Delivery | None = None
    try:
        delivery = send_job(claim.kind, claim.printer, data, payload, timeout=timeout, before_write=begin_sending)
    except PrintingError as exc:
        error = exc
    except Exception as exc:  # noqa: BLE001 - a defect in a driver must not leave the job claimed forever
        log.exception("sending print job %s failed", job_id)
        error = PrintDefect(exc, keeps_job_pending=True)
    return _record(terminal, claim, error, delivery, actor, len(data), retry)


def _mark_sending(terminal: Terminal, claim: _Claim) -> bool:
    """Written before the first byte, so a crash afterwards is known to have maybe printed."""
    with terminal.store.transaction() as session:
        job = session.get(PrintJob, claim.job_id)
        if job is None or job.state != PRINTING or job.attempts != claim.attempt:
            return False  # handed back or reclaimed meanwhile: not ours to send any more
        job.payload = {**(job.payload or {}), SENT_ATTEMPT: claim.attempt}
    return True


def _left_unconfirmed(session: Session, job: PrintJob, receipt_no: str | None, actor: str) -> PrintOutcome:
    job.state, job.last_error, job.next_attempt_at = UNCONFIRMED, INTERRUPTED_UNKNOWN.both(), None
    details: dict[str, Any] = {"job_id": job.id, "kind": job.kind, "printer": job.printer, "receipt_no": receipt_no,
                               "attempt": job.attempts, "error": "interrupted", "message": job.last_error,
                               "state": job.state}
    audit.record(session, actor=actor, action="print_unconfirmed", subject=job.application_id or "", details=details)
    log.warning("print job %s was being sent when the terminal stopped; left unconfirmed for staff", job.id)
    return PrintOutcome(job.id, job.kind, job.application_id, receipt_no, UNCONFIRMED, INTERRUPTED_UNKNOWN,
                        "interrupted", details)


def _record(terminal: Terminal, claim: _Claim, error: PrintingError | None, delivery: Delivery | None, actor: str, size: int,
            retry: RetryPolicy) -> PrintOutcome:
    done = utcnow()
    job_id, kind, printer, receipt_no = claim.job_id, claim.kind, claim.printer, claim.receipt_no
    with terminal.store.transaction() as session:
        job = session.get(PrintJob, job_id)
        details: dict[str, Any] = {"job_id": job_id, "kind": kind, "printer": printer, "receipt_no": receipt_no,
                                   "attempt": claim.attempt}
        if not isinstance(error, PrintCancelled):  # what the printer said, for the heartbeat (kiosk.device_states)
            device_states.note_printer(session, printer, error_code=error.code if error else None,
                                       reasons=tuple(getattr(error, "reasons", ())), at=done)
        if job is None or job.state != PRINTING or job.attempts != claim.attempt:
            # a closing worker handed it back, or another process reclaimed it: not ours to record
            state = PrintState(job.state) if job is not None else FAILED
            log.info("print job %s attempt %s ended after the job was handed back (%s)", job_id, claim.attempt,
                     state)
            return PrintOutcome(job_id, kind, claim.application_id, receipt_no, state,
                                error.message if error else None, error.code if error else None, details)
        if error is None:
            job.state, job.printed_at, job.last_error, job.next_attempt_at = PRINTED, done, None, None
            details.update({"bytes": size, "delivery": str(delivery),
                            "confirmed_by_printer": str(delivery) == "confirmed_by_printer"})
            audit.record(session, actor=actor, action="printed", subject=job.application_id or "", details=details)
            log.info("print job %s (%s) printed on %s (%s)", job_id, kind, printer, delivery)
            return PrintOutcome(job_id, kind, job.application_id, receipt_no, PRINTED, details=details)
        details.update({"error": error.code, "resultcode": error.resultcode, "message": error.message.both()})
        if isinstance(error, PrintCancelled):  # the terminal is closing; nothing was sent, nothing to audit
            job.state, job.next_attempt_at = PENDING, None
            details["state"] = job.state
            return PrintOutcome(job_id, kind, job.application_id, receipt_no, PENDING, error.message, error.code,
                                details)
        if error.leaves_job_unconfirmed:
            job.state, action = UNCONFIRMED, "print_unconfirmed"
        elif error.keeps_job_pending:
            job.state, action = PENDING, "print_interrupted" if error.reprint_on_retry else "print_failed"
        else:
            job.state, action = FAILED, "print_failed"
        if error.reprint_on_retry:  # part of it is in the tray: the next copy says "补打"
            job.payload = {**(job.payload or {}), "reprint": True}
            details["reasons"] = list(getattr(error, "reasons", ()))
        job.last_error = error.message.both()
        job.next_attempt_at = retry.next_attempt_at(job.attempts, done) if job.state == PENDING else None
        details["state"] = job.state
        # one audit row per new problem, not one per retry; an interruption or a silent printer always gets one
        if action != "print_failed" or job.last_error != claim.previous_error:
            audit.record(session, actor=actor, action=action, subject=job.application_id or "", details=details)
        log.warning("print job %s (%s) on %s: %s", job_id, kind, printer, error.message.en)
        return PrintOutcome(job_id, kind, job.application_id, receipt_no, PrintState(job.state), error.message,
                            error.code, details)


def release_claim(terminal: Terminal, job_id: int, attempt: int) -> bool:
    """Hand a claimed job back to the queue (due at once) when no byte of it was sent; see `SendGuard`."""
    with terminal.store.transaction() as session:
        result = session.execute(update(PrintJob)
                                 .where(PrintJob.id == job_id, PrintJob.state == PRINTING,
                                        PrintJob.attempts == attempt)
                                 .values(state=PENDING.value, next_attempt_at=None))
        released = bool(result.rowcount)  # type: ignore[attr-defined]
    if released:
        log.info("print job %s handed back to the queue before a byte was sent", job_id)
    return released


def process_pending(terminal: Terminal, *, actor: str = "print-worker", force: bool = False,
                    now: datetime | None = None, timeout: float = 5.0, retry: RetryPolicy = PRINT_JOBS,
                    attempt: Attempt | None = None,
                    should_stop: Callable[[], bool] | None = None) -> list[PrintOutcome]:
    """Send every due job once, oldest first; one broken printer does not hold up jobs for another.

    Jobs behind a printer that failed in this pass are not tried (each would
    wait out its own timeout); they wait as long as the failed one does. A
    printer that printed is back: jobs still in backoff for it become due at
    once (`printer_is_back`; the worker's next pass follows right away).
    `attempt` replaces the plain `run_job` call (the worker takes turns with
    `print_now` on each printer and can call an attempt off).
    """
    now = now or utcnow()
    expire_unattended_receipts(terminal, now)
    with terminal.store.transaction() as session:
        rows = session.execute(select(PrintJob.id, PrintJob.printer, PrintJob.state, PrintJob.next_attempt_at)
                               .where(PrintJob.state.in_(OWED)).order_by(PrintJob.id)).all()
    outcomes: list[PrintOutcome] = []
    down: dict[str, list[int]] = {}  # printer -> the failed job, then the jobs skipped behind it
    back: set[str] = set()
    for job_id, printer, state, next_at in rows:
        if should_stop is not None and should_stop():
            break
        if printer in down:  # don't wait out a timeout per job on a printer that is down
            down[printer].append(job_id)
            continue
        if state == PENDING and not force and next_at is not None and next_at > now:
            continue
        if attempt is not None:
            outcome = attempt(job_id, printer, force)
        else:
            outcome = run_job(terminal, job_id, actor=actor, force=force, now=now, timeout=timeout, retry=retry)
        if outcome is not None:
            outcomes.append(outcome)
            if outcome.state == PENDING:
                down[printer] = [job_id]
            elif outcome.state == PRINTED:
                back.add(printer)
    _wait_behind(terminal, down)
    for printer in back - set(down):
        printer_is_back(terminal, printer)
    return outcomes


EXPIRED = Message("回执未能在申请人离开前打印，已不再自动打印（以免无人领取）；如申请人需要，请在窗口补打。",
                  "The receipt did not print while the applicant was there, so it no longer prints by itself "
                  "(nobody would collect it); reprint it at a counter if the applicant asks.")


TICKET_EXPIRED = Message("号票未能在取号人离开前打印，已不再打印（号码已登记，取号人已在屏幕上看到号码）。",
                         "The queue ticket did not print while the citizen was at the kiosk, so it no longer prints "
                         "(the number is issued, and the citizen was shown it on the screen).")
#: a queue ticket that has not printed by then is not printed at all: a stack of old tickets coming out when
#: the paper is refilled would hand strangers numbers that are not theirs
TICKET_PRINT_WINDOW_MINUTES = 3


def expire_unattended_receipts(terminal: Terminal, now: datetime) -> int:
    """Receipts and queue tickets that waited for the printer longer than the citizen waits at the kiosk:
    failed, for staff.

    The citizen was shown the number and the QR code and told a counter can
    print it; a receipt coming out of an unattended kiosk hours later would
    leave a stranger's name and ID in the tray, and a late ticket a number
    nobody holds.
    """
    windows = [(PrintKind.TICKET, TICKET_PRINT_WINDOW_MINUTES, TICKET_EXPIRED)]
    minutes = int(getattr(terminal.settings, "receipt_print_window_minutes", 0) or 0)
    if minutes > 0:
        windows.append((PrintKind.RECEIPT, minutes, EXPIRED))
    expired = 0
    with terminal.store.transaction() as session:
        for kind, window, why in windows:
            cutoff = now - timedelta(minutes=window)
            stale = list(session.scalars(select(PrintJob).where(
                PrintJob.kind == kind.value, PrintJob.state == PENDING.value, PrintJob.created_at < cutoff)))
            for job in stale:
                job.state, job.next_attempt_at, job.last_error = FAILED.value, None, why.both()
                audit.record(session, actor="print-worker", action="print_expired", subject=job.application_id or "",
                             details={"job_id": job.id, "kind": job.kind, "printer": job.printer,
                                      "window_minutes": window})
            expired += len(stale)
    return expired


def printer_is_back(terminal: Terminal, printer: str) -> int:
    """A job just printed on `printer`: what waits for it in backoff is due now, not minutes from now."""
    with terminal.store.transaction() as session:
        result = session.execute(update(PrintJob)
                                 .where(PrintJob.printer == printer, PrintJob.state == PENDING,
                                        PrintJob.next_attempt_at.is_not(None))
                                 .values(next_attempt_at=None))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _wait_behind(terminal: Terminal, down: dict[str, list[int]]) -> None:
    """Jobs skipped behind a failed one become due when it does, so a worker does not spin on them."""
    behind = {ids[0]: ids[1:] for ids in down.values() if len(ids) > 1}
    if not behind:
        return
    with terminal.store.transaction() as session:
        for failed_id, skipped in behind.items():
            failed = session.get(PrintJob, failed_id)
            if failed is None or failed.state != PENDING or failed.next_attempt_at is None:
                continue
            for job in session.scalars(select(PrintJob).where(PrintJob.id.in_(skipped), PrintJob.state == PENDING)):
                if job.next_attempt_at is None or job.next_attempt_at < failed.next_attempt_at:
                    job.next_attempt_at = failed.next_attempt_at


def next_due(terminal: Terminal) -> datetime | None:
    """When the earliest owed job becomes due (a past time: now); None when nothing is owed."""
    with terminal.store.transaction() as session:
        rows = session.execute(select(PrintJob.state, PrintJob.next_attempt_at, PrintJob.last_attempt_at)
                               .where(PrintJob.state.in_(OWED))).all()
    now = utcnow()
    times = [(next_at or now) if state == PENDING else (last_at + RECLAIM_AFTER if last_at else now)
             for state, next_at, last_at in rows]
    return min(times) if times else None


def describe_job(job: PrintJob, receipt_no: str | None) -> dict[str, Any]:
    return {"id": job.id, "kind": job.kind, "application_id": job.application_id, "receipt_no": receipt_no,
            "printer": job.printer, "state": job.state, "attempts": job.attempts, "last_error": job.last_error,
            "created_at": job.created_at.isoformat() if job.created_at else None,
            "last_attempt_at": job.last_attempt_at.isoformat() if job.last_attempt_at else None,
            "next_attempt_at": job.next_attempt_at.isoformat() if job.next_attempt_at else None,
            "printed_at": job.printed_at.isoformat() if job.printed_at else None,
            "reprint": bool((job.payload or {}).get("reprint")), "reprint_of": (job.payload or {}).get("reprint_of"),
            "needs_staff": job.state in (UNCONFIRMED, FAILED)}


def list_jobs(session: Session, states: list[str] | None = None) -> list[dict[str, Any]]:
    query = (select(PrintJob, Application.receipt_no)
             .outerjoin(Application, Application.id == PrintJob.application_id).order_by(PrintJob.id))
    if states:
        query = query.where(PrintJob.state.in_(states))
    return [describe_job(job, receipt_no) for job, receipt_no in session.execute(query)]
