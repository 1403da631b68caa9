"""The image pipeline on generated pages whose text is known."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader

from kiosk.materials import encode, geometry, samples
from kiosk.materials.pages import CapturedPage
from kiosk.materials.pipeline import material_file_from_pages, prepare_material_files, process_page


def _ocr_words(image: Image.Image, tmp_path: Path) -> set[str]:
    if shutil.which("tesseract") is None:
        pytest.skip("tesseract is not installed (./dev.sh setup installs it)")
    path = tmp_path / "ocr.png"
    image.save(path, dpi=(200, 200))
    out = subprocess.run(["tesseract", str(path), "-", "-l", "eng", "--psm", "6"], capture_output=True,
                         text=True, timeout=120, check=True).stdout
    return set(re.findall(r"[A-Za-z]{4,}|\d{6,}", out))


def _latin_words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z]{4,}|\d{6,}", text))


def _decode(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("L")


def test_skewed_sideways_camera_photo_comes_out_straight_and_legible(tmp_path: Path) -> None:
    page, text = samples.text_page(dpi=200, lines=14)
    shot = samples.camera_shot(page, angle=13.0)
    # A phone stores the picture on its side and tags it "rotate 90 degrees clockwise to view".
    stored = shot.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    stored.convert("RGB").save(buf, "JPEG", quality=92, exif=exif.tobytes())
    captured = CapturedPage(Image.open(io.BytesIO(buf.getvalue())), dpi=72, source="file")

    report = process_page(captured, "bilevel")
    assert report.cropped and not report.photograph
    assert report.encoded.media_type == "image/tiff"
    out = _decode(report.encoded.data)
    assert out.height > out.width  # upright portrait, not on its side
    assert abs(out.height / out.width - 297 / 210) < 0.03  # the sheet alone, desk cropped away
    assert abs(geometry.estimate_skew(np.asarray(out))) <= 0.5  # text lines level
    Image.fromarray(np.hstack([np.asarray(shot.resize(out.size)), np.asarray(out)])).save(tmp_path / "before_after.png")

    expected = _latin_words(text)
    found = _ocr_words(out, tmp_path)
    assert len(expected & found) / len(expected) > 0.9


def test_flatbed_page_without_visible_edges_is_deskewed_in_place() -> None:
    page, _ = samples.text_page(dpi=200, lines=30)
    tilted = page.rotate(-6.0, resample=Image.Resampling.BICUBIC, fillcolor=255)
    report = process_page(CapturedPage(tilted, dpi=200, source="scanner"), "bilevel")
    assert not report.cropped
    assert abs(report.skew_degrees - 6.0) <= 0.3
    out = _decode(report.encoded.data)
    assert out.size == tilted.size
    assert abs(geometry.estimate_skew(np.asarray(out))) <= 0.3


def test_dense_a4_text_page_fits_the_text_budget_as_g4() -> None:
    page, _ = samples.text_page(dpi=300)
    report = process_page(CapturedPage(page, dpi=300, source="scanner"), "bilevel")
    assert report.encoded.kind == "bilevel"
    assert report.encoded.size <= encode.TEXT_PAGE_BUDGET
    with Image.open(io.BytesIO(report.encoded.data)) as img:
        assert img.info["compression"] == "group4"
        assert img.size == (1654, 2339) or abs(img.width - 1654) <= 2  # A4 at 200 dpi


@pytest.mark.parametrize("colour", ["colour", "grayscale", "bilevel"])
def test_photograph_pages_fit_the_page_budget_and_keep_their_tones(colour: str) -> None:
    photo = samples.photo_page(dpi=300)
    report = process_page(CapturedPage(photo, dpi=300, source="scanner"), colour)
    assert report.photograph
    assert report.encoded.media_type == "image/jpeg"  # even for a 'bilevel' material: no black blots
    assert report.encoded.size <= encode.PAGE_BUDGET
    assert report.encoded.kind == ("colour" if colour == "colour" else "grayscale")


def test_multi_page_material_becomes_one_pdf_with_g4_pages() -> None:
    pages = [CapturedPage(samples.text_page(dpi=200, lines=10, seed=s)[0], dpi=200, source="scanner")
             for s in (1, 2, 3)]
    material = material_file_from_pages(pages, "bilevel", "户口簿.png")
    assert material.media_type == "application/pdf" and material.page_count == 3
    assert material.name == "户口簿.pdf"
    reader = PdfReader(io.BytesIO(material.data))
    assert len(reader.pages) == 3
    first = reader.pages[0]
    assert abs(float(first.mediabox.width) - 595) < 3 and abs(float(first.mediabox.height) - 842) < 3  # A4
    image_obj = next(iter(first["/Resources"]["/XObject"].values())).get_object()
    assert "/CCITTFaxDecode" in str(image_obj["/Filter"])


def test_single_photo_material_is_a_jpeg() -> None:
    material = material_file_from_pages([CapturedPage(samples.photo_page(dpi=150), dpi=150)], "colour", "id.png")
    assert material.media_type == "image/jpeg" and material.name == "id.jpg" and material.page_count == 1


def test_prepare_material_files_from_a_usb_stick(tmp_path: Path) -> None:
    page, _ = samples.text_page(dpi=300, lines=8)
    page.save(tmp_path / "p1.png", dpi=(300, 300))
    frames = [samples.text_page(dpi=300, lines=5, seed=s)[0] for s in (4, 5)]
    frames[0].save(tmp_path / "p23.tif", save_all=True, append_images=frames[1:], dpi=(300, 300),
                   compression="tiff_lzw")
    (tmp_path / "cert.pdf").write_bytes(material_file_from_pages(
        [CapturedPage(frames[0], 300)], "bilevel", "x").data)
    files = prepare_material_files([tmp_path / "p1.png", tmp_path / "cert.pdf", tmp_path / "p23.tif"], "bilevel")
    assert [(f.name, f.media_type, f.page_count) for f in files] == [
        ("p1.pdf", "application/pdf", 3), ("cert.pdf", "application/pdf", 1)]
    assert len(files[0].data) <= 3 * encode.TEXT_PAGE_BUDGET


def test_unknown_colour_mode_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        process_page(CapturedPage(Image.new("L", (10, 10), 255), 200), "sepia")


def test_sixteen_bit_and_transparent_pages_keep_their_tones() -> None:
    page, _ = samples.text_page(dpi=200, lines=8)
    sixteen = Image.fromarray(np.asarray(page).astype(np.uint16) * 257)  # mode I;16
    assert sixteen.mode == "I;16"
    report = process_page(CapturedPage(sixteen, 200), "bilevel")
    out = np.asarray(_decode(report.encoded.data))
    assert 0.01 < (out == 0).mean() < 0.3  # text survived, page not whitened or blackened
    clear = Image.new("RGBA", (400, 560), (0, 0, 0, 0))  # fully transparent: white paper, not black
    report = process_page(CapturedPage(clear, 100), "grayscale")
    assert np.asarray(_decode(report.encoded.data)).mean() > 240
