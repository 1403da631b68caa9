"""The recording fake: keeps every byte, answers status as told, can be unplugged.

Named instances (`fake:NAME`) let a UI test or a demo point the queue at a
printer and then look at what it received, the way python-escpos's Dummy does.
"""
from __future__ import annotations

from typing import ClassVar

from printing.drivers.base import PrinterDriver
from printing.errors import PrinterUnreachable
from printing.status import DLE_EOT
from printing.uri import PrinterAddress

READY = 0x12


class FakePrinter(PrinterDriver):
    transport_reads_status = True
    default_settle = 0.0  # answers at once; a test scripts what it says
    _instances: ClassVar[dict[str, "FakePrinter"]] = {}

    def __init__(self, address: PrinterAddress, *, timeout: float = 5.0) -> None:
        super().__init__(address, timeout=timeout)
        self.received = bytearray()
        self.jobs: list[bytes] = []
        self.reachable = True
        self.answers: dict[int, int] = {1: READY, 2: READY, 4: READY}
        self._pending_answer: int | None = None
        self._current = bytearray()

    @classmethod
    def named(cls, name: str) -> "FakePrinter":
        if name not in cls._instances:
            cls._instances[name] = cls(PrinterAddress("fake", name, uri=f"fake:{name}"))
        return cls._instances[name]

    @classmethod
    def forget_all(cls) -> None:
        cls._instances.clear()

    def set_paper_out(self) -> None:
        self.answers = {1: 0x1A, 2: 0x32, 4: 0x72}

    def set_ready(self) -> None:
        self.answers = {1: READY, 2: READY, 4: READY}

    def open(self) -> None:
        if not self.reachable:
            raise PrinterUnreachable(self.uri, "connection refused")
        self._current = bytearray()

    def write(self, data: bytes) -> None:
        if not self.reachable:
            raise PrinterUnreachable(self.uri, "connection reset")
        if data.startswith(DLE_EOT) and len(data) == 3:
            self._pending_answer = self.answers.get(data[2])
            return
        self.received += data
        self._current += data

    def _read_byte(self) -> int | None:
        value, self._pending_answer = self._pending_answer, None
        return value

    def close(self) -> None:
        if self._current:
            self.jobs.append(bytes(self._current))
            self._current = bytearray()
