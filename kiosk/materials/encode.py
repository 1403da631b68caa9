"""Turning a cleaned page into bytes that fit a slow rural link.

Text pages become bilevel CCITT Group 4 (the archival standard for
black-and-white documents); photographs and colour documents become JPEG at
the highest quality that fits the page budget. Several pages become one PDF,
with each page's bytes embedded as they are (img2pdf copies G4 and JPEG
streams without decoding them), so nothing is compressed twice.
"""
from __future__ import annotations

import io
import math
from dataclasses import dataclass

import img2pdf
from PIL import Image

TEXT_PAGE_BUDGET = 120 * 1024
PAGE_BUDGET = 250 * 1024
JPEG_QUALITIES = (75, 60, 45)
MIN_LONG_SIDE = 900  # below this a page stops being legible; stop shrinking


@dataclass(frozen=True)
class EncodedPage:
    data: bytes
    media_type: str  # image/tiff (G4) or image/jpeg
    kind: str  # "bilevel" | "grayscale" | "colour"
    width: int
    height: int
    dpi: float

    @property
    def size(self) -> int:
        return len(self.data)


def encode_bilevel(image: Image.Image, dpi: float) -> EncodedPage:
    """One-strip G4 TIFF: the form img2pdf can embed in a PDF without re-encoding."""
    bw = image if image.mode == "1" else image.convert("1", dither=Image.Dither.NONE)
    buf = io.BytesIO()
    bw.save(buf, "TIFF", compression="group4", dpi=(dpi, dpi),
            strip_size=math.ceil(bw.width / 8) * bw.height)
    return EncodedPage(buf.getvalue(), "image/tiff", "bilevel", bw.width, bw.height, dpi)


def _jpeg(image: Image.Image, quality: int, dpi: float) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality, optimize=True, dpi=(round(dpi), round(dpi)))
    return buf.getvalue()


def encode_jpeg(image: Image.Image, dpi: float, budget: int = PAGE_BUDGET) -> EncodedPage:
    """The best JPEG quality that fits the budget; if none does, shrink the page just enough and retry.

    JPEG size grows about with the pixel count, so one measurement tells how
    far to shrink: a dense page takes two or three encodes, not a dozen.
    """
    kind = "colour" if image.mode == "RGB" else "grayscale"
    current, current_dpi = image, dpi
    data = b""
    for _ in range(4):
        for quality in JPEG_QUALITIES:
            data = _jpeg(current, quality, current_dpi)
            if len(data) <= budget:
                return EncodedPage(data, "image/jpeg", kind, current.width, current.height, current_dpi)
        if max(current.size) <= MIN_LONG_SIDE:
            break
        factor = max(0.5, min(0.95, math.sqrt(budget / len(data)) * 0.97))
        factor = max(factor, MIN_LONG_SIDE / max(current.size))
        new_size = (max(1, round(current.width * factor)), max(1, round(current.height * factor)))
        current = image.resize(new_size, Image.Resampling.LANCZOS)
        current_dpi = dpi * new_size[0] / image.width
    return EncodedPage(data, "image/jpeg", kind, current.width, current.height, current_dpi)


def pages_to_pdf(pages: list[EncodedPage]) -> bytes:
    """One PDF, one page per image, each page sized from its dpi (so an A4 scan prints as A4)."""
    return bytes(img2pdf.convert([p.data for p in pages]))
