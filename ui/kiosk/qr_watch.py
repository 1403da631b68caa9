"""Watching for a booking QR code while a screen is shown: the camera, and a hand-held scanner's keys.

The camera's newest frame is decoded off the GUI thread (`kiosk.devices.qr.QrLook` in a short job),
a few times a second, and the next look is scheduled only when the last one has answered, as
`ui.kiosk.card_watch` does with the card reader. A hand-held scanner types its code and Enter into
whatever has the focus; every key press in the application is fed to `kiosk.devices.qr.KeyBurst`, and
only the Enter that ends a fast burst is taken (a person's keys, the keypad's Enter, pass untouched).
Nothing runs while the watch is stopped.
"""
from __future__ import annotations

import logging

import shiboken6
from PySide6.QtCore import QElapsedTimer, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit

from kiosk.devices.camera import Frame, FrameSource
from kiosk.devices.qr import KeyBurst, QrLook
from ui.app_events import subscribe
from ui.jobs import run_job

log = logging.getLogger("onewindow.ui")

LOOK_MS = 300


class QrWatch(QObject):
    code_read = Signal(str)  # a booking code, once per showing of the code
    frame_seen = Signal(object)  # the newest camera Frame looked at (for a preview), on the GUI thread

    def __init__(self, camera: FrameSource | None, parent: QObject | None = None, *, keys: bool = True) -> None:
        super().__init__(parent)
        self.camera = camera
        self.qr = QrLook(camera) if camera is not None else None
        self.burst = KeyBurst()
        self._clock = QElapsedTimer()
        self._clock.start()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._look)
        self._active = False
        self._busy = False
        if keys:
            subscribe(self, (QEvent.Type.KeyPress,), self._key)

    @property
    def active(self) -> bool:
        return self._active

    @property
    def looks(self) -> int:
        return self.qr.looks if self.qr is not None else 0

    def start(self) -> None:
        self._active = True
        self.burst.reset()
        if self.qr is not None:
            self.qr.forget()
            if not self._busy:
                self._timer.start(0)

    def stop(self) -> None:
        self._active = False
        self._timer.stop()
        self.burst.reset()

    # --- the camera ------------------------------------------------------------------------------------
    def _look(self) -> None:
        if not self._active or self._busy or self.qr is None:
            return
        self._busy = True
        qr = self.qr

        def work() -> tuple[str | None, Frame | None]:
            code = qr.look()
            frame, _count = qr.source.latest()
            return code, frame

        run_job("qr-look", work, on_done=self._answered, on_error=self._failed)

    def _answered(self, done: tuple[str | None, Frame | None]) -> None:
        if not shiboken6.isValid(self):  # the screen went while the frame was decoded
            return
        self._busy = False
        if not self._active:
            return
        code, frame = done
        if frame is not None:
            self.frame_seen.emit(frame)
        if code is not None:
            self.code_read.emit(code)
        self._timer.start(LOOK_MS)

    def _failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._busy = False
        log.warning("reading a QR code from the camera failed: %r", exc)
        if self._active:
            self._timer.start(LOOK_MS * 10)

    # --- a hand-held scanner ---------------------------------------------------------------------------
    def _key(self, watched: QObject, event: QEvent) -> bool:
        if not self._active or not isinstance(event, QKeyEvent) or not watched.isWidgetType():
            return False  # the same key also passes the window's QWindow: count it once
        # ...and every parent of the focused widget that does not take it: count it where it lands first
        if watched is not (QApplication.focusWidget() or watched.window()):  # type: ignore[attr-defined]
            return False
        at = self._clock.elapsed()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            code = self.burst.enter(at)
            if code is None:
                return False
            if isinstance(watched, QLineEdit) and watched.text().endswith(code):  # it typed into a field too
                watched.setText(watched.text()[: -len(code)])
            self.code_read.emit(code)
            return True  # the burst's Enter presses nothing
        self.burst.key(event.text(), at)
        return False
