"""Document-camera frames through Qt Multimedia's video sink into the capture pipeline."""
from __future__ import annotations

from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtMultimedia import QVideoFrame

from kiosk.devices.base import ScanSettings
from kiosk.devices.camera import FrameSource
from ui.camera_feed import CameraFeed, find_camera


def _frame(width: int = 640, height: int = 480) -> QVideoFrame:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.fillRect(100, 100, 200, 50, QColor("black"))
    painter.end()
    return QVideoFrame(image)


def test_frames_reach_the_frame_source_and_are_captured(qtbot):
    source = FrameSource("test camera")
    feed = CameraFeed(source)
    feed.sink.setVideoFrame(_frame())
    assert source.frames_seen == 1
    feed.sink.setVideoFrame(_frame())  # a camera sends 30 a second: only a few are converted
    assert source.frames_seen == 1
    pages = source.scan_now(ScanSettings(colour="colour"))
    assert len(pages) == 1 and pages[0].image.size == (640, 480)
    assert pages[0].image.getpixel((150, 120)) == (0, 0, 0)
    assert pages[0].image.getpixel((10, 10)) == (255, 255, 255)
    feed.stop()


def test_no_camera_configured_or_found():
    assert find_camera("") is None
    assert find_camera("no-such-document-camera-xyz") is None
