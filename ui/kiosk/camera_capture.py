"""The document camera on the kiosk: a large live picture that photographs the page by itself.

The citizen lays a page under the camera and takes their hands away; once
the page holds still (`kiosk.devices.page_stillness`) the kiosk counts down
aloud in words ("保持不动") and takes the picture, then shows what it took
with a large "重拍 Retake" button. Nothing is pressed at the right moment,
nothing is typed. The frames come from the domain's `FrameSource` (fed by Qt
Multimedia in `ui.camera_feed`, or by a test), polled a few times a second
on the GUI thread: a small grey comparison costs well under a millisecond.
"""
from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.devices.camera import Frame, FrameSource
from kiosk.devices.page_stillness import PageStillness, Phase, Stillness, StillnessSettings
from ui.i18n import translate
from ui.text import para
from ui.theme import set_role
from ui.widgets import builders
from ui.widgets.builders import label

POLL_MS = 150
PREVIEW = QSize(640, 480)
CAPTURED = QSize(240, 320)


def preview_image(frame: Frame, size: QSize = PREVIEW) -> QImage:
    """The frame shrunk (by whole steps, cheaply) and copied into a QImage the label can keep."""
    pixels = frame.pixels
    step = max(1, int(max(pixels.shape[1] / size.width(), pixels.shape[0] / size.height())))
    small = np.ascontiguousarray(pixels[::step, ::step])
    h, w = small.shape[:2]
    if small.ndim == 2:
        return QImage(small.data, w, h, w, QImage.Format.Format_Grayscale8).copy()
    return QImage(small.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class CameraCapture(QFrame):
    """Shows the camera and asks for a capture (`capture_requested`) once the page holds still."""

    capture_requested = Signal(str)  # the material code the page is for
    retake_requested = Signal()

    def __init__(self, source: FrameSource, settings: StillnessSettings = StillnessSettings(),
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        set_role(self, "card")
        self.setObjectName("cameraCapture")
        self.source = source
        self.watch = PageStillness(settings)
        self.target: str | None = None
        self._target_name: Callable[[], str] = lambda: ""
        self.busy = False
        self.state: Stillness | None = None
        self._frames_seen = 0
        outer = QHBoxLayout(self)
        outer.setContentsMargins(20, 16, 20, 16)
        outer.setSpacing(24)
        self.preview = QLabel()
        self.preview.setObjectName("cameraPreview")
        self.preview.setMinimumSize(PREVIEW)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        set_role(self.preview, "hint")
        outer.addWidget(self.preview, 3)
        side = QVBoxLayout()
        side.setSpacing(14)
        self.target_label = label("subtitle", name="cameraTarget")
        self.hint = label("title", name="cameraHint")
        self.countdown = label("hint", name="cameraCountdown")
        self.captured = QLabel()
        self.captured.setObjectName("cameraCaptured")
        self.captured.setFixedSize(CAPTURED)
        self.captured.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.captured.hide()
        self.retake_button = builders.button("cameraRetake", self.retake_requested.emit, role="primary")
        self.retake_button.setMinimumHeight(88)
        self.retake_button.hide()
        for w in (self.target_label, self.hint, self.countdown):
            side.addWidget(w)
        side.addWidget(self.captured, 0, Qt.AlignmentFlag.AlignHCenter)
        side.addWidget(self.retake_button)
        side.addStretch(1)
        outer.addLayout(side, 2)
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)
        self.retranslate()

    # --- what the screen tells it -------------------------------------------------------------------
    def set_target(self, code: str | None, name: Callable[[], str] = lambda: "") -> None:
        """The material the next still page is for; None when every material is provided."""
        self.target = code
        self._target_name = name
        self.retranslate()

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.retake_button.setEnabled(not busy)
        self.retranslate()

    def show_captured(self, image: QImage | None) -> None:
        if image is None or image.isNull():
            self.captured.clear()
            self.captured.hide()
            self.retake_button.hide()
        else:
            self.captured.setPixmap(QPixmap.fromImage(image.scaled(
                CAPTURED, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)))
            self.captured.show()
            self.retake_button.show()

    def rearm(self) -> None:
        """Take the page on the platen again once it is still (a retake, or another material chosen)."""
        self.watch.rearm()

    def start(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def showEvent(self, event: object) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)  # type: ignore[arg-type]
        self.start()

    def hideEvent(self, event: object) -> None:  # noqa: N802 - Qt's name
        super().hideEvent(event)  # type: ignore[arg-type]
        self.stop()

    # --- frames -----------------------------------------------------------------------------------
    def poll(self) -> None:
        frame, seen = self.source.latest()
        if frame is None or seen == self._frames_seen:
            return
        self._frames_seen = seen
        self.preview.setPixmap(QPixmap.fromImage(preview_image(frame)))
        if self.busy:
            return  # the page just taken is being processed; its stillness is not a new page
        self.state = self.watch.feed(frame, time.monotonic() * 1000.0)
        if self.state.capture:
            if self.target is not None:
                self.set_busy(True)
                self.capture_requested.emit(self.target)
            else:
                self.watch.rearm()  # nothing to take it for: it is not "taken"
        self.retranslate()

    # --- words ------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        name = self._target_name()
        self.retake_button.setText(translate("Kiosk", "Retake"))
        if self.target is None:
            self.target_label.setText(para(translate("Kiosk", "Every material is provided.")))
            self.hint.setText(para(translate("Kiosk", "Tap “Next” to go on.")))
            self.countdown.setText("")
            return
        self.target_label.setText(para(translate("Kiosk", "Now photographing: %1").replace("%1", name)))
        phase = self.state.phase if self.state is not None else None
        countdown = ""
        if self.busy:
            hint = translate("Kiosk", "Photo taken. Preparing the page…")
        elif self._frames_seen == 0:
            hint = translate("Kiosk", "Starting the document camera…")
        elif phase in (None, Phase.EMPTY):
            hint = translate("Kiosk", "Lay the page flat under the camera, then take your hands away.")
        elif phase is Phase.MOVING:
            hint = translate("Kiosk", "Hold the page still.")
        elif phase is Phase.STEADYING:
            hint = translate("Kiosk", "Hold the page still.")
            seconds = max(1, -(-(self.state.remaining_ms if self.state else 0) // 1000))
            countdown = translate("Kiosk", "The photo is taken in %1 s.").replace("%1", str(seconds))
        else:
            hint = translate("Kiosk", "Photo taken. Lay the next page, or tap “Retake”.")
        self.hint.setText(para(hint))
        self.countdown.setText(para(countdown) if countdown else "")
