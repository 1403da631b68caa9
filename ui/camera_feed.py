"""Document cameras (the UVC "high-shot" cameras on hall counters) through Qt Multimedia.

Qt delivers frames to a `QVideoSink`; this hands them to the domain's
`FrameSource`, which the image pipeline captures like a scan. Only the
newest frame matters, so frames are converted at most a few times a second
and the GUI thread is never busy copying 30 full frames a second.
"""
from __future__ import annotations

import time

from PySide6.QtCore import QObject
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QCamera, QCameraDevice, QMediaCaptureSession, QMediaDevices, QVideoFrame, QVideoSink

from kiosk.devices.camera import FrameSource

MIN_INTERVAL_S = 0.3


def find_camera(name: str) -> QCameraDevice | None:
    """`default` for the system's default camera, else the first whose description contains `name`."""
    if not name:
        return None
    inputs = QMediaDevices.videoInputs()
    if name == "default":
        device = QMediaDevices.defaultVideoInput()
        return None if device.isNull() else device
    return next((d for d in inputs if name.lower() in d.description().lower()), None)


class CameraFeed(QObject):
    def __init__(self, source: FrameSource, device: QCameraDevice | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self.sink = QVideoSink(self)
        self.sink.videoFrameChanged.connect(self._on_frame)
        self._last = 0.0
        self.camera: QCamera | None = None
        self.session: QMediaCaptureSession | None = None
        if device is not None:
            self.camera = QCamera(device, self)
            self.session = QMediaCaptureSession(self)
            self.session.setCamera(self.camera)
            self.session.setVideoSink(self.sink)
            self.camera.start()

    def _on_frame(self, frame: QVideoFrame) -> None:
        now = time.monotonic()
        if now - self._last < MIN_INTERVAL_S or not frame.isValid():
            return
        image = frame.toImage()
        if image.isNull():
            return
        self._last = now
        rgb = image.convertToFormat(QImage.Format.Format_RGB888)
        self.source.push_bytes(bytes(rgb.constBits()), rgb.width(), rgb.height(), "RGB", stride=rgb.bytesPerLine())

    def stop(self) -> None:
        if self.camera is not None:
            self.camera.stop()
