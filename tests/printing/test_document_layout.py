"""An A4 notice is read from the store inside its claim, and laid out after it, where the terminal says.

A window's terminal lays notices out in its worker process
(`kiosk.processes.call_in_process`): reportlab in a thread of the window
process kept the GUI thread waiting for Python's lock (issue 10). The claim
is committed before the layout, so the store's write lock is not held
through it; a worker process that dies or hangs keeps the job for a retry,
while a document that cannot be laid out fails as before.
"""
from __future__ import annotations

import subprocess
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from kiosk.print_jobs import PrintKind
from kiosk.processes import call_in_process, shutdown_processes
from kiosk.store.models import Application
from kiosk.terminal import Terminal
from printing.pdf.documents import build_document
from printing.pdf.facts import DocumentFacts, document_facts
from printing.queue import FAILED, PENDING, PRINTED, PRINTING, enqueue_document, run_job
from printing.records import find_application
from printing.render import render_document
from tests.printing.conftest import accept_case, job_row


def _notice_job(terminal: Terminal, app_id: str, folder: Path) -> int:
    accept_case(terminal, app_id)
    with terminal.store.transaction() as session:
        return enqueue_document(session, app_id, PrintKind.ACCEPTANCE, printer=f"file:{folder}", lang="zh",
                                missing=None, actor="test").id


def _pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def test_the_notice_is_laid_out_by_the_offload_after_its_claim_is_committed(terminal: Terminal, submitted,
                                                                             tmp_path: Path) -> None:
    job_id = _notice_job(terminal, submitted.id, tmp_path)
    seen: list[tuple[str, str]] = []

    def offload(fn: Any, *args: Any, timeout: float | None = None) -> Any:
        # another connection already sees the claim: the transaction that took it has ended
        seen.append((fn.__name__, job_row(terminal, job_id).state))
        assert isinstance(args[0], DocumentFacts) and timeout is not None
        return fn(*args)

    outcome = run_job(terminal, job_id, actor="test", offload=offload)
    assert seen == [("render_document", PRINTING)]
    assert outcome is not None and outcome.state == PRINTED
    (pdf,) = tmp_path.glob("*.pdf")
    assert "受理通知书" in _pdf_text(pdf.read_bytes())


def test_a_worker_process_that_died_keeps_the_notice_for_a_retry(terminal: Terminal, submitted,
                                                                 tmp_path: Path) -> None:
    job_id = _notice_job(terminal, submitted.id, tmp_path)

    def died(fn: Any, *args: Any, timeout: float | None = None) -> Any:
        raise BrokenProcessPool("the worker process was killed")

    outcome = run_job(terminal, job_id, actor="test", offload=died)
    assert outcome is not None and outcome.state == PENDING
    job = job_row(terminal, job_id)
    assert job.state == PENDING and job.next_attempt_at is not None and not list(tmp_path.glob("*.pdf"))


def test_a_notice_that_cannot_be_laid_out_fails(terminal: Terminal, submitted, tmp_path: Path) -> None:
    job_id = _notice_job(terminal, submitted.id, tmp_path)

    def broken_layout(fn: Any, *args: Any, timeout: float | None = None) -> Any:
        raise ValueError("a defect in the layout")

    outcome = run_job(terminal, job_id, actor="test", offload=broken_layout)
    assert outcome is not None and outcome.state == FAILED and job_row(terminal, job_id).state == FAILED


def test_the_worker_process_lays_out_the_same_notice(terminal: Terminal, submitted) -> None:
    accept_case(terminal, submitted.id)
    with terminal.store.transaction() as session:
        app: Application = find_application(session, submitted.id)
        here = build_document("acceptance", app, terminal.settings, terminal.catalog, lang="en")
        facts = document_facts("acceptance", app, terminal.settings, terminal.catalog, lang="en")
    try:
        there = call_in_process(render_document, facts, terminal.settings, timeout=120)
    finally:
        shutdown_processes()
    assert _pdf_text(there) == _pdf_text(here)
    assert "Notice of Acceptance" in _pdf_text(there)
