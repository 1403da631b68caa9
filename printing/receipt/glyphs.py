"""Drawing one character as a bit image, for characters the printer's font lacks.

The glyph is drawn with Hanazono into a 24x24 cell (the size of the printer's
resident Chinese font), so a rare character in a name sits in line with its
neighbours.
"""
from __future__ import annotations

from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from printing.fonts import FontFile, font_for, rare_font_for

CELL = 24


@lru_cache(maxsize=16)
def _pil_font(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, index=index)


def pil_font(font: FontFile, size: int) -> ImageFont.FreeTypeFont:
    return _pil_font(str(font.require().path), font.index, size)


def render_glyph(ch: str, cell: int = CELL) -> Image.Image:
    """A cell x cell 1-bit image of `ch` (black = 0), or a hollow box when no font has it."""
    img = Image.new("L", (cell, cell), 255)
    draw = ImageDraw.Draw(img)
    font = rare_font_for(ch) or font_for(ch)
    face = pil_font(font, cell - 2)
    left, top, right, bottom = draw.textbbox((0, 0), ch, font=face)
    if right <= left or bottom <= top:
        draw.rectangle((3, 3, cell - 4, cell - 4), outline=0, width=2)
    else:
        x = (cell - (right - left)) // 2 - left
        y = (cell - (bottom - top)) // 2 - top
        draw.text((x, y), ch, font=face, fill=0)
    return img.point(lambda v: 0 if v < 128 else 255, mode="1")


def column_image_bytes(img: Image.Image) -> bytes:
    """ESC * 33 (24-dot double density) data: one column after another, three bytes each, top bit first.

    Unlike GS v 0, ESC * goes into the line buffer, so the glyph prints in
    the same line as the text around it on every ESC/POS printer.
    """
    img = img.convert("1")
    width, height = img.size
    assert height == 24, "ESC * 33 prints 24 dots high"
    pixels = img.load()
    out = bytearray(b"\x1b*\x21" + bytes((width & 0xFF, width >> 8)))
    for x in range(width):
        for band in range(3):
            byte = 0
            for bit in range(8):
                if pixels[x, band * 8 + bit] == 0:
                    byte |= 0x80 >> bit
            out.append(byte)
    return bytes(out)


def raster_bytes(img: Image.Image, band_rows: int = 256) -> bytes:
    """GS v 0 raster image data (black = 1), in bands so small printer buffers keep up."""
    img = img.convert("1")
    width, height = img.size
    width_bytes = (width + 7) // 8
    padded = Image.new("1", (width_bytes * 8, height), 1)
    padded.paste(img, (0, 0))
    # PIL packs mode "1" rows MSB first with white = 1; ESC/POS wants black = 1.
    data = bytes(b ^ 0xFF for b in padded.tobytes())
    out = bytearray()
    for top in range(0, height, band_rows):
        rows = min(band_rows, height - top)
        out += b"\x1dv0\x00" + bytes((width_bytes & 0xFF, width_bytes >> 8, rows & 0xFF, rows >> 8))
        out += data[top * width_bytes:(top + rows) * width_bytes]
    return bytes(out)
