"""The reader the settings name, built once per window (the windows' set-up and `onewindow devices` use it)."""
from __future__ import annotations

from kiosk.devices.id_card_reader import IdCardReader
from kiosk.devices.thread import DeviceThread
from kiosk.settings import Settings


def make_reader(settings: Settings, thread: DeviceThread | None = None) -> IdCardReader | None:
    """None when no reader is configured. Nothing is opened here: the first poll opens the port or library."""
    kind = settings.id_reader
    if kind in ("", "none"):
        return None
    if kind == "serial":
        from kiosk.devices.idcard.serial_reader import SerialIdCardReader

        return SerialIdCardReader(settings.id_reader_port, settings.id_reader_baudrate, thread=thread)
    if kind == "vendor":
        from kiosk.devices.idcard.vendor_library import VendorLibraryReader

        return VendorLibraryReader(settings.id_reader_library, int(settings.id_reader_port), thread=thread)
    if kind == "simulator":
        from kiosk.devices.idcard.serial_reader import SerialIdCardReader
        from kiosk.devices.idcard.simulator import ReaderSimulator

        simulator = ReaderSimulator("resident")
        reader = SerialIdCardReader(simulator.path, thread=thread)
        reader.simulator = simulator  # type: ignore[attr-defined] - kept alive with the reader; demos place cards
        return reader
    raise ValueError(f"unknown id_reader kind {kind!r}")  # Settings.validate refuses it first
