"""Enrollment, authentication, hall isolation, catalog, the CLI commands and bad input."""
from __future__ import annotations

import base64
import hashlib
import json
import re
import stat
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
import requests

from kiosk.catalog import demo_catalog_path
from kiosk.cli import main
from kiosk.store.models import OutboxItem
from sync.credentials import credential_path, load_credential
from sync.demo_data import submit_demo
from sync.protocol import PROTOCOL_HEADER
from sync.server.models import EnrollmentCode
from sync.worker import SyncWorker
from tests.sync.conftest import engine_for, enroll, make_terminal

CODE_RE = re.compile(r"^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$")


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_enrollment_stores_a_private_credential_and_never_prints_it(tmp_path: Path, sqlite_platform,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "t"
    terminal = make_terminal(home)
    rc, out, _ = cli(capsys, "platform", "enroll-code", "--home", str(sqlite_platform.home), "--hall", "330106001",
                     "--device-name", "大厅1号自助机", "--role", "kiosk")
    code = out.strip()
    assert rc == 0 and CODE_RE.fullmatch(code), out
    rc, out, err = cli(capsys, "--home", str(home), "enroll", "--platform", sqlite_platform.url(), "--code", code)
    assert rc == 0, err
    credential = load_credential(terminal.settings)
    assert credential is not None and credential.hall_code == "330106001" and credential.role == "kiosk"
    assert stat.S_IMODE(credential_path(terminal.settings).stat().st_mode) == 0o600
    assert credential.token not in out + err and credential.token not in repr(credential)
    # one-time: the same code again is refused
    rc, _, err = cli(capsys, "--home", str(home), "enroll", "--platform", sqlite_platform.url(), "--code", code)
    assert rc == 2 and "invalid, used or expired" in err
    # an expired code is refused
    code2 = sqlite_platform.enroll_code()
    with sqlite_platform.store.transaction() as s:
        for row in s.query(EnrollmentCode).all():
            row.expires_at = row.expires_at - timedelta(hours=2)
    rc, _, err = cli(capsys, "--home", str(tmp_path / "t2"), "enroll", "--platform", sqlite_platform.url(), "--code", code2)
    assert rc == 2
    # sync, then check no credential reached any log
    submit_demo(terminal, 1, pages=1, page_kb=10, seed=1)
    rc, out, err = cli(capsys, "--home", str(home), "sync", "--once", "--json")
    assert rc == 0, err
    logs = "".join(p.read_text(errors="replace") for p in (home / "logs").glob("*"))
    assert credential.token not in logs + out + err and code not in logs


def test_unknown_or_revoked_device_gets_401_and_must_enroll_again(tmp_path: Path, platform,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    resp = requests.get(platform.url("/api/v1/changes"), headers={"Authorization": "Bearer nonsense"}, timeout=5)
    assert resp.status_code == 401 and resp.headers[PROTOCOL_HEADER] == "1"
    assert requests.get(platform.url("/api/v1/summary"), timeout=5).status_code == 401
    home = tmp_path / "t"
    terminal = make_terminal(home)
    credential = enroll(terminal, platform)
    rc, _, err = cli(capsys, "platform", "revoke-device", "--home", str(platform.home), str(credential.device_id))
    assert rc == 0, err
    rc, _, err = cli(capsys, "--home", str(home), "sync", "--once")
    assert rc == 2 and "enroll" in err
    worker = SyncWorker(terminal)
    worker.run_once()
    assert worker.status().enrollment_required


def test_a_device_sees_only_its_own_halls_cases(tmp_path: Path, platform) -> None:
    a = make_terminal(tmp_path / "a")
    (app_a,) = submit_demo(a, 1, pages=1, page_kb=10, seed=1)
    cred_a = enroll(a, platform, name="a")
    first = engine_for(a, cred_a).run_pass()
    assert first.sent == 1, first
    b_home = tmp_path / "b"
    b_home.mkdir()
    from kiosk.settings import load_settings
    from kiosk.terminal import Terminal
    b = Terminal.open(load_settings(b_home, hall_code="330106002"))
    cred_b = enroll(b, platform, name="b")
    headers = {"Authorization": f"Bearer {cred_b.token}"}
    feed = requests.get(platform.url("/api/v1/changes"), headers=headers, timeout=5).json()
    assert feed["changes"] == []
    case_no = a.applications()[0].case_no
    assert requests.get(platform.url("/api/v1/lookup"), params={"number": case_no}, headers=headers,
                        timeout=5).status_code == 404
    states = requests.post(platform.url("/api/v1/applications/state"), json={"ids": [app_a.id]}, headers=headers,
                           timeout=5).json()
    (state,) = states["states"]  # another hall's case: not known, and nothing of it leaks
    assert state["id"] == app_a.id and state["known"] is False
    assert state["content_hash"] is None and state["status"] is None and state["case_no"] is None


def test_catalog_publish_fetch_with_etag(tmp_path: Path, sqlite_platform, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"version": "x", "items": [{"code": "1"}]}), encoding="utf-8")
    rc, _, err = cli(capsys, "platform", "publish-catalog", "--home", str(sqlite_platform.home), str(bad))
    assert rc == 2 and "problems" in err
    doc = json.loads(demo_catalog_path().read_text(encoding="utf-8"))
    doc["version"] = "2026.12-platform"
    good = tmp_path / "good.json"
    good.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    rc, _, err = cli(capsys, "platform", "publish-catalog", "--home", str(sqlite_platform.home), str(good))
    assert rc == 0, err
    terminal = make_terminal(tmp_path / "t")
    engine = engine_for(terminal, enroll(terminal, sqlite_platform))
    assert engine.run_pass().catalog_updated
    assert terminal.catalog.version == "2026.12-platform"
    assert not engine.run_pass().catalog_updated  # 304 Not Modified
    (app,) = submit_demo(terminal, 1, pages=1, page_kb=10, seed=2)
    assert terminal.applications()[0].catalog_version == "2026.12-platform"


def test_sync_status_and_online_handling_through_the_cli(tmp_path: Path, platform,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "t"
    terminal = make_terminal(home)
    enroll(terminal, platform)
    rc, out, err = cli(capsys, "--home", str(home), "demo-data", "--applications", "3", "--pages", "2",
                       "--page-kb", "20", "--seed", "5")
    assert rc == 0, err
    receipts = json.loads(out)["receipts"]
    rc, out, err = cli(capsys, "--home", str(home), "sync", "--until-idle", "--json")
    assert rc == 0, err
    report = json.loads(out)
    assert report["sent"] == 3 and report["pending"] == 0 and report["uploaded_bytes"] > 0
    assert report["count_check"]["match"]
    rc, out, _ = cli(capsys, "platform", "cases", "--home", str(platform.home), "--json")
    cases = json.loads(out)
    assert len(cases) == 3 and all(c["complete"] and len(c["attachments"]) >= 2 for c in cases)
    case_no = cases[0]["case_no"]
    rc, out, err = cli(capsys, "platform", "decide", case_no, "--to", "accepted", "--note", "予以受理",
                       "--home", str(platform.home))
    assert rc == 0, err
    rc, _, err = cli(capsys, "platform", "decide", case_no, "--to", "needs_supplement", "--note", "x",
                     "--home", str(platform.home))
    assert rc == 2 and "missing" in err  # needs_supplement must name the materials
    rc, out, _ = cli(capsys, "--home", str(home), "sync", "--once", "--json")
    assert json.loads(out)["pulled"] == 1
    receipt = next(c["receipt_no"] for c in cases if c["case_no"] == case_no)
    assert receipt in receipts
    rc, out, _ = cli(capsys, "--home", str(home), "status", receipt, "--json")
    answer = json.loads(out)
    assert rc == 0 and answer["platform"]["status"] == "accepted" and answer["local"]["status"] == "accepted"
    rc, out, _ = cli(capsys, "--home", str(home), "status", case_no, "--offline")
    assert rc == 0 and "已受理" in out
    rc, out, _ = cli(capsys, "--home", str(home), "status", "NO-SUCH-NUMBER")
    assert rc == 2 and "not found" in out


def test_malformed_input_gets_4xx_with_a_reason(tmp_path: Path, sqlite_platform) -> None:
    terminal = make_terminal(tmp_path / "t")
    credential = enroll(terminal, sqlite_platform)
    auth = {"Authorization": f"Bearer {credential.token}"}
    url = sqlite_platform.url
    r = requests.post(url("/api/v1/applications"), data=b"{not json", headers={**auth, "Content-Type": "application/json"},
                      timeout=5)
    assert r.status_code == 422 and r.json()["reason"]["en"]
    r = requests.post(url("/api/v1/applications"), json={"applications": [1, {"id": "x"}, {}]}, headers=auth, timeout=5)
    assert r.status_code == 200 and [x["result"] for x in r.json()["results"]] == ["rejected"] * 3
    assert all(x["reason"]["zh"] and x["reason"]["en"] for x in r.json()["results"])
    r = requests.post(url("/api/v1/applications"), data=b"x" * (3 * 1024 * 1024),
                      headers={**auth, "Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 413
    r = requests.post(url("/api/v1/applications"), data=iter([b"{}"]), headers={**auth, "Content-Type": "application/json"},
                      timeout=5)
    assert r.status_code == 411
    sha = hashlib.sha256(b"abc").hexdigest()
    meta = {"Upload-Metadata": "sha256 " + base64.b64encode(sha.encode()).decode(), "Upload-Length": "3"}
    r = requests.post(url("/api/v1/uploads"), headers={**auth, **meta}, timeout=5)
    assert r.status_code == 409 and "push the application first" in r.json()["reason"]["en"]
    r = requests.post(url("/api/v1/uploads"), headers={**auth, "Upload-Length": "abc"}, timeout=5)
    assert r.status_code == 400
    # a real upload: a chunk with a wrong checksum is refused, and the offset does not move
    (app,) = submit_demo(terminal, 1, pages=1, page_kb=10, seed=3)
    engine = engine_for(terminal, credential)
    with terminal.store.transaction() as s:  # the document built at submission, as the engine sends it
        doc = s.scalars(select(OutboxItem.payload).where(OutboxItem.kind == "application")).one()
    requests.post(url("/api/v1/applications"), json={"applications": [doc]}, headers=auth, timeout=5)
    sha = doc["attachments"][0]["sha256"]
    data = terminal.attachments.get(sha)
    r = requests.post(url("/api/v1/uploads"), headers={**auth, "Upload-Length": str(len(data)),
                                                       "Upload-Metadata": "sha256 " + base64.b64encode(sha.encode()).decode()},
                      timeout=5)
    assert r.status_code == 201
    loc = url(r.headers["Location"])
    patch = {**auth, "Content-Type": "application/offset+octet-stream", "Upload-Offset": "0"}
    bad_sum = base64.b64encode(hashlib.sha256(b"other").digest()).decode()
    r = requests.patch(loc, data=data[:1000], headers={**patch, "Upload-Checksum": f"sha256 {bad_sum}"}, timeout=5)
    assert r.status_code == 460
    r = requests.patch(loc, data=data[:1000], headers={**patch, "Content-Type": "text/plain",
                                                       "Upload-Checksum": f"sha256 {bad_sum}"}, timeout=5)
    assert r.status_code == 415
    r = requests.patch(loc, data=data[:1000], headers=patch, timeout=5)
    assert r.status_code == 400  # no checksum
    assert requests.head(loc, headers=auth, timeout=5).headers["Upload-Offset"] == "0"
    # and the engine still finishes the job
    assert engine.run_pass().sent == 1


def test_background_worker_syncs_after_a_poke(tmp_path: Path, sqlite_platform) -> None:
    terminal = make_terminal(tmp_path / "t")
    credential = enroll(terminal, sqlite_platform)
    seen: list[object] = []
    worker = SyncWorker(terminal, engine_factory=lambda: engine_for(terminal, credential), idle_interval=3600,
                        on_status=seen.append)
    worker.start()
    try:
        deadline = time.monotonic() + 20
        while worker.status().last_success_at is None and time.monotonic() < deadline:
            time.sleep(0.05)
        submit_demo(terminal, 2, pages=1, page_kb=10, seed=4)
        worker.poke()  # what the UI calls right after a submission
        while time.monotonic() < deadline:
            with terminal.store.transaction() as s:
                if {i.state for i in s.query(OutboxItem).all()} == {"sent"}:
                    break
            time.sleep(0.05)
        status = worker.status()
    finally:
        worker.stop()
    with terminal.store.transaction() as s:
        assert {i.state for i in s.query(OutboxItem).all()} == {"sent"}
    assert status.online and status.running and status.last_error is None
    assert seen and not worker.status().running
