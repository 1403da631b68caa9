"""The vendor-library reader through ctypes: a real shared library built here, and the ways loading fails."""
from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.devices.id_card_reader import IdCardError
from kiosk.devices.idcard.simulator import CARDS
from kiosk.devices.idcard.vendor_library import VendorLibraryReader
from kiosk.devices.thread import DeviceThread

SOURCE = Path(__file__).parent / "data" / "fake_sdtapi.c"


@pytest.fixture
def thread() -> Iterator[DeviceThread]:
    t = DeviceThread("test-vendor")
    yield t
    t.shutdown()


@pytest.fixture
def library(tmp_path: Path) -> Path:
    out = tmp_path / "libfakesdtapi.so"
    compiler = shutil.which("cc") or shutil.which("gcc")
    assert compiler, "a C compiler is part of the development set-up (build-essential)"
    subprocess.run([compiler, "-shared", "-fPIC", "-O1", "-o", str(out), str(SOURCE)], check=True)
    return out


def test_a_missing_library_is_no_device_with_the_path(thread, tmp_path):
    reader = VendorLibraryReader(str(tmp_path / "libnothere.so"), thread=thread)
    with pytest.raises(IdCardError) as caught:
        reader.poll().result(10)
    assert caught.value.code == "no_device" and "libnothere.so" in caught.value.detail
    assert "阅读器未连接" in caught.value.message.zh


def test_a_library_without_the_calls_is_no_device(thread):
    libc = "libc.so.6"
    reader = VendorLibraryReader(libc, thread=thread)
    with pytest.raises(IdCardError) as caught:
        reader.poll().result(10)
    assert caught.value.code == "no_device" and "SDT_ReadBaseMsg" in caught.value.detail


def test_the_sdt_api_reads_each_placement_once(thread, library, tmp_path, monkeypatch):
    card_file = tmp_path / "card.bin"
    monkeypatch.setenv("FAKE_SDT_CARD", str(card_file))
    reader = VendorLibraryReader(str(library), 1001, thread=thread)
    assert reader.poll().result(10) is None
    card_file.write_bytes(CARDS["resident"])
    card = reader.poll().result(10)
    assert card is not None and card.name == "张三" and card.kind == "resident"
    assert reader.poll().result(10) is None  # still lying there
    card_file.unlink()
    assert reader.poll().result(10) is None
    card_file.write_bytes(CARDS["invalid_number"])
    with pytest.raises(IdCardError) as caught:
        reader.poll().result(10)
    assert caught.value.code == "invalid_number"
    reader.close().result(10)


def test_a_port_the_library_refuses_is_no_device(thread, library):
    reader = VendorLibraryReader(str(library), 3, thread=thread)
    with pytest.raises(IdCardError) as caught:
        reader.poll().result(10)
    assert caught.value.code == "no_device" and "port 3" in caught.value.detail


def test_the_termb_style_library_reads_through_its_getters(thread, tmp_path, monkeypatch):
    from kiosk.devices.idcard.simulator import RESIDENT_FIELDS

    out = tmp_path / "libfaketermb.so"
    subprocess.run([shutil.which("cc") or "gcc", "-shared", "-fPIC", "-o", str(out),
                    str(SOURCE.with_name("fake_termb.c"))], check=True)
    card_file = tmp_path / "on-the-reader"
    monkeypatch.setenv("FAKE_TERMB_CARD", str(card_file))
    monkeypatch.setenv("FAKE_TERMB_NUMBER", RESIDENT_FIELDS["id_number"].lower())
    reader = VendorLibraryReader(str(out), 1001, thread=thread)
    assert reader.probe_now() == "termb library, port 1001 open"
    assert reader.poll().result(10) is None
    card_file.write_text("card")
    card = reader.poll().result(10)
    assert (card.name, card.id_number, card.sex) == ("张三", RESIDENT_FIELDS["id_number"], "male")
    assert reader.poll().result(10) is None
    card_file.unlink()
    assert reader.poll().result(10) is None
    monkeypatch.setenv("FAKE_TERMB_NUMBER", "110105194912310021")
    card_file.write_text("card")
    with pytest.raises(IdCardError) as caught:
        reader.poll().result(10)
    assert caught.value.code == "invalid_number"
    reader.close().result(10)
