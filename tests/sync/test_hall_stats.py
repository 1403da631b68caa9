"""Platform schema 6: the hall queue's statistics, from a counter's sync pass to `onewindow platform hall-stats`.

A real platform over HTTP (SQLite and PostgreSQL); the hall hub stands in as `FakeHall` at the edge.
"""
from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, inspect, select, text

from kiosk.queue.model import Priority, Ticket, TicketState
from kiosk.settings import load_settings
from kiosk.terminal import Terminal
from sync.client import PlatformClient
from sync.hall_stats_push import days_due, sent_through
from sync.server.db import open_platform
from sync.server.models import SCHEMA_VERSION, HallQueueStat, PlatformAuditEntry, SchemaInfo
from tests.helpers.fake_hall import FakeHall
from tests.sync.conftest import engine_for, enroll
from tests.sync.servers import PlatformServer

HALL = "330106001"
ROW = {"service_day": "2026-11-29", "hour": 9, "category": "A", "issued": 4, "served": 3, "no_shows": 1,
       "wait_seconds_sum": 3720.0, "walk_seconds_sum": 300.0, "service_seconds_sum": 3300.0,
       "served_within_target": 3}


def token_for(platform: PlatformServer, role: str, name: str) -> dict[str, str]:
    answer = PlatformClient(platform.url()).json("POST", "enroll", json_body={
        "code": platform.enroll_code(HALL, name, role)})
    return {"Authorization": f"Bearer {answer['token']}"}


def stored(platform: PlatformServer) -> list[tuple]:
    with platform.store.transaction() as s:
        return [(r.service_day, r.hour, r.category, r.issued, r.served, r.wait_seconds_sum)
                for r in s.scalars(select(HallQueueStat).order_by(HallQueueStat.service_day, HallQueueStat.hour,
                                                                   HallQueueStat.category))]


def test_a_counter_replaces_the_rows_it_names_a_kiosk_may_not(platform: PlatformServer) -> None:
    counter = token_for(platform, "counter", "counter-3")
    url = platform.url("/api/v1/hall-stats")
    r = requests.post(url, json={"rows": [ROW, {**ROW, "category": "B", "issued": 1, "served": 0, "no_shows": 0,
                                                 "wait_seconds_sum": 0, "walk_seconds_sum": 0,
                                                 "service_seconds_sum": 0, "served_within_target": 0}]},
                      headers=counter, timeout=10)
    assert r.status_code == 200, r.text
    assert r.json() == {"stored": 2, "days": ["2026-11-29"]}
    again = requests.post(url, json={"rows": [ROW]}, headers=counter, timeout=10)  # the same again: harmless
    assert again.status_code == 200
    assert stored(platform) == [("2026-11-29", 9, "A", 4, 3, 3720.0), ("2026-11-29", 9, "B", 1, 0, 0.0)]
    later = {**ROW, "issued": 5, "served": 4, "wait_seconds_sum": 4000.0}  # recomputed after a late ticket
    assert requests.post(url, json={"rows": [later]}, headers=counter, timeout=10).status_code == 200
    assert stored(platform)[0] == ("2026-11-29", 9, "A", 5, 4, 4000.0) and len(stored(platform)) == 2

    kiosk = token_for(platform, "kiosk", "kiosk-1")
    refused = requests.post(url, json={"rows": [{**ROW, "issued": 99}]}, headers=kiosk, timeout=10)
    assert refused.status_code == 403 and refused.json()["code"] == "device_role"
    assert requests.post(url, json={"rows": [ROW]}, timeout=10).status_code == 401
    assert stored(platform)[0][3] == 5  # nothing changed
    with platform.store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(PlatformAuditEntry)
                        .where(PlatformAuditEntry.action == "hall_stats.received")) == 3


@pytest.mark.parametrize("body", [
    {"rows": []},
    {"rows": [{**ROW, "hour": 24}]},
    {"rows": [{**ROW, "served": 5}]},  # more served than issued
    {"rows": [{**ROW, "served_within_target": 4}]},  # more within target than served
    {"rows": [{**ROW, "service_day": "2026-02-30"}]},
    {"rows": [{**ROW, "category": "a; DROP"}]},
    {"rows": [{**ROW, "wait_seconds_sum": -1}]},
    {"rows": [ROW, ROW]},  # the same row twice
    {"rows": [{**ROW, "extra": 1}]},
    {"rows": [{k: v for k, v in ROW.items() if k != "issued"}]},
    {"stats": [ROW]},
])
def test_bad_bodies_are_422_and_change_nothing(sqlite_platform: PlatformServer, body: dict) -> None:
    counter = token_for(sqlite_platform, "counter", "counter-3")
    r = requests.post(sqlite_platform.url("/api/v1/hall-stats"), json=body, headers=counter, timeout=10)
    assert r.status_code == 422 and r.json()["code"] == "invalid" and r.json()["reason"]["zh"]
    assert stored(sqlite_platform) == []


def counter_with_hub(tmp_path: Path, day: date) -> tuple[Terminal, FakeHall]:
    home = tmp_path / "counter"
    home.mkdir()
    terminal = Terminal.open(load_settings(home, device_kind="counter"), parts=False)
    hub = FakeHall(counter_no=3)
    start = datetime.combine(day, datetime.min.time()).astimezone().replace(hour=9).astimezone(timezone.utc)
    for n, (state, wait) in enumerate([(TicketState.DONE, 10), (TicketState.DONE, 40), (TicketState.NO_SHOW, 5),
                                       (TicketState.WAITING, None)]):
        issued = start + timedelta(minutes=n)
        called = issued + timedelta(minutes=wait) if wait is not None else None
        done = state == TicketState.DONE
        hub.tickets[f"t{n}"] = Ticket(f"t{n}", f"A{n:03d}", "A", Priority.NORMAL, state, day.isoformat(), issued,
                                      "kiosk-1", called_at=called, counter_no=3 if called else None,
                                      started_at=called + timedelta(minutes=1) if done else None,
                                      finished_at=called + timedelta(minutes=11) if done else None,
                                      no_show_at=called + timedelta(minutes=3) if state == TicketState.NO_SHOW else None)
    terminal.hall = hub
    return terminal, hub


def test_the_sync_pass_forwards_today_and_remembers_what_was_sent(tmp_path: Path, platform: PlatformServer) -> None:
    today = date.today()
    terminal, hub = counter_with_hub(tmp_path, today)
    engine = engine_for(terminal, enroll(terminal, platform, name="counter-3"))
    report = engine.run_pass()
    assert report.hall_stats is not None and report.hall_stats["result"] == "sent", report.errors
    assert report.hall_stats["days"][-1] == today.isoformat() and len(report.hall_stats["days"]) == 8
    rows = stored(platform)
    assert [(d, c, issued, served) for d, _h, c, issued, served, _w in rows] == [(today.isoformat(), "A", 4, 2)]
    assert rows[0][5] == (10 + 40) * 60
    assert sent_through(terminal) == today - timedelta(days=1)
    # a ticket served later today: the next pass sends today again, replacing the row
    waiting = hub.tickets["t3"]
    hub.tickets["t3"] = dataclasses.replace(waiting, state=TicketState.DONE, called_at=waiting.issued_at
                                            + timedelta(minutes=20), started_at=waiting.issued_at
                                            + timedelta(minutes=21), finished_at=waiting.issued_at
                                            + timedelta(minutes=30), counter_no=3)
    second = engine.run_pass()
    assert second.hall_stats["days"] == [today.isoformat()]
    assert [(issued, served) for _d, _h, _c, issued, served, _w in stored(platform)] == [(4, 3)]


def test_hub_away_or_platform_down_just_means_next_time(tmp_path: Path, sqlite_platform: PlatformServer) -> None:
    today = date.today()
    terminal, hub = counter_with_hub(tmp_path, today)
    credential = enroll(terminal, sqlite_platform, name="counter-3")
    engine = engine_for(terminal, credential)
    hub.reachable = False
    report = engine.run_pass()
    assert report.online and report.hall_stats["result"] == "hub_unreachable"
    assert stored(sqlite_platform) == [] and sent_through(terminal) is None
    hub.reachable = True
    sqlite_platform.stop()
    down = engine.run_pass()
    assert not down.online and sent_through(terminal) is None
    back = PlatformServer(sqlite_platform.home)
    try:
        report = engine_for(terminal, dataclasses.replace(credential, platform_url=back.url())).run_pass()
        assert report.hall_stats["result"] == "sent" and len(stored(back)) == 1
        assert sent_through(terminal) == today - timedelta(days=1)
    finally:
        back.stop()


def test_a_kiosk_or_a_counter_without_hub_forwards_nothing(tmp_path: Path, sqlite_platform: PlatformServer) -> None:
    home = tmp_path / "kiosk"
    home.mkdir()
    kiosk = Terminal.open(load_settings(home, device_kind="kiosk"), parts=False)
    kiosk.hall = FakeHall(counter_no=None)
    report = engine_for(kiosk, enroll(kiosk, sqlite_platform, name="kiosk-1", role="kiosk")).run_pass()
    assert report.hall_stats is None and stored(sqlite_platform) == []


def test_days_due() -> None:
    today = date(2026, 11, 29)
    assert days_due(None, today)[0] == date(2026, 11, 22) and days_due(None, today)[-1] == today
    assert days_due(date(2026, 11, 28), today) == [today]
    assert days_due(date(2026, 11, 26), today) == [date(2026, 11, 27), date(2026, 11, 28), today]
    assert len(days_due(date(2025, 1, 1), today)) == 32  # a long time offline: the last month


# tables that came after schema 5: hall_queue_stats (6); appointments, licences, pre-review and visits (7)
LATER_TABLES = ("hall_queue_stats", "appointment_events", "appointments", "appointment_slot_counts",
                "appointment_slot_plans", "licence_uses", "licences", "case_prereviews", "case_visits")


def test_platform_cli_shows_them_and_a_version_5_database_is_upgraded(tmp_path: Path) -> None:
    home = tmp_path / "platform"
    store = open_platform(home, None)
    with store.engine.begin() as conn:  # as version 5 left it: none of the later tables
        for table in LATER_TABLES:
            conn.execute(text(f"DROP TABLE {table}"))
        conn.execute(text("UPDATE platform_schema SET version = 5"))
    store.close()
    server = PlatformServer(home)
    try:
        with server.store.transaction() as s:
            assert s.scalar(select(SchemaInfo.version)) == SCHEMA_VERSION >= 7
        assert set(LATER_TABLES) <= set(inspect(server.store.engine).get_table_names())
        counter = token_for(server, "counter", "counter-3")
        assert requests.post(server.url("/api/v1/hall-stats"), json={"rows": [ROW]}, headers=counter,
                             timeout=10).status_code == 200
    finally:
        server.stop()

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "kiosk", "platform", "hall-stats", "--home", str(home),
                               "--blob-key-file", str(tmp_path / "blob.key"), *args], capture_output=True, text=True,
                              timeout=120, env=os.environ)

    shown = cli("--hall", HALL, "--json")
    assert shown.returncode == 0, shown.stderr
    (row,) = json.loads(shown.stdout)
    assert {k: row[k] for k in ROW} == ROW and row["hall_code"] == HALL
    table = cli("--hall", HALL)
    assert "2026-11-29  09  A" in table.stdout and "20.7" in table.stdout  # 3720 s / 3 served = 20.7 min
    assert "no queue statistics" in cli("--hall", "330106002").stdout
