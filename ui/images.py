"""Pictures made off the GUI thread without holding Python's lock: Pillow does the pixel work, Qt only wraps it.

A Qt call on a worker thread keeps Python's lock (the GIL) for its whole
length: PySide does not let go of it around `QImage.scaled`, `QImage.fromData`
or `QPdfDocument.render`. One smooth scale of a 150 dpi page held it for
about 30 ms, and the GUI thread waited that long for it: the soak's blocked
stalls behind `counter-pages-scale` and `kiosk-thumbnail-*` jobs (issue 10).
Pillow lets go of the lock while it decodes and resamples, so the same work
on a worker thread no longer stops the screen. What only Qt can draw (a PDF's
first page) is drawn in the worker process (`kiosk.processes`), which shares
no lock with the window.

Every function here is safe on a worker thread: it makes `QImage`s, never
`QPixmap`s, and no widget.
"""
from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QImage

if TYPE_CHECKING:
    from PIL import Image as PILImage
    from PySide6.QtPdf import QPdfDocument

Pixels = tuple[int, int, int, int, bytes]  # width, height, bytes per line, QImage.Format value, the pixels

# How Pillow reads a QImage's bytes: (Pillow mode, raw mode) per format. Format_RGB32 is 0xffRRGGBB in the
# machine's byte order, which is little-endian on every machine a hall runs (x86-64, arm64).
_RAW_MODES: dict[QImage.Format, tuple[str, str]] = {
    QImage.Format.Format_Grayscale8: ("L", "L"),
    QImage.Format.Format_RGB888: ("RGB", "RGB"),
    QImage.Format.Format_RGB32: ("RGB", "BGRX"),
    QImage.Format.Format_ARGB32: ("RGBA", "BGRA"),
}


def from_pixels(pages: list[Pixels]) -> list[QImage]:
    """The images again, over the received bytes without copying them (a copy of a 150 dpi page took
    5–25 ms on the GUI thread); PySide keeps the bytes alive until the last QImage sharing them is gone."""
    return [QImage(pixels, width, height, per_line, QImage.Format(fmt)) for width, height, per_line, fmt, pixels in pages]


def to_pixels(image: QImage) -> Pixels:
    return image.width(), image.height(), image.bytesPerLine(), image.format().value, bytes(image.constBits())


def from_pil(img: PILImage.Image) -> QImage:
    """A Pillow image as a QImage sharing one bytes object with it (no PNG round trip, no copy in Qt)."""
    if img.mode not in ("L", "RGB"):
        img = img.convert("L" if img.mode in ("1", "I", "I;16", "F") else "RGB")
    data = img.tobytes()
    if img.mode == "L":
        return QImage(data, img.width, img.height, img.width, QImage.Format.Format_Grayscale8)
    return QImage(data, img.width, img.height, img.width * 3, QImage.Format.Format_RGB888)


def to_pil(image: QImage) -> PILImage.Image:
    """A Pillow image over a copy of the QImage's bytes (one memcpy; other formats are converted by Qt first)."""
    from PIL import Image

    if image.format() not in _RAW_MODES:
        image = image.convertToFormat(QImage.Format.Format_RGB888)
    mode, raw = _RAW_MODES[image.format()]
    data = bytes(image.constBits())
    return Image.frombuffer(mode, (image.width(), image.height()), data, "raw", raw, image.bytesPerLine(), 1)


def fitted(width: int, height: int, box: QSize) -> tuple[int, int]:
    """`width` × `height` scaled to fit `box`, keeping its shape (as Qt's KeepAspectRatio)."""
    size = QSize(width, height).scaled(box, Qt.AspectRatioMode.KeepAspectRatio)
    return max(1, size.width()), max(1, size.height())


def smooth_scaled(image: QImage, width: int, height: int) -> QImage:
    """`image.scaled(width, height, KeepAspectRatio, SmoothTransformation)`, with the lock let go meanwhile."""
    from PIL import Image

    if image.isNull():
        return QImage()
    target = fitted(image.width(), image.height(), QSize(width, height))
    resized = to_pil(image).resize(target, Image.Resampling.BILINEAR)  # what Qt's smooth scale does
    return from_pil(resized)


def pil_thumbnail(img: PILImage.Image, box: QSize) -> QImage:
    """A picture opened by Pillow, fitted into `box` (made larger too, as the tiles always were)."""
    from PIL import Image

    img.draft("RGB", (box.width() * 2, box.height() * 2))  # a JPEG decodes at a fraction of its size
    img.thumbnail((box.width() * 2, box.height() * 2), Image.Resampling.BILINEAR)
    target = fitted(img.width, img.height, box)
    return from_pil(img.resize(target, Image.Resampling.LANCZOS))


def image_thumbnail(data: bytes, box: QSize) -> QImage:
    """The first frame of image file bytes as a thumbnail; a null image if Pillow cannot read it."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as img:
            return pil_thumbnail(img, box)
    except Exception:  # noqa: BLE001 - a file that will not open is shown as a labelled tile
        return QImage()


@contextmanager
def pdf_document(data: bytes) -> Iterator[QPdfDocument]:
    """QtPdf's document over the bytes (closed afterwards); its page count is 0 when it cannot be read."""
    from PySide6.QtPdf import QPdfDocument

    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    doc = QPdfDocument()
    doc.load(buffer)
    try:
        yield doc
    finally:
        doc.close()


def on_white(page: QImage) -> QImage:
    """A rendered PDF page on a white sheet: QtPdf draws on transparent pixels, and paper reads as white."""
    from PySide6.QtGui import QPainter

    sheet = QImage(page.size(), QImage.Format.Format_RGB32)
    sheet.fill(0xFFFFFF)
    painter = QPainter(sheet)
    painter.drawImage(0, 0, page)
    painter.end()
    return sheet


def pdf_thumbnail_in_process(data: bytes, width: int, height: int) -> Pixels | None:
    """For the worker process: a PDF's first page drawn by QtPdf, fitted into width × height on white."""
    with pdf_document(data) as doc:
        if doc.pageCount() <= 0:
            return None
        points = doc.pagePointSize(0)
        target = fitted(max(1, round(points.width())), max(1, round(points.height())), QSize(width, height))
        page = doc.render(0, QSize(*target))
        return None if page.isNull() else to_pixels(on_white(page))


def pdf_thumbnail(data: bytes, box: QSize, timeout: float = 60.0) -> QImage:
    """For a worker thread: the PDF's first page, drawn in the worker process while this thread waits
    without the lock. A null image if it cannot be drawn."""
    from kiosk import processes

    try:
        pixels = processes.call_in_process(pdf_thumbnail_in_process, data, box.width(), box.height(),
                                           timeout=timeout)
    except Exception:  # noqa: BLE001 - a damaged PDF, or no worker process: a labelled tile instead
        return QImage()
    return from_pixels([pixels])[0] if pixels is not None else QImage()
