"""Every counter action is also a CLI verb: the same use cases, permissions and audit rows as the window."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from kiosk import demo_hall
from kiosk.settings import load_settings
from kiosk.store.models import Application, AuditEntry, OutboxItem, PrintJob, Rating, Staff
from kiosk.terminal import Terminal


def onewindow(home: Path, *args: str, password: str = demo_hall.PASSWORD) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk", "--home", str(home), *args], input=password + "\n",
                          capture_output=True, text=True, timeout=180, env=os.environ | ENV)


ENV: dict[str, str] = {}


def as_clerk(home: Path, *args: str, password: str = demo_hall.PASSWORD) -> subprocess.CompletedProcess[str]:
    return onewindow(home, *args, "--staff", "clerk1", "--password-stdin", password=password)


def test_a_case_is_listed_checked_decided_and_its_notice_printed_headless(tmp_path: Path, monkeypatch) -> None:
    home, notices = tmp_path / "home", tmp_path / "notices"
    notices.mkdir()
    monkeypatch.setitem(ENV, "ONEWINDOW_DOCUMENT_PRINTER", f"file:{notices}")  # A4 notices kept as PDFs there
    terminal = Terminal.open(load_settings(home))
    demo_hall.add_staff(terminal)
    submitted = demo_hall.submit_at(terminal, demo_hall.id_card_draft(1))

    listed = as_clerk(home, "case", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    (row,) = json.loads(listed.stdout)
    assert row["receipt_no"] == submitted.receipt_no and "*" in row["id_number"]  # masked
    shown = json.loads(as_clerk(home, "case", "show", submitted.receipt_no, "--json").stdout)
    assert [m["check"] for m in shown["materials"]] == ["unchecked"] * len(shown["materials"])

    early = as_clerk(home, "case", "decide", submitted.receipt_no, "accepted")
    assert early.returncode == 2 and "尚未核验通过" in early.stderr  # nothing checked yet: refused, nothing moved
    with_files = [m for m in shown["materials"] if m["files"]]
    without = [m for m in shown["materials"] if not m["files"]]
    assert without and not any(m["required"] for m in without)  # the demo leaves an optional material empty
    refused = as_clerk(home, "case", "check", submitted.id, without[0]["code"], "valid")
    assert refused.returncode == 2 and "没有任何文件" in refused.stderr and "has no file" in refused.stderr
    for material in with_files:
        checked = as_clerk(home, "case", "check", submitted.id, material["code"], "valid")
        assert checked.returncode == 0, checked.stderr
    decided = as_clerk(home, "case", "decide", submitted.receipt_no, "accepted", "--json")
    assert decided.returncode == 0, decided.stderr
    answer = json.loads(decided.stdout)
    assert answer["status"] == "accepted" and answer["printed"] is True
    assert len(list(notices.glob("acceptance-*.pdf"))) == 1

    with terminal.store.transaction() as s:
        assert s.get(Application, submitted.id).status == "accepted"
        decision = s.scalars(select(OutboxItem).where(OutboxItem.kind == "decision")).one()
        assert decision.payload["decided_by"] == s.get(Staff, demo_hall_clerk(s)).username == "clerk1"
        actions = list(s.scalars(select(AuditEntry.action).where(AuditEntry.subject == submitted.id)))
    assert actions.count("material_checked") == len(with_files) and "accepted" in " ".join(actions)


def demo_hall_clerk(session) -> int:  # noqa: ANN001 - a session
    from kiosk.store.models import Staff

    return session.scalar(select(Staff.id).where(Staff.username == "clerk1"))


def test_wrong_password_and_missing_permission_change_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    terminal = Terminal.open(load_settings(home))
    demo_hall.add_staff(terminal)
    submitted = demo_hall.submit_at(terminal, demo_hall.id_card_draft(1))
    wrong = as_clerk(home, "case", "check", submitted.id, "id_card", "valid", password="not-the-password")
    assert wrong.returncode == 2 and "用户名或密码不正确" in wrong.stderr and "not correct" in wrong.stderr
    hall_wide = as_clerk(home, "case", "deadlines", "--hall")
    assert hall_wide.returncode == 2 and "没有此项操作权限" in hall_wide.stderr
    supervisor = onewindow(home, "case", "deadlines", "--hall", "--json", "--staff", "lead1", "--password-stdin")
    assert supervisor.returncode == 0 and json.loads(supervisor.stdout)[0]["id"] == submitted.id
    reason_needed = as_clerk(home, "case", "check", submitted.id, "id_card", "invalid")
    assert reason_needed.returncode == 2 and "原因" in reason_needed.stderr
    with terminal.store.transaction() as s:
        app = s.get(Application, submitted.id)
        assert app.status == "submitted" and {m.review_state for m in app.materials} == {"unchecked"}
        assert s.scalar(select(AuditEntry).where(AuditEntry.action == "login_failed")) is not None


def test_a_kiosk_draft_is_exported_and_finished_as_a_walk_in(tmp_path: Path) -> None:
    home = tmp_path / "home"
    terminal = Terminal.open(load_settings(home))
    demo_hall.add_staff(terminal)
    draft_id = demo_hall.add_draft(terminal)
    listed = json.loads(as_clerk(home, "draft", "list", "--json").stdout)
    assert [d["id"] for d in listed] == [draft_id] and "*" in listed[0]["id_number"]
    out = tmp_path / "draft"
    exported = as_clerk(home, "draft", "export", draft_id, "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    doc = json.loads((out / "application.json").read_text(encoding="utf-8"))
    doc["materials"]["household_register"] = doc["materials"]["id_card"]  # the applicant brought the rest
    doc["materials"]["photo_receipt"] = doc["materials"]["id_card"]
    (out / "application.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    taken = as_clerk(home, "walk-in", str(out / "application.json"), "--draft", draft_id)
    assert taken.returncode == 0, taken.stderr
    receipt = json.loads(taken.stdout)["receipt_no"]
    with terminal.store.transaction() as s:
        app = s.scalars(select(Application).where(Application.receipt_no == receipt)).one()
        assert app.channel == "counter" and s.get(Application, draft_id) is None
    assert json.loads(as_clerk(home, "draft", "list", "--json").stdout) == []


def test_rating_and_status_offline(tmp_path: Path) -> None:
    home = tmp_path / "home"
    terminal = Terminal.open(load_settings(home))
    submitted = demo_hall.submit_at(terminal, demo_hall.id_card_draft(1))
    low = onewindow(home, "rate", "1")
    assert low.returncode == 2 and "原因" in low.stderr
    assert onewindow(home, "rate", "1", "--reason", "waiting_time").returncode == 0
    with terminal.store.transaction() as s:
        assert [(r.score, r.reason_code) for r in s.scalars(select(Rating))] == [(1, "waiting_time")]
        assert s.scalar(select(PrintJob)) is None
    status = onewindow(home, "status", submitted.receipt_no, "--offline")
    assert status.returncode == 0 and "已提交" in status.stdout and "Submitted" in status.stdout
