"""Device roles against a real platform over HTTP: what a kiosk and a counter may each do.

A lobby kiosk pushes applications and reads back only its own; a counter
works its hall's cases. Each refusal is a 403 in the project's error format,
in Chinese and English, and changes nothing.
"""
from __future__ import annotations

import uuid
from pathlib import Path

import requests
from sqlalchemy import func, select

from kiosk.settings import load_settings
from kiosk.terminal import Terminal
from sync.credentials import Credential
from sync.demo_data import submit_demo
from sync.server.cases import list_cases
from sync.server.models import Decision, Device
from tests.sync.conftest import engine_for, enroll, make_terminal
from tests.sync.servers import PlatformServer

HALL = "330106001"
OTHER_HALL = "330106002"


def auth(credential: Credential) -> dict[str, str]:
    return {"Authorization": f"Bearer {credential.token}"}


def refused(resp: requests.Response, code: str) -> None:
    """A 403 in the project's error format, with both languages and the protocol header."""
    assert resp.status_code == 403, (resp.status_code, resp.text)
    body = resp.json()
    assert body["code"] == code and body["reason"]["zh"] and body["reason"]["en"], body
    assert resp.headers["OneWindow-Protocol"] == "1"


def pushed_case(platform: PlatformServer, terminal: Terminal, credential: Credential, seed: int) -> dict:
    """One application of `terminal`, synced until the platform holds all of it; the platform's view of it."""
    (app,) = submit_demo(terminal, 1, pages=2, page_kb=10, seed=seed)
    report = engine_for(terminal, credential).run_pass()
    assert report.online and report.sent == 1, report
    return next(c for c in list_cases(platform.store) if c["id"] == app.id)


def test_a_kiosk_reads_back_only_its_own_applications_and_decides_nothing(tmp_path: Path, platform) -> None:
    kiosk = make_terminal(tmp_path / "kiosk", device_no=1)
    kiosk_cred = enroll(kiosk, platform, name="lobby kiosk", role="kiosk")
    assert kiosk_cred.role == "kiosk" and not kiosk_cred.is_counter  # the enroll answer told the terminal
    other_kiosk = make_terminal(tmp_path / "kiosk2", device_no=2)
    other_cred = enroll(other_kiosk, platform, name="second kiosk", role="kiosk")
    counter = make_terminal(tmp_path / "counter", device_no=3)
    counter_cred = enroll(counter, platform, name="counter 1", role="counter")
    with platform.store.transaction() as s:
        assert {d.name: d.role for d in s.scalars(select(Device))} == \
            {"lobby kiosk": "kiosk", "second kiosk": "kiosk", "counter 1": "counter"}
    own = pushed_case(platform, kiosk, kiosk_cred, seed=31)
    theirs = pushed_case(platform, other_kiosk, other_cred, seed=32)
    own_sha, their_sha = own["attachments"][0]["sha256"], theirs["attachments"][0]["sha256"]
    api = platform.url("/api/v1")

    # state: its own application only; another device's is unknown to it, as if it did not exist
    r = requests.post(f"{api}/applications/state", json={"ids": [own["id"], theirs["id"]]}, headers=auth(kiosk_cred),
                      timeout=5)
    assert r.status_code == 200
    assert [(s["id"], s["known"]) for s in r.json()["states"]] == [(own["id"], True), (theirs["id"], False)]
    r = requests.post(f"{api}/applications/state", json={"ids": [own["id"], theirs["id"]]},
                      headers=auth(counter_cred), timeout=5)
    assert [s["known"] for s in r.json()["states"]] == [True, True]

    # the feed: only its own applications' changes; the counter sees the hall's
    kiosk_feed = requests.get(f"{api}/changes", params={"since": 0}, headers=auth(kiosk_cred), timeout=5).json()
    assert {c["application_id"] for c in kiosk_feed["changes"]} == {own["id"]}
    counter_feed = requests.get(f"{api}/changes", params={"since": 0}, headers=auth(counter_cred), timeout=5).json()
    assert {c["application_id"] for c in counter_feed["changes"]} == {own["id"], theirs["id"]}

    # files: its own again, never another device's (403 whether or not the hash exists); the counter gets both
    assert requests.get(f"{api}/attachments/{own_sha}", headers=auth(kiosk_cred), timeout=5).status_code == 200
    refused(requests.get(f"{api}/attachments/{their_sha}", headers=auth(kiosk_cred), timeout=5), "device_role")
    refused(requests.get(f"{api}/attachments/{'0' * 64}", headers=auth(kiosk_cred), timeout=5), "device_role")
    for sha in (own_sha, their_sha):
        r = requests.get(f"{api}/attachments/{sha}", headers=auth(counter_cred), timeout=5)
        assert r.status_code == 200 and r.headers["OneWindow-SHA256"] == sha

    # decisions and the staff list are a counter's, even on the kiosk's own application
    platform.add_staff(HALL, "clerk1", "password-1", "clerk")
    decision = {"decision_id": str(uuid.uuid4()), "application_id": own["id"], "to": "accepted", "note": "",
                "missing": [], "decided_by": "clerk1"}
    r = requests.post(f"{api}/decisions", json=decision, headers=auth(kiosk_cred), timeout=5)
    refused(r, "device_role")
    assert "kiosk" in r.json()["reason"]["en"] and "自助终端" in r.json()["reason"]["zh"]
    refused(requests.get(f"{api}/staff", headers=auth(kiosk_cred), timeout=5), "device_role")
    with platform.store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Decision)) == 0
    assert {c["id"]: c["status"] for c in list_cases(platform.store)} == {own["id"]: "received", theirs["id"]: "received"}
    staff = requests.get(f"{api}/staff", headers=auth(counter_cred), timeout=5)
    assert staff.status_code == 200 and [m["username"] for m in staff.json()["staff"]] == ["clerk1"]

    # the kiosk's own sync still works: nothing refused, the counts agree, no staff pulled
    report = engine_for(kiosk, kiosk_cred).run_pass()
    assert report.online and not report.errors and report.count_check["match"] and report.staff_updated == 0, report
    assert [a.case_no for a in kiosk.applications()] == [own["case_no"]]


def test_a_kiosk_lookup_gets_what_the_citizen_may_know_and_nothing_more(tmp_path: Path, sqlite_platform) -> None:
    platform = sqlite_platform
    kiosk = make_terminal(tmp_path / "kiosk", device_no=1)
    kiosk_cred = enroll(kiosk, platform, name="kiosk", role="kiosk")
    counter = make_terminal(tmp_path / "counter", device_no=2)
    counter_cred = enroll(counter, platform, name="counter", role="counter")
    case = pushed_case(platform, counter, counter_cred, seed=33)  # a walk-in the counter took: not the kiosk's
    lookup = platform.url("/api/v1/lookup")
    for number in (case["case_no"], case["receipt_no"], case["id"]):
        r = requests.get(lookup, params={"number": number}, headers=auth(kiosk_cred), timeout=5)
        assert r.status_code == 200, r.text
        assert r.json() == {"case_no": case["case_no"], "receipt_no": case["receipt_no"], "status": "received",
                            "status_note": None, "complete": True}  # no id, no names, no files, no device
    r = requests.get(lookup, params={"number": case["case_no"]}, headers=auth(counter_cred), timeout=5)
    assert r.status_code == 200 and r.json()["id"] == case["id"]  # a counter may work with the case
    # what the kiosk shows a citizen still works through the terminal's own look-up
    from sync.part import PlatformLink

    answer = PlatformLink(kiosk, background=False).look_up(case["case_no"])
    assert answer.found and answer.status == "received" and answer.case_no == case["case_no"]


def test_a_decision_needs_a_counter_of_the_hall_and_an_active_staff_account_that_may_decide(
        tmp_path: Path, platform) -> None:
    counter = make_terminal(tmp_path / "counter", device_no=1)
    counter_cred = enroll(counter, platform, name="counter", role="counter")
    case = pushed_case(platform, counter, counter_cred, seed=34)
    other_hall = Terminal.open(load_settings(tmp_path / "other", hall_code=OTHER_HALL))
    other_cred = enroll(other_hall, platform, name="other hall's counter", role="counter")
    platform.add_staff(HALL, "clerk1", "password-1", "clerk")
    platform.add_staff(HALL, "gone1", "password-1", "clerk")
    platform.add_staff(OTHER_HALL, "clerk9", "password-1", "clerk")
    from sync.server.staff import disable_staff

    disable_staff(platform.store, HALL, "gone1")
    url = platform.url("/api/v1/decisions")

    def decide(credential: Credential, decided_by: str) -> requests.Response:
        body = {"decision_id": str(uuid.uuid4()), "application_id": case["id"], "to": "accepted", "note": "",
                "missing": [], "decided_by": decided_by}
        return requests.post(url, json=body, headers=auth(credential), timeout=5)

    r = decide(counter_cred, "staff:1")  # a terminal's row id names nobody on the platform
    refused(r, "unknown_staff")
    assert "staff:1" in r.json()["reason"]["en"] and "平台" in r.json()["reason"]["zh"]
    refused(decide(counter_cred, "clerk9"), "unknown_staff")  # another hall's account
    refused(decide(counter_cred, "gone1"), "staff_disabled")
    refused(decide(other_cred, "clerk9"), "other_hall")  # another hall's counter, with its own hall's staff
    refused(decide(other_cred, "clerk1"), "other_hall")
    with platform.store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Decision)) == 0
    assert list_cases(platform.store)[0]["status"] == "received"

    r = decide(counter_cred, "clerk1")
    assert r.status_code == 200 and r.json()["result"] == "applied" and r.json()["status"] == "accepted", r.text
    (row,) = list_cases(platform.store)[0]["decisions"]
    assert row["decided_by"] == "clerk1"


def test_a_refused_decision_ends_rejected_with_the_platforms_reason_and_is_not_sent_again(tmp_path: Path,
                                                                                          sqlite_platform) -> None:
    """A counter whose clerk exists only on the terminal: the platform refuses the decision once, for good."""
    from kiosk.review import MaterialCheck, check_material, decide
    from kiosk.staff import add_staff
    from kiosk.store.models import Application, AuditEntry, OutboxItem

    platform = sqlite_platform
    counter = make_terminal(tmp_path / "counter")
    credential = enroll(counter, platform, name="counter", role="counter")
    engine = engine_for(counter, credential)
    (app,) = submit_demo(counter, 1, pages=1, page_kb=10, seed=35)
    assert engine.run_pass().sent == 1
    with counter.store.transaction() as s:  # the hall has registered nobody on the platform: local set-up
        staff = add_staff(s, "local1", "password-1", "clerk", actor="test")
        application = s.get(Application, app.id)
        for m in application.materials:
            if m.files:
                check_material(s, application, m.material_code, MaterialCheck.VALID, staff=staff)
        decide(s, application, "accepted", staff=staff)
    report = engine.run_pass()
    assert report.online and report.rejected == 1 and report.decisions_sent == 0 and report.pending == 0, report
    with counter.store.transaction() as s:
        (item,) = s.scalars(select(OutboxItem).where(OutboxItem.kind == "decision"))
        assert item.state == "rejected" and item.last_error.startswith("403")
        assert "no staff account 'local1'" in item.last_error and "平台上本大厅没有工作人员账号" in item.last_error
        attempts = item.attempts
        (entry,) = s.scalars(select(AuditEntry).where(AuditEntry.subject == app.id,
                                                      AuditEntry.action == "decision_refused"))
        assert entry.details["code"] == "unknown_staff" and entry.details["decided_by"] == "local1"
    again = engine.run_pass()
    assert again.online and again.rejected == 0 and again.decisions_sent == 0 and again.pending == 0
    with counter.store.transaction() as s:
        (item,) = s.scalars(select(OutboxItem).where(OutboxItem.kind == "decision"))
        assert item.state == "rejected" and item.attempts == attempts  # never sent again
    assert list_cases(platform.store)[0]["status"] == "received"
