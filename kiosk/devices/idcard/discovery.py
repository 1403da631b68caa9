"""Which ID card readers this machine may have: serial ports on USB bridges readers are built on, and the
configured reader, asked whether it answers. Only the configured reader is written to unless asked, since
an unknown serial port may be a receipt printer that would print whatever it is sent."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from kiosk.devices.id_card_reader import IdCardError, IdCardReader
from kiosk.devices.thread import DeviceThread

# USB vendor:product pairs of the serial bridges that resident ID card readers ship with (their USB
# models enumerate as these). A match makes a port a candidate, not a reader; the probe decides.
READER_USB_IDS: dict[tuple[int, int], str] = {
    (0x1A86, 0x7523): "WCH CH340 USB-serial bridge",
    (0x1A86, 0x5523): "WCH CH341 USB-serial bridge",
    (0x067B, 0x2303): "Prolific PL2303 USB-serial bridge",
    (0x10C4, 0xEA60): "Silicon Labs CP210x USB-serial bridge",
    (0x0403, 0x6001): "FTDI FT232 USB-serial bridge",
}


@dataclass
class ReaderPort:
    port: str
    description: str
    usb_id: str  # "1a86:7523", or "" for a port that is not on USB
    why: str  # why it is listed: the bridge it is on, or "configured"
    configured: bool = False
    answers: bool | None = None  # None: not asked
    status: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def candidate_ports() -> list[ReaderPort]:
    from serial.tools import list_ports

    found = []
    for info in list_ports.comports():
        if info.vid is None or info.pid is None:
            continue
        bridge = READER_USB_IDS.get((info.vid, info.pid))
        if bridge:
            found.append(ReaderPort(info.device, info.description or "", f"{info.vid:04x}:{info.pid:04x}", bridge))
    return found


def list_readers(configured: IdCardReader | None, configured_port: str, *, probe_candidates: bool = False,
                 thread: DeviceThread | None = None) -> list[ReaderPort]:
    from kiosk.devices.idcard.serial_reader import SerialIdCardReader

    ports = candidate_ports()
    if configured is not None:
        match = next((p for p in ports if p.port == configured_port), None)
        if match is None:
            match = ReaderPort(configured_port or configured.name, configured.name, "", "configured")
            ports.insert(0, match)
        match.configured = True
    for entry in ports:
        if entry.configured and configured is not None:
            reader: IdCardReader = configured
        elif probe_candidates:
            reader = SerialIdCardReader(entry.port, thread=thread, timeout=1.0)
        else:
            continue
        try:
            entry.status = reader.probe_now()
            entry.answers = True
        except IdCardError as exc:
            entry.answers = False
            entry.status = f"{exc.code}: {exc.detail}" if exc.detail else exc.code
        finally:
            if reader is not configured:
                reader.close().result(10)
    return ports
