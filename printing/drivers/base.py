"""The driver base: connect, ask for status, write bytes, close.

Each transport wraps the matching python-escpos printer class (Network,
Serial, Usb, File) for the device I/O; the bytes themselves are built in
`printing.receipt`, because python-escpos's text encoding cannot print
Chinese names reliably.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from types import TracebackType

from printing.errors import PrinterNotReady
from printing.status import DLE_EOT, OFFLINE_CAUSE, PAPER_SENSOR, PRINTER_STATUS, PrinterStatus, is_status_byte
from printing.uri import PrinterAddress


class PrinterDriver(ABC):
    #: whether DLE EOT answers can be read back over this transport
    supports_status: bool = False

    def __init__(self, address: PrinterAddress, *, timeout: float = 5.0) -> None:
        self.address = address
        self.timeout = timeout

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

    def __enter__(self) -> "PrinterDriver":
        self.open()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
