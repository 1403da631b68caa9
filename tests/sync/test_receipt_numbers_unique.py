"""A receipt number belongs to one application of a hall: a second one is refused at push, and a
status lookup never shows one citizen another citizen's case. Real platform over HTTP, SQLite and PostgreSQL."""
from __future__ import annotations

import copy
import json
import threading
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from kiosk.cli import main
from kiosk.receipt_numbers import parse_receipt_no
from kiosk.store.models import OutboxItem
from sync.demo_data import submit_demo
from sync.server.cases import list_cases
from sync.server.models import ReceiptCollision
from tests.sync.conftest import engine_for, enroll, make_terminal, pushed_document


def outbox(terminal) -> dict[str, tuple[str, str | None]]:
    with terminal.store.transaction() as s:
        return {i.ref_id: (i.state, i.last_error) for i in s.scalars(select(OutboxItem))}


def lookup(platform, token: str, number: str) -> requests.Response:
    return requests.get(platform.url("/api/v1/lookup"), params={"number": number},
                        headers={"Authorization": f"Bearer {token}"}, timeout=10)


def test_a_duplicate_receipt_number_is_refused_and_shown_as_rejected(tmp_path: Path, platform,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    # The reported fault: two terminals of one hall on the same number (here both set to 1 by hand) hand out
    # the same receipt numbers while offline.
    one, two = make_terminal(tmp_path / "one", device_no=1), make_terminal(tmp_path / "two", device_no=1)
    (first,) = submit_demo(one, 1, pages=1, page_kb=10, seed=1)
    (second,) = submit_demo(two, 1, pages=1, page_kb=10, seed=2)
    assert first.receipt_no == second.receipt_no
    cred_one, cred_two = enroll(one, platform, name="one"), enroll(two, platform, name="two")
    assert engine_for(one, cred_one).run_pass().sent == 1
    report = engine_for(two, cred_two).run_pass()
    assert report.rejected == 1 and report.sent == 0 and report.pending == 0
    state, error = outbox(two)[second.id]
    assert state == "rejected"
    assert f"receipt number {second.receipt_no} already belongs to another application" in error
    assert "回执编号" in error
    cases = list_cases(platform.store)
    assert [c["id"] for c in cases] == [first.id]
    with platform.store.transaction() as s:
        assert [(r.receipt_no, r.case_uuid) for r in s.scalars(select(ReceiptCollision))] == \
            [(second.receipt_no, second.id)]

    # a lookup by the shared number answers neither citizen, from either terminal
    for home in ("one", "two"):
        rc, out, _ = main_json(capsys, "--home", str(tmp_path / home), "status", first.receipt_no, "--json")
        assert out["platform"] is None
        assert "neither is shown" in out["platform_error"]["en"] and "不予显示" in out["platform_error"]["zh"]
    # the case number and the id still find the first citizen's case, and only theirs
    case_no = cases[0]["case_no"]
    assert lookup(platform, cred_two.token, case_no).json()["id"] == first.id
    assert lookup(platform, cred_two.token, first.id).json()["id"] == first.id
    assert lookup(platform, cred_two.token, first.id.upper()).json()["id"] == first.id

    # the platform gave the second terminal number 2: its next receipt is its own and goes through
    (third,) = submit_demo(two, 1, pages=1, page_kb=10, seed=3)
    assert parse_receipt_no(third.receipt_no).device_no == 2
    assert engine_for(two, cred_two).run_pass().sent == 1
    found = lookup(platform, cred_one.token, third.receipt_no)
    assert found.status_code == 200 and found.json()["id"] == third.id
    # typed loosely by a citizen (full-width digits, spaces): still that case and no other
    loose = " ".join(third.receipt_no.replace("-", "")).translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"})
    assert lookup(platform, cred_one.token, loose).json()["id"] == third.id
    wrong_check = third.receipt_no[:-1] + ("0" if third.receipt_no[-1] != "0" else "1")
    for junk in (third.receipt_no + "\x00", "\x00", case_no[:-1], wrong_check):
        assert lookup(platform, cred_one.token, junk).status_code in (404, 422), junk


def main_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, json.loads(out), err


def test_racing_pushes_of_one_receipt_number_make_one_case(tmp_path: Path, platform) -> None:
    terminals = [make_terminal(tmp_path / f"t{i}", device_no=1) for i in range(2)]
    apps = [submit_demo(t, 1, pages=1, page_kb=10, seed=10 + i)[0] for i, t in enumerate(terminals)]
    assert apps[0].receipt_no == apps[1].receipt_no
    engines = [engine_for(t, enroll(t, platform, name=f"t{i}")) for i, t in enumerate(terminals)]
    start = threading.Barrier(2)
    reports: list = [None, None]

    def run(i: int) -> None:
        start.wait()
        reports[i] = engines[i].run_pass()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted((r.sent, r.rejected) for r in reports) == [(0, 1), (1, 0)]
    holders = [c for c in list_cases(platform.store) if c["receipt_no"] == apps[0].receipt_no]
    assert len(holders) == 1


def test_a_pushed_receipt_number_must_be_a_well_formed_one_of_the_hall(tmp_path: Path, sqlite_platform) -> None:
    """Else a lookup by a case number or an id could match a receipt number pushed in its place."""
    victim = make_terminal(tmp_path / "victim", device_no=1)
    (victim_app,) = submit_demo(victim, 1, pages=1, page_kb=10, seed=4)
    cred_victim = enroll(victim, sqlite_platform, name="victim")
    assert engine_for(victim, cred_victim).run_pass().sent == 1
    case_no = list_cases(sqlite_platform.store)[0]["case_no"]

    other = make_terminal(tmp_path / "other", device_no=2)
    (app,) = submit_demo(other, 1, pages=1, page_kb=10, seed=5)
    cred = enroll(other, sqlite_platform, name="other")
    doc = pushed_document(other, app.id)
    headers = {"Authorization": f"Bearer {cred.token}"}
    good = parse_receipt_no(app.receipt_no)
    wrong_check = app.receipt_no[:-1] + ("0" if app.receipt_no[-1] != "0" else "1")
    other_hall = str(type(good)("330106002", good.device_no, good.day, good.sequence))
    for bad in (case_no, victim_app.id, wrong_check, other_hall, app.receipt_no.replace("-", ""), 12345):
        item = copy.deepcopy(doc)
        item["receipt_no"] = bad
        resp = requests.post(sqlite_platform.url("/api/v1/applications"), json={"applications": [item]},
                             headers=headers, timeout=10)
        (result,) = resp.json()["results"]
        assert result["result"] == "rejected", bad
        assert "receipt number" in result["reason"]["en"] and "回执编号" in result["reason"]["zh"]
    assert lookup(sqlite_platform, cred.token, case_no).json()["id"] == victim_app.id
    assert lookup(sqlite_platform, cred.token, victim_app.id).json()["id"] == victim_app.id
    # the real number is taken as it is
    resp = requests.post(sqlite_platform.url("/api/v1/applications"), json={"applications": [doc]}, headers=headers,
                         timeout=10)
    assert resp.json()["results"][0]["result"] == "created"
