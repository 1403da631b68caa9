"""The heartbeat rides on the feed read (`POST /changes`): an idle terminal's pass is one request, not two.

A real platform over HTTP (SQLite and PostgreSQL) and a real terminal's sync engine. What each pass asks is
read at the terminal's client; what arrived is read from the platform's own tables.
"""
from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from kiosk import heartbeat
from kiosk.settings import load_settings
from kiosk.store.models import HeartbeatReport
from kiosk.terminal import Terminal
from sync.changes import get_cursor
from sync.client import Offline, PlatformClient
from sync.credentials import Credential
from sync.engine import FEED_CARRY_RETRY_SECONDS, PassReport, SyncEngine
from sync.server.fleet_models import FleetReport, FleetTerminal
from tests.printing.conftest import submit_example
from tests.sync.conftest import engine_for, enroll, record_requests
from tests.sync.servers import PlatformServer

HALL = "330106001"


@pytest.fixture
def every_pass_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    """Passes here follow each other within milliseconds; in the field they are a minute or more apart."""
    monkeypatch.setattr(heartbeat, "MIN_INTERVAL", timedelta(0))


def record_push_bodies(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The body of every `POST applications` the terminal's client sends (after `record_requests`, if both)."""
    bodies: list[dict[str, Any]] = []
    send = PlatformClient.request

    def recording(self, method: str, path: str, **kwargs):  # type: ignore[no-untyped-def]
        if (method, path) == ("POST", "applications"):
            bodies.append(kwargs["json_body"])
        return send(self, method, path, **kwargs)

    monkeypatch.setattr(PlatformClient, "request", recording)
    return bodies


def heartbeat_requests(asked: list[str]) -> list[str]:
    return [a for a in asked if a in ("POST heartbeat", "POST changes", "GET changes")]


def fleet_state(platform: PlatformServer, device_id: int) -> FleetTerminal | None:
    with platform.store.transaction() as s:
        state = s.get(FleetTerminal, device_id)
        if state is not None:
            s.expunge(state)
        return state


def report_count(platform: PlatformServer) -> int:
    with platform.store.transaction() as s:
        return int(s.scalar(select(func.count()).select_from(FleetReport)) or 0)


@contextmanager
def after_a_first_pass(platform: PlatformServer, home: Path) -> Iterator[tuple[Terminal, Credential, SyncEngine]]:
    """An enrolled kiosk whose first pass has measured its clock: from its next pass on, reports can ride."""
    terminal = Terminal.open(load_settings(home))
    try:
        credential = enroll(terminal, platform, role="kiosk")
        engine = engine_for(terminal, credential)
        engine.run_pass()
        yield terminal, credential, engine
    finally:
        terminal.close()


def test_an_idle_pass_carries_its_report_on_the_feed_read(platform: PlatformServer, home: Path,
                                                           every_pass_reports: None,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = Terminal.open(load_settings(home))
    try:
        credential = enroll(terminal, platform, role="kiosk")
        engine = engine_for(terminal, credential)
        asked = record_requests(monkeypatch)
        first = engine.run_pass()  # its clock never measured: the platform's clock is asked on its own first
        assert first.errors == [] and first.heartbeat["result"] == "sent"
        assert heartbeat_requests(asked) == ["GET changes", "POST heartbeat", "POST heartbeat"]
        with terminal.store.transaction() as s:
            measured = heartbeat.clock_offset(s)
        assert measured is not None

        submit_example(terminal)  # a pass with something to push: the push carries the report
        pushed = record_push_bodies(monkeypatch)
        made = []
        for backlog in (1, 0):
            asked.clear()
            report = engine.run_pass()
            assert report.errors == [] and report.online
            # the pushing pass: its report rode on the push, and its uploads (a link not yet proven: each file
            # on its own) were no batch to read the feed with; the idle pass: on the feed read
            assert heartbeat_requests(asked) == (["GET changes"] if backlog else ["POST changes"]), asked
            assert report.heartbeat["carried"] and report.heartbeat["result"] == "sent"
            assert report.heartbeat["sent"] == 1 and report.heartbeat["waiting"] == 0
            state = fleet_state(platform, credential.device_id)
            assert state is not None and state.report_id == report.heartbeat["made"]
            assert state.body["outbox_backlog"] == backlog  # made before the push, after it
            made.append(report.heartbeat["made"])
        assert [[r["id"] for r in b["heartbeat"]["reports"]] for b in pushed] == [made[:1]]
        assert report_count(platform) == 3  # the first pass's and these two
        with terminal.store.transaction() as s:
            assert s.scalar(select(func.count()).select_from(HeartbeatReport)) == 0
            again = heartbeat.clock_offset(s)
        assert again is not None and again["at"] != measured["at"]  # measured again by the feed read's answer
        assert abs(again["offset"]) < 2.0
    finally:
        terminal.close()


def test_errors_after_the_feed_read_go_out_in_a_report_of_their_own(sqlite_platform: PlatformServer, home: Path,
                                                                    every_pass_reports: None,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The carried report was made before the pass ended; a step after it failed: the fleet page hears of it
    in the same pass, not a minute later."""
    with after_a_first_pass(sqlite_platform, home) as (terminal, credential, engine):
        fail_after_feed = "hall stats not sent: disk full"

        def failing(self: SyncEngine, report: PassReport) -> None:
            report.errors.append(fail_after_feed)

        monkeypatch.setattr(SyncEngine, "push_hall_stats", failing)
        asked = record_requests(monkeypatch)
        report = engine.run_pass()
        assert report.errors == [fail_after_feed]
        assert heartbeat_requests(asked) == ["POST changes", "POST heartbeat"]
        state = fleet_state(sqlite_platform, credential.device_id)
        assert state is not None and state.report_id == report.heartbeat["made"]
        assert state.body["last_error"]["text"] == fail_after_feed
        assert report.heartbeat["sent"] == 2 and report.heartbeat["waiting"] == 0


def test_a_feed_read_cut_short_leaves_a_report_that_says_so(sqlite_platform: PlatformServer, home: Path,
                                                            every_pass_reports: None,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The link drops during the read that carries the report: that report said all was well, so the pass
    makes another that names the trouble; the next pass delivers both."""
    with after_a_first_pass(sqlite_platform, home) as (terminal, credential, engine):
        send = PlatformClient.request

        def cut(self: PlatformClient, method: str, path: str, **kwargs: Any) -> Any:
            if (method, path) == ("POST", "changes"):
                raise Offline("ConnectionError: connection reset by peer")
            return send(self, method, path, **kwargs)

        monkeypatch.setattr(PlatformClient, "request", cut)
        cut_short = engine.run_pass()
        assert not cut_short.online and cut_short.heartbeat["result"] == "kept"
        with terminal.store.transaction() as s:
            bodies = [r.body for r in s.scalars(select(HeartbeatReport).order_by(HeartbeatReport.made_at))]
        assert len(bodies) == 2 and bodies[0]["last_error"] is None
        assert bodies[1]["id"] == cut_short.heartbeat["made"] and "connection reset" in bodies[1]["last_error"]["text"]

        monkeypatch.setattr(PlatformClient, "request", send)
        asked = record_requests(monkeypatch)
        back = engine.run_pass()
        assert back.online and back.errors == [] and heartbeat_requests(asked) == ["POST changes"]
        assert back.heartbeat["sent"] == 3 and back.heartbeat["waiting"] == 0
        with sqlite_platform.store.transaction() as s:
            ids = set(s.scalars(select(FleetReport.id)))
        assert {b["id"] for b in bodies} | {back.heartbeat["made"]} <= ids
        assert fleet_state(sqlite_platform, credential.device_id).report_id == back.heartbeat["made"]


class BeforePostChanges:
    """The platform as it was before `POST /changes`: the request reaches the same app as a method its feed
    route does not take, so the app answers it as a platform without the route does (405, its own format);
    the same platform once `upgraded`."""

    def __init__(self) -> None:
        self.upgraded = False

    def __call__(self, app: Any) -> Any:
        async def before(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if (scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == "/api/v1/changes"
                    and not self.upgraded):
                scope = {**scope, "method": "PUT"}
            await app(scope, receive, send)
        return before


def test_a_platform_from_before_is_read_and_told_apart_and_asked_again_an_hour_on(
        tmp_path: Path, home: Path, every_pass_reports: None, monkeypatch: pytest.MonkeyPatch) -> None:
    before = BeforePostChanges()
    old = PlatformServer(tmp_path / "old-platform", wrap=before)
    try:
        with after_a_first_pass(old, home) as (terminal, credential, engine):
            asked = record_requests(monkeypatch)
            second = engine.run_pass()
            assert second.errors == [] and second.online
            assert heartbeat_requests(asked) == ["POST changes", "GET changes", "POST heartbeat"]
            assert second.heartbeat["carried"] is False and second.heartbeat["sent"] == 1
            state = fleet_state(old, credential.device_id)
            assert state is not None and state.report_id == second.heartbeat["made"]
            asked.clear()
            third = engine.run_pass()
            assert third.errors == [] and heartbeat_requests(asked) == ["GET changes", "POST heartbeat"]
            assert report_count(old) == 3  # one a pass
            # an hour on, the platform has been upgraded: the feed read carries the report again
            before.upgraded = True
            asked.clear()
            assert engine.run_pass().errors == [] and heartbeat_requests(asked) == ["GET changes", "POST heartbeat"]
            engine.clock = lambda: time.monotonic() + FEED_CARRY_RETRY_SECONDS
            asked.clear()
            fifth = engine.run_pass()
            assert fifth.errors == [] and heartbeat_requests(asked) == ["POST changes"]
            assert fifth.heartbeat["carried"] is True and engine.feed_carries_heartbeat is True
            assert report_count(old) == 5
    finally:
        old.stop()


@pytest.mark.parametrize("carrier", ["push", "feed read"])
def test_a_report_the_platform_refuses_holds_up_neither_the_push_nor_the_feed(
        sqlite_platform: PlatformServer, home: Path, every_pass_reports: None, monkeypatch: pytest.MonkeyPatch,
        carrier: str) -> None:
    """A kept report the platform will not take (made by a buggy build). Carried by a push, it is answered
    `invalid` while the application goes in; carried by the feed read, that read is refused whole (422) and
    stores nothing, and the page is read on its own. Either way nothing of the batch is stored, and the
    heartbeat step drops that report and delivers the rest."""
    with after_a_first_pass(sqlite_platform, home) as (terminal, credential, engine):
        if carrier == "feed read":  # an application sent and told in an earlier pass: this one pushes nothing
            submit_example(terminal)
            engine.run_pass()
        held = report_count(sqlite_platform)
        bad_id = heartbeat.record(terminal, force=True)
        with terminal.store.transaction() as s:
            row = s.get(HeartbeatReport, bad_id)
            row.body = {**row.body, "outbox_backlog": -5}
            cursor = get_cursor(s)
        if carrier == "push":
            submit_example(terminal)
        asked = record_requests(monkeypatch)
        report = engine.run_pass()
        assert report.errors == [] and report.online
        assert report.sent == (1 if carrier == "push" else 0)
        # the page read on its own; the batch, then each of its two reports on its own
        tried = ["POST changes"] if carrier == "feed read" else []
        assert heartbeat_requests(asked) == tried + ["GET changes", "POST heartbeat", "POST heartbeat",
                                                     "POST heartbeat"]
        assert asked.count("POST applications") == (1 if carrier == "push" else 0)
        with terminal.store.transaction() as s:
            assert s.scalar(select(func.count()).select_from(HeartbeatReport)) == 0
            assert get_cursor(s) > cursor or carrier == "feed read"  # the pushed application's change was read
        with sqlite_platform.store.transaction() as s:
            ids = set(s.scalars(select(FleetReport.id)))
        assert bad_id not in ids and report.heartbeat["made"] in ids and len(ids) == held + 1
        # the routes are there: the next pass carries again
        assert engine.feed_carries_heartbeat is not False and engine.push_carries_heartbeat is not False


def test_post_changes_answers_the_same_page_and_refuses_a_bad_batch_whole(platform: PlatformServer,
                                                                          home: Path) -> None:
    terminal = Terminal.open(load_settings(home))
    try:
        credential = enroll(terminal, platform, role="kiosk")
        submit_example(terminal)
        engine_for(terminal, credential).run_pass()  # one application on the platform, in the feed
        good = {**heartbeat.gather(terminal), "id": str(uuid.uuid4())}
    finally:
        terminal.close()
    token = {"Authorization": f"Bearer {credential.token}"}
    url = platform.url("/api/v1/changes")
    held = report_count(platform)
    page = requests.get(url, headers=token, params={"since": 0}, timeout=10)
    assert page.status_code == 200 and page.json()["changes"], page.text
    carried = requests.post(url, headers=token, params={"since": 0}, json={"reports": [good]}, timeout=10)
    assert carried.status_code == 200, carried.text
    answer = carried.json()
    assert {k: answer[k] for k in ("changes", "cursor", "more", "summary")} == page.json()
    assert answer["heartbeat"]["results"] == [{"id": good["id"], "result": "stored"}]
    assert answer["heartbeat"]["server_time"]
    assert report_count(platform) == held + 1

    for body in ({"reports": [{**good, "id": str(uuid.uuid4()), "disk_free_bytes": "lots"}]},
                 {"reports": [{**good, "id": str(uuid.uuid4()), "version": "<script>" * 40}]},
                 {"reports": "all well"}, {}):
        refused = requests.post(url, headers=token, params={"since": 0}, json=body, timeout=10)
        assert refused.status_code == 422, refused.text
        reason = refused.json()["reason"]
        assert reason["zh"] and reason["en"] and "changes" not in refused.json()
    bad_query = requests.post(url, headers=token, params={"since": -1}, json={"reports": [good]}, timeout=10)
    assert bad_query.status_code == 422 and bad_query.json()["reason"]["zh"]
    assert requests.post(url, params={"since": 0}, json={"reports": [good]}, timeout=10).status_code == 401
    assert report_count(platform) == held + 1  # nothing of a refused batch, and the good one once
    with platform.store.transaction() as s:
        assert s.get(FleetTerminal, credential.device_id).report_id == good["id"]
