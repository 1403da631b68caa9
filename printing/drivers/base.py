"""The driver base: connect, ask for status, write bytes, close.

Each transport wraps the matching python-escpos printer class (Network,
Serial, Usb, File) for the device I/O; the bytes themselves are built in
`printing.receipt`, because python-escpos's text encoding cannot print
Chinese names reliably.

Status is asked twice per receipt: before the job (do not start on a printer
that is out of paper) and after it (`status_after_job`: did it run out, or
open, part way?). DLE EOT is answered in real time, ahead of whatever is still
in the printer's buffer, so "after" is a short window of polls (`settle`
seconds, URI option `settle=`) while the paper moves, stopped at the first
problem or silence. A printer that runs out only after that window is caught
by the next job's "before" check, not charged to this one: DLE EOT has no
"job done" answer to wait for. A printer whose input buffer is still full of
a long job may answer late; `status_timeout=` sets how long each answer is
waited for (no answer after the job means "unconfirmed", never "printed").

A transport that could carry answers but whose printer never gives any (an
RS-232 line with no return wire, a 9100 printer without DLE EOT) can be
declared with the URI option `status=none`; then, as for `file:` and USB,
"printed" means "the bytes were handed over", and says so in the audit row.
"""
from __future__ import annotations

import time
from abc import ABC, abstractmethod
from types import TracebackType

from printing.errors import PrinterNotReady, PrinterUnreachable
from printing.status import DLE_EOT, OFFLINE_CAUSE, PAPER_SENSOR, PRINTER_STATUS, PrinterStatus, is_status_byte
from printing.uri import PrinterAddress


class PrinterDriver(ABC):
    #: whether DLE EOT answers can be read back over this transport
    transport_reads_status: bool = False
    #: seconds of status polls after a job, unless the URI says `settle=`
    default_settle: float = 1.5
    #: pause between two polls of `status_after_job`
    poll_interval: float = 0.25

    def __init__(self, address: PrinterAddress, *, timeout: float = 5.0) -> None:
        self.address = address
        self.timeout = timeout

    @property
    def supports_status(self) -> bool:
        """The transport can read answers and the hall has not declared this printer mute (`status=none`)."""
        return self.transport_reads_status and self.address.options.get("status", "").lower() != "none"

    @property
    def settle(self) -> float:
        try:
            return max(0.0, min(float(self.address.options.get("settle", self.default_settle)), 30.0))
        except ValueError:
            return self.default_settle

    @property
    def uri(self) -> str:
        return self.address.uri

    @abstractmethod
    def open(self) -> None:
        """Connect; raises PrinterUnreachable."""

    @abstractmethod
    def write(self, data: bytes) -> None:
        """Send bytes; raises PrinterUnreachable when the link breaks."""

    def close(self) -> None:
        pass

    def _read_byte(self) -> int | None:
        """One answer byte, or None when the printer says nothing in time."""
        return None

    def query(self, n: int) -> int | None:
        if not self.supports_status:
            return None
        self.write(DLE_EOT + bytes([n]))
        value = self._read_byte()
        return value if value is not None and is_status_byte(value) else None

    def status(self) -> PrinterStatus:
        """Ask the printer how it is; unknown (all None) where the transport cannot tell."""
        printer = self.query(PRINTER_STATUS)
        if printer is None:
            return PrinterStatus()
        return PrinterStatus(printer=printer, offline_cause=self.query(OFFLINE_CAUSE), paper=self.query(PAPER_SENSOR))

    def ensure_ready(self) -> PrinterStatus:
        status = self.status()
        if status.known and not status.ready:
            raise PrinterNotReady(self.uri, status.reasons, status.message())
        return status

    def status_after_job(self) -> PrinterStatus:
        """Poll for `settle` seconds after the bytes; the first not-ready or unknown answer ends the wait.

        Unknown (no answer, or the link dropped while asking) is returned as is:
        the caller decides that it means "unconfirmed".
        """
        deadline = time.monotonic() + self.settle
        while True:
            try:
                status = self.status()
            except PrinterUnreachable:
                return PrinterStatus()
            if not status.known or not status.ready:
                return status
            left = deadline - time.monotonic()
            if left <= 0:
                return status
            time.sleep(min(self.poll_interval, left))  # the paper is moving; ask again in a moment

    def __enter__(self) -> "PrinterDriver":
        self.open()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
