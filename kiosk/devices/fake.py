"""A scanner that records what it was asked and answers from a script, for tests.

Like python-escpos's ``Dummy`` printer: the code under test talks to it
through the same base class as to a real scanner, on the same device
thread, and the test reads back every call.
"""
from __future__ import annotations

import threading
from collections.abc import Iterable

from kiosk.devices.base import Scanner, ScannerError, ScanSettings
from kiosk.devices.thread import DeviceThread
from kiosk.materials.pages import CapturedPage


class RecordingScanner(Scanner):
    transport = "fake"

    def __init__(self, name: str = "fake:0", script: Iterable[list[CapturedPage] | ScannerError] = (),
                 thread: DeviceThread | None = None) -> None:
        super().__init__(name, thread)
        self._script = list(script)
        self.calls: list[tuple[str, ScanSettings | None]] = []
        self.threads: list[int | None] = []
        self.closed = False

    def queue(self, answer: list[CapturedPage] | ScannerError) -> None:
        self._script.append(answer)

    def _scan(self, settings: ScanSettings) -> list[CapturedPage]:
        self.calls.append(("scan", settings))
        self.threads.append(threading.get_ident())
        if not self._script:
            raise ScannerError("no_documents", "the fake scanner's script is empty")
        answer = self._script.pop(0)
        if isinstance(answer, ScannerError):
            raise answer
        return answer

    def _close(self) -> None:
        self.calls.append(("close", None))
        self.closed = True
