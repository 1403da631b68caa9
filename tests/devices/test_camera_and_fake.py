from __future__ import annotations

import io
import threading

import numpy as np
import pytest
from PIL import Image

from kiosk.devices.base import ScannerError, ScanSettings
from kiosk.devices.camera import FrameSource, frame_from_bytes
from kiosk.devices.fake import RecordingScanner
from kiosk.devices.thread import device_thread
from kiosk.materials import samples
from kiosk.materials.pages import CapturedPage
from kiosk.materials.pipeline import process_page


def test_bgra_frame_with_row_padding_is_copied_as_rgb() -> None:
    width, height, stride = 3, 2, 16  # Qt pads rows; 3 px x 4 bytes = 12, stride 16
    raw = bytearray(stride * height)
    for y in range(height):
        for x in range(width):
            raw[y * stride + x * 4: y * stride + x * 4 + 4] = bytes([10 * x, 20 * y, 200, 255])  # B, G, R, A
    frame = frame_from_bytes(bytes(raw), width, height, "BGRA", stride)
    assert frame.pixels.shape == (2, 3, 3)
    assert frame.pixels[1, 2].tolist() == [200, 20, 20]  # R, G, B
    raw[0] = 99  # the caller reuses its buffer: our copy must not change
    assert frame.pixels[0, 0, 2] == 0


def test_bad_frames_are_rejected() -> None:
    with pytest.raises(ValueError):
        frame_from_bytes(b"\0" * 10, 100, 100, "RGB")
    with pytest.raises(ValueError):
        frame_from_bytes(b"", 10, 10, "YUV9")


def test_capture_without_frames_is_a_device_error() -> None:
    with pytest.raises(ScannerError) as info:
        FrameSource().scan_now()
    assert info.value.code == "no_device"


def test_camera_frame_of_a_sheet_on_a_desk_becomes_a_straight_page() -> None:
    page, _ = samples.text_page(dpi=150, lines=12)
    shot = samples.camera_shot(page, angle=-9).convert("RGB")
    camera = FrameSource("counter-camera")
    buf = io.BytesIO()
    shot.save(buf, "JPEG", quality=90)  # an MJPEG camera
    camera.push_bytes(buf.getvalue(), 0, 0, "JPEG")
    camera.push_array(np.asarray(shot), "RGB")  # the newest frame wins
    assert camera.frames_seen == 2
    captured = camera.scan_now(ScanSettings(colour="grayscale"))
    assert captured[0].dpi is None and captured[0].image.mode == "L"
    report = process_page(captured[0], "bilevel")
    assert report.cropped
    ratio = report.encoded.height / report.encoded.width
    assert abs(ratio - 297 / 210) < 0.03
    assert abs(report.encoded.dpi - 200) < 10


def test_recording_fake_runs_on_the_device_thread_and_plays_its_script() -> None:
    page = CapturedPage(Image.new("L", (10, 10), 255), 300, "fake")
    fake = RecordingScanner(script=[[page], ScannerError("jammed")])
    assert fake.scan(ScanSettings(dpi=200)).result(timeout=10) == [page]
    with pytest.raises(ScannerError) as info:
        fake.scan_now()
    assert info.value.code == "jammed"
    fake.close().result(timeout=10)
    assert [c[0] for c in fake.calls] == ["scan", "scan", "close"]
    assert fake.calls[0][1] == ScanSettings(dpi=200)
    assert set(fake.threads) == {device_thread().ident} and threading.get_ident() not in fake.threads
    assert fake.closed
