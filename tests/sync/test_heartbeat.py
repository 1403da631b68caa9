"""Heartbeat and inventory: reports made offline are kept, bounded, and delivered exactly once when the link
returns; the platform refuses a malformed batch whole; `onewindow platform devices` says what needs attention.

A real platform over HTTP (SQLite and PostgreSQL), the link played by `sync.linksim.BadLink`, a real TCP
receipt printer (`tests.printing.printer_server`) that is out of paper.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from kiosk import heartbeat
from kiosk.devices.base import ScanSettings
from kiosk.devices.fake import RecordingScanner
from kiosk.errors import UserFacingError
from kiosk.materials.pages import CapturedPage
from kiosk.settings import load_settings
from kiosk.store.models import HeartbeatReport, utcnow
from kiosk.terminal import Devices, SyncState, Terminal
from kiosk.usecases import materials
from kiosk.usecases.receipts import print_receipt
from sync.client import PlatformClient
from sync.linksim import BadLink
from sync.server import fleet
from sync.server.fleet_models import FleetReport, FleetTerminal
from sync.worker import SyncWorker
from tests.printing.conftest import submit_example
from tests.printing.printer_server import PAPER_OUT, PrinterServer
from tests.sync.conftest import engine_for, enroll
from tests.sync.servers import PlatformServer

HALL = "330106001"


@pytest.fixture
def every_pass_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    """Passes here follow each other within milliseconds; in the field they are a minute or more apart."""
    monkeypatch.setattr(heartbeat, "MIN_INTERVAL", timedelta(0))


def platform_reports(platform: PlatformServer, device_id: int) -> list[str]:
    with platform.store.transaction() as s:
        return sorted(s.scalars(select(FleetReport.id).where(FleetReport.device_id == device_id)))


def kept(terminal: Terminal) -> list[str]:
    with terminal.store.transaction() as s:
        return list(s.scalars(select(HeartbeatReport.id).order_by(HeartbeatReport.made_at)))


def test_heartbeat_queued_offline_and_delivered(platform: PlatformServer, home: Path, every_pass_reports: None) -> None:
    terminal = Terminal.open(load_settings(home))
    link = BadLink(platform.port)
    try:
        credential = enroll(terminal, platform, url=link.url(), name="kiosk-7", role="kiosk")
        submit_example(terminal)  # one application owed to the platform while the link is down
        link.down = True
        link.cut_all()
        engine = engine_for(terminal, credential)  # the link is down by refusing: no read waits out a timeout
        offline = [engine.run_pass(), engine.run_pass()]
        assert [r.online for r in offline] == [False, False]
        assert [r.heartbeat["result"] for r in offline] == ["kept", "kept"]
        night = kept(terminal)
        assert len(night) == 2 and platform_reports(platform, credential.device_id) == []
        with terminal.store.transaction() as s:
            first = s.get(HeartbeatReport, night[0]).body
        assert first["outbox_backlog"] == 1 and first["clock_offset_seconds"] is None
        assert first["devices"]["printer"]["state"] == "absent"
        assert first["last_error"]["source"] == "sync" and "offline" in first["last_error"]["text"]

        link.down = False
        report = engine.run_pass()
        assert report.online and report.heartbeat is not None, report.errors
        assert report.heartbeat["result"] == "sent", report.errors
        assert report.heartbeat["sent"] == 3 and report.heartbeat["waiting"] == 0
        assert kept(terminal) == []
        held = platform_reports(platform, credential.device_id)
        assert len(held) == 3 and set(night) <= set(held)  # the night's two and the pass's own, once each
        with platform.store.transaction() as s:
            state = s.get(FleetTerminal, credential.device_id)
            assert state.report_id == report.heartbeat["made"]  # the newest report is the terminal's state
            assert state.body["outbox_backlog"] == 0  # it was made after the pass had pushed the application

        # The answer to a batch was lost and the terminal sends it again: the platform has it once.
        token = {"Authorization": f"Bearer {credential.token}"}
        again = requests.post(platform.url("/api/v1/heartbeat"), headers=token, timeout=10,
                              json={"reports": [{**first, "id": night[0]}]})
        assert again.status_code == 200, again.text
        assert again.json()["results"] == [{"id": night[0], "result": "duplicate"}]
        assert platform_reports(platform, credential.device_id) == held

        # The platform's clock in the answer: the next report carries this clock's offset against it.
        with terminal.store.transaction() as s:
            offset = heartbeat.clock_offset(s)
        assert offset is not None and abs(offset["offset"]) < 2.0
        later = engine.run_pass()
        with platform.store.transaction() as s:
            body = s.get(FleetReport, later.heartbeat["made"]).body
        assert body["clock_offset_seconds"] is not None and abs(body["clock_offset_seconds"]) < 2.0
        assert body["version"] == heartbeat.package_version() != "unknown"
        assert body["disk_free_bytes"] > 0 and body["uptime_seconds"] is not None
    finally:
        link.close()
        terminal.close()


def test_the_worker_reports_on_its_idle_timer_without_being_poked(sqlite_platform: PlatformServer, home: Path,
                                                                  every_pass_reports: None) -> None:
    """Nothing to sync, nobody pokes: the idle timer (a minute in the field) still brings a report each time."""
    terminal = Terminal.open(load_settings(home))
    credential = enroll(terminal, sqlite_platform, role="kiosk")
    passes: list[bool] = []
    three = threading.Event()
    syncing = [False]

    def seen(status: SyncState) -> None:
        if status.syncing:
            syncing[0] = True
        elif syncing[0]:  # a pass ended (the worker reports other changes too)
            syncing[0] = False
            passes.append(bool(status.online))
            if len(passes) >= 3:
                three.set()

    worker = SyncWorker(terminal, engine_factory=lambda: engine_for(terminal, credential), idle_interval=0.2,
                        on_status=seen)
    try:
        worker.start()
        assert three.wait(60), "the worker did not run three passes"
    finally:
        worker.stop()
        terminal.close()
    assert all(passes) and len(platform_reports(sqlite_platform, credential.device_id)) >= 3


def test_reports_kept_offline_are_bounded_oldest_dropped_first(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = Terminal.open(load_settings(home))
    try:
        monkeypatch.setattr(heartbeat, "MAX_UNSENT", 5)
        start = utcnow()
        made = [heartbeat.record(terminal, now=start + timedelta(minutes=n)) for n in range(8)]
        assert kept(terminal) == made[3:]
        # within MIN_INTERVAL of the last one: no new report, unless forced
        assert heartbeat.record(terminal, now=start + timedelta(minutes=7, seconds=10)) is None
        assert heartbeat.record(terminal, now=start + timedelta(minutes=7, seconds=10), force=True) is not None
    finally:
        terminal.close()


def test_passes_seconds_apart_online_send_one_report_a_minute(sqlite_platform: PlatformServer, home: Path) -> None:
    """Delivered reports are forgotten here, yet a pass right after one makes none: a busy terminal's passes
    (one per upload) must not each cost the platform a heartbeat. After the interval, or with the clock set
    back, a pass makes one again."""
    terminal = Terminal.open(load_settings(home))
    try:
        credential = enroll(terminal, sqlite_platform, role="kiosk")
        engine = engine_for(terminal, credential)
        first = engine.run_pass()
        assert first.heartbeat["made"] is not None and first.heartbeat["waiting"] == 0
        for _ in range(3):
            again = engine.run_pass()
            assert again.errors == [] and again.heartbeat["made"] is None and again.heartbeat["sent"] == 0
        assert platform_reports(sqlite_platform, credential.device_id) == [first.heartbeat["made"]]
        now = utcnow()
        assert heartbeat.record(terminal, now=now + heartbeat.MIN_INTERVAL) is not None  # a minute later
        assert heartbeat.record(terminal, now=now - timedelta(hours=1)) is not None  # the clock was set back
    finally:
        terminal.close()


def test_a_late_report_is_kept_but_never_replaces_a_newer_state(platform: PlatformServer, home: Path) -> None:
    """Straight to the route: reports in one batch stored once each, a held id a duplicate, a report made
    earlier than the state's kept in the history only, and an empty batch (the clock question) still
    counts as hearing from the terminal."""
    terminal = Terminal.open(load_settings(home))
    try:
        credential = enroll(terminal, platform, role="kiosk")
        made = heartbeat.record(terminal, force=True)
        with terminal.store.transaction() as s:
            body = s.get(HeartbeatReport, made).body
    finally:
        terminal.close()
    token = {"Authorization": f"Bearer {credential.token}"}

    def post(*reports: dict) -> list[dict]:
        answer = requests.post(platform.url("/api/v1/heartbeat"), headers=token, timeout=10,
                               json={"reports": list(reports)})
        assert answer.status_code == 200, answer.text
        return answer.json()["results"]

    def at(minutes: int, outbox: int) -> dict:
        when = utcnow() + timedelta(minutes=minutes)
        return {**body, "id": str(uuid.uuid4()), "made_at": when.isoformat(), "outbox_backlog": outbox}

    def state() -> FleetTerminal:
        with platform.store.transaction() as s:
            row = s.get(FleetTerminal, credential.device_id)
            s.expunge(row)
            return row

    now, older = at(0, 1), at(-5, 7)
    assert post(older, now) == [{"id": older["id"], "result": "stored"}, {"id": now["id"], "result": "stored"}]
    assert state().report_id == now["id"] and state().body["outbox_backlog"] == 1
    late, newer = at(-60, 9), at(1, 2)
    assert post(now, late) == [{"id": now["id"], "result": "duplicate"}, {"id": late["id"], "result": "stored"}]
    kept_state = state()
    assert kept_state.report_id == now["id"] and kept_state.body["outbox_backlog"] == 1  # late: history only
    assert sorted(platform_reports(platform, credential.device_id)) == sorted([older["id"], now["id"], late["id"]])
    assert post() == []  # the clock question: heard from, nothing else changes
    asked = state()
    assert asked.last_heard_at > kept_state.last_heard_at and asked.report_id == now["id"]
    assert post(newer) == [{"id": newer["id"], "result": "stored"}]
    assert state().report_id == newer["id"] and state().body["outbox_backlog"] == 2
    # the history keeps REPORT_DAYS: a report made before that is answered, and goes with the same heartbeat
    ancient = at(-(fleet.REPORT_DAYS * 24 * 60 + 5), 3)
    assert post(ancient) == [{"id": ancient["id"], "result": "stored"}]
    assert sorted(platform_reports(platform, credential.device_id)) == sorted(
        [older["id"], now["id"], late["id"], newer["id"]])


def test_a_printer_out_of_paper_reaches_the_platform_and_the_devices_command(
        platform: PlatformServer, tmp_path: Path) -> None:
    printer = PrinterServer(answers=PAPER_OUT)
    terminal = Terminal.open(load_settings(tmp_path / "kiosk", printer=printer.uri))
    try:
        credential = enroll(terminal, platform, name="自助终端-3号", role="kiosk")
        application = submit_example(terminal)
        printed = print_receipt(terminal, application.id, "zh")  # what the kiosk does after a submission
        assert not printed.printed
        report = engine_for(terminal, credential).run_pass()
        assert report.online and report.heartbeat["sent"] == 1
        with platform.store.transaction() as s:
            body = s.get(FleetTerminal, credential.device_id).body
        assert body["devices"]["printer"]["paper"] == "out"
        assert body["devices"]["printer"]["state"] == "attention"
        assert body["print_backlog"] == 1
        # its first report, and already with its clock's offset: the platform's clock was asked before it was made
        assert body["clock_offset_seconds"] is not None and abs(body["clock_offset_seconds"]) < 2.0
        assert body["last_error"]["source"] == "print"
    finally:
        printer.stop()
        terminal.close()

    healthy = Terminal.open(load_settings(tmp_path / "counter"))
    try:
        engine_for(healthy, enroll(healthy, platform, name="窗口-1", role="counter")).run_pass()
    finally:
        healthy.close()
    never = PlatformClient(platform.url()).json("POST", "enroll", json_body={
        "code": platform.enroll_code(HALL, "自助终端-9号", "kiosk")})

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    home_args = ["--home", str(platform.home)]  # the database URL is the one the platform recorded there
    out = subprocess.run([sys.executable, "-m", "kiosk", "platform", "devices", *home_args, "--json"],
                         capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    listing = json.loads(out.stdout)
    by_name = {t["name"]: t for t in listing["terminals"]}
    assert set(by_name) == {"自助终端-3号", "窗口-1", "自助终端-9号"}
    assert [a["code"] for a in by_name["自助终端-3号"]["attention"]] == ["printer_paper_out"]
    assert by_name["窗口-1"]["needs_attention"] is False
    assert [a["code"] for a in by_name["自助终端-9号"]["attention"]] == ["never_reported"]
    assert by_name["自助终端-9号"]["device_id"] == never["device_id"]
    assert listing["needing_attention"] == 2

    text = subprocess.run([sys.executable, "-m", "kiosk", "platform", "devices", *home_args, "--attention"],
                          capture_output=True, text=True, timeout=120, env=env)
    assert text.returncode == 0, text.stderr
    assert "打印机缺纸 / printer out of paper" in text.stdout and "窗口-1" not in text.stdout


GOOD = {"made_at": "2026-11-30T08:00:00+00:00", "version": "0.1.0", "device_kind": "kiosk",
        "uptime_seconds": 60.0, "disk_free_bytes": 10 ** 10, "disk_total_bytes": 10 ** 11, "outbox_backlog": 0,
        "print_backlog": 0, "devices": {k: {"configured": False, "state": "absent"} for k in
                                        ("printer", "scanner", "camera", "card_reader")}}


@pytest.mark.parametrize("bad, where", [
    ({"outbox_backlog": -1}, "outbox_backlog"),
    ({"made_at": "2026-11-30T08:00:00"}, "made_at"),  # no time zone: not comparable with the platform's clock
    ({"id": "not-a-uuid"}, "id"),
    ({"devices": {"printer": {"configured": True, "state": "fine"}}}, "devices"),
    ({"version": ""}, "version"),
])
def test_a_malformed_batch_is_refused_whole_with_422_and_nothing_stored(
        sqlite_platform: PlatformServer, bad: dict, where: str) -> None:
    answer = PlatformClient(sqlite_platform.url()).json("POST", "enroll", json_body={
        "code": sqlite_platform.enroll_code(HALL, "kiosk-1", "kiosk")})
    token = {"Authorization": f"Bearer {answer['token']}"}
    good = {**GOOD, "id": str(uuid.uuid4())}
    r = requests.post(sqlite_platform.url("/api/v1/heartbeat"), headers=token, timeout=10,
                      json={"reports": [good, {**GOOD, "id": str(uuid.uuid4()), **bad}]})
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "invalid" and where in r.json()["reason"]["en"] and r.json()["reason"]["zh"]
    with sqlite_platform.store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(FleetReport)) == 0
        assert s.scalar(select(func.count()).select_from(FleetTerminal)) == 0
    same_twice = requests.post(sqlite_platform.url("/api/v1/heartbeat"), headers=token, timeout=10,
                               json={"reports": [good, good]})
    assert same_twice.status_code == 422 and "once" in same_twice.json()["reason"]["en"]
    unknown = requests.post(sqlite_platform.url("/api/v1/heartbeat"), timeout=10, json={"reports": [good]})
    assert unknown.status_code == 401
    ok = requests.post(sqlite_platform.url("/api/v1/heartbeat"), headers=token, timeout=10, json={"reports": [good]})
    assert ok.status_code == 200 and ok.json()["results"] == [{"id": good["id"], "result": "stored"}]


def test_a_stuck_scanner_reaches_the_fleet_as_needing_a_restart_not_as_missing(
        sqlite_platform: PlatformServer, tmp_path: Path) -> None:
    release = threading.Event()

    class StuckScanner(RecordingScanner):
        def _scan(self, settings: ScanSettings) -> list[CapturedPage]:
            release.wait(60)  # a SANE backend that never returns
            return []

    terminal = Terminal.open(load_settings(tmp_path / "kiosk", scanner="test:0"))
    try:
        terminal.devices = Devices(scanner=StuckScanner())
        credential = enroll(terminal, sqlite_platform, name="自助终端-5号", role="kiosk")
        spec = next(m for item in terminal.catalog.items for m in item.materials)
        with pytest.raises(UserFacingError):
            materials.scan_pages(terminal, spec, "scanner", timeout=0.5)
        report = engine_for(terminal, credential).run_pass()
        assert report.online and report.heartbeat["sent"] == 1
    finally:
        release.set()
        terminal.close()
    with sqlite_platform.store.transaction() as s:
        body = s.get(FleetTerminal, credential.device_id).body
    scanner = body["devices"]["scanner"]
    assert scanner["stuck"] is True and scanner["state"] == "attention", scanner
    assert "test:0: a scan has not returned since" in scanner["detail"]
    codes = [a.code for a in fleet.attention_of(body, utcnow(), utcnow())]
    assert codes == ["scanner_stuck"]  # not "scanner_missing": the device is there, its program must restart

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    text = subprocess.run([sys.executable, "-m", "kiosk", "platform", "devices", "--home", str(sqlite_platform.home),
                           "--attention"], capture_output=True, text=True, timeout=120, env=env)
    assert text.returncode == 0, text.stderr
    assert "扫描仪无响应，需重启终端程序 / scanner not responding: restart the terminal's program" in text.stdout
