"""Attachments on disk: encrypted, keyed by a private file, checked on every read."""
from __future__ import annotations

import stat
from pathlib import Path

import pytest

from kiosk.attachments import AttachmentStore, DamagedAttachment, sha256_hex
from kiosk.materials import samples
from kiosk.materials.pages import CapturedPage
from kiosk.materials.pipeline import material_file_from_pages
from kiosk.terminal import Terminal


@pytest.fixture
def scanned_page() -> bytes:
    page, _ = samples.text_page(dpi=150, lines=6)
    return material_file_from_pages([CapturedPage(page, 150)], "grayscale", "id.jpg").data


def test_bytes_on_disk_do_not_contain_the_plain_image(terminal: Terminal, scanned_page: bytes) -> None:
    sha = terminal.attachments.put(scanned_page)
    raw = terminal.attachments.path_for(sha).read_bytes()
    assert raw.startswith(b"OWA1")
    for start in range(0, len(scanned_page) - 32, max(1, len(scanned_page) // 50)):
        assert scanned_page[start:start + 32] not in raw  # no 32-byte run of the image survives
    assert b"JFIF" not in raw and b"\xff\xd8\xff" not in raw
    assert terminal.attachments.get(sha) == scanned_page
    assert sha == sha256_hex(scanned_page)


def test_device_key_is_a_private_file_outside_the_database(terminal: Terminal) -> None:
    key = terminal.store.keys.location  # since the keys left the data dir (kiosk.data_key)
    assert key.is_file() and not key.is_relative_to(terminal.settings.home)
    assert not terminal.settings.key_path.exists()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert terminal.store.keys.attachments not in terminal.settings.db_path.read_bytes()


@pytest.mark.parametrize("where", ["header", "nonce", "middle", "tag"])
def test_a_flipped_byte_is_detected_and_never_served(terminal: Terminal, scanned_page: bytes, where: str) -> None:
    store = terminal.attachments
    sha = store.put(scanned_page)
    path = store.path_for(sha)
    raw = bytearray(path.read_bytes())
    index = {"header": 1, "nonce": 6, "middle": len(raw) // 2, "tag": len(raw) - 1}[where]
    raw[index] ^= 0x01
    path.write_bytes(bytes(raw))
    with pytest.raises(DamagedAttachment) as info:
        store.get(sha)
    assert info.value.sha256 == sha
    assert "损坏" in info.value.message.zh and "damaged" in info.value.message.en
    assert store.verify(sha) is not None
    # Storing the good bytes again repairs the copy.
    assert store.put(scanned_page) == sha and store.get(sha) == scanned_page


def test_a_file_swapped_for_another_is_detected(terminal: Terminal) -> None:
    store = terminal.attachments
    a, b = store.put(b"first document"), store.put(b"second document")
    store.path_for(a).write_bytes(store.path_for(b).read_bytes())
    with pytest.raises(DamagedAttachment):
        store.get(a)


def test_another_devices_key_cannot_read_the_files(terminal: Terminal, tmp_path: Path, scanned_page: bytes) -> None:
    sha = terminal.attachments.put(scanned_page)
    other = AttachmentStore(terminal.settings.attachments_dir, tmp_path / "other" / "device.key")
    with pytest.raises(DamagedAttachment):
        other.get(sha)


def test_a_missing_file_is_reported(terminal: Terminal) -> None:
    with pytest.raises(DamagedAttachment) as info:
        terminal.attachments.get("0" * 64)
    assert info.value.why == "missing"
