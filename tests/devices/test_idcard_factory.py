"""The reader the settings name: none, serial, vendor library or the demo simulator."""
from __future__ import annotations

import pytest

from kiosk.devices.idcard.factory import make_reader
from kiosk.devices.idcard.serial_reader import SerialIdCardReader
from kiosk.devices.idcard.simulator import RESIDENT_FIELDS
from kiosk.devices.idcard.vendor_library import VendorLibraryReader
from kiosk.errors import UserFacingError
from kiosk.settings import load_settings


def test_no_reader_by_default(tmp_path):
    settings = load_settings(tmp_path)
    assert settings.id_reader == "" and make_reader(settings) is None
    assert make_reader(load_settings(tmp_path, id_reader="none")) is None


def test_serial_and_vendor_readers_are_built_without_opening_anything(tmp_path):
    serial = make_reader(load_settings(tmp_path, id_reader="serial", id_reader_port="/dev/ttyUSB7",
                                       id_reader_baudrate=9600))
    assert isinstance(serial, SerialIdCardReader) and (serial.port, serial.baudrate) == ("/dev/ttyUSB7", 9600)
    vendor = make_reader(load_settings(tmp_path, id_reader="vendor", id_reader_library="/opt/x/libsdtapi.so",
                                       id_reader_port="1001"))
    assert isinstance(vendor, VendorLibraryReader) and (vendor.library, vendor.port) == ("/opt/x/libsdtapi.so", 1001)


def test_the_simulator_kind_reads_the_demo_card(tmp_path):
    reader = make_reader(load_settings(tmp_path, id_reader="simulator"))
    try:
        card = reader.poll().result(10)
        assert card is not None and card.id_number == RESIDENT_FIELDS["id_number"]
        assert reader.poll().result(10) is None  # once per placement
    finally:
        reader.close().result(10)
        reader.simulator.close()


@pytest.mark.parametrize(("overrides", "words"), [
    ({"id_reader": "usb"}, "id_reader: none, serial, vendor or simulator"),
    ({"id_reader": "serial"}, "id_reader_port"),
    ({"id_reader": "vendor", "id_reader_port": "1001"}, "id_reader_library"),
    ({"id_reader": "vendor", "id_reader_library": "/x.so", "id_reader_port": "USB1"}, "1001-1016"),
])
def test_incomplete_reader_settings_are_refused_with_what_is_missing(tmp_path, overrides, words):
    with pytest.raises(UserFacingError) as caught:
        load_settings(tmp_path, **overrides).validate()
    assert words in caught.value.message.en and "配置有误" in caught.value.message.zh
