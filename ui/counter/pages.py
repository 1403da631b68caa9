"""Turning a stored file into page images for the viewer: PDF through QtPdf, TIFF (G4 fax too) through Pillow.

Runs in the process pool (`render_in_process`), so it makes `QImage`s only
(never `QPixmap`) and hands them back as plain pixels. It ran on a worker
thread before, but QtPdf's rendering and the painting onto a white sheet hold
Python's lock for their whole call (over 100 ms for a page), and the GUI
thread waited for that lock: the counter's longest stalls in the soak were
such waits (issue 10). Pages are rendered once at a resolution good for
zooming in to 200 %; the viewer scales them, it does not re-render.
"""
from __future__ import annotations

import io

from PySide6.QtCore import QSize
from PySide6.QtGui import QImage

from kiosk.errors import Message, UserFacingError
from ui.images import Pixels, on_white, pdf_document, to_pixels

RENDER_DPI = 150
MAX_PAGES = 200
UNREADABLE = Message("这个文件无法显示，请让申请人重新提供。", "This file cannot be shown; ask the applicant for it again.")


def _pil_to_qimage(img: "object") -> QImage:
    from PIL import Image

    assert isinstance(img, Image.Image)
    if img.mode in ("1", "L", "P", "I;16", "I"):
        gray = img.convert("L")
        data = gray.tobytes()
        image = QImage(data, gray.width, gray.height, gray.width, QImage.Format.Format_Grayscale8)
    else:
        rgb = img.convert("RGB")
        data = rgb.tobytes()
        image = QImage(data, rgb.width, rgb.height, rgb.width * 3, QImage.Format.Format_RGB888)
    return image.copy()  # own the pixels: `data` goes away with this frame


def image_pages(data: bytes) -> list[QImage]:
    """Every frame of a JPEG, PNG or (multi-page, G4-compressed) TIFF."""
    from PIL import Image, ImageSequence

    pages: list[QImage] = []
    with Image.open(io.BytesIO(data)) as img:
        for frame in ImageSequence.Iterator(img):
            pages.append(_pil_to_qimage(frame.copy()))
            if len(pages) >= MAX_PAGES:
                break
    return pages


def pdf_pages(data: bytes, dpi: int = RENDER_DPI) -> list[QImage]:
    pages: list[QImage] = []
    with pdf_document(data) as doc:
        for index in range(min(doc.pageCount(), MAX_PAGES)):
            points = doc.pagePointSize(index)
            size = QSize(max(1, round(points.width() * dpi / 72)), max(1, round(points.height() * dpi / 72)))
            image = doc.render(index, size)
            if not image.isNull():
                pages.append(on_white(image))
    return pages


def render_file(data: bytes, media_type: str) -> list[QImage]:
    try:
        pages = pdf_pages(data) if media_type == "application/pdf" else image_pages(data)
    except Exception as exc:  # noqa: BLE001 - a damaged file is a fact to show, not a crash
        raise UserFacingError(UNREADABLE, code="unreadable") from exc
    if not pages:
        raise UserFacingError(UNREADABLE, code="unreadable")
    return pages


def render_in_process(files: list[tuple[bytes, str]]) -> tuple[list[Pixels], list[tuple[int, int, int]]]:
    """For the process pool: every page of these (data, media type) files, and where each page comes from
    (file number, page number, pages in that file). A damaged file raises `UserFacingError`."""
    pages: list[Pixels] = []
    where: list[tuple[int, int, int]] = []
    for number, (data, media_type) in enumerate(files, start=1):
        rendered = render_file(data, media_type)
        for index, image in enumerate(rendered):
            where.append((number, index + 1, len(rendered)))
            pages.append(to_pixels(image))
    return pages, where
