"""A sync pass that submits is two requests: the push carries the heartbeat, the upload batch reads the feed.

Over real HTTP against a real platform (SQLite and PostgreSQL): what the terminal sends is read at its
client, what arrived from the platform's tables, what the terminal learnt from its own store. Every pass
sent its applications, its heartbeat and its feed read before; now the push carries the heartbeat reports
(`PushRequest.heartbeat`) and the batch of the pass's files reads the feed's page after taking them in
(`POST /uploads/batch?since=…`), so that page still tells the cases the files completed and the count check
still holds. Where a pass's uploads are not one batch that stored every file, the feed is read on its own,
as is a platform from before that answers without either.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from kiosk.outbox import OutboxState
from kiosk.store.models import Application, OutboxItem
from kiosk.terminal import Terminal
from sync.credentials import Credential
from sync.demo_data import submit_demo
from sync.engine import FEED_CARRY_RETRY_SECONDS, SyncEngine
from sync.protocol import TUS_VERSION, UPLOAD_BATCH_HEADER, UPLOAD_CONTENT_TYPE
from sync.server.fleet_models import FleetReport, FleetTerminal
from sync.server.models import Case, HallBlob
from tests.printing.conftest import submit_example
from tests.sync.conftest import engine_for, enroll, make_terminal, pushed_document, record_requests
from tests.sync.servers import PlatformServer
from tests.sync.test_heartbeat_on_feed import record_push_bodies
from tests.sync.upload_session import PendingFile

FEED_AND_BEAT = ("GET changes", "POST changes", "POST heartbeat", "GET summary")


def sent(asked: list[str]) -> list[str]:
    """The requests of a pass but the catalog's: this platform publishes none, so every pass asks (a platform
    that publishes one is not asked while the previous pass's feed named the catalog held)."""
    return [a for a in asked if a != "GET catalog"]


@pytest.fixture
def every_pass_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    """A report every pass (they are at most one a minute otherwise; these passes come seconds apart)."""
    from kiosk import heartbeat

    monkeypatch.setattr(heartbeat, "_made_within_interval", lambda terminal, now: False)


def ready_engine(terminal: Terminal, platform: PlatformServer) -> tuple[SyncEngine, Credential]:
    """An enrolled kiosk on a proven link (so a pass's small files go in one batch), its first pass behind it:
    its clock measured, its feed's start known."""
    credential = enroll(terminal, platform, role="kiosk")
    engine = engine_for(terminal, credential, chunk_bytes=1024 * 1024)
    engine.parallel_uploads = 1
    first = engine.run_pass()
    assert first.errors == [] and first.online
    return engine, credential


def applications(terminal: Terminal) -> list[Application]:
    with terminal.store.transaction() as s:
        found = list(s.scalars(select(Application)))
        s.expunge_all()
        return found


def all_sent(terminal: Terminal) -> bool:
    with terminal.store.transaction() as s:
        return set(s.scalars(select(OutboxItem.state).where(OutboxItem.kind == "application"))) == {OutboxState.SENT}


def test_a_pass_that_submits_sends_its_push_and_its_batch_and_nothing_else(
        tmp_path: Path, platform: PlatformServer, every_pass_reports: None, monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = make_terminal(tmp_path / "t1")
    try:
        engine, credential = ready_engine(terminal, platform)
        submit_demo(terminal, 2, pages=2, page_kb=12, seed=41)
        asked = record_requests(monkeypatch)
        pushed = record_push_bodies(monkeypatch)
        report = engine.run_pass()
        assert report.errors == [] and report.online
        assert sent(asked) == ["POST applications", "POST uploads/batch"], asked
        assert report.sent == 2 and all_sent(terminal)
        # the page the batch read tells the cases its files completed: case numbers known, counts agree
        apps = applications(terminal)
        with platform.store.transaction() as s:
            numbers = {c.uuid: c.case_no for c in s.scalars(select(Case))}
        assert len(apps) == 2 and all(a.case_no and a.case_no == numbers[a.id] for a in apps)
        assert report.count_check == {"local_sent": 2, "platform_complete": 2, "platform_hall_cases": 2,
                                      "match": True}
        assert report.pulled >= 2
        # the report rode on the push, made before it: the two applications it was about to send
        assert report.heartbeat["carried"] and report.heartbeat["sent"] == 1 and report.heartbeat["waiting"] == 0
        (body,) = pushed
        assert [r["id"] for r in body["heartbeat"]["reports"]] == [report.heartbeat["made"]]
        with platform.store.transaction() as s:
            state = s.get(FleetTerminal, credential.device_id)
            assert state is not None and state.report_id == report.heartbeat["made"]
            assert state.body["outbox_backlog"] == 2
        assert engine.batch_carries_feed is True and engine.push_carries_heartbeat is True

        # the next pass has nothing to send: one request, its feed read carrying its report
        asked.clear()
        idle = engine.run_pass()
        assert idle.errors == [] and sent(asked) == ["POST changes"] and idle.count_check["match"]
    finally:
        terminal.close()


def test_a_batch_that_leaves_a_file_to_go_on_its_own_is_followed_by_a_feed_read(
        tmp_path: Path, platform: PlatformServer, every_pass_reports: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file the batch did not store (here: an upload of it under way, its first 5000 bytes in) goes on its own
    after the batch,
    so the page the batch read does not tell the case that file completes: the pass reads the feed again."""
    terminal = make_terminal(tmp_path / "t1")
    try:
        engine, credential = ready_engine(terminal, platform)
        (submitted,) = submit_demo(terminal, 1, pages=2, page_kb=12, seed=42)
        document = pushed_document(terminal, submitted.id)
        token = credential.token
        answer = requests.post(platform.url() + "/applications", json={"applications": [document]}, timeout=10,
                               headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200
        sha = answer.json()["results"][0]["missing"][0]
        data = terminal.attachments.get(sha)
        begun = PendingFile(platform, token, submitted.id, sha, data).create(data[:5000])
        assert begun.status_code == 201, begun.text
        asked = record_requests(monkeypatch)
        report = engine.run_pass()
        assert report.errors == [] and report.sent == 1 and all_sent(terminal)
        assert asked.count("POST uploads/batch") == 1 and asked.count("POST uploads") == 1
        assert [a for a in asked if a in FEED_AND_BEAT] == ["GET changes"], asked
        (app,) = applications(terminal)
        assert app.case_no and report.count_check["match"]
    finally:
        terminal.close()


def test_a_platform_from_before_gets_the_requests_it_knows_and_is_asked_again_an_hour_on(
        tmp_path: Path, every_pass_reports: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """A platform whose push takes no heartbeat and whose batch reads no feed (here: the same app with the
    push's `heartbeat` and the batch's query taken off on their way in). The pass still sends its reports,
    on the feed read it then makes; the next pass offers neither; an hour on, both are offered again."""
    before = Before()
    server = PlatformServer(tmp_path / "platform", wrap=before)
    terminal = make_terminal(tmp_path / "t1")
    try:
        engine, _credential = ready_engine(terminal, server)
        submit_demo(terminal, 1, pages=2, page_kb=12, seed=43)
        asked = record_requests(monkeypatch)
        pushed = record_push_bodies(monkeypatch)
        first = engine.run_pass()
        assert first.errors == [] and first.sent == 1 and first.count_check["match"]
        assert [a for a in asked if a in FEED_AND_BEAT] == ["POST changes"], asked
        assert "heartbeat" in pushed[0] and before.stripped == {"push": 1, "batch": 1}
        assert first.heartbeat["carried"] and first.heartbeat["made"] in fleet_reports(server)
        assert engine.push_carries_heartbeat is False and engine.batch_carries_feed is False

        submit_demo(terminal, 1, pages=2, page_kb=12, seed=44)
        asked.clear()
        second = engine.run_pass()
        assert second.errors == [] and second.sent == 1
        assert "heartbeat" not in pushed[1] and before.stripped == {"push": 1, "batch": 1}
        assert [a for a in asked if a in FEED_AND_BEAT] == ["POST changes"]

        before.upgraded = True
        engine.clock = lambda: time.monotonic() + FEED_CARRY_RETRY_SECONDS
        submit_demo(terminal, 1, pages=2, page_kb=12, seed=45)
        asked.clear()
        third = engine.run_pass()
        assert third.errors == [] and third.sent == 1 and third.count_check["match"]
        assert sent(asked) == ["POST applications", "POST uploads/batch"], asked
        assert engine.push_carries_heartbeat is True and engine.batch_carries_feed is True
    finally:
        terminal.close()
        server.stop()


def fleet_reports(platform: PlatformServer) -> set[str]:
    with platform.store.transaction() as s:
        return set(s.scalars(select(FleetReport.id)))


class Before:
    """The platform as it was before a push carried the heartbeat and a batch read the feed: the push's
    `heartbeat` and the batch's query are taken off on their way in (the platform then answers as one from
    before does: without either), until `upgraded`."""

    def __init__(self) -> None:
        self.upgraded = False
        self.stripped = {"push": 0, "batch": 0}

    def __call__(self, app: Any) -> Any:
        async def before(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if self.upgraded or scope["type"] != "http" or scope["method"] != "POST":
                return await app(scope, receive, send)
            if scope["path"] == "/api/v1/uploads/batch" and scope.get("query_string"):
                self.stripped["batch"] += 1
                return await app({**scope, "query_string": b""}, receive, send)
            if scope["path"] != "/api/v1/applications":
                return await app(scope, receive, send)
            body = b""
            while True:
                message = await receive()
                body += message.get("body", b"")
                if not message.get("more_body"):
                    break
            document = json.loads(body)
            if document.pop("heartbeat", None) is not None:
                self.stripped["push"] += 1
            body = json.dumps(document).encode()
            headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            sent = False

            async def replay() -> dict[str, Any]:
                nonlocal sent
                if sent:
                    return await receive()
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await app({**scope, "headers": headers}, replay, send)
        return before


# --- the routes -----------------------------------------------------------------------------------------------

def test_the_push_takes_the_heartbeat_it_carries_and_refuses_a_bad_one_without_failing_the_applications(
        tmp_path: Path, platform: PlatformServer) -> None:
    terminal = make_terminal(tmp_path / "t1")
    try:
        credential = enroll(terminal, platform, role="kiosk")
        headers = {"Authorization": f"Bearer {credential.token}"}
        from kiosk import heartbeat

        good_id = heartbeat.record(terminal, force=True)
        with terminal.store.transaction() as s:
            good = heartbeat.unsent(s, 10)
        assert [r["id"] for r in good] == [good_id]
        bad = [{**good[0], "id": "6f1c7c2e-3c1b-4a55-9d2a-0f6f1bb6c001", "version": "<script>" + "x" * 320}]
        for n, (reports, taken) in enumerate([(bad, False), ({"reports": "no"}, False), (good, True)]):
            document = pushed_document(terminal, submit_example(terminal, name=f"张{'三四五'[n]}").id)
            body = {"applications": [document],
                    "heartbeat": reports if isinstance(reports, dict) else {"reports": reports}}
            answer = requests.post(platform.url() + "/applications", json=body, headers=headers, timeout=10)
            assert answer.status_code == 200, answer.text
            got = answer.json()
            assert got["results"][0]["result"] == "created"  # the application went in either way
            if taken:
                assert got["heartbeat"]["result"] == "taken" and got["heartbeat"]["server_time"]
                assert got["heartbeat"]["results"] == [{"id": good_id, "result": "stored"}]
            else:
                assert got["heartbeat"]["result"] == "invalid" and got["heartbeat"]["results"] == []
                reason = got["heartbeat"]["reason"]
                assert "心跳" in reason["zh"] and "heartbeat" in reason["en"]
            assert fleet_reports(platform) == ({good_id} if taken else set()), n
        # no heartbeat, no answer to one (as before)
        document = pushed_document(terminal, submit_example(terminal, name="李四").id)
        answer = requests.post(platform.url() + "/applications", json={"applications": [document]},
                               headers=headers, timeout=10)
        assert answer.status_code == 200 and answer.json().get("heartbeat") is None
    finally:
        terminal.close()


def test_the_batch_reads_the_page_asked_for_after_its_files_and_refuses_a_bad_query_whole(
        tmp_path: Path, platform: PlatformServer) -> None:
    terminal = make_terminal(tmp_path / "t1")
    try:
        credential = enroll(terminal, platform, role="kiosk")
        headers = {"Authorization": f"Bearer {credential.token}"}
        (submitted,) = submit_demo(terminal, 1, pages=2, page_kb=8, seed=46)
        document = pushed_document(terminal, submitted.id)
        pushed = requests.post(platform.url() + "/applications", json={"applications": [document]}, headers=headers,
                               timeout=10).json()
        missing = pushed["results"][0]["missing"]
        files = {sha: terminal.attachments.get(sha) for sha in missing}
        batch_headers = {**headers, "Tus-Resumable": TUS_VERSION, "Content-Type": UPLOAD_CONTENT_TYPE,
                         UPLOAD_BATCH_HEADER: ",".join(f"{s}:{len(d)}" for s, d in files.items())}
        for query in ("since=-1", "since=0&limit=0", "since=0&limit=501", "since=x", "since=0&start=-2"):
            refused = requests.post(f"{platform.url()}/uploads/batch?{query}", headers=batch_headers,
                                    data=b"".join(files.values()), timeout=10)
            assert refused.status_code == 422, (query, refused.status_code)
            with platform.store.transaction() as s:
                assert s.scalar(select(func.count()).select_from(HallBlob)) == 0, query  # nothing taken in
        answer = requests.post(f"{platform.url()}/uploads/batch?since=0&limit=100", headers=batch_headers,
                               data=b"".join(files.values()), timeout=10)
        assert answer.status_code == 200, answer.text
        got = answer.json()
        assert {f["sha256"]: f["result"] for f in got["files"]} == {sha: "stored" for sha in files}
        page = got["feed"]
        # read after the files: it tells the case they completed, with its number, and the counts with it
        (change,) = [c for c in page["changes"] if c["application_id"] == document["id"]]
        assert change["status"] == "received" and change["case_no"]
        assert page["more"] is False and page["summary"]["device_complete"] == 1
        plain = requests.get(f"{platform.url()}/changes?since=0&limit=100", headers=headers, timeout=10).json()
        assert plain == page  # the same page `GET /changes` gives
        # without a query, no page (as before)
        (submitted,) = submit_demo(terminal, 1, pages=2, page_kb=8, seed=47)
        document = pushed_document(terminal, submitted.id)
        pushed = requests.post(platform.url() + "/applications", json={"applications": [document]}, headers=headers,
                               timeout=10).json()
        files = {sha: terminal.attachments.get(sha) for sha in pushed["results"][0]["missing"]}
        answer = requests.post(f"{platform.url()}/uploads/batch", data=b"".join(files.values()), timeout=10, headers={
            **batch_headers, UPLOAD_BATCH_HEADER: ",".join(f"{s}:{len(d)}" for s, d in files.items())})
        assert answer.status_code == 200 and answer.json().get("feed") is None
    finally:
        terminal.close()


def test_a_feed_read_that_fails_after_the_batch_keeps_its_files_and_the_pass_reads_the_feed_itself(
        tmp_path: Path, platform: PlatformServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The database lost between the batch's commit and its page's read: the answer still says the files are
    in (a 500 had them sent again one by one), the pass reads the feed on its own, and the next batch asks
    for the page again (this was no platform from before)."""
    terminal = make_terminal(tmp_path / "t1")
    try:
        engine, _credential = ready_engine(terminal, platform)
        reading = platform.store.reading
        failed: list[str] = []

        def lost_after_the_batch() -> Any:
            if sys._getframe(1).f_code.co_name == "take_in_and_read" and not failed:
                failed.append("feed")
                raise OperationalError("SELECT …", {}, Exception("server closed the connection unexpectedly"))
            return reading()

        monkeypatch.setattr(platform.store, "reading", lost_after_the_batch)
        submit_demo(terminal, 1, pages=2, page_kb=12, seed=48)
        asked = record_requests(monkeypatch)
        report = engine.run_pass()
        assert failed == ["feed"]
        assert report.errors == [] and report.sent == 1 and all_sent(terminal)
        assert asked.count("POST uploads/batch") == 1 and "POST uploads" not in asked  # no file sent twice
        assert [a for a in asked if a in FEED_AND_BEAT] == ["GET changes"], asked
        (app,) = applications(terminal)
        assert app.case_no and report.count_check["match"]
        assert engine.batch_carries_feed is not False  # not taken for a platform from before

        submit_demo(terminal, 1, pages=2, page_kb=12, seed=49)
        asked.clear()
        report = engine.run_pass()
        assert report.errors == [] and report.sent == 1
        assert sent(asked) == ["POST applications", "POST uploads/batch"], asked
    finally:
        terminal.close()
