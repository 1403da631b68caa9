from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from kiosk import staff as accounts
from kiosk.errors import UserFacingError
from kiosk.review import MaterialCheck, check_material, decide
from kiosk.store.models import Application, AuditEntry, OutboxItem
from kiosk.workdays import default_calendar
from kiosk.worklist import Urgency, deadline_of, search, work_list
from tests.test_submit import example, submit_doc, with_files


@pytest.fixture
def submitted(capsys, home, tmp_path, terminal):
    doc = with_files(example(capsys, home), tmp_path)
    rc, out, err = submit_doc(capsys, home, tmp_path, doc)
    assert rc == 0, err
    return json.loads(out)


@pytest.fixture
def clerk(terminal):
    with terminal.store.transaction() as s:
        return accounts.add_staff(s, "clerk1", "password-1", "clerk", actor="t")


def _load(s, app_id):
    return s.get(Application, app_id)


def test_supplement_names_the_missing_material_and_queues_the_decision(terminal, submitted, clerk):
    with terminal.store.transaction() as s:
        app = _load(s, submitted["id"])
        with pytest.raises(UserFacingError) as err:
            decide(s, app, "needs_supplement", staff=clerk)
        assert err.value.code == "nothing_missing"
        with pytest.raises(UserFacingError):
            check_material(s, app, "household_register", MaterialCheck.MISSING, staff=clerk)  # reason required
        check_material(s, app, "id_card", "valid", staff=clerk)
        check_material(s, app, "household_register", "missing", staff=clerk, reason="户口簿首页缺失 / front page missing")
        with pytest.raises(UserFacingError) as err:
            decide(s, app, "accepted", staff=clerk)
        assert "居民户口簿" in err.value.message.zh
        decision = decide(s, app, "needs_supplement", staff=clerk, note="请补交户口簿首页")
    assert decision.missing == ("household_register",)
    with terminal.store.transaction() as s:
        app = _load(s, submitted["id"])
        assert app.status == "needs_supplement"
        item = s.scalars(select(OutboxItem).where(OutboxItem.kind == "decision")).one()
        assert item.payload["missing"] == ["household_register"] and item.payload["decided_by"] == clerk.username
        actors = {e.actor for e in s.scalars(select(AuditEntry).where(AuditEntry.subject == app.id))}
        assert f"staff:{clerk.id}" in actors


def test_accept_after_all_required_materials_valid_and_reject_needs_reason(terminal, submitted, clerk):
    with terminal.store.transaction() as s:
        app = _load(s, submitted["id"])
        for m in app.materials:
            if m.required:
                check_material(s, app, m.material_code, "valid", staff=clerk)
        decide(s, app, "accepted", staff=clerk)
        with pytest.raises(UserFacingError) as err:
            decide(s, app, "rejected", staff=clerk, note="  ")
        assert err.value.code == "reason_required"
        with pytest.raises(UserFacingError):
            decide(s, app, "approved", staff=clerk)


def test_disabled_staff_cannot_decide(terminal, submitted, clerk):
    with terminal.store.transaction() as s:
        member = accounts.disable_staff(s, "clerk1", actor="t")
        with pytest.raises(accounts.NotAllowed):
            check_material(s, _load(s, submitted["id"]), "id_card", "valid", staff=member)


def test_search_by_receipt_id_number_and_qr_text(terminal, submitted):
    hall = terminal.settings.hall_code
    with terminal.store.transaction() as s:
        assert [a.id for a in search(s, submitted["receipt_no"], hall_code=hall)] == [submitted["id"]]
        assert [a.id for a in search(s, submitted["receipt_no"].replace("-", ""), hall_code=hall)] == [submitted["id"]]
        assert [a.id for a in search(s, "11010519491231002x", hall_code=hall)] == [submitted["id"]]
        qr = terminal.settings.status_url(submitted["receipt_no"])
        assert [a.id for a in search(s, qr, hall_code=hall)] == [submitted["id"]]
        old = terminal.settings.progress_url + submitted["receipt_no"]  # receipts printed before status addresses
        assert [a.id for a in search(s, old, hall_code=hall)] == [submitted["id"]]
        wrong = qr[:-1] + ("0" if qr[-1] != "0" else "1")  # a check character that does not match
        assert search(s, wrong, hall_code=hall) == []
        assert search(s, "nothing-like-it", hall_code=hall) == []
        assert search(s, submitted["receipt_no"], hall_code="999999999") == []
        assert [a.id for a in work_list(s, hall_code=hall)] == [submitted["id"]]
    with terminal.store.read() as s:  # the work list reads its columns only: no application, material or file
        (row,) = work_list(s, hall_code=hall)  # loaded and unsealed whole for it
        assert row.applicant_name and row.applicant_id_number and row.receipt_no == submitted["receipt_no"]
        assert len(s.identity_map) == 0


def test_deadlines_in_working_days(terminal, submitted):
    cal = default_calendar()
    with terminal.store.transaction() as s:
        app = _load(s, submitted["id"])
        app.promised_date = date(2026, 10, 13)
        assert deadline_of(app, cal, date(2026, 9, 30)).working_days_left == 5
        assert deadline_of(app, cal, date(2026, 9, 30)).urgency is Urgency.ON_TRACK
        assert deadline_of(app, cal, date(2026, 10, 9)).working_days_left == 3  # Sat 10 Oct is worked
        assert deadline_of(app, cal, date(2026, 10, 10)).urgency is Urgency.DUE_SOON
        assert deadline_of(app, cal, date(2026, 10, 14)).urgency is Urgency.OVERDUE
        app.status = "approved"
        assert deadline_of(app, cal, date(2026, 10, 14)).urgency is Urgency.NONE


def test_no_file_no_valid_and_no_acceptance_while_anything_is_missing(terminal, submitted, clerk):
    with terminal.store.transaction() as s:
        app = _load(s, submitted["id"])
        empty = next((m for m in app.materials if not m.files), None)
        if empty is None:  # the example may carry every file: take one away, as a kiosk that skipped it would
            empty = next(m for m in app.materials if not m.required)
            empty.files.clear()
            s.flush()
        with pytest.raises(UserFacingError) as err:
            check_material(s, app, empty.material_code, MaterialCheck.VALID, staff=clerk)
        assert err.value.code == "no_file" and empty.name_zh in err.value.message.zh
        assert empty.review_state == "unchecked"
        for m in app.materials:
            if m.files:
                check_material(s, app, m.material_code, "valid", staff=clerk)
        check_material(s, app, empty.material_code, "missing", staff=clerk, reason="未提交")
        with pytest.raises(UserFacingError) as err:  # every required one passed, an optional one is marked missing
            decide(s, app, "accepted", staff=clerk)
        assert err.value.code == "materials_not_valid" and empty.name_zh in err.value.message.zh
        assert app.status == "submitted"
