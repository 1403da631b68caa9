"""Every refusal the issue lists: refused by content, named in both languages, nothing stored."""
from __future__ import annotations

import io
import json
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfWriter

from kiosk.cli import main
from kiosk.materials.intake import MaterialRefused, check_bytes, import_path
from kiosk.materials.pipeline import prepare_material_files
from kiosk.terminal import Terminal
from tests.conftest import ID_CARD_ITEM
from tests.helpers.files import jpeg_bytes, pdf_bytes, png_bytes, write


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def bomb_png() -> bytes:
    """A 100,000 x 100,000 PNG header over a few bytes of data: 10 gigapixels if anyone decoded it."""
    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + \
        _chunk(b"IEND", b"")


def many_page_pdf(pages: int = 5000) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(72, 72)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt(user_password="secret", owner_password="owner")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\0" * 8 + b"\x02\x00\x3e\x00" + b"\0" * 200

BAD_FILES = {
    "bomb.png": (bomb_png, "too_many_pixels"),
    "5000页.pdf": (many_page_pdf, "too_many_pages"),
    "photo.jpg": (lambda: ELF, "unsupported_type"),
    "cut.png": (lambda: _truncated_png(), "corrupt"),
    "locked.pdf": (encrypted_pdf, "encrypted"),
    "empty.jpg": (lambda: b"", "empty"),
}


def _truncated_png() -> bytes:
    img = Image.effect_noise((400, 300), 60)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    data = buf.getvalue()
    return data[: len(data) // 2]


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_each_bad_file_is_refused_with_its_name_in_both_languages(name: str, tmp_path: Path) -> None:
    make, code = BAD_FILES[name]
    path = write(tmp_path / "usb" / name, make())
    with pytest.raises(MaterialRefused) as info:
        import_path(path)
    assert info.value.reason == code
    assert name in info.value.message.zh and name in info.value.message.en
    assert "无法使用" in info.value.message.zh and "cannot be used" in info.value.message.en


def test_good_files_are_accepted_by_content_whatever_their_names() -> None:
    assert check_bytes("scan.pdf.jpg", jpeg_bytes(50, 40)).media_type == "image/jpeg"
    assert check_bytes("noext", png_bytes()).media_type == "image/png"
    assert check_bytes("doc", pdf_bytes(3)).page_count == 3
    buf = io.BytesIO()
    frames = [Image.new("L", (100, 140), v) for v in (255, 200, 150)]
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:], compression="tiff_lzw")
    assert check_bytes("pages.tif", buf.getvalue()).page_count == 3


def test_a_refused_file_among_good_ones_stores_nothing(tmp_path: Path, terminal: Terminal) -> None:
    good = write(tmp_path / "usb" / "ok.png", png_bytes(300, 420))
    bad = write(tmp_path / "usb" / "contract.jpg", ELF)
    with pytest.raises(MaterialRefused) as info:
        prepare_material_files([good, bad], "bilevel")
    assert info.value.file_name == "contract.jpg"
    assert terminal.attachments.stored_hashes() == []


def test_headless_submit_with_an_encrypted_pdf_is_refused_and_stores_nothing(
        tmp_path: Path, home: Path, terminal: Terminal, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "in" / "id.jpg", jpeg_bytes(200, 120))
    write(tmp_path / "in" / "hukou.pdf", encrypted_pdf())
    doc = {
        "service_item": ID_CARD_ITEM,
        "applicant": {"name": "张三", "id_type": "resident", "id_number": "11010519491231002X", "phone": "13800138000"},
        "form": {"renewal_reason": "expired", "old_card_expiry": "2026-10-24", "collection_method": "counter",
                 "mailing_address": "浙江省杭州市西湖区文三路100号"},
        "materials": {"id_card": ["id.jpg"], "household_register": ["hukou.pdf"]},
    }
    app = write(tmp_path / "in" / "app.json", json.dumps(doc, ensure_ascii=False).encode())
    assert main(["--home", str(home), "submit", str(app)]) == 2
    err = capsys.readouterr().err
    assert "hukou.pdf" in err and "encrypted" in err and "已加密" in err
    assert terminal.attachments.stored_hashes() == []
    assert terminal.applications() == []
