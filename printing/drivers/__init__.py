"""Receipt printer drivers: one module per transport, chosen by the printer URI."""
from __future__ import annotations

from printing.drivers.base import PrinterDriver
from printing.errors import PrinterUriInvalid
from printing.uri import PrinterAddress, parse_printer_uri

__all__ = ["PrinterDriver", "open_printer"]


def open_printer(uri: str | PrinterAddress, *, timeout: float = 5.0) -> PrinterDriver:
    """A driver for this address, not yet connected (use it as a context manager)."""
    address = uri if isinstance(uri, PrinterAddress) else parse_printer_uri(uri)
    if address.scheme == "tcp":
        from printing.drivers.tcp import TcpPrinter
        return TcpPrinter(address, timeout=timeout)
    if address.scheme == "serial":
        from printing.drivers.serial import SerialPrinter
        return SerialPrinter(address, timeout=timeout)
    if address.scheme == "usb":
        from printing.drivers.usb import UsbPrinter
        return UsbPrinter(address, timeout=timeout)
    if address.scheme == "file":
        from printing.drivers.file import FilePrinter
        return FilePrinter(address, timeout=timeout)
    if address.scheme == "fake":
        from printing.drivers.fake import FakePrinter
        return FakePrinter.named(address.target)
    raise PrinterUriInvalid(address.uri, "this address is for A4 documents (CUPS), not a receipt printer")
