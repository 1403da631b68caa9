"""A scanner whose driver never returns (a SANE backend stuck in `sane_cancel`, see kiosk.devices.thread):
the citizen is told so in both languages, once per bounded wait and at once after that, the document camera
still takes the page, and the heartbeat and `doctor` say which device waits for a restart of its program."""
from __future__ import annotations

import json
import os
import subprocess
import threading
import time

import numpy as np
import pytest

from kiosk import device_states, doctor, heartbeat
from kiosk.devices.base import ScanSettings
from kiosk.devices.camera import FrameSource
from kiosk.devices.fake import RecordingScanner
from kiosk.errors import UserFacingError
from kiosk.materials.pages import CapturedPage
from kiosk.store.key_values import put_value
from kiosk.store.models import utcnow
from kiosk.terminal import Devices, Terminal
from kiosk.usecases import materials


def test_a_stuck_scanner_is_said_plainly_and_the_camera_still_takes_the_page(terminal: Terminal) -> None:
    stuck, release = threading.Event(), threading.Event()

    class StuckScanner(RecordingScanner):
        def _scan(self, settings: ScanSettings) -> list[CapturedPage]:
            stuck.set()
            release.wait(60)  # the driver's call that does not come back
            return []

    camera = FrameSource("desk-camera")
    camera.push_array(np.full((600, 420, 3), 235, dtype=np.uint8), "RGB")
    terminal.devices = Devices(scanner=StuckScanner(), camera=camera)
    spec = next(m for item in terminal.catalog.items for m in item.materials)
    try:
        with pytest.raises(UserFacingError) as first:
            materials.scan_pages(terminal, spec, "scanner", timeout=1.0)
        assert stuck.is_set() and first.value.code == "scanner_not_responding"
        assert first.value.message.zh.startswith("扫描仪没有响应") and "not responding" in first.value.message.en
        _assert_reported_stuck(terminal, "scanner")

        time.sleep(0.2)  # the stuck call has now run longer than the next attempt's bound
        started = time.monotonic()
        with pytest.raises(UserFacingError) as again:
            materials.scan_pages(terminal, spec, "scanner", timeout=1.0)
        assert again.value.code == "scanner_not_responding"
        assert time.monotonic() - started < 0.9  # said at once: no second wait behind the stuck call

        pages = materials.scan_pages(terminal, spec, "camera", timeout=5.0)
        assert len(pages) == 1 and pages[0].source == "camera"

        terminal.devices = Devices(scanner=terminal.devices.scanner)  # a kiosk without a camera is not sent to one
        with pytest.raises(UserFacingError) as alone:
            materials.scan_pages(terminal, spec, "scanner", timeout=1.0)
        assert (alone.value.message.zh, alone.value.message.en) == (
            "扫描仪没有响应，请工作人员帮助。", "The scanner is not responding; please ask the staff for help.")

        release.set()  # the driver came back after all (a slow one): its next answer ends the note
        deadline = time.monotonic() + 10
        while terminal.devices.scanner.busy_for() > 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        with pytest.raises(UserFacingError) as empty:
            materials.scan_pages(terminal, spec, "scanner", timeout=5.0)
        assert empty.value.code == "no_pages"  # this driver returns no page; it answered all the same
        assert heartbeat.gather(terminal)["devices"]["scanner"]["state"] != "attention"
        assert doctor.check_stuck_devices(terminal).status == "ok"
    finally:
        release.set()


def _assert_reported_stuck(terminal: Terminal, device: str) -> None:
    """The heartbeat tells the fleet, and `doctor` tells IT staff, while this program runs."""
    reported = heartbeat.gather(terminal)["devices"][device]
    assert reported["state"] == "attention" and "has not returned" in reported["detail"], reported
    assert f"pid {os.getpid()}" in reported["detail"]
    check = doctor.check_stuck_devices(terminal)
    assert check.status == "fail" and f"the {device} " in check.detail and "restart" in check.detail, check


def test_a_note_of_a_program_that_ended_is_not_reported(terminal: Terminal) -> None:
    """Only the end of the program that made the stuck call frees the device, and it does: a note left by a
    program that ended (a restart, a reboot that starts the kiosk at the same pid) is over."""
    ended = subprocess.Popen(["true"])
    ended.wait()
    with terminal.store.transaction() as session:
        device_states.note_stuck(session, "scanner", "gone", since=utcnow(), pid=ended.pid)
        device_states.note_stuck(session, "camera", "cam", since=utcnow())  # this program: it still runs
    with terminal.store.read() as session:
        assert set(device_states.stuck_devices(session)) == {"camera"}
    with terminal.store.transaction() as session:  # the same pid, but another start (or another boot)
        put_value(session, device_states.STUCK_KEY_PREFIX + "camera", json.dumps(
            {"device": "camera", "name": "cam", "since": "2026-12-01T08:00:00+00:00", "pid": os.getpid(),
             "process": f"another-boot:{os.getpid()}:1"}))
    with terminal.store.read() as session:
        assert device_states.stuck_devices(session) == {}
    devices = heartbeat.gather(terminal)["devices"]
    assert devices["scanner"]["state"] != "attention" and devices["camera"]["state"] != "attention"
    assert doctor.check_stuck_devices(terminal).status == "ok"


def test_a_stuck_document_camera_is_named_as_the_camera(terminal: Terminal) -> None:
    release = threading.Event()

    class StuckCamera(FrameSource):
        def _scan(self, settings: ScanSettings) -> list[CapturedPage]:
            release.wait(60)
            return []

    terminal.devices = Devices(camera=StuckCamera("desk-camera"))
    spec = next(m for item in terminal.catalog.items for m in item.materials)
    try:
        with pytest.raises(UserFacingError) as stuck:
            materials.scan_pages(terminal, spec, "camera", timeout=1.0)
        assert stuck.value.code == "camera_not_responding"
        assert (stuck.value.message.zh, stuck.value.message.en) == (
            "高拍仪没有响应，请工作人员帮助。", "The document camera is not responding; please ask the staff for help.")
        _assert_reported_stuck(terminal, "camera")
    finally:
        release.set()
