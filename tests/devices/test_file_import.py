from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from kiosk.devices.file_import import candidate_files, import_file
from kiosk.materials.intake import MaterialRefused
from tests.helpers.files import pdf_bytes, write


def test_usb_stick_files_import_on_the_device_thread(tmp_path: Path) -> None:
    stick = tmp_path / "usb"
    frames = [Image.new("L", (210, 297), v) for v in (255, 220)]
    stick.mkdir()
    frames[0].save(stick / "scan.tiff", save_all=True, append_images=frames[1:], dpi=(150, 150))
    write(stick / "sub" / "contract.PDF", pdf_bytes(2))
    write(stick / ".hidden.jpg", b"x")
    write(stick / "notes.txt", b"hello")
    found = candidate_files(stick)
    assert [p.name for p in found] == ["scan.tiff", "contract.PDF"]

    tiff = import_file(found[0]).result(timeout=30)
    assert tiff.checked.media_type == "image/tiff" and len(tiff.pages) == 2
    assert tiff.pages[1].dpi == 150 and tiff.pages[0].source == "file"
    pdf = import_file(found[1]).result(timeout=30)
    assert pdf.checked.page_count == 2 and pdf.pages == []


def test_a_refusal_comes_back_through_the_future(tmp_path: Path) -> None:
    path = write(tmp_path / "usb" / "readme.jpg", b"not a picture at all")
    with pytest.raises(MaterialRefused) as info:
        import_file(path).result(timeout=30)
    assert info.value.file_name == "readme.jpg"
