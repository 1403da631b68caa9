"""Visits per case and online cases finished at the window, in the terminal's own store (no platform here:
tests/sync/test_onsite_prereview.py brings a case down from a real one)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, select, text

from kiosk import demo_hall
from kiosk.errors import UserFacingError
from kiosk.reports import build_report
from kiosk.review import MaterialCheck, check_material, decide
from kiosk.settings import load_settings
from kiosk.store.db import alembic_config, make_engine
from kiosk.store.models import Application, AuditEntry, OutboxItem, Staff, Visit
from kiosk.terminal import Terminal
from kiosk.usecases import cases, onsite
from kiosk.workdays import default_calendar

CASE_NO = "SJ330106001-20261130-000007"


def online(terminal: Terminal, n: int = 3, *, original: tuple[str, ...] = ("household_register",)) -> str:
    """An online case as the feed brings it after the platform's pre-review."""
    app_id = demo_hall.add_online_case(terminal, n, CASE_NO if n == 3 else f"SJ330106001-20261130-{n:06d}")
    with terminal.store.transaction() as s:
        for m in s.get(Application, app_id).materials:
            m.prereview = "original" if m.material_code in original else "passed"
    return app_id


def visits_of(terminal: Terminal, app_id: str) -> list[str]:
    with terminal.store.transaction() as s:
        return list(s.scalars(select(Visit.kind).where(Visit.application_id == app_id).order_by(Visit.id)))


@pytest.fixture
def staff_ids(terminal: Terminal) -> tuple[int, int]:
    return demo_hall.add_staff(terminal)


def accept_all(terminal: Terminal, app_id: str, clerk_id: int, to: str = "accepted") -> dict:
    with terminal.store.transaction() as s:
        app, staff = s.get(Application, app_id), s.get(Staff, clerk_id)
        for m in app.materials:
            if m.files:
                check_material(s, app, m.material_code, MaterialCheck.VALID, staff=staff)
        decide(s, app, to, staff=staff)
        item = s.scalars(select(OutboxItem).where(OutboxItem.kind == "decision", OutboxItem.ref_id == app_id)
                         .order_by(OutboxItem.id.desc())).first()
        return dict(item.payload)


def test_a_hall_submission_is_one_visit_a_supplement_another_and_online_none(terminal, staff_ids) -> None:
    clerk_id, _ = staff_ids
    one = demo_hall.submit_at(terminal, demo_hall.id_card_draft(1)).id
    two = demo_hall.submit_at(terminal, demo_hall.id_card_draft(2), channel="counter", actor="staff:1").id
    web = demo_hall.add_online_case(terminal, 4, "SJ330106001-20261130-000004")
    assert (visits_of(terminal, one), visits_of(terminal, two), visits_of(terminal, web)) == \
        (["submission"], ["submission"], [])
    assert accept_all(terminal, one, clerk_id)["visits"] == 1

    with terminal.store.transaction() as s:  # the second needs a supplement: the citizen must come back
        app, staff = s.get(Application, two), s.get(Staff, clerk_id)
        check_material(s, app, "household_register", MaterialCheck.MISSING, staff=staff, reason="缺页 / page missing")
        decide(s, app, "needs_supplement", staff=staff)
    assert visits_of(terminal, two) == ["submission"]
    with terminal.store.transaction() as s:  # and does, with the missing page
        app, staff = s.get(Application, two), s.get(Staff, clerk_id)
        check_material(s, app, "household_register", MaterialCheck.VALID, staff=staff)
    assert accept_all(terminal, two, clerk_id)["visits"] == 2
    assert visits_of(terminal, two) == ["submission", "supplement"]

    today = date.today()
    with terminal.store.transaction() as s:
        report = build_report(s, terminal.catalog, default_calendar(), today - timedelta(days=1), today)
    assert {c.visits for c in report.cases} == {0, 1, 2}
    assert report.summary["finished"] == 2  # the online case waits for its visit: not finished
    assert report.summary["finished_in_one_visit"] == 1 and report.summary["one_visit_share"] == 0.5
    assert report.summary["finished_by_visits"] == {"0": 0, "1": 1, "2": 1, "3+": 0}


def test_an_online_case_is_found_by_card_or_number_ticked_off_and_completed_once(terminal, staff_ids) -> None:
    clerk_id, _ = staff_ids
    app_id = online(terminal)
    with terminal.store.transaction() as s:
        id_number = s.get(Application, app_id).applicant_id_number
    (found,) = onsite.find_online_cases(terminal, clerk_id, id_number)
    assert found.id == app_id and found.case_no == CASE_NO and "*" in (found.id_masked or "")
    assert [(m.code, m.needs_original) for m in found.materials] == \
        [("id_card", False), ("household_register", True), ("photo_receipt", False)]
    assert onsite.find_online_cases(terminal, clerk_id, f"  {CASE_NO} ") == [found]
    assert onsite.find_online_cases(terminal, clerk_id, id_number.lower()) == [found]  # the x of an ID number

    with pytest.raises(UserFacingError) as refused:
        onsite.complete(terminal, clerk_id, app_id)
    assert refused.value.code == "originals_unchecked" and "户口簿" in refused.value.message.zh
    assert visits_of(terminal, app_id) == []

    ticked = onsite.mark_original(terminal, clerk_id, app_id, "household_register")
    assert ticked.ready and ticked.materials[1].original_seen_by == f"staff:{clerk_id}"
    untick = onsite.mark_original(terminal, clerk_id, app_id, "household_register", seen=False)
    assert not untick.ready and untick.materials[1].original_seen_at is None  # a slip undone, audited
    onsite.mark_original(terminal, clerk_id, app_id, "household_register")
    done = onsite.complete(terminal, clerk_id, app_id)
    assert done.case.status == "accepted" and done.case.visits == 1
    shown = {m.code: m for m in cases.case_detail(terminal, clerk_id, app_id).materials}  # the review screen's view
    assert (shown["household_register"].prereview, shown["id_card"].prereview) == ("original", "passed")
    assert shown["household_register"].original_seen_at is not None and shown["id_card"].original_seen_at is None
    assert {m.review_state for m in shown.values() if m.files} == {"valid"}
    assert visits_of(terminal, app_id) == ["onsite"]
    with terminal.store.transaction() as s:
        actions = list(s.scalars(select(AuditEntry.action).where(AuditEntry.subject == app_id)))
        (decision,) = s.scalars(select(OutboxItem).where(OutboxItem.kind == "decision"))
    assert actions.count("original_seen") == 2 and actions.count("original_unseen") == 1
    assert decision.payload["to"] == "accepted" and decision.payload["visits"] == 1

    with pytest.raises(UserFacingError) as again:  # completing twice is refused and records no second visit
        onsite.complete(terminal, clerk_id, app_id)
    assert again.value.code == "onsite_closed"
    with pytest.raises(UserFacingError) as closed:
        onsite.find_online_cases(terminal, clerk_id, CASE_NO)
    assert closed.value.code == "onsite_closed" and "already been handled" in closed.value.message.en
    assert visits_of(terminal, app_id) == ["onsite"]


def test_bad_input_is_refused_bilingually_and_changes_nothing(terminal, staff_ids) -> None:
    clerk_id, _ = staff_ids
    app_id = online(terminal)
    kiosk = demo_hall.submit_at(terminal, demo_hall.id_card_draft(1))
    other = online(terminal, 5)
    with terminal.store.transaction() as s:  # a case of another hall (brought by a terminal moved between halls)
        s.get(Application, other).hall_code = "330106002"
        other_case_no = s.get(Application, other).case_no

    def refused(call, code: str, zh: str, en: str) -> None:  # noqa: ANN001 - a callable
        with pytest.raises(UserFacingError) as exc:
            call()
        assert exc.value.code == code and zh in exc.value.message.zh and en in exc.value.message.en, exc.value.message

    refused(lambda: onsite.find_online_cases(terminal, clerk_id, "   "), "onsite_empty", "请放置身份证", "Place the ID")
    refused(lambda: onsite.find_online_cases(terminal, clerk_id, "SJ-NO-SUCH-CASE"), "onsite_unknown", "没有这个编号",
            "no online application")
    refused(lambda: onsite.find_online_cases(terminal, clerk_id, "x" * 200), "onsite_unknown", "没有这个编号",
            "no online application")
    refused(lambda: onsite.find_online_cases(terminal, clerk_id, "ab\x00c"), "onsite_unknown", "没有这个编号",
            "no online application")
    refused(lambda: onsite.find_online_cases(terminal, clerk_id, other_case_no), "onsite_other_hall", "其他大厅",
            "another hall")
    refused(lambda: onsite.find_online_cases(terminal, clerk_id, kiosk.receipt_no), "onsite_not_online",
            "不是网上申请", "not made online")
    refused(lambda: onsite.complete(terminal, clerk_id, other), "onsite_other_hall", "其他大厅", "another hall")
    refused(lambda: onsite.complete(terminal, clerk_id, kiosk.id), "onsite_not_online", "不是网上申请", "not made online")
    refused(lambda: onsite.complete(terminal, clerk_id, "no-such-id"), "onsite_unknown", "找不到", "cannot be found")
    refused(lambda: onsite.mark_original(terminal, clerk_id, app_id, "passport"), "no_material", "没有材料",
            "no material")
    refused(lambda: onsite.mark_original(terminal, clerk_id, app_id, "id_card"), "onsite_passed", "无需核验原件",
            "no original to see")
    refused(lambda: onsite.mark_original(terminal, clerk_id, other, "household_register"), "onsite_other_hall",
            "其他大厅", "another hall")
    # a citizen with no online case waiting is an empty list, not an error
    assert onsite.find_online_cases(terminal, clerk_id, "11010519491231002X") == []
    with terminal.store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Visit).where(Visit.kind == "onsite")) == 0
        assert all(m.original_seen_at is None for m in s.get(Application, app_id).materials)
        assert s.scalar(select(func.count()).select_from(OutboxItem).where(OutboxItem.kind == "decision")) == 0
        assert s.get(Application, app_id).status == "received"


def test_the_counter_verbs_headless(tmp_path: Path) -> None:
    home, notices = tmp_path / "home", tmp_path / "notices"
    notices.mkdir()
    terminal = Terminal.open(load_settings(home))
    demo_hall.add_staff(terminal)
    app_id = online(terminal)
    env = os.environ | {"ONEWINDOW_DOCUMENT_PRINTER": f"file:{notices}"}

    def clerk(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "kiosk", "--home", str(home), "case", *args, "--staff", "clerk1",
                               "--password-stdin"], input=demo_hall.PASSWORD + "\n", capture_output=True, text=True,
                              timeout=180, env=env)

    with terminal.store.transaction() as s:
        id_number = s.get(Application, app_id).applicant_id_number
    found = clerk("online-find", id_number, "--json")
    assert found.returncode == 0, found.stderr
    (case,) = json.loads(found.stdout)
    assert case["case_no"] == CASE_NO and not case["ready"] and id_number not in found.stdout  # masked
    early = clerk("complete", CASE_NO)
    assert early.returncode == 2 and "原件尚未核验" in early.stderr and "originals of these materials" in early.stderr
    seen = clerk("original-seen", CASE_NO, "household_register")
    assert seen.returncode == 0 and "[x] household_register" in seen.stdout, seen.stderr
    done = clerk("complete", CASE_NO, "--json")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert (answer["status"], answer["visits"], answer["printed"]) == ("accepted", 1, True)
    assert len(list(notices.glob("acceptance-*.pdf"))) == 1
    unknown = clerk("online-find", "SJ-NOTHING")
    assert unknown.returncode == 2 and "没有这个编号" in unknown.stderr and "no online application" in unknown.stderr


def test_0014_counts_a_visit_for_every_case_handed_in_at_the_hall(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "m.sqlite3")
    cfg = alembic_config(engine)
    command.upgrade(cfg, "0013")
    with engine.begin() as conn:
        for app_id, channel, status in (("a1", "kiosk", "accepted"), ("a2", "online", "received"),
                                        ("a3", "counter", "submitted"), ("a4", "kiosk", "draft")):
            conn.execute(text(
                "INSERT INTO applications (id, service_item_code, catalog_version, status, channel, hall_code,"
                " device_no, form, created_at, submitted_at, updated_at) VALUES (:id, 'X', 'v', :st, :ch, '330106001',"
                " 1, '{}', '2026-11-23 00:00:00', '2026-11-23 01:00:00', '2026-11-23 00:00:00')"),
                {"id": app_id, "st": status, "ch": channel})
    command.upgrade(cfg, "head")
    with engine.connect() as conn:
        rows = sorted(conn.execute(text("SELECT application_id, kind, at FROM visits")))
    assert [(a, k) for a, k, _ in rows] == [("a1", "submission"), ("a3", "submission")]
    assert str(rows[0][2]).startswith("2026-11-23 01:00:00")
