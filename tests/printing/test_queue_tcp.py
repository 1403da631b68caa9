"""The print queue against a printer played by a real TCP listener on loopback."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from kiosk.audit import verify_chain
from kiosk.cli import EXIT_INVALID, EXIT_OK, EXIT_PENDING, main
from kiosk.settings import load_settings
from kiosk.store import close_all
from kiosk.store.models import AuditEntry, PrintJob, utcnow
from kiosk.terminal import Terminal
from printing.drivers import open_printer
from printing.errors import PrinterNotReady, PrinterUnreachable
from printing.queue import PENDING, PRINTED, UNCONFIRMED, enqueue_receipt, list_jobs, process_pending
from tests.printing.conftest import RARE
from tests.printing.escpos_decoder import decode
from tests.printing.printer_server import COVER_OPEN, OFFLINE, PAPER_OUT, READY, PrinterServer


def _enqueue(terminal: Terminal, app_id: str, uri: str) -> int:
    with terminal.store.transaction() as session:
        return enqueue_receipt(session, app_id, printer=uri, actor="test").id


def _audit(terminal: Terminal, action: str) -> list[AuditEntry]:
    with terminal.store.transaction() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_receipt_reaches_the_printer_and_is_audited(terminal: Terminal, submitted, printer: PrinterServer) -> None:
    job_id = _enqueue(terminal, submitted.id, printer.uri)
    [outcome] = process_pending(terminal)
    assert outcome.printed and outcome.job_id == job_id
    [data] = printer.wait_jobs(1)
    decoded = decode(data)
    asked = b"\x10\x04\x01\x10\x04\x02\x10\x04\x04"
    assert data.startswith(asked) and data.endswith(asked)  # asked before printing, and again after it
    assert decoded.status_queries[:3] == [1, 2, 4] and len(decoded.status_queries) >= 6
    assert submitted.receipt_no in decoded.text and "申请人：张\ufffc" in decoded.text_lines
    assert decoded.inline_images()[0].image.size == (24, 24)
    assert decoded.qr[0].payload.decode().endswith(submitted.receipt_no)
    [entry] = _audit(terminal, "printed")
    assert entry.subject == submitted.id and entry.details["receipt_no"] == submitted.receipt_no
    assert entry.details["delivery"] == "confirmed_by_printer" and entry.details["confirmed_by_printer"]
    with terminal.store.transaction() as session:
        assert session.get(PrintJob, job_id).state == PRINTED
        assert verify_chain(session) == []
    assert process_pending(terminal) == []  # nothing left to do


@pytest.mark.parametrize(("answers", "reason", "words"), [
    (PAPER_OUT, "paper_out", "out of paper"), (COVER_OPEN, "cover_open", "cover is open"),
    (OFFLINE, "offline", "offline")])
def test_not_ready_printer_keeps_the_job(terminal: Terminal, submitted, printer: PrinterServer,
                                         answers: dict[int, int], reason: str, words: str) -> None:
    printer.answers = dict(answers)
    job_id = _enqueue(terminal, submitted.id, printer.uri)
    [outcome] = process_pending(terminal)
    assert outcome.state == PENDING and outcome.error_code == "printer_not_ready"
    assert words in outcome.error.en and "打印机" in outcome.error.zh
    assert reason in outcome.details["message"] or words in outcome.details["message"]
    printer.wait_jobs(1)
    assert printer.printed_jobs() == []  # not one byte of the receipt was sent
    assert "will print by itself" in outcome.message().en and "a counter can print" in outcome.message().en
    assert submitted.receipt_no in outcome.message().zh
    # not due yet: the worker waits (backoff) unless forced
    assert process_pending(terminal) == []
    printer.answers = dict(READY)
    [again] = process_pending(terminal, force=True)
    assert again.printed
    with terminal.store.transaction() as session:
        job = session.get(PrintJob, job_id)
        assert job.state == PRINTED and job.attempts == 2 and job.last_error is None
    assert len(_audit(terminal, "print_failed")) == 1 and len(_audit(terminal, "printed")) == 1


def test_due_after_backoff(terminal: Terminal, submitted, printer: PrinterServer) -> None:
    printer.answers = dict(PAPER_OUT)
    _enqueue(terminal, submitted.id, printer.uri)
    process_pending(terminal)
    printer.answers = dict(READY)
    [outcome] = process_pending(terminal, now=utcnow() + timedelta(minutes=6))
    assert outcome.printed


def test_refused_connection_keeps_the_job_and_survives_a_restart(terminal: Terminal, submitted, home) -> None:
    server = PrinterServer()
    uri = server.uri
    server.stop()  # nobody listens: connection refused
    job_id = _enqueue(terminal, submitted.id, uri)
    [outcome] = process_pending(terminal)
    assert outcome.state == PENDING and outcome.error_code == "printer_unreachable"
    # a restart: close the store, open a new terminal on the same data dir
    close_all()
    reopened = Terminal.open(load_settings(home))
    with reopened.store.transaction() as session:
        [row] = list_jobs(session, [PENDING])
    assert row["id"] == job_id and "Cannot reach the printer" in row["last_error"]
    # the printer comes back (on a new port): point the job at it, as staff would after fixing the address
    back = PrinterServer()
    try:
        with reopened.store.transaction() as session:
            session.get(PrintJob, job_id).printer = back.uri
        [done] = process_pending(reopened, force=True)
        assert done.printed and submitted.receipt_no in decode(back.wait_jobs(1)[0]).text
    finally:
        back.stop()


def test_printer_that_never_answers_status_is_not_called_printed(terminal: Terminal, submitted,
                                                                  printer: PrinterServer) -> None:
    printer.answers = None
    job_id = _enqueue(terminal, submitted.id, printer.uri)
    [outcome] = process_pending(terminal)
    assert outcome.state == UNCONFIRMED and outcome.error_code == "printer_silent"
    assert "never answered" in outcome.error.en and "始终没有回答" in outcome.error.zh
    assert "check the paper slot" in outcome.message().en
    decoded = decode(printer.wait_jobs(1)[0])
    assert decoded.status_queries == [1, 1]  # asked before and after; silence both times
    assert submitted.receipt_no in decoded.text  # the bytes did go out
    [entry] = _audit(terminal, "print_unconfirmed")
    assert entry.details["job_id"] == job_id and entry.details["error"] == "printer_silent"
    assert process_pending(terminal, force=True) == []  # never printed again by itself
    assert _audit(terminal, "printed") == []


def test_printer_silent_after_the_job_is_unconfirmed(terminal: Terminal, submitted, printer: PrinterServer) -> None:
    printer.answers_after_job = None
    _enqueue(terminal, submitted.id, printer.uri)
    [outcome] = process_pending(terminal)
    assert outcome.state == UNCONFIRMED and "answered the status query before the job but not after" in outcome.error.en
    assert len(printer.wait_jobs(1)) == 1 and len(printer.printed_jobs()) == 1


def test_driver_status_and_errors(printer: PrinterServer) -> None:
    printer.answers = dict(PAPER_OUT)
    with open_printer(printer.uri) as driver:
        status = driver.status()
        assert status.known and not status.ready and status.reasons == ("paper_out",)
        with pytest.raises(PrinterNotReady) as info:
            driver.ensure_ready()
        assert info.value.resultcode == 30
    printer.stop()
    with pytest.raises(PrinterUnreachable) as info:
        open_printer(printer.uri).open()
    assert info.value.resultcode == 20 and info.value.keeps_job_pending


def _cli(home, *args: str) -> int:
    return main(["--home", str(home), "print", *args])


def test_cli_receipt_queue_retry(terminal: Terminal, submitted, printer: PrinterServer, home, capsys) -> None:
    assert _cli(home, "receipt", "--application", submitted.receipt_no, "--printer", printer.uri) == EXIT_OK
    out = json.loads(capsys.readouterr().out)
    assert out["state"] == "printed"
    printer.answers = dict(PAPER_OUT)
    assert _cli(home, "receipt", "--application", submitted.receipt_no, "--printer", printer.uri) == EXIT_PENDING
    captured = capsys.readouterr()
    assert "out of paper" in captured.err and "打印纸已用完" in captured.err and "stays queued" in captured.err
    assert _cli(home, "queue", "--json") == EXIT_OK
    jobs = json.loads(capsys.readouterr().out)
    assert [j["state"] for j in jobs] == ["printed", "pending"]
    assert jobs[1]["reprint"] and "out of paper" in jobs[1]["last_error"]
    assert jobs[1]["receipt_no"] == submitted.receipt_no
    assert _cli(home, "retry") == EXIT_PENDING
    capsys.readouterr()
    printer.answers = dict(READY)
    assert _cli(home, "retry") == EXIT_OK
    assert json.loads(capsys.readouterr().out.splitlines()[0])["state"] == "printed"
    data = printer.printed_jobs()[-1]
    assert "受理回执（补打）" in decode(data).text  # a reprint says so
    assert _cli(home, "queue") == EXIT_OK
    assert "printed" in capsys.readouterr().out


def test_cli_refused_printer_exits_3(terminal: Terminal, submitted, home, capsys) -> None:
    server = PrinterServer()
    server.stop()
    assert _cli(home, "receipt", "--application", submitted.id, "--printer", server.uri) == EXIT_PENDING
    assert "Cannot reach the printer" in capsys.readouterr().err


@pytest.mark.parametrize("args", [
    ["receipt", "--application", "nope", "--printer", "tcp://127.0.0.1:9"],
    ["receipt", "--application", "X", "--printer", "lpt1"],
    ["receipt", "--application", "X", "--printer", "usb:zz:01"],
    ["receipt", "--application", "X", "--printer", "serial:ttyS0"],
    ["receipt", "--application", "X"],
])
def test_cli_bad_input(terminal: Terminal, submitted, home, capsys, args: list[str]) -> None:
    if args[2] == "X":
        args[2] = submitted.receipt_no
    assert _cli(home, *args) == EXIT_INVALID
    err = capsys.readouterr().err
    assert err.strip() and "/" in err  # Chinese and English
    with terminal.store.transaction() as session:
        assert list_jobs(session) == []  # nothing queued for bad input


def test_enqueue_inside_the_submission_transaction_never_touches_the_printer(terminal: Terminal, submitted) -> None:
    with terminal.store.transaction() as session:
        job = enqueue_receipt(session, submitted.id, printer="tcp://127.0.0.1:9", actor="kiosk")
        assert job.state == PENDING and job.payload["reprint"] is False
    with terminal.store.transaction() as session:
        again = enqueue_receipt(session, submitted.id, printer="fake:x")
        assert again.payload["reprint"] is True


def test_fake_printer_records_and_can_run_out_of_paper(terminal: Terminal, submitted) -> None:
    from printing.drivers.fake import FakePrinter

    fake = FakePrinter.named("counter1")
    fake.set_paper_out()
    _enqueue(terminal, submitted.id, "fake:counter1")
    assert process_pending(terminal)[0].state == PENDING and fake.jobs == []
    fake.set_ready()
    assert process_pending(terminal, force=True)[0].printed
    assert RARE not in decode(fake.jobs[0]).text and "张\ufffc" in decode(fake.jobs[0]).text
    FakePrinter.forget_all()
