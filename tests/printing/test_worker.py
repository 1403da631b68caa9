"""The print worker against a printer played by a real TCP listener on loopback.

Each test waits on conditions with timeouts (the worker runs in its own
thread); the test printer answers status in at most half a second, and the
retry policy is short, so every test takes a few seconds at most.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from kiosk.print_jobs import PrintOutcome
from kiosk.retry import RetryPolicy
from kiosk.store.models import PrintJob, utcnow
from kiosk.terminal import Terminal
from printing.queue import (
    FAILED,
    PENDING,
    PRINTED,
    PRINTING,
    SENT_ATTEMPT,
    UNCONFIRMED,
    enqueue_receipt,
    process_pending,
    run_job,
)
from printing.worker import PrintWorker
from tests.printing.conftest import audit_entries, job_row, submit_example, wait_until
from tests.printing.escpos_decoder import decode
from tests.printing.printer_server import PAPER_OUT, READY, SAME, PrinterServer

SHORT = RetryPolicy(base=0.3, cap=0.6)


def _enqueue(terminal: Terminal, app_id: str, uri: str, **kw: object) -> int:
    with terminal.store.transaction() as session:
        return enqueue_receipt(session, app_id, printer=uri, actor="test", **kw).id  # type: ignore[arg-type]


@pytest.fixture
def worker(terminal: Terminal) -> Iterator[PrintWorker]:
    w = PrintWorker(terminal, retry=SHORT, timeout=2.0, idle_interval=5.0)
    yield w
    w.stop(timeout=5.0)


def _passes_after(worker: PrintWorker, count: int) -> None:
    """Poke and wait until the worker has made `count` more passes (so it had every chance to act)."""
    for _ in range(count):
        before = worker.status().passes
        worker.poke()
        wait_until(lambda: worker.status().passes > before, 5, "another pass of the worker")


def test_the_worker_prints_a_waiting_job_by_itself_when_the_printer_is_back(
        terminal: Terminal, submitted, printer: PrinterServer, worker: PrintWorker) -> None:
    printer.answers = dict(PAPER_OUT)
    job_id = _enqueue(terminal, submitted.id, printer.uri)
    worker.start()
    wait_until(lambda: (j := job_row(terminal, job_id)).attempts >= 2 and j.state == PENDING, 5,
               "two attempts while the paper is out")
    job = job_row(terminal, job_id)
    assert "out of paper" in (job.last_error or "")
    assert job.next_attempt_at is not None and job.next_attempt_at > job.last_attempt_at
    assert printer.printed_jobs() == []  # nothing sent while the paper is out
    printer.answers = dict(READY)  # paper refilled: nobody pokes, nobody runs `print retry`
    wait_until(lambda: job_row(terminal, job_id).state == PRINTED, 5, "the job to print by itself")
    # backoff: from one attempt to the next the worker waited at least half the policy's delay
    gaps = [b - a for a, b in zip(printer.connected_at, printer.connected_at[1:])]
    assert gaps and min(gaps) >= SHORT.base / 2 * 0.9
    _passes_after(worker, 2)
    assert len(printer.printed_jobs()) == 1  # exactly once
    [data] = printer.printed_jobs()
    assert submitted.receipt_no in decode(data).text and "补打" not in decode(data).text
    assert len(audit_entries(terminal, "printed")) == 1 and len(audit_entries(terminal, "print_failed")) == 1


def test_paper_out_mid_job_keeps_the_job_and_it_prints_whole_as_a_reprint(
        terminal: Terminal, submitted, printer: PrinterServer, worker: PrintWorker) -> None:
    printer.answers, printer.answers_after_job = dict(READY), dict(PAPER_OUT)
    job_id = _enqueue(terminal, submitted.id, printer.uri)
    worker.start()
    wait_until(lambda: audit_entries(terminal, "print_interrupted"), 5, "the interruption to be audited")
    [entry] = audit_entries(terminal, "print_interrupted")
    assert entry.details["reasons"] == ["paper_out"] and "stopped part way" in entry.details["message"]
    assert "打印过程中停止" in entry.details["message"] and "打印纸已用完" in entry.details["message"]
    job = job_row(terminal, job_id)
    assert job.state in (PENDING, PRINTING) and job.payload["reprint"] is True and job.printed_at is None
    printer.answers_after_job = SAME  # refilled: ready after the job too
    wait_until(lambda: job_row(terminal, job_id).state == PRINTED, 5, "the reprint")
    first, second = (decode(j) for j in printer.printed_jobs())
    assert "受理回执（补打）" not in first.text and "受理回执（补打）" in second.text  # the second copy says so
    for copy in (first, second):  # each is the whole receipt, QR code and cut included
        assert submitted.receipt_no in copy.text and copy.qr and copy.cuts == 1
    assert len(audit_entries(terminal, "printed")) == 1


def test_a_silent_printer_leaves_the_job_unconfirmed_and_the_worker_never_reprints_it(
        terminal: Terminal, submitted, printer: PrinterServer, worker: PrintWorker) -> None:
    printer.answers = None  # accepts TCP, never answers DLE EOT
    job_id = _enqueue(terminal, submitted.id, printer.uri)
    worker.start()
    wait_until(lambda: job_row(terminal, job_id).state == UNCONFIRMED, 5, "the job to be left unconfirmed")
    _passes_after(worker, 2)
    assert len(printer.wait_jobs(1)) == 1 and len(printer.connected_at) == 1  # not one more connection
    assert job_row(terminal, job_id).state == UNCONFIRMED and audit_entries(terminal, "printed") == []
    assert len(audit_entries(terminal, "print_unconfirmed")) == 1


def test_the_worker_and_print_now_never_send_one_job_twice(terminal: Terminal, printer: PrinterServer,
                                                           worker: PrintWorker) -> None:
    worker.start()
    apps = [submit_example(terminal, name="李" + n, with_optional=False) for n in "一二三四五"]
    outcomes: list[PrintOutcome | None] = []
    for app in apps:
        job_id = _enqueue(terminal, app.id, printer.uri)
        start = threading.Barrier(2)

        def citizen(job_id: int = job_id, start: threading.Barrier = start) -> None:
            start.wait()
            outcomes.append(worker.print_now(job_id, actor="kiosk:test"))

        thread = threading.Thread(target=citizen)
        thread.start()
        start.wait()
        worker.poke()  # the worker races the citizen's own attempt
        thread.join(10)
        assert not thread.is_alive()
    assert [o is not None and o.printed for o in outcomes] == [True] * 5  # each citizen was told "printed"
    _passes_after(worker, 1)
    printed = printer.printed_jobs()
    assert sorted(decode(d).text.count(a.receipt_no) > 0 for d in printed for a in apps).count(True) == 5
    assert len(printed) == 5 and len(audit_entries(terminal, "printed")) == 5


def test_two_attempts_without_a_shared_lock_send_a_job_once(terminal: Terminal, submitted,
                                                             printer: PrinterServer) -> None:
    """As from two processes (a window's worker and `onewindow print retry`): the claim in the store decides."""
    job_id = _enqueue(terminal, submitted.id, printer.uri)
    start = threading.Barrier(2)
    results: list[PrintOutcome | None] = []

    def attempt() -> None:
        start.wait()
        results.append(run_job(terminal, job_id, actor="test"))

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sorted(r is not None for r in results) == [False, True]
    assert len(printer.wait_jobs(1)) == 1 and len(printer.printed_jobs()) == 1


def test_stop_returns_while_a_job_waits_for_the_printer_and_leaves_it_pending(terminal: Terminal, submitted,
                                                                              worker: PrintWorker) -> None:
    slow = PrinterServer(answers=None, status_timeout=3.0)  # the status answer never comes: a 3 s wait
    try:
        job_id = _enqueue(terminal, submitted.id, slow.uri)
        worker.start()
        slow.wait_connections(1)
        wait_until(lambda: job_row(terminal, job_id).state == PRINTING, 5, "the worker to claim the job")
        began = time.monotonic()
        worker.stop(timeout=0.5)
        assert time.monotonic() - began < 2.0  # bounded by the timeout, not by the printer's 3 s
        assert job_row(terminal, job_id).state == PENDING  # handed back at once: a restart now loses nothing
        slow.wait_jobs(1)  # the abandoned attempt ends when its status wait does...
        wait_until(lambda: not [t for t in threading.enumerate() if t.name == "onewindow-print"], 5,
                   "the worker thread to end")
        assert slow.printed_jobs() == []  # ...without sending the receipt
        job = job_row(terminal, job_id)
        assert job.state == PENDING and job.next_attempt_at is None and SENT_ATTEMPT not in job.payload
    finally:
        slow.stop()


def test_jobs_that_cannot_print_fail_clearly_and_the_worker_goes_on(terminal: Terminal, submitted,
                                                                     printer: PrinterServer,
                                                                     worker: PrintWorker) -> None:
    gone = PrinterServer()
    gone.stop()  # connections refused
    unreachable = _enqueue(terminal, submitted.id, gone.uri)
    bad_uri = _enqueue(terminal, submitted.id, "lpt1")
    defect = _enqueue(terminal, submitted.id, printer.uri, paper_mm="wide")  # a defect while building the bytes
    good = _enqueue(terminal, submitted.id, printer.uri)
    worker.start()
    wait_until(lambda: job_row(terminal, good).state == PRINTED, 5, "the good job")
    job = job_row(terminal, unreachable)  # a printer that is down holds up nobody else, and keeps its job
    assert job.state in (PENDING, PRINTING) and "Cannot reach the printer" in job.last_error
    job = job_row(terminal, bad_uri)
    assert job.state == FAILED and "打印机地址“lpt1”无效" in job.last_error and "'lpt1' is not valid" in job.last_error
    job = job_row(terminal, defect)
    assert job.state == FAILED and "unexpected error occurred while printing (ValueError)" in job.last_error and "意外错误" in job.last_error
    later = _enqueue(terminal, submitted.id, printer.uri)
    worker.poke()
    wait_until(lambda: job_row(terminal, later).state == PRINTED, 5, "a job queued after the failures")
    assert worker.status().running and worker.status().last_error is None
    assert len(printer.printed_jobs()) == 2


def test_a_crash_mid_send_is_unconfirmed_and_a_crash_before_it_is_retried(terminal: Terminal, submitted,
                                                                          printer: PrinterServer) -> None:
    sent, unsent = _enqueue(terminal, submitted.id, printer.uri), _enqueue(terminal, submitted.id, printer.uri)
    with terminal.store.transaction() as session:  # as a killed process leaves them
        for job_id, went_out in ((sent, True), (unsent, False)):
            job = session.get(PrintJob, job_id)
            job.state, job.attempts, job.last_attempt_at = PRINTING, 1, utcnow() - timedelta(minutes=6)
            job.payload = {**job.payload, **({SENT_ATTEMPT: 1} if went_out else {})}
    outcomes = {o.job_id: o for o in process_pending(terminal)}
    assert outcomes[sent].state == UNCONFIRMED and "crash or power cut" in outcomes[sent].error.en
    assert outcomes[unsent].state == PRINTED
    assert len(printer.printed_jobs()) == 1 and len(audit_entries(terminal, "print_unconfirmed")) == 1


def test_the_windows_get_a_worker_and_a_cli_command_does_not(home, submitted, printer: PrinterServer) -> None:
    windows = Terminal.open(home=home, background=True)
    try:
        assert windows.printing is not None and windows.printing.worker is not None
        wait_until(lambda: windows.printing.status().running, 5, "the worker to start")
        job_id = _enqueue(windows, submitted.id, printer.uri)
        windows.printing.poke()
        wait_until(lambda: job_row(windows, job_id).state == PRINTED, 5, "the poked worker to print")
    finally:
        windows.close(timeout=5)
    assert not windows.printing.status().running
    cli = Terminal.open(home=home)
    assert cli.printing is not None and cli.printing.worker is None and not cli.printing.status().running
    cli.printing.poke()  # nothing to wake; must not fail
    later = _enqueue(cli, submitted.id, printer.uri)
    assert cli.printing.print_now(later, actor="cli").printed


def test_a_receipt_that_prints_brings_the_waiting_ones_out_at_once(terminal: Terminal, submitted,
                                                                   printer: PrinterServer) -> None:
    patient = PrintWorker(terminal, retry=RetryPolicy(base=60.0, cap=120.0), timeout=2.0, idle_interval=60.0)
    try:
        printer.answers = dict(PAPER_OUT)
        waiting = _enqueue(terminal, submitted.id, printer.uri)
        patient.start()
        wait_until(lambda: job_row(terminal, waiting).attempts == 1 and job_row(terminal, waiting).state == PENDING, 5,
                   "the first attempt to find the paper out")
        assert job_row(terminal, waiting).next_attempt_at > utcnow() + timedelta(seconds=20)  # a long backoff
        printer.answers = dict(READY)
        later = submit_example(terminal, name="赵六", with_optional=False)
        assert patient.print_now(_enqueue(terminal, later.id, printer.uri), actor="kiosk:test").printed
        wait_until(lambda: job_row(terminal, waiting).state == PRINTED, 5, "the waiting receipt, long before its backoff")
        assert len(printer.printed_jobs()) == 2
    finally:
        patient.stop(timeout=5.0)
