"""Online cases pre-reviewed on the platform and finished at the window: one visit, end to end.

A real platform on loopback, the real CLI (`platform submit-online`, `platform prereview`, `platform visits`,
`report`), the counter's sync engine and the on-site use cases.
"""
from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kiosk.catalog import demo_catalog_path
from kiosk.errors import UserFacingError
from kiosk.store.models import Application, AuditEntry, OnlinePreReview, OutboxItem, Visit
from kiosk.terminal import Terminal
from kiosk.usecases import onsite
from sync.client import PlatformClient, Refused
from sync.server.cases import changes_since
from sync.server.models import Change
from sync.server.prereview_models import CasePreReview, CaseVisits
from tests.sync.conftest import engine_for, enroll, make_terminal
from tests.sync.test_counter_sync import HALL, cli, clerk, online_application, platform_cases, sync_until_done

ID_NUMBER = "11010519491231002X"  # the example applicant of `onewindow submit --example`


def online_case(tmp_path: Path, capsys: pytest.CaptureFixture[str], platform, home: Path) -> dict:
    rc, _, err = cli(capsys, "platform", "publish-catalog", "--home", str(platform.home), str(demo_catalog_path()))
    assert rc == 0, err
    path = online_application(tmp_path, capsys, home)
    rc, out, err = cli(capsys, "platform", "submit-online", "--home", str(platform.home), "--hall", HALL, str(path))
    assert rc == 0, err
    return json.loads(out)


def prereview(capsys: pytest.CaptureFixture[str], platform, case: str, *extra: str) -> tuple[int, str, str]:
    return cli(capsys, "platform", "prereview", "--home", str(platform.home), case, *extra)


def test_a_pre_reviewed_online_case_is_completed_at_the_counter_in_one_visit(
        tmp_path: Path, platform, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "counter"
    terminal = make_terminal(home)
    credential = enroll(terminal, platform, name="counter-1")
    engine = engine_for(terminal, credential)
    case = online_case(tmp_path, capsys, platform, home)
    sync_until_done(engine)  # the case comes down before the platform looked at it
    with terminal.store.transaction() as s:
        app = s.get(Application, case["id"])
        assert app.channel == "online" and [m.prereview for m in app.materials] == [None, None, None]
        assert s.get(OnlinePreReview, case["id"]) is None
        assert s.scalar(select(func.count()).select_from(Visit)) == 0  # applying online is no visit

    rc, out, err = prereview(capsys, platform, case["case_no"], "--passed", "id_card,photo_receipt",
                             "--original", "household_register", "--by", "王预审", "--note", "户口簿请核验原件")
    assert rc == 0, err
    assert json.loads(out)["verdicts"] == {"id_card": "passed", "household_register": "original",
                                           "photo_receipt": "passed"}
    sync_until_done(engine)  # a new assignment in the feed carries the pre-review to the counter holding the case
    with terminal.store.transaction() as s:
        app = s.get(Application, case["id"])
        assert {m.material_code: m.prereview for m in app.materials} == \
            {"id_card": "passed", "household_register": "original", "photo_receipt": "passed"}
        held = s.get(OnlinePreReview, case["id"])
        assert (held.by, held.note) == ("王预审", "户口簿请核验原件")
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "prereviewed")) == 1
        assert s.scalar(select(func.count()).select_from(Application)) == 1

    staff = clerk(terminal, platform)
    (found,) = onsite.find_online_cases(terminal, staff.id, ID_NUMBER)  # the ID card placed on the reader
    assert (found.id, found.case_no, found.prereview_by, found.visits) == (case["id"], case["case_no"], "王预审", 0)
    assert [m.code for m in found.originals_left] == ["household_register"]
    assert onsite.find_online_cases(terminal, staff.id, case["case_no"]) == [found]  # or the case number typed

    with pytest.raises(UserFacingError) as refused:  # the original was not seen yet
        onsite.complete(terminal, staff.id, case["id"])
    assert refused.value.code == "originals_unchecked"
    assert "户口簿" in refused.value.message.zh and "Household" in refused.value.message.en
    with terminal.store.transaction() as s:  # and nothing changed
        assert s.get(Application, case["id"]).status == "received"
        assert s.scalar(select(func.count()).select_from(Visit)) == 0
        assert s.scalar(select(func.count()).select_from(OutboxItem).where(OutboxItem.kind == "decision")) == 0

    seen = onsite.mark_original(terminal, staff.id, case["id"], "household_register")
    assert seen.ready and seen.originals_left == ()
    done = onsite.complete(terminal, staff.id, case["id"])
    assert done.outcome.decision.to == "accepted" and done.case.visits == 1 and done.case.status == "accepted"
    with terminal.store.transaction() as s:
        (visit,) = s.scalars(select(Visit))
        assert (visit.application_id, visit.kind, visit.actor) == (case["id"], "onsite", f"staff:{staff.id}")
        (decision,) = s.scalars(select(OutboxItem).where(OutboxItem.kind == "decision"))
        assert decision.payload["visits"] == 1
    assert onsite.find_online_cases(terminal, staff.id, ID_NUMBER) == []  # nothing left open for this citizen

    sync_until_done(engine)  # the decision and its visit count reach the platform
    assert platform_cases(capsys, platform)[case["id"]]["status"] == "accepted"
    rc, out, err = cli(capsys, "platform", "visits", "--home", str(platform.home), "--hall", HALL)
    assert rc == 0, err
    assert json.loads(out) == {"hall_code": HALL, "cases": 1, "by_visits": {"1": 1}, "at_most_one_visit": 1,
                               "one_visit_share": 1.0}
    client = PlatformClient.for_credential(credential)  # the hall's counters read the same figure
    try:
        assert client.json("GET", "visits") == json.loads(out)
    finally:
        client.close()
    kiosk = make_terminal(tmp_path / "kiosk")
    kiosk_client = PlatformClient.for_credential(enroll(kiosk, platform, name="kiosk-1", role="kiosk"))
    try:
        with pytest.raises(Refused) as refused:
            kiosk_client.json("GET", "visits")
        assert refused.value.status == 403
    finally:
        kiosk_client.close()

    today = date.today()
    report_path = tmp_path / "report.json"
    rc, out, err = cli(capsys, "--home", str(home), "report", "--from", (today - timedelta(days=1)).isoformat(),
                       "--to", (today + timedelta(days=1)).isoformat(), "--format", "json", "--out", str(report_path))
    assert rc == 0, err
    assert "1 / 1 (100.0%)" in out
    summary = json.loads(report_path.read_text(encoding="utf-8"))["summary"]
    assert (summary["finished"], summary["finished_in_one_visit"], summary["one_visit_share"]) == (1, 1, 1.0)
    assert summary["finished_by_visits"] == {"0": 0, "1": 1, "2": 0, "3+": 0}


def test_a_case_pre_reviewed_before_the_hall_took_it_in_arrives_with_its_verdicts(
        tmp_path: Path, sqlite_platform, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "counter"
    terminal = make_terminal(home)
    engine = engine_for(terminal, enroll(terminal, sqlite_platform, name="counter-1"))
    case = online_case(tmp_path, capsys, sqlite_platform, home)
    rc, _, err = prereview(capsys, sqlite_platform, case["id"], "--passed", "id_card,household_register,photo_receipt",
                           "--by", "李预审")
    assert rc == 0, err
    sync_until_done(engine)
    with terminal.store.transaction() as s:
        app = s.get(Application, case["id"])
        assert [m.prereview for m in app.materials] == ["passed", "passed", "passed"]
        assert s.get(OnlinePreReview, case["id"]).by == "李预审"
        # the two assignment changes brought one case and one pre-review, recorded once
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "assigned")) == 1
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "prereviewed")) == 0
    staff = clerk(terminal, sqlite_platform)
    (found,) = onsite.find_online_cases(terminal, staff.id, case["case_no"])
    assert found.ready and found.originals_left == ()
    with pytest.raises(UserFacingError) as refused:  # a material that passed has no original to tick off
        onsite.mark_original(terminal, staff.id, case["id"], "id_card")
    assert refused.value.code == "onsite_passed"
    assert onsite.complete(terminal, staff.id, case["id"]).case.visits == 1


def test_prereview_refuses_bad_input_bilingually_and_changes_nothing(
        tmp_path: Path, sqlite_platform, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "counter"
    make_terminal(home)
    case = online_case(tmp_path, capsys, sqlite_platform, home)
    no = case["case_no"]
    bad = {
        "unknown case": (("SJ330106001-20000101-999999", "--passed", "id_card", "--by", "王"), ("没有案件", "no case")),
        "unknown material": ((no, "--passed", "id_card,household_register,photo_receipt,passport", "--by", "王"),
                             ("没有这些材料", "passport")),
        "named twice": ((no, "--passed", "id_card,household_register,photo_receipt", "--original", "id_card",
                         "--by", "王"), ("重复", "more than once")),
        "verdict missing": ((no, "--passed", "id_card", "--by", "王"), ("尚缺", "household_register")),
        "no reviewer": ((no, "--passed", "id_card,household_register,photo_receipt", "--by", "  "),
                        ("预审人", "reviewer")),
        "control characters": ((no, "--passed", "id_card,household_register,photo_receipt", "--by", "王",
                                "--note", "ok\x1b[2J"), ("控制字符", "control characters")),
    }
    for name, (argv, (zh, en)) in bad.items():
        rc, out, err = prereview(capsys, sqlite_platform, *argv)
        assert rc == 2 and zh in err and en in err, (name, err)
        assert out == ""
    with sqlite_platform.store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(CasePreReview)) == 0
        assert s.scalar(select(func.count()).select_from(Change)) == 1  # only the assignment itself

    rc, _, err = cli(capsys, "platform", "decide", "--home", str(sqlite_platform.home), no, "--to", "accepted", "--note", "")
    assert rc == 0, err
    rc, _, err = prereview(capsys, sqlite_platform, no, "--passed", "id_card,household_register,photo_receipt",
                           "--by", "王")
    assert rc == 2 and "已由大厅办理" in err and "already been handled" in err
    with sqlite_platform.store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(CasePreReview)) == 0
        feed, _, _ = changes_since(s, HALL, 0, 100)
    assert [c["status"] for c in feed] == ["received", "accepted"]


def test_a_hall_submission_case_is_not_an_online_case_to_pre_review(
        tmp_path: Path, sqlite_platform, capsys: pytest.CaptureFixture[str]) -> None:
    from sync.demo_data import submit_demo

    terminal = make_terminal(tmp_path / "kiosk")
    engine = engine_for(terminal, enroll(terminal, sqlite_platform, name="kiosk-1", role="kiosk"))
    (pushed,) = submit_demo(terminal, 1, pages=1, page_kb=5, seed=3)
    sync_until_done(engine)
    case_no = platform_cases(capsys, sqlite_platform)[pushed.id]["case_no"]
    rc, _, err = prereview(capsys, sqlite_platform, case_no, "--passed", "id_card", "--by", "王")
    assert rc == 2 and "不是网上申请" in err and "not made online" in err
    with sqlite_platform.store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(CaseVisits)) == 0


def test_the_visit_count_on_the_platform_never_goes_down(tmp_path: Path, sqlite_platform) -> None:
    from sync.server.models import Case, Device
    from sync.server.prereview import record_visits, visits_summary

    terminal: Terminal = make_terminal(tmp_path / "counter")
    enroll(terminal, sqlite_platform, name="counter-1")
    with sqlite_platform.store.transaction() as s:
        device = s.scalar(select(Device).where(Device.name == "counter-1"))
        s.add(Case(uuid="0b7f2a8e-1111-4222-8333-444455556666", hall_code=HALL, device_id=device.id, device_no=1,
                   service_item="x", catalog_version="1", content_hash="0" * 64, document={}, status="accepted"))
        s.expunge(device)
    record_visits(sqlite_platform.store, device, "0b7f2a8e-1111-4222-8333-444455556666", 2)
    record_visits(sqlite_platform.store, device, "0b7f2a8e-1111-4222-8333-444455556666", 1)  # a late, older count
    record_visits(sqlite_platform.store, device, "ffffffff-1111-4222-8333-444455556666", 1)  # no such case: nothing
    assert visits_summary(sqlite_platform.store, HALL)["by_visits"] == {"2": 1}
