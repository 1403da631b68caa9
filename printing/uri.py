"""Printer addresses as one string, so settings, the queue and the CLI share them.

    tcp://HOST[:PORT]            network printer, port 9100 by default
    usb:VID:PID                  USB printer by vendor and product id (hex)
    serial:/dev/ttyS0?baudrate=9600
    file:/path                   a device node such as /dev/usb/lp0, or a plain file
    fake:NAME                    the recording fake (tests and demos)
    cups: / cups:QUEUE           A4 documents through CUPS `lp` (PDFs only)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from printing.errors import PrinterUriInvalid

SCHEMES = ("tcp", "usb", "serial", "file", "fake", "cups")


@dataclass(frozen=True)
class PrinterAddress:
    scheme: str
    target: str  # host, device path, file path, fake name or CUPS queue
    port: int | None = None
    vendor_id: int | None = None
    product_id: int | None = None
    options: dict[str, str] = field(default_factory=dict)
    uri: str = ""

    @property
    def is_receipt_printer(self) -> bool:
        return self.scheme != "cups"


def _hex_id(uri: str, text: str) -> int:
    try:
        value = int(text, 16)
    except ValueError:
        raise PrinterUriInvalid(uri, f"'{text}' is not a hexadecimal USB id") from None
    if not 0 <= value <= 0xFFFF:
        raise PrinterUriInvalid(uri, f"'{text}' is not a 16-bit USB id")
    return value


def parse_printer_uri(uri: str) -> PrinterAddress:
    uri = (uri or "").strip()
    scheme, sep, rest = uri.partition(":")
    scheme = scheme.lower()
    if not sep or scheme not in SCHEMES:
        raise PrinterUriInvalid(uri, "use tcp://HOST:9100, usb:VID:PID, serial:/dev/ttyX?baudrate=9600, "
                                     "file:/path or cups:QUEUE")
    if scheme == "tcp":
        parts = urlsplit(uri)
        if not parts.hostname:
            raise PrinterUriInvalid(uri, "no host name")
        try:
            port = parts.port or 9100
        except ValueError:
            raise PrinterUriInvalid(uri, "the port is not a number from 1 to 65535") from None
        return PrinterAddress("tcp", parts.hostname, port=port, options=dict(parse_qsl(parts.query)), uri=uri)
    if scheme == "usb":
        ids = rest.split(":")
        if len(ids) != 2:
            raise PrinterUriInvalid(uri, "write usb:VID:PID, for example usb:04b8:0202")
        return PrinterAddress("usb", rest, vendor_id=_hex_id(uri, ids[0]), product_id=_hex_id(uri, ids[1]), uri=uri)
    path, _, query = rest.partition("?")
    options = dict(parse_qsl(query))
    if scheme == "serial":
        if not path.startswith("/"):
            raise PrinterUriInvalid(uri, "the serial device must be an absolute path such as /dev/ttyS0")
        baud = options.setdefault("baudrate", "9600")
        if not baud.isdigit() or int(baud) not in (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200):
            raise PrinterUriInvalid(uri, f"unsupported baud rate {baud}")
        return PrinterAddress("serial", path, options=options, uri=uri)
    if scheme == "file":
        if path.startswith("//"):
            path = path[2:]
        if not path.startswith("/"):
            raise PrinterUriInvalid(uri, "the file must be an absolute path")
        return PrinterAddress("file", path, options=options, uri=uri)
    if scheme == "fake":
        if not path:
            raise PrinterUriInvalid(uri, "name the fake printer, for example fake:counter1")
        return PrinterAddress("fake", path, options=options, uri=uri)
    return PrinterAddress("cups", path, options=options, uri=uri)
