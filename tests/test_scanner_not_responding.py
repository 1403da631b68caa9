"""A scanner whose driver never returns (a SANE backend stuck in `sane_cancel`, see kiosk.devices.thread):
the citizen is told so in both languages, once per bounded wait and at once after that, and the document
camera still takes the page."""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from kiosk.devices.base import ScanSettings
from kiosk.devices.camera import FrameSource
from kiosk.devices.fake import RecordingScanner
from kiosk.errors import UserFacingError
from kiosk.materials.pages import CapturedPage
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
    finally:
        release.set()


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
    finally:
        release.set()
