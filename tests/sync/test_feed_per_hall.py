"""A feed per hall: no lock shared between halls, the (hall_code, id) index, and new terminals starting now."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import event, func, inspect, select, text
from sqlalchemy.exc import OperationalError

from kiosk.catalog import demo_catalog_path
from sync.changes import get_cursor, get_start
from sync.demo_data import submit_demo
from sync.server.cases import changes_since, decide, feed_head, feed_lock, list_cases
from sync.server.db import open_platform
from sync.server.models import CASES_DEVICE_INDEX, CHANGES_FEED_INDEX, SCHEMA_VERSION, Change, Device, SchemaInfo
from tests.sync.conftest import engine_for, enroll, make_terminal
from tests.sync.servers import PlatformServer, PostgresServer
from tests.sync.test_counter_sync import cli, online_application

HALL, OTHER_HALL = "330106001", "330106002"


def device_of(platform: PlatformServer, name: str) -> Device:
    with platform.store.transaction() as s:
        return s.scalars(select(Device).where(Device.name == name)).one()


def submit_online(tmp_path: Path, capsys: pytest.CaptureFixture[str], platform: PlatformServer, home: Path,
                  tag: str) -> dict[str, Any]:
    path = online_application(tmp_path / tag, capsys, home)
    rc, out, err = cli(capsys, "platform", "submit-online", "--home", str(platform.home), "--hall", HALL, str(path))
    assert rc == 0, err
    return json.loads(out)


def test_a_new_terminal_starts_from_the_present_with_its_own_and_the_halls_open_online_cases(
        tmp_path: Path, platform: PlatformServer, capsys: pytest.CaptureFixture[str]) -> None:
    # a hall with a history: a counter's applications, decided on, and two online cases, one of them closed
    old = make_terminal(tmp_path / "old", device_no=1)
    old_apps = submit_demo(old, 3, pages=1, page_kb=8, seed=21)
    assert engine_for(old, enroll(old, platform, name="counter-old")).run_pass().sent == 3
    for app in old_apps:
        decide(platform.store, app.id, "accepted", "材料齐全", [])
    rc, _, err = cli(capsys, "platform", "publish-catalog", "--home", str(platform.home), str(demo_catalog_path()))
    assert rc == 0, err
    still_open = submit_online(tmp_path, capsys, platform, tmp_path / "old", "open")
    closed = submit_online(tmp_path, capsys, platform, tmp_path / "old", "closed")
    decide(platform.store, closed["id"], "accepted", "", [])
    decide(platform.store, closed["id"], "approved", "准予", [])
    with platform.store.read() as s:
        history = s.scalar(select(func.count()).select_from(Change).where(Change.hall_code == HALL))
        head_before = feed_head(s, HALL)
    assert history == 3 + 3 + 2 + 2  # received and accepted of each application; two assignments; two decisions

    # a new counter, with an application taken while it was not yet enrolled
    new = make_terminal(tmp_path / "new", device_no=2)
    (own,) = submit_demo(new, 1, pages=1, page_kb=8, seed=22)
    credential = enroll(new, platform, name="counter-new")
    engine = engine_for(new, credential)
    report = engine.run_pass()
    assert report.online and report.sent == 1, report.errors
    apps = {a.id: a for a in new.applications()}
    assert set(apps) == {own.id, still_open["id"]}  # not the other counter's, not the closed online case
    assert apps[own.id].status == "received" and apps[own.id].case_no
    assert apps[still_open["id"]].channel == "online" and apps[still_open["id"]].status == "received"
    assert report.pulled == 2 and report.downloaded_files > 0
    with new.store.transaction() as s:
        start = get_start(s)
        cursor = get_cursor(s)
    assert start is not None and start >= head_before and cursor >= start

    # what the platform served it up to the start: its own case and the open online case, nothing else
    counter = device_of(platform, "counter-new")
    with platform.store.read() as s:
        served, page_cursor, more = changes_since(s, HALL, 0, 500, start=start, device=counter)
    assert {c["application_id"] for c in served} == {own.id, still_open["id"]}
    assert [c["kind"] for c in served if c["application_id"] == still_open["id"]] == ["assigned"]
    assert (page_cursor, more) == (start, True)  # then the feed goes on after the start

    # after the start, the feed is the usual one: a decision and a new assignment arrive
    decide(platform.store, still_open["id"], "accepted", "原件已核", [])
    later = submit_online(tmp_path, capsys, platform, tmp_path / "old", "later")
    report = engine.run_pass()
    assert report.pulled == 2, report.errors
    apps = {a.id: a for a in new.applications()}
    assert apps[still_open["id"]].status == "accepted" and later["id"] in apps

    # a new kiosk hears only of its own applications, and its cursor goes to the hall's head at once
    kiosk = make_terminal(tmp_path / "kiosk", device_no=3)
    (kiosk_app,) = submit_demo(kiosk, 1, pages=1, page_kb=8, seed=23)
    kiosk_engine = engine_for(kiosk, enroll(kiosk, platform, name="kiosk-new", role="kiosk"))
    report = kiosk_engine.run_pass()
    assert report.sent == 1 and report.pulled == 1 and [a.id for a in kiosk.applications()] == [kiosk_app.id]
    with kiosk.store.transaction() as s, platform.store.read() as ps:
        assert get_cursor(s) == feed_head(ps, HALL)


def test_a_platform_without_the_start_gives_the_whole_history_as_before(tmp_path: Path) -> None:
    def older(app: Any) -> Any:
        async def without_start(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http" and scope["path"] == "/api/v1/changes/start":  # as if it had no such route
                scope = {**scope, "path": "/api/v1/no-such-route", "raw_path": b"/api/v1/no-such-route"}
            await app(scope, receive, send)

        return without_start

    server = PlatformServer(tmp_path / "platform", wrap=older)
    try:
        one = make_terminal(tmp_path / "one", device_no=1)
        submit_demo(one, 2, pages=1, page_kb=8, seed=31)
        assert engine_for(one, enroll(one, server, name="counter-1")).run_pass().sent == 2
        two = make_terminal(tmp_path / "two", device_no=2)
        credential = enroll(two, server, name="counter-2")
        assert requests.get(server.url("/api/v1/changes/start"), timeout=10,
                            headers={"Authorization": f"Bearer {credential.token}"}).status_code == 404
        report = engine_for(two, credential).run_pass()
        assert report.online and report.errors == []
        assert two.applications() == []  # the other counter's cases were read and passed over, as before
        with two.store.transaction() as s, server.store.read() as ps:
            assert get_start(s) == 0
            assert get_cursor(s) == feed_head(ps, HALL) == 2  # read through the whole history
    finally:
        server.stop()


def test_a_kiosk_page_moves_its_cursor_to_the_halls_head(tmp_path: Path, sqlite_platform: PlatformServer) -> None:
    counter = make_terminal(tmp_path / "counter", device_no=1)
    submit_demo(counter, 4, pages=1, page_kb=8, seed=41)
    assert engine_for(counter, enroll(counter, sqlite_platform, name="counter-1")).run_pass().sent == 4
    kiosk = enroll(make_terminal(tmp_path / "kiosk", device_no=2), sqlite_platform, name="kiosk-1", role="kiosk")
    headers = {"Authorization": f"Bearer {kiosk.token}"}
    page = requests.get(sqlite_platform.url("/api/v1/changes"), params={"since": 0}, headers=headers, timeout=10).json()
    with sqlite_platform.store.read() as s:
        head = feed_head(s, HALL)
    assert page == {"changes": [], "cursor": head, "more": False, "summary": {
        "hall_code": HALL, "hall_cases": 4, "device_cases": 0, "device_complete": 0, "catalog_etag": None,
        "settings_version": None}} and head == 4
    for bad in ("-1", "soon", str(2**63)):  # a start the platform never gave: refused, bilingually
        answer = requests.get(sqlite_platform.url("/api/v1/changes"), params={"since": 0, "start": bad},
                              headers=headers, timeout=10)
        assert answer.status_code == 422 and answer.json()["code"] == "invalid"
        assert "start" in answer.json()["reason"]["en"] and answer.json()["reason"]["zh"].startswith("请求内容无效")
    # a counter's page is the hall's, as before
    with sqlite_platform.store.read() as s:
        rows, cursor, more = changes_since(s, HALL, 0, 3)
    assert [r["seq"] for r in rows] == [1, 2, 3] and (cursor, more) == (3, True)


def test_a_feed_page_is_a_range_of_the_hall_index(tmp_path: Path, sqlite_platform: PlatformServer) -> None:
    """The page's own query, as the route runs it, read through `(hall_code, id)` (SQLite's plan)."""
    terminal = make_terminal(tmp_path / "t")
    submit_demo(terminal, 2, pages=1, page_kb=8, seed=51)
    credential = enroll(terminal, sqlite_platform, name="counter-1")
    assert engine_for(terminal, credential).run_pass().sent == 2
    seen: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if "FROM changes" in statement and "ORDER BY changes.id" in statement:
            seen.append((statement, parameters))

    event.listen(sqlite_platform.store.engine, "before_cursor_execute", capture)
    try:
        answer = requests.get(sqlite_platform.url("/api/v1/changes"), params={"since": 1}, timeout=10,
                              headers={"Authorization": f"Bearer {credential.token}"})
    finally:
        event.remove(sqlite_platform.store.engine, "before_cursor_execute", capture)
    assert answer.status_code == 200 and [c["seq"] for c in answer.json()["changes"]] == [2]
    (statement, parameters), = seen
    with sqlite_platform.store.engine.connect() as conn:
        plan = " | ".join(str(row[-1]) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))
    assert f"INDEX {CHANGES_FEED_INDEX} (hall_code=? AND id>?)" in plan, plan


def test_schema_9_indexes_and_the_upgrade_from_8(tmp_path: Path, db_url: str | None) -> None:
    store = open_platform(tmp_path / "platform", db_url)
    with store.engine.begin() as conn:  # as schema 8 left it
        conn.execute(text(f"DROP INDEX {CHANGES_FEED_INDEX}"))
        conn.execute(text(f"DROP INDEX {CASES_DEVICE_INDEX}"))
        conn.execute(text("CREATE INDEX ix_changes_hall_code ON changes (hall_code)"))
        conn.execute(text("UPDATE platform_schema SET version = 8"))
    store.close()
    store = open_platform(tmp_path / "platform", db_url)
    try:
        with store.read() as s:
            assert s.scalar(select(SchemaInfo.version)) == SCHEMA_VERSION >= 9
        indexes = {table: {i["name"]: i["column_names"] for i in inspect(store.engine).get_indexes(table)}
                   for table in ("changes", "cases")}
        assert indexes["changes"][CHANGES_FEED_INDEX] == ["hall_code", "id"]
        assert "ix_changes_hall_code" not in indexes["changes"]
        assert indexes["cases"][CASES_DEVICE_INDEX] == ["device_id", "complete", "status"]
    finally:
        store.close()


# --- PostgreSQL: no lock shared between halls -----------------------------------------------------

def test_halls_never_wait_on_each_others_feed_lock(tmp_path: Path, postgres: PostgresServer) -> None:
    store = open_platform(tmp_path / "platform", postgres.new_database())
    try:
        with store.transaction() as holder:
            feed_lock(holder, HALL)
            with store.Session() as other, other.begin():
                other.execute(text("SET LOCAL lock_timeout = '5s'"))
                feed_lock(other, OTHER_HALL)  # another hall: taken at once
            with store.Session() as same, same.begin():
                same.execute(text("SET LOCAL lock_timeout = '100ms'"))
                with pytest.raises(OperationalError, match="lock timeout"):
                    feed_lock(same, HALL)  # the same hall waits for the holder to commit
    finally:
        store.close()


def test_pushing_and_uploading_takes_no_global_lock(tmp_path: Path, postgres: PostgresServer) -> None:
    """With the audit chain's lock (7302) and another hall's feed lock held elsewhere, a hall's terminal still
    pushes, uploads, completes its cases and reads its feed."""
    import psycopg

    server = PlatformServer(tmp_path / "platform", postgres.new_database())
    blocker = psycopg.connect(f"host=127.0.0.1 port={postgres.port} user=postgres "
                              f"dbname={server.store.engine.url.database}", autocommit=True)
    try:
        terminal = make_terminal(tmp_path / "t")
        apps = submit_demo(terminal, 3, pages=2, page_kb=40, seed=61)
        engine = engine_for(terminal, enroll(terminal, server, name="kiosk-1", role="kiosk"))  # audited: before
        blocker.execute("SELECT pg_advisory_lock(7302)")
        blocker.execute("SELECT pg_advisory_lock(7301, hashtext(%s))", (OTHER_HALL,))
        report = engine.run_pass()
        assert report.sent == 3 and report.errors == [], report.errors
        assert {c["id"] for c in list_cases(server.store) if c["complete"]} == {a.id for a in apps}
        assert all(a.status == "received" for a in terminal.applications())
    finally:
        blocker.close()
        server.stop()
