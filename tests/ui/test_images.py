"""Pictures made by Pillow for Qt (`ui.images`): the same sizes and colours Qt's own scaling gave, every page
format the counter and kiosk hold, and a damaged file shown as an empty tile rather than a crash."""
from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from PIL import Image
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QImage

from kiosk.processes import shutdown_processes
from tests.helpers.files import jpeg_bytes, pdf_bytes
from ui.images import from_pil, from_pixels, image_thumbnail, pdf_thumbnail, smooth_scaled, to_pil, to_pixels

FORMATS = [QImage.Format.Format_Grayscale8, QImage.Format.Format_RGB888, QImage.Format.Format_RGB32,
           QImage.Format.Format_ARGB32, QImage.Format.Format_Mono]


def _flat(fmt: QImage.Format, width: int, height: int, colour: QColor) -> QImage:
    image = QImage(width, height, fmt)
    image.fill(colour)
    return image


def _channels(image: QImage, x: int, y: int) -> tuple[int, int, int]:
    colour = image.pixelColor(x, y)
    return colour.red(), colour.green(), colour.blue()


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
def test_smooth_scaled_keeps_the_shape_and_the_colour_of_every_page_format(qapp, fmt: QImage.Format) -> None:
    colour = QColor(0x20, 0x40, 0xA0) if fmt not in (QImage.Format.Format_Grayscale8, QImage.Format.Format_Mono) \
        else QColor(0, 0, 0)
    image = _flat(fmt, 1241, 1754, colour)  # an A4 page at 150 dpi, odd width: rows padded to 4 bytes in Qt
    for box in ((600, 600), (2000, 1000), (37, 5000)):
        expected = image.scaled(*box, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
        scaled = smooth_scaled(image, *box)
        assert (scaled.width(), scaled.height()) == (expected.width(), expected.height()), box
        want = _channels(image, 0, 0)
        for x, y in ((0, 0), (scaled.width() // 2, scaled.height() // 2), (scaled.width() - 1, scaled.height() - 1)):
            assert all(abs(a - b) <= 2 for a, b in zip(_channels(scaled, x, y), want)), (box, x, y)


def test_smooth_scaled_draws_what_qt_draws(qapp) -> None:
    """A page of black lines on white: Pillow's scale and Qt's agree pixel for pixel within a small error."""
    img = Image.new("L", (1240, 1754), 255)
    for y in range(100, 1700, 23):
        img.paste(0, (80, y, 1160, y + 3))
    image = from_pil(img)
    ours = smooth_scaled(image, 620, 877)
    qts = image.scaled(620, 877, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
    assert (ours.width(), ours.height()) == (qts.width(), qts.height())
    a = to_pil(ours).convert("L").tobytes()
    b = to_pil(qts.convertToFormat(QImage.Format.Format_Grayscale8)).tobytes()
    mean_error = sum(abs(x - y) for x, y in zip(a, b)) / len(a)
    assert mean_error < 12, mean_error
    assert min(a) < 100 and max(a) == 255  # the lines are still there, the paper still white


def test_a_null_image_scales_to_a_null_image(qapp) -> None:
    assert smooth_scaled(QImage(), 100, 100).isNull()


def test_pixels_cross_a_process_boundary_and_come_back_the_same(qapp) -> None:
    image = _flat(QImage.Format.Format_RGB32, 333, 101, QColor(1, 2, 3))
    image.setPixelColor(5, 7, QColor(250, 128, 9))
    back = from_pixels([to_pixels(image)])[0]
    assert back == image


@pytest.mark.parametrize("mode", ["1", "L", "P", "RGB", "RGBA", "I;16", "CMYK"])
def test_from_pil_takes_every_mode_a_scanner_or_a_file_gives(qapp, mode: str) -> None:
    img = Image.new("RGB", (31, 17), (200, 100, 50)).convert(mode)
    image = from_pil(img)
    assert (image.width(), image.height()) == (31, 17)
    assert not image.isNull()


def test_thumbnail_of_a_photo_fits_the_tile_and_keeps_its_shape(qapp) -> None:
    thumb = image_thumbnail(jpeg_bytes(4000, 3000, seed=7), QSize(150, 200))
    assert (thumb.width(), thumb.height()) == (150, 112)
    small = image_thumbnail(jpeg_bytes(40, 30, seed=3), QSize(150, 200))  # made larger, as the tiles always were
    assert (small.width(), small.height()) == (150, 112)


@pytest.mark.parametrize("data", [b"", b"not an image at all", jpeg_bytes(400, 300, seed=5)[:200],
                                  b"%PDF-1.4 broken"], ids=["empty", "text", "truncated-jpeg", "pdf-header"])
def test_a_damaged_file_gives_an_empty_tile_not_a_crash(qapp, data: bytes) -> None:
    assert image_thumbnail(data, QSize(150, 200)).isNull()


@pytest.fixture
def _own_pool() -> Iterator[None]:
    shutdown_processes()
    yield
    shutdown_processes()


def test_thumbnail_of_a_pdf_is_its_first_page_on_white_drawn_in_the_worker_process(qapp, _own_pool) -> None:
    thumb = pdf_thumbnail(pdf_bytes(3), QSize(150, 200))
    assert not thumb.isNull()
    # reportlab's default page is A4: 595 × 842 points, fitted into 150 × 200
    assert (thumb.width(), thumb.height()) == (141, 200)
    assert _channels(thumb, thumb.width() - 1, thumb.height() - 1) == (255, 255, 255)  # paper, not transparency
    text = [thumb.pixelColor(x, y).lightness() for x in range(thumb.width()) for y in range(thumb.height() // 4)]
    assert min(text) < 200  # "page 1" is drawn near the top
    assert pdf_thumbnail(b"%PDF-1.4 broken", QSize(150, 200)).isNull()


def test_thumbnail_of_a_truncated_png_is_empty(qapp) -> None:
    buf = io.BytesIO()
    Image.new("RGB", (500, 500), (1, 2, 3)).save(buf, "PNG")
    assert image_thumbnail(buf.getvalue()[:-300], QSize(150, 200)).isNull()
