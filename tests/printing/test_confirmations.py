"""Staff confirm or reprint what a silent printer may or may not have printed: `onewindow print confirm|reprint`."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from kiosk import staff as staff_accounts
from kiosk.audit import verify_chain
from kiosk.cli import EXIT_INVALID, EXIT_OK, EXIT_PENDING, main
from kiosk.errors import UserFacingError
from kiosk.terminal import Terminal
from kiosk.usecases import print_queue
from printing.queue import FAILED, PENDING, PRINTED, UNCONFIRMED, enqueue_receipt, list_jobs, process_pending
from tests.printing.conftest import audit_entries, job_row
from tests.printing.escpos_decoder import decode
from tests.printing.printer_server import READY, PrinterServer

PASSWORD = "counter-pass-1"


@pytest.fixture
def clerk(terminal: Terminal) -> int:
    with terminal.store.transaction() as session:
        return staff_accounts.add_staff(session, "wang.clerk", PASSWORD, "clerk", actor="test").id


def _unconfirmed_job(terminal: Terminal, app_id: str, printer: PrinterServer) -> int:
    printer.answers = None  # takes the bytes, never answers the status query
    with terminal.store.transaction() as session:
        job_id = enqueue_receipt(session, app_id, printer=printer.uri, actor="test").id
    [outcome] = process_pending(terminal)
    assert outcome.state == UNCONFIRMED
    return job_id


def _cli(home: Path, monkeypatch: pytest.MonkeyPatch, *args: str, password: str | None = PASSWORD) -> int:
    if password is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
        args = (*args, "--password-stdin")
    return main(["--home", str(home), "print", *args])


def test_queue_shows_unconfirmed_jobs_then_staff_confirm_one(terminal: Terminal, submitted, printer: PrinterServer,
                                                            clerk: int, home: Path, monkeypatch, capsys) -> None:
    job_id = _unconfirmed_job(terminal, submitted.id, printer)
    assert _cli(home, monkeypatch, "queue", password=None) == EXIT_OK
    out = capsys.readouterr().out
    assert f"{job_id}  unconfirmed  待确认/unconfirmed" in out and "needs staff" in out and "待工作人员确认" in out
    assert f"onewindow print confirm {job_id} --staff" in out and f"onewindow print reprint {job_id} --staff" in out
    assert "1 个打印任务待工作人员确认或补打" in out and "1 print job(s) wait for staff" in out
    assert _cli(home, monkeypatch, "queue", "--json", "--state", "unconfirmed", password=None) == EXIT_OK
    [row] = json.loads(capsys.readouterr().out)
    assert row["id"] == job_id and row["needs_staff"] and "never answered" in row["last_error"]
    assert _cli(home, monkeypatch, "retry", password=None) == EXIT_PENDING  # retry leaves it to staff
    assert "wait for staff to confirm or reprint" in capsys.readouterr().err
    assert len(printer.printed_jobs()) == 1

    assert _cli(home, monkeypatch, "confirm", str(job_id), "--staff", "wang.clerk") == EXIT_OK
    assert json.loads(capsys.readouterr().out) == {"job_id": job_id, "state": "printed"}
    job = job_row(terminal, job_id)
    assert job.state == PRINTED and job.printed_at is not None and job.payload["confirmed_by"] == f"staff:{clerk}"
    [entry] = audit_entries(terminal, "print_confirmed")
    assert entry.actor == f"staff:{clerk}" and entry.subject == submitted.id
    assert entry.details["job_id"] == job_id and entry.details["staff"] == "wang.clerk"
    assert len(printer.printed_jobs()) == 1  # confirming prints nothing
    with terminal.store.transaction() as session:
        assert verify_chain(session) == []


def test_staff_reprint_an_unconfirmed_job(terminal: Terminal, submitted, printer: PrinterServer, clerk: int,
                                          home: Path, monkeypatch, capsys) -> None:
    job_id = _unconfirmed_job(terminal, submitted.id, printer)
    printer.answers = dict(READY)  # staff fixed the printer's setting; nothing came out the first time
    assert _cli(home, monkeypatch, "reprint", str(job_id), "--staff", "wang.clerk") == EXIT_OK
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    new_id = result["job_id"]
    assert new_id != job_id and result["state"] == "printed"
    assert f"reprinted as job {new_id}" in captured.err
    old, new = job_row(terminal, job_id), job_row(terminal, new_id)
    assert old.state == FAILED and old.last_error == f"已补打为任务 {new_id} / reprinted as job {new_id}"
    assert new.payload["reprint"] is True and new.payload["reprint_of"] == job_id
    assert new.payload["requested_by"] == f"staff:{clerk}" and new.state == PRINTED
    [entry] = audit_entries(terminal, "print_reprinted")
    assert entry.actor == f"staff:{clerk}" and entry.details["new_job_id"] == new_id
    first, second = printer.printed_jobs()
    assert "受理回执（补打）" not in decode(first).text and "受理回执（补打）" in decode(second).text
    with terminal.store.transaction() as session:
        assert [j["id"] for j in list_jobs(session, [UNCONFIRMED, PENDING])] == []


def test_confirm_and_reprint_refuse_bad_input_and_change_nothing(terminal: Terminal, submitted,
                                                                 printer: PrinterServer, clerk: int, home: Path,
                                                                 monkeypatch, capsys) -> None:
    job_id = _unconfirmed_job(terminal, submitted.id, printer)
    with terminal.store.transaction() as session:
        staff_accounts.add_staff(session, "li.gone", PASSWORD, "clerk", actor="test")
        staff_accounts.disable_staff(session, "li.gone", actor="test")
    cases = [
        (("confirm", str(job_id), "--staff", "wang.clerk"), "wrong-password", "password is not correct"),
        (("reprint", str(job_id), "--staff", "li.gone"), PASSWORD, "account is disabled"),
        (("confirm", "999", "--staff", "wang.clerk"), PASSWORD, "There is no print job 999"),
    ]
    for args, password, words in cases:
        assert _cli(home, monkeypatch, *args, password=password) == EXIT_INVALID, args
        err = capsys.readouterr().err
        assert words in err and " / " in err, (args, err)  # Chinese, then English
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal and no --password-stdin: no prompt
    assert main(["--home", str(home), "print", "confirm", str(job_id), "--staff", "wang.clerk"]) == EXIT_INVALID
    assert "use --password-stdin" in capsys.readouterr().err
    assert job_row(terminal, job_id).state == UNCONFIRMED and len(printer.printed_jobs()) == 1
    assert audit_entries(terminal, "print_confirmed") == [] and audit_entries(terminal, "print_reprinted") == []
    assert len(audit_entries(terminal, "login_failed")) == 1  # the failed login is on record

    assert _cli(home, monkeypatch, "confirm", str(job_id), "--staff", "wang.clerk") == EXIT_OK
    capsys.readouterr()
    # once confirmed, a reprint no longer applies
    assert _cli(home, monkeypatch, "reprint", str(job_id), "--staff", "wang.clerk") == EXIT_INVALID
    err = capsys.readouterr().err
    assert "is printed, not unconfirmed" in err and "不是“待确认”" in err
    assert len(printer.printed_jobs()) == 1


def test_the_domain_functions_check_the_staff_member(terminal: Terminal, submitted, printer: PrinterServer) -> None:
    job_id = _unconfirmed_job(terminal, submitted.id, printer)
    with pytest.raises(UserFacingError) as info:
        print_queue.confirm_printed(terminal, 404, job_id)
    assert info.value.code == "session"  # no such account: as a counter whose login has ended
    with terminal.store.transaction() as session:
        gone = staff_accounts.add_staff(session, "zhao.left", PASSWORD, "clerk", actor="test")
        staff_accounts.disable_staff(session, "zhao.left", actor="test")
        gone_id = gone.id
    with pytest.raises(UserFacingError) as info:
        print_queue.reprint_job(terminal, gone_id, job_id)
    assert info.value.code == "session"  # a disabled account stops working at its next action
    assert job_row(terminal, job_id).state == UNCONFIRMED
