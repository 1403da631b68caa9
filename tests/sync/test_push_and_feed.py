"""Push, attachments, completeness and the changes feed, on SQLite and on PostgreSQL."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.store.models import OutboxItem
from sync.demo_data import submit_demo
from sync.server.cases import decide, list_cases, DecisionRefused
from tests.sync.conftest import engine_for, enroll, make_terminal


def outbox_states(terminal) -> list[str]:
    with terminal.store.transaction() as s:
        return [i.state for i in s.scalars(select(OutboxItem).order_by(OutboxItem.id))]


def blob_bytes(platform, sha: str) -> bytes:
    return platform.store.read_blob(sha)


def test_applications_arrive_complete_and_come_back_received(tmp_path: Path, platform) -> None:
    terminal = make_terminal(tmp_path / "t1")
    submitted = submit_demo(terminal, 3, pages=3, page_kb=40, seed=1)
    credential = enroll(terminal, platform)
    report = engine_for(terminal, credential).run_pass()
    assert report.online and report.errors == []
    assert report.sent == 3 and report.pending == 0 and report.pending_bytes == 0
    assert report.count_check == {"local_sent": 3, "platform_complete": 3, "platform_hall_cases": 3, "match": True}
    assert outbox_states(terminal) == ["sent"] * 3
    cases = {c["id"]: c for c in list_cases(platform.store)}
    assert set(cases) == {s.id for s in submitted}
    for app in terminal.applications():
        case = cases[app.id]
        assert case["complete"] and case["status"] == "received" and case["case_no"]
        assert app.status == "received" and app.case_no == case["case_no"]  # back through the feed, same pass
        for material in app.materials:
            for f in material.files:
                assert blob_bytes(platform, f.attachment_sha256) == terminal.attachments.get(f.attachment_sha256)

    # a second pass changes nothing: idempotent
    again = engine_for(terminal, credential).run_pass()
    assert (again.pushed, again.sent, again.uploaded_bytes, again.pulled) == (0, 0, 0, 0)
    assert len(list_cases(platform.store)) == 3


def test_online_handling_reaches_the_terminal(tmp_path: Path, platform) -> None:
    terminal = make_terminal(tmp_path / "t1")
    first, second = submit_demo(terminal, 2, pages=1, page_kb=10, seed=2)
    credential = enroll(terminal, platform)
    engine = engine_for(terminal, credential)
    engine.run_pass()
    case_no = next(c["case_no"] for c in list_cases(platform.store) if c["id"] == first.id)
    decide(platform.store, case_no, "accepted", "材料齐全", [])
    decide(platform.store, case_no, "approved", "准予办理", [])
    material = terminal.applications()[1].materials[0].material_code
    decide(platform.store, second.id, "needs_supplement", "请补交材料", [material])
    report = engine.run_pass()
    assert report.pulled == 3
    apps = {a.id: a for a in terminal.applications()}
    assert apps[first.id].status == "approved" and apps[first.id].status_note == "准予办理"
    assert apps[second.id].status == "needs_supplement"
    assert [m.review_state for m in apps[second.id].materials if m.material_code == material] == ["missing"]
    # illegal moves are refused on the platform with a reason
    with pytest.raises(DecisionRefused):
        decide(platform.store, case_no, "accepted", "again", [])
    with pytest.raises(DecisionRefused):
        decide(platform.store, second.id, "needs_supplement", "x", ["no_such_material"])


def test_another_devices_uuid_is_refused_and_its_case_left_alone(tmp_path: Path, platform) -> None:
    one = make_terminal(tmp_path / "t1", device_no=1)
    (app,) = submit_demo(one, 1, pages=1, page_kb=10, seed=3)
    credential = enroll(one, platform, name="k1")
    assert engine_for(one, credential).run_pass().sent == 1
    # a second terminal in the same hall submits different content under the same UUID
    two = make_terminal(tmp_path / "t2", device_no=2)
    from sync.demo_data import make_draft
    import random
    draft = make_draft(two.catalog.items[0], 1, 10, random.Random(99))
    draft.id = app.id
    two.submit(draft, channel="cli", actor="test")
    cred2 = enroll(two, platform, name="k2")
    report = engine_for(two, cred2).run_pass()
    assert report.rejected == 1 and report.conflicts == 0 and report.sent == 0
    with two.store.transaction() as s:
        item = s.scalar(select(OutboxItem))
        assert item.state == "rejected" and "another device" in item.last_error
    (case,) = list_cases(platform.store)
    assert case["conflicts"] == 0 and case["content_hash"] == one.applications()[0].content_hash


def test_one_bad_item_is_rejected_and_the_rest_go_through(tmp_path: Path, platform) -> None:
    terminal = make_terminal(tmp_path / "t1")
    good1, bad, good2 = submit_demo(terminal, 3, pages=1, page_kb=10, seed=4)
    with terminal.store.transaction() as s:
        item = s.scalars(select(OutboxItem).where(OutboxItem.ref_id == bad.id)).one()
        item.payload = {**item.payload, "hall_code": "999999"}  # not the hall this device is enrolled in
    credential = enroll(terminal, platform)
    report = engine_for(terminal, credential).run_pass()
    assert report.sent == 2 and report.rejected == 1
    with terminal.store.transaction() as s:
        states = {i.ref_id: (i.state, i.last_error) for i in s.scalars(select(OutboxItem))}
    assert states[good1.id][0] == states[good2.id][0] == "sent"
    assert states[bad.id][0] == "rejected" and "hall" in states[bad.id][1]
    assert report.pending == 0


def test_an_application_without_a_mobile_number_and_with_a_paper_for_the_counter_arrives(tmp_path: Path,
                                                                                         sqlite_platform) -> None:
    """Both are what a kiosk with a card reader and no capture device produces; the platform must take them."""
    import random
    from dataclasses import replace

    from sync.demo_data import make_draft

    terminal = make_terminal(tmp_path / "t1")
    item = terminal.catalog.item("330106000173002001")
    draft = make_draft(item, pages=1, page_kb=10, rng=random.Random(7))
    draft = replace(draft, applicant={**draft.applicant, "phone": ""},
                    materials={k: v for k, v in draft.materials.items() if k != "household_register"},
                    at_counter=["household_register"])
    submitted = terminal.submit(draft, channel="kiosk", actor="kiosk")
    report = engine_for(terminal, enroll(terminal, sqlite_platform)).run_pass()
    assert report.errors == [] and report.sent == 1 and report.pending == 0
    case = next(c for c in list_cases(sqlite_platform.store) if c["id"] == submitted.id)
    assert case["complete"] and case["status"] == "received"
    assert terminal.applications()[0].applicant_phone is None


def test_the_feeds_last_page_carries_the_count_check_so_a_pass_asks_no_summary(tmp_path: Path, platform,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The figures come with the last page of the feed (read with it); from an older platform, whose pages
    carry none, the pass asks GET /summary as before, with the same outcome."""
    terminal = make_terminal(tmp_path / "t1")
    submit_demo(terminal, 2, pages=1, page_kb=20, seed=3)
    credential = enroll(terminal, platform)
    engine = engine_for(terminal, credential)
    asked: list[str] = []
    send = engine.client.request

    def recording(method: str, path: str, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(path)
        return send(method, path, **kwargs)

    monkeypatch.setattr(engine.client, "request", recording)
    report = engine.run_pass()
    assert report.errors == [] and "changes" in asked and "summary" not in asked
    assert report.count_check == {"local_sent": 2, "platform_complete": 2, "platform_hall_cases": 2, "match": True}
    page = engine.client.json("GET", "changes", params={"since": 0, "limit": 1})
    assert page["more"] and page["summary"] is None  # only the last page carries them
    last = engine.client.json("GET", "changes", params={"since": page["cursor"], "limit": 100})
    assert not last["more"] and last["summary"] == engine.client.json("GET", "summary")

    def older_platform(method: str, path: str, **kwargs):  # type: ignore[no-untyped-def]
        resp = recording(method, path, **kwargs)
        if path == "changes":
            body = resp.json()
            body.pop("summary")
            resp._content = json.dumps(body).encode()
        return resp

    monkeypatch.setattr(engine.client, "request", older_platform)
    asked.clear()
    again = engine.run_pass()
    assert again.errors == [] and "summary" in asked
    assert again.count_check == report.count_check


def test_the_answer_that_completes_a_case_says_so_and_the_pass_asks_no_state(tmp_path: Path, platform,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The upload that completes a case names the uploading terminal's applications it completed, and the
    push's answer names those already complete: a pass asks `applications/state` only about the others.
    From an older platform, whose answers name none, the pass asks as before, with the same outcome."""
    from sync import client as client_module
    from sync.protocol import COMPLETED_APPLICATIONS_HEADER

    asked: list[str] = []
    headers_seen: list[str] = []
    send = client_module.PlatformClient.request
    strip = [False]

    def recording(self, method: str, path: str, **kwargs):  # type: ignore[no-untyped-def]
        kept = path if path == "uploads/batch" or not path.startswith(("uploads", "/api")) else path.split("/")[0]
        asked.append(f"{method} {kept}")
        resp = send(self, method, path, **kwargs)
        if COMPLETED_APPLICATIONS_HEADER in resp.headers:
            if strip[0]:
                del resp.headers[COMPLETED_APPLICATIONS_HEADER]
            else:
                headers_seen.append(resp.headers[COMPLETED_APPLICATIONS_HEADER])
        return resp

    monkeypatch.setattr(client_module.PlatformClient, "request", recording)
    terminal = make_terminal(tmp_path / "t1")
    credential = enroll(terminal, platform)
    engine = engine_for(terminal, credential)
    # pages over a chunk each (32 KB), so every file goes in its own upload and its answers carry the header
    # (a batch's answer names them in its body: tests/sync/test_upload_batch.py)
    first = submit_demo(terminal, 2, pages=2, page_kb=40, seed=5)
    report = engine.run_pass()
    assert report.errors == [] and report.sent == 2 and outbox_states(terminal) == ["sent"] * 2
    assert "POST applications/state" not in asked and "POST uploads/batch" not in asked
    assert sorted(headers_seen) == sorted(a.id for a in first)  # each named once, by its last file's answer
    assert {c["id"] for c in list_cases(platform.store) if c["complete"]} == {a.id for a in first}

    # a second terminal of the hall pushes an application with the same scans (the same seed): the hall
    # holds them, so the push's answer says complete, and nothing is uploaded or asked
    other = make_terminal(tmp_path / "t2", device_no=2)
    other_engine = engine_for(other, enroll(other, platform, name="kiosk-2"))
    again = submit_demo(other, 1, pages=2, page_kb=40, seed=5)
    asked.clear()
    assert other_engine.run_pass().sent == 1
    assert "POST applications" in asked and "POST uploads" not in asked and "POST applications/state" not in asked

    # an older platform: no names in its answers, so the pass asks, and ends the same
    strip[0] = True
    later = submit_demo(terminal, 1, pages=2, page_kb=40, seed=7)
    asked.clear()
    report = engine.run_pass()
    assert report.errors == [] and report.sent == 1 and "POST applications/state" in asked
    assert outbox_states(terminal) == ["sent"] * 3 and later[0].id in {c["id"] for c in list_cases(platform.store)}
    assert again[0].id in {c["id"] for c in list_cases(platform.store) if c["complete"]}
