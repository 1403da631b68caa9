"""A kiosk receipt that missed its citizen is not printed into an empty tray hours later; staff reprint it on request."""
from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from kiosk import staff as staff_accounts
from kiosk.store.models import AuditEntry, PrintJob, utcnow
from kiosk.terminal import Terminal
from kiosk.usecases import print_queue
from printing.queue import FAILED, PENDING, PRINTED, enqueue_document, enqueue_receipt, process_pending
from tests.printing.conftest import accept_case
from tests.printing.printer_server import PAPER_OUT, READY, PrinterServer


def _old_jobs(terminal: Terminal, app_id: str, printer: PrinterServer, minutes: int,
              folder: Path) -> tuple[int, int]:
    accept_case(terminal, app_id)  # an acceptance notice exists only for an accepted case
    with terminal.store.transaction() as session:
        receipt = enqueue_receipt(session, app_id, printer=printer.uri, actor="kiosk:1")
        notice = enqueue_document(session, app_id, "acceptance", printer=f"file:{folder}", actor="staff:1")
        for job in (receipt, notice):
            job.created_at = utcnow() - timedelta(minutes=minutes)
        return receipt.id, notice.id


def test_a_receipt_older_than_the_window_fails_for_staff_and_a_notice_still_prints(
        terminal: Terminal, submitted, printer: PrinterServer, tmp_path: Path) -> None:
    printer.answers = dict(PAPER_OUT)
    fresh_receipt, _ = _old_jobs(terminal, submitted.id, printer, minutes=3, folder=tmp_path)
    stale_receipt, stale_notice = _old_jobs(terminal, submitted.id, printer, minutes=20, folder=tmp_path)
    process_pending(terminal, force=True)
    printer.answers = dict(READY)
    with terminal.store.transaction() as s:
        states = {j.id: (j.state, j.last_error or "") for j in s.scalars(select(PrintJob))}
        expired = s.scalars(select(AuditEntry).where(AuditEntry.action == "print_expired")).all()
    assert states[stale_receipt][0] == FAILED and "补打" in states[stale_receipt][1] \
        and "reprint it at a counter" in states[stale_receipt][1]
    assert states[fresh_receipt][0] == PENDING  # the citizen may still be at the kiosk
    assert states[stale_notice][0] == PRINTED  # a counter's notice has staff beside the printer: no window
    assert [e.details["job_id"] for e in expired] == [stale_receipt]
    assert not [j for j in printer.printed_jobs()]  # nothing was printed into the empty tray

    with terminal.store.transaction() as session:
        clerk = staff_accounts.add_staff(session, "wang.clerk", "counter-pass-1", "clerk", actor="test").id
    listed = {row.id: row for row in print_queue.jobs_needing_staff(terminal, clerk)}
    assert stale_receipt in listed
    decision = print_queue.reprint_job(terminal, clerk, stale_receipt)  # the applicant came back and asked
    assert decision.printed is not None and decision.printed.printed is True
    with terminal.store.transaction() as s:
        new = s.get(PrintJob, decision.new_job_id)
        assert new.state == PRINTED and new.payload["reprint"] is True


def test_no_window_no_expiry(terminal: Terminal, submitted, printer: PrinterServer, tmp_path: Path) -> None:
    terminal.settings = dataclasses.replace(terminal.settings, receipt_print_window_minutes=0)
    printer.answers = dict(PAPER_OUT)
    stale_receipt, _ = _old_jobs(terminal, submitted.id, printer, minutes=600, folder=tmp_path)
    process_pending(terminal, force=True)
    with terminal.store.transaction() as s:
        assert s.get(PrintJob, stale_receipt).state == PENDING
