"""Watching the ID card reader while a screen is shown: a placed card arrives as a signal, once.

Each look at the reader is one `reader.poll()` on the device thread, waited
for by a short job; the next look is scheduled only when the last one has
answered, so looks never pile up, and nothing runs while the screen is hidden.
A reader that is missing is asked again every few seconds (it may be plugged in).
"""
from __future__ import annotations

import logging

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.devices.id_card_reader import IdCardData, IdCardError, IdCardReader
from ui.jobs import run_job

log = logging.getLogger("onewindow.ui")

POLL_MS = 400
NO_DEVICE_MS = 3_000
POLL_TIMEOUT_S = 15.0


class CardWatch(QObject):
    card_read = Signal(object)  # IdCardData
    failed = Signal(object)  # IdCardError (shown inline) or another exception (reported)

    def __init__(self, reader: IdCardReader, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.reader = reader
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._look)
        self._active = False
        self._busy = False
        self.looks = 0

    @property
    def active(self) -> bool:
        return self._active

    def start(self) -> None:
        self._active = True
        if not self._busy:
            self._timer.start(0)

    def stop(self) -> None:
        self._active = False
        self._timer.stop()

    def _look(self) -> None:
        if not self._active or self._busy:
            return
        self._busy = True
        self.looks += 1
        reader = self.reader
        run_job("id-card-poll", lambda: reader.poll().result(POLL_TIMEOUT_S), on_done=self._answered,
                on_error=self._failed)

    def _answered(self, card: IdCardData | None) -> None:
        if not shiboken6.isValid(self):  # the screen went while the reader was being asked
            return
        self._busy = False
        if not self._active:
            return
        if card is not None:
            self.card_read.emit(card)
        self._timer.start(POLL_MS)

    def _failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._busy = False
        if not self._active:
            return
        missing = isinstance(exc, IdCardError) and exc.code == "no_device"
        if missing:
            log.info("ID card reader: %s", getattr(exc, "detail", exc))
        self.failed.emit(exc)
        self._timer.start(NO_DEVICE_MS if missing else POLL_MS)
