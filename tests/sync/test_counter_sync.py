"""The counter and the platform: decisions up through the outbox, online cases down through the feed.

Real platform on loopback (SQLite and PostgreSQL), a real link proxy for the
outage, the real CLI for `platform cases` and `platform submit-online`.
"""
from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from kiosk import staff as accounts
from kiosk.catalog import demo_catalog_path
from kiosk.cli import main
from kiosk.settings import load_settings
from kiosk.review import MaterialCheck, check_material, decide
from kiosk.store.models import Application, AuditEntry, OutboxItem, PendingDownload, Staff
from kiosk.terminal import Terminal
from kiosk.worklist import work_list
from sync.changes import apply_change
from sync.client import PlatformClient
from sync.credentials import load_credential
from sync.staff_sync import pull_staff
from sync.decisions import decision_body
from sync.demo_data import submit_demo
from sync.linksim import BadLink
from sync.server.cases import changes_since, list_cases
from sync.server.models import Decision
from tests.conftest import ID_CARD_ITEM
from tests.helpers.files import jpeg_bytes, pdf_bytes, write
from tests.sync.conftest import engine_for, enroll, make_terminal

HALL = "330106001"


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def platform_cases(capsys: pytest.CaptureFixture[str], platform) -> dict[str, dict]:
    rc, out, err = cli(capsys, "platform", "cases", "--home", str(platform.home), "--json")
    assert rc == 0, err
    return {c["id"]: c for c in json.loads(out)}


def clerk(terminal: Terminal, platform) -> Staff:
    """The hall's administrator registers clerk1 on the platform; the (enrolled) counter receives it by sync."""
    platform.add_staff(terminal.settings.hall_code, "clerk1", "password-1", "clerk")
    credential = load_credential(terminal.settings)
    assert credential is not None and credential.is_counter
    client = PlatformClient.for_credential(credential)
    try:
        assert pull_staff(terminal.store, client) is not None
    finally:
        client.close()
    with terminal.store.transaction() as s:
        return accounts.authenticate(s, "clerk1", "password-1")


def accept(terminal: Terminal, app_id: str, staff: Staff) -> str:
    with terminal.store.transaction() as s:
        app = s.get(Application, app_id)
        for m in app.materials:
            if m.files:  # a material with no file cannot be valid (an optional one left out stays unchecked)
                check_material(s, app, m.material_code, MaterialCheck.VALID, staff=staff)
        return decide(s, app, "accepted", staff=staff).id


def ask_supplement(terminal: Terminal, app_id: str, staff: Staff) -> tuple[str, str]:
    with terminal.store.transaction() as s:
        app = s.get(Application, app_id)
        code = app.materials[0].material_code
        check_material(s, app, code, MaterialCheck.MISSING, staff=staff, reason="看不清 / illegible")
        return decide(s, app, "needs_supplement", staff=staff, note="请补交清晰件").id, code


def outbox(terminal: Terminal, kind: str) -> list[OutboxItem]:
    with terminal.store.transaction() as s:
        return list(s.scalars(select(OutboxItem).where(OutboxItem.kind == kind).order_by(OutboxItem.id)))


def status_moves(terminal: Terminal, app_id: str, status: str) -> int:
    with terminal.store.transaction() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.subject == app_id, AuditEntry.action == f"status:{status}")))


def sync_until_done(engine, max_passes: int = 30):
    for _ in range(max_passes):
        report = engine.run_pass()
        if report.online and report.pending == 0 and report.downloads_pending == 0:
            return report
    raise AssertionError(f"not done: {report}")


# --- decisions ---------------------------------------------------------------------------------

def test_offline_decisions_reach_the_platform_when_the_link_returns(tmp_path: Path, platform,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    terminal = make_terminal(tmp_path / "counter")
    (synced,) = submit_demo(terminal, 1, pages=2, page_kb=10, seed=21)
    link = BadLink(platform.port)
    try:
        credential = enroll(terminal, platform, url=link.url(), name="counter-1")
        engine = engine_for(terminal, credential)
        assert engine.run_pass().sent == 1  # `synced` is on the platform; `later` not yet when it is decided
        (later,) = submit_demo(terminal, 1, pages=2, page_kb=10, seed=25)
        staff = clerk(terminal, platform)
        link.down = True  # the link drops; the counter goes on deciding
        accepted_id = accept(terminal, synced.id, staff)
        _, missing_code = ask_supplement(terminal, later.id, staff)
        report = engine.run_pass()
        assert not report.online and report.pending >= 2
        assert {i.state for i in outbox(terminal, "decision")} == {"pending"}
        with terminal.store.transaction() as s:  # decided here, offline
            assert s.get(Application, synced.id).status == "accepted"
            assert s.get(Application, later.id).status == "needs_supplement"

        link.down = False
        sync_until_done(engine)
    finally:
        link.close()
    cases = platform_cases(capsys, platform)
    assert cases[synced.id]["status"] == "accepted"
    assert cases[later.id]["status"] == "needs_supplement"
    assert [(d["decision_id"], d["to"], d["decided_by"]) for d in cases[synced.id]["decisions"]] == \
        [(accepted_id, "accepted", "clerk1")]  # the platform's staff account, by user name
    assert cases[later.id]["decisions"][0]["missing"] == [missing_code]  # the supplement names what is missing
    assert [i.state for i in outbox(terminal, "decision")] == ["sent", "sent"]
    # the feed brought the platform's "received" and the decisions back: nothing moved twice or backwards here
    apps = {a.id: a for a in terminal.applications()}
    assert apps[synced.id].status == "accepted" and apps[later.id].status == "needs_supplement"
    assert apps[later.id].case_no == cases[later.id]["case_no"]
    assert status_moves(terminal, synced.id, "accepted") == 1 and status_moves(terminal, later.id, "received") == 0
    assert status_moves(terminal, later.id, "needs_supplement") == 1
    again = engine.run_pass()
    assert (again.decisions_sent, again.rejected, again.pending) == (0, 0, 0)

    # idempotent by decision_id: the same decision again is success, a different one under its id a conflict
    credential_headers = {"Authorization": f"Bearer {credential.token}"}
    body = decision_body(outbox(terminal, "decision")[0])
    r = requests.post(platform.url("/api/v1/decisions"), json=body, headers=credential_headers, timeout=5)
    assert r.status_code == 200 and r.json()["result"] == "duplicate"
    r = requests.post(platform.url("/api/v1/decisions"), json={**body, "note": "changed"}, headers=credential_headers,
                      timeout=5)
    assert r.status_code == 409 and r.json()["code"] == "decision_conflict"
    with platform.store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Decision)) == 2


def test_a_stale_decision_is_rejected_with_its_reason_and_the_queue_goes_on(tmp_path: Path, sqlite_platform,
                                                                             capsys: pytest.CaptureFixture[str]) -> None:
    platform = sqlite_platform
    terminal = make_terminal(tmp_path / "counter")
    first, second, third = submit_demo(terminal, 3, pages=1, page_kb=10, seed=22)
    engine = engine_for(terminal, enroll(terminal, platform))
    assert engine.run_pass().sent == 3
    # meanwhile the platform rejects the first case online; the counter has not heard yet and accepts it
    rc, _, err = cli(capsys, "platform", "decide", first.id, "--to", "rejected", "--note", "不符合条件",
                     "--home", str(platform.home))
    assert rc == 0, err
    staff = clerk(terminal, platform)
    accept(terminal, first.id, staff)
    accept(terminal, second.id, staff)
    with terminal.store.transaction() as s:  # a damaged item (no valid decision) must not stop the queue either
        s.add(OutboxItem(kind="decision", ref_id=third.id, payload={"decision_id": "not-a-uuid", "to": "withdrawn"}))
    ask_supplement(terminal, third.id, staff)

    report = engine.run_pass()
    assert report.online and report.decisions_sent == 2 and report.rejected == 2, report
    items = outbox(terminal, "decision")
    assert [i.state for i in items] == ["rejected", "sent", "rejected", "sent"]
    assert "409" in items[0].last_error and "'Rejected' cannot become 'Accepted'" in items[0].last_error
    assert "不能变更为“已受理”" in items[0].last_error
    assert items[2].last_error.startswith("422")
    cases = platform_cases(capsys, platform)
    assert (cases[first.id]["status"], cases[second.id]["status"], cases[third.id]["status"]) == \
        ("rejected", "accepted", "needs_supplement")
    # the platform's decision wins on the terminal too
    apps = {a.id: a for a in terminal.applications()}
    assert apps[first.id].status == "rejected" and apps[first.id].status_note == "不符合条件"
    assert apps[second.id].status == "accepted" and apps[third.id].status == "needs_supplement"
    assert engine.run_pass().pending == 0


def test_own_decisions_echoed_by_the_feed_are_never_applied_twice(tmp_path: Path, sqlite_platform) -> None:
    terminal = make_terminal(tmp_path / "counter")
    (app,) = submit_demo(terminal, 1, pages=1, page_kb=10, seed=23)
    engine = engine_for(terminal, enroll(terminal, sqlite_platform))
    staff = clerk(terminal, sqlite_platform)
    # two decisions in a row before any sync: ask for a supplement, then accept once it is brought in
    ask_supplement(terminal, app.id, staff)
    accept(terminal, app.id, staff)
    report = sync_until_done(engine)
    assert report.count_check["match"]
    (case,) = list_cases(sqlite_platform.store)
    assert case["status"] == "accepted" and [d["to"] for d in case["decisions"]] == ["needs_supplement", "accepted"]
    (local,) = terminal.applications()
    assert local.status == "accepted"
    assert status_moves(terminal, app.id, "needs_supplement") == 1 and status_moves(terminal, app.id, "accepted") == 1
    assert all(m.review_state == "valid" for m in local.materials if m.files)  # the old supplement did not come back
    # the whole feed once more (as after a lost cursor): still nothing moves
    with sqlite_platform.store.transaction() as s:
        feed, _, _ = changes_since(s, HALL, 0, 100)
    with terminal.store.transaction() as s:
        assert [c["status"] for c in feed] == ["received", "needs_supplement", "accepted"]
        assert not any([apply_change(s, change) for change in feed])
        assert s.get(Application, app.id).status == "accepted"
    assert status_moves(terminal, app.id, "accepted") == 1


# --- online cases -------------------------------------------------------------------------------

def online_application(tmp_path: Path, capsys: pytest.CaptureFixture[str], home: Path) -> Path:
    rc, out, _ = cli(capsys, "--home", str(home), "submit", "--example", ID_CARD_ITEM)
    assert rc == 0
    doc = json.loads(out)
    for i, code in enumerate(doc["materials"]):
        doc["materials"][code] = [str(write(tmp_path / "online" / f"{code}.jpg", jpeg_bytes(seed=i + 3)))]
    first = next(iter(doc["materials"]))
    doc["materials"][first].append(str(write(tmp_path / "online" / "extra.pdf", pdf_bytes(2))))
    doc["id"] = str(uuid.uuid4())
    path = tmp_path / "online" / "application.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_an_online_case_assigned_to_the_hall_reaches_the_work_list_with_verified_files(
        tmp_path: Path, platform, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "counter"
    terminal = make_terminal(home)
    engine = engine_for(terminal, enroll(terminal, platform, name="counter-1"))
    path = online_application(tmp_path, capsys, home)
    rc, _, err = cli(capsys, "platform", "submit-online", "--home", str(platform.home), "--hall", HALL, str(path))
    assert rc == 2 and "catalog" in err  # nothing published yet: the platform cannot check it
    rc, _, err = cli(capsys, "platform", "publish-catalog", "--home", str(platform.home), str(demo_catalog_path()))
    assert rc == 0, err
    rc, out, err = cli(capsys, "platform", "submit-online", "--home", str(platform.home), "--hall", HALL, str(path))
    assert rc == 0, err
    online = json.loads(out)
    rc, out, _ = cli(capsys, "platform", "submit-online", "--home", str(platform.home), "--hall", HALL, str(path))
    assert rc == 0 and json.loads(out)["duplicate"] and json.loads(out)["case_no"] == online["case_no"]
    case = platform_cases(capsys, platform)[online["id"]]
    assert (case["status"], case["complete"], case["channel"]) == ("received", True, "online")
    files = case["attachments"]
    assert len(files) == 4 and all(f["arrived"] for f in files)

    # one file goes missing on the platform for a while, another arrives damaged: neither holds up the feed
    missing_sha, damaged_sha = files[0]["sha256"], files[1]["sha256"]
    missing_path = platform.store.blob_file(missing_sha)
    kept_missing, kept_damaged = missing_path.read_bytes(), platform.store.read_blob(damaged_sha)
    missing_path.unlink()
    platform.store.store_blob_bytes(damaged_sha, bytes(b ^ 0xFF for b in kept_damaged))  # other bytes under its name
    report = engine.run_pass()
    assert report.online and report.pulled == 1 and report.downloaded_files == 2 and report.downloads_pending == 2
    with terminal.store.transaction() as s:
        (listed,) = work_list(s, hall_code=HALL)
        assert (listed.id, listed.channel, listed.status, listed.case_no) == \
            (online["id"], "online", "received", online["case_no"])
        errors = {d.sha256: d.last_error for d in s.scalars(select(PendingDownload))}
    assert set(errors) == {missing_sha, damaged_sha}
    assert "404" in errors[missing_sha] and "SHA-256" in errors[damaged_sha]

    missing_path.write_bytes(kept_missing)
    platform.store.store_blob_bytes(damaged_sha, kept_damaged)
    report = sync_until_done(engine)
    with terminal.store.transaction() as s:
        (listed,) = work_list(s, hall_code=HALL)
        case = s.get(Application, listed.id)  # the work list's row holds its columns; the case, its materials
        got = {f.attachment_sha256: f.attachment for m in case.materials for f in m.files}
        assert s.scalar(select(func.count()).select_from(PendingDownload)) == 0
        assert sum(1 for m in case.materials if m.files) == 3
    assert set(got) == {f["sha256"] for f in files}
    for f in files:
        assert terminal.attachments.get(f["sha256"]) == platform.store.read_blob(f["sha256"])
        assert (got[f["sha256"]].size, got[f["sha256"]].media_type) == (f["size"], f["media_type"])
    assert any(a.media_type == "application/pdf" and a.page_count == 2 for a in got.values())

    # the same assignment again is a no-op
    with platform.store.transaction() as s:
        feed, _, _ = changes_since(s, HALL, 0, 100)
    assert [c["kind"] for c in feed] == ["assigned"]
    with terminal.store.transaction() as s:
        assert apply_change(s, feed[0]) is False
        assert s.scalar(select(func.count()).select_from(Application)) == 1

    # the clerk checks the originals and accepts; the decision goes up though no application was pushed
    accept(terminal, online["id"], clerk(terminal, platform))
    report = engine.run_pass()
    assert report.decisions_sent == 1 and report.pending == 0
    assert platform_cases(capsys, platform)[online["id"]]["status"] == "accepted"


def test_submit_online_refuses_bad_input(tmp_path: Path, sqlite_platform, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "t"
    make_terminal(home)
    rc, _, err = cli(capsys, "platform", "publish-catalog", "--home", str(sqlite_platform.home), str(demo_catalog_path()))
    assert rc == 0, err
    path = online_application(tmp_path, capsys, home)
    bad_hall = cli(capsys, "platform", "submit-online", "--home", str(sqlite_platform.home), "--hall", "x1", str(path))
    assert bad_hall[0] == 2 and "hall code" in bad_hall[2]
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["materials"] = {code: [] for code in doc["materials"]}
    doc["surprise"] = 1
    incomplete = tmp_path / "incomplete.json"
    incomplete.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    rc, _, err = cli(capsys, "platform", "submit-online", "--home", str(sqlite_platform.home), "--hall", HALL,
                     str(incomplete))
    assert rc == 2 and "missing" in err and "surprise" in err
    garbage = write(tmp_path / "garbage.json", b"{not json")
    rc, _, err = cli(capsys, "platform", "submit-online", "--home", str(sqlite_platform.home), "--hall", HALL,
                     str(garbage))
    assert rc == 2 and "JSON" in err
    assert list_cases(sqlite_platform.store) == []


def test_bad_input_to_the_new_endpoints_gets_4xx(tmp_path: Path, platform) -> None:
    terminal = make_terminal(tmp_path / "t")
    (app,) = submit_demo(terminal, 1, pages=1, page_kb=10, seed=24)
    credential = enroll(terminal, platform)
    engine_for(terminal, credential).run_pass()
    auth = {"Authorization": f"Bearer {credential.token}"}
    url = platform.url("/api/v1/decisions")
    good = {"decision_id": str(uuid.uuid4()), "application_id": app.id, "to": "accepted", "note": "",
            "missing": [], "decided_by": "clerk1"}
    platform.add_staff(HALL, "clerk1", "password-1", "clerk")
    cases = [
        (b"{not json", 422),
        (json.dumps({**good, "decision_id": "x"}).encode(), 422),
        (json.dumps({**good, "to": "withdrawn"}).encode(), 422),
        (json.dumps({**good, "decided_by": ""}).encode(), 422),
        (json.dumps({**good, "decided_at": "2026-11-23T10:00:00"}).encode(), 422),  # no time zone
        (json.dumps({**good, "missing": ["../etc"]}).encode(), 422),
        (json.dumps({**good, "note": "a\u0000b"}).encode(), 422),  # PostgreSQL would refuse NUL: never a 5xx
        (json.dumps({**good, "decided_at": "0001-01-01T00:00:00+05:00"}).encode(), 422),
        (json.dumps({**good, "application_id": str(uuid.uuid4())}).encode(), 404),
        (json.dumps({**good, "to": "needs_supplement"}).encode(), 422),  # must name the missing materials
        (json.dumps({**good, "to": "needs_supplement", "missing": ["nope"]}).encode(), 422),
        (json.dumps({**good, "to": "approved"}).encode(), 409),  # received -> approved skips acceptance
    ]
    for body, expected in cases:
        r = requests.post(url, data=body, headers={**auth, "Content-Type": "application/json"}, timeout=5)
        assert r.status_code == expected, (body, r.status_code, r.text)
        assert r.json()["reason"]["zh"] and r.json()["reason"]["en"]
    assert requests.post(url, json=good, timeout=5).status_code == 401
    # another hall's counter can neither decide nor fetch this hall's files
    other = Terminal.open(load_settings(tmp_path / "other", hall_code="330106002"))
    other_auth = {"Authorization": f"Bearer {enroll(other, platform, name='other').token}"}
    r = requests.post(url, json=good, headers=other_auth, timeout=5)
    assert r.status_code == 403 and r.json()["code"] == "other_hall"
    sha = terminal.applications()[0].materials[0].files[0].attachment_sha256
    files = platform.url("/api/v1/attachments/")
    assert requests.get(files + sha, headers=other_auth, timeout=5).status_code == 404
    assert requests.get(files + "0" * 64, headers=auth, timeout=5).status_code == 404
    assert requests.get(files + "NOT-A-SHA", headers=auth, timeout=5).status_code == 422
    r = requests.get(files + sha, headers=auth, timeout=5)
    assert r.status_code == 200 and r.content == terminal.attachments.get(sha) and r.headers["OneWindow-Protocol"] == "1"
    r = requests.post(url, json=good, headers=auth, timeout=5)
    assert r.status_code == 200 and r.json()["status"] == "accepted"
