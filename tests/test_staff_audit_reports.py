"""Counter back-office: staff accounts, audit verification, ratings and open-data reports."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from kiosk import staff as accounts
from kiosk.errors import UserFacingError
from kiosk.lifecycle import move
from kiosk.ratings import record_rating
from kiosk.store.models import Application, AuditEntry, Staff
from tests.test_submit import example, submit_doc, with_files


def onewindow(home, *args, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", "--home", str(home), *args], input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_staff_lifecycle_through_the_cli(home, terminal):
    r = onewindow(home, "staff", "add", "wang.li", "--role", "clerk", "--display-name", "王丽", stdin="s3cret-pass\n")
    assert r.returncode == 0, r.stderr
    with terminal.store.transaction() as s:
        member = s.scalar(select(Staff).where(Staff.username == "wang.li"))
        assert member.password_hash.startswith("$argon2id$") and "s3cret" not in member.password_hash
        assert accounts.authenticate(s, "wang.li", "s3cret-pass").id == member.id
    assert onewindow(home, "staff", "add", "wang.li", "--role", "clerk", stdin="another-pass\n").returncode == 2
    weak = onewindow(home, "staff", "add", "zhao", "--role", "clerk", stdin="short\n")
    assert weak.returncode == 2 and "密码至少" in weak.stderr
    assert onewindow(home, "staff", "add", "Bad Name!", "--role", "clerk", stdin="long-enough\n").returncode == 2
    assert onewindow(home, "staff", "reset-password", "wang.li", stdin="new-pass-123\n").returncode == 0
    assert onewindow(home, "staff", "disable", "wang.li").returncode == 0
    listed = json.loads(onewindow(home, "staff", "list", "--json").stdout)
    assert listed == [{"id": 1, "username": "wang.li", "display_name": "王丽", "role": "clerk", "disabled": True,
                       "source": "local"}]  # made on this terminal, not synced from the platform
    with terminal.store.transaction() as s:
        with pytest.raises(UserFacingError) as err:
            accounts.authenticate(s, "wang.li", "new-pass-123")
        assert err.value.code == "disabled"
        actions = [e.action for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions[:1] == ["staff_added"] and "staff_password_reset" in actions and "staff_disabled" in actions


def test_wrong_password_and_unknown_user_look_the_same(terminal):
    with terminal.store.transaction() as s:
        accounts.add_staff(s, "li", "correct-horse", "supervisor", actor="test")
    with terminal.store.transaction() as s:
        messages = []
        for user, pw in (("li", "wrong-password"), ("nobody", "correct-horse")):
            with pytest.raises(UserFacingError) as err:
                accounts.authenticate(s, user, pw)
            messages.append(err.value.message)
        assert messages[0] == messages[1]


def test_roles_limit_what_staff_may_do(terminal):
    with terminal.store.transaction() as s:
        clerk = accounts.add_staff(s, "clerk1", "password-1", "clerk", actor="t")
        sup = accounts.add_staff(s, "sup1", "password-2", "supervisor", actor="t")
        admin = accounts.add_staff(s, "admin1", "password-3", "administrator", actor="t")
        assert accounts.allowed(clerk, accounts.Permission.DECIDE)
        assert not accounts.allowed(clerk, accounts.Permission.DASHBOARD)
        assert accounts.allowed(sup, accounts.Permission.HALL_DEADLINES)
        assert not accounts.allowed(sup, accounts.Permission.MANAGE_STAFF)
        assert accounts.allowed(admin, accounts.Permission.MANAGE_STAFF)
        with pytest.raises(accounts.NotAllowed):
            accounts.require(clerk, accounts.Permission.MANAGE_STAFF)


def test_audit_verify_cli_detects_tampering(home, terminal):
    with terminal.store.transaction() as s:
        accounts.add_staff(s, "a1", "password-1", "clerk", actor="t")
        accounts.add_staff(s, "a2", "password-2", "clerk", actor="t")
    ok = onewindow(home, "audit", "verify", "--json")
    assert ok.returncode == 0 and json.loads(ok.stdout)["ok"]
    with terminal.store.transaction() as s:
        first = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).first()
        first.details = {"username": "someone-else", "role": "administrator"}
    bad = onewindow(home, "audit", "verify", "--json")
    assert bad.returncode == 2
    assert json.loads(bad.stdout)["breaks"][0]["entry_id"] == first.id


def test_ratings_scale_and_reasons(terminal):
    with terminal.store.transaction() as s:
        assert record_rating(s, 5).score == 5
        with pytest.raises(UserFacingError):
            record_rating(s, 1)  # the lowest two need a reason
        assert record_rating(s, 2, reason_code="waiting_time").reason_code == "waiting_time"
        with pytest.raises(UserFacingError):
            record_rating(s, 6)
        with pytest.raises(UserFacingError):
            record_rating(s, 4, comment="x" * 301)


def test_report_exports_parse_back_without_personal_data(capsys, home, tmp_path, terminal):
    ids = []
    for i in range(3):
        doc = with_files(example(capsys, home), tmp_path / str(i))
        doc["applicant"]["name"] = "张𠮷"
        doc["form"]["mailing_address"] = "=HYPERLINK(\"http://x\")"
        rc, out, err = submit_doc(capsys, home, tmp_path, doc)
        assert rc == 0, err
        ids.append(json.loads(out)["id"])
    with terminal.store.transaction() as s:
        app = s.get(Application, ids[0])
        move(s, app, "accepted", actor="t")
        move(s, app, "approved", actor="t")
        record_rating(s, 5, service_item_code=app.service_item_code)
        record_rating(s, 1, reason_code="waiting_time")
    today = date.today()
    frm, to = (today - timedelta(days=1)).isoformat(), (today + timedelta(days=1)).isoformat()
    outputs = {}
    for fmt in ("csv", "json", "xml", "xlsx"):
        out = tmp_path / f"report.{fmt}"
        r = onewindow(home, "report", "--from", frm, "--to", to, "--format", fmt, "--out", str(out))
        assert r.returncode == 0, r.stderr
        outputs[fmt] = out.read_bytes()
    rows = list(csv.DictReader(io.StringIO(outputs["csv"].decode("utf-8-sig"))))
    assert len(rows) == 3 and rows[0]["service_item_name"] == "居民身份证换领"
    doc = json.loads(outputs["json"])
    assert doc["summary"]["applications"] == 3 and doc["summary"]["completed"] == 1
    assert doc["summary"]["completed_within_promised_time"] == 1
    assert doc["summary"]["ratings"] == {"5": 1, "4": 0, "3": 0, "2": 0, "1": 1}
    root = ET.fromstring(outputs["xml"])
    assert len(root.findall("./cases/case")) == 3
    wb = load_workbook(io.BytesIO(outputs["xlsx"]))
    assert wb["cases"].max_row == 4 and wb.sheetnames == ["cases", "per_day", "summary"]
    with terminal.store.transaction() as s:
        secrets = [(a.applicant_name, a.applicant_id_number, a.applicant_phone, a.receipt_no)
                   for a in s.scalars(select(Application))]
    for fmt, data in outputs.items():
        text = data.decode("utf-8", errors="ignore") if fmt != "xlsx" else json.dumps(
            [[c.value for c in row] for ws in wb for row in ws.iter_rows()], ensure_ascii=False)
        for values in secrets:
            for value in values:
                assert value not in text, (fmt, value)
        assert "HYPERLINK" not in text
    bad = onewindow(home, "report", "--from", to, "--to", frm, "--format", "csv", "--out", str(tmp_path / "x.csv"))
    assert bad.returncode == 2 and "结束日期" in bad.stderr
    bad = onewindow(home, "report", "--from", "2026-13-01", "--to", to, "--format", "csv", "--out", str(tmp_path / "y"))
    assert bad.returncode == 2
