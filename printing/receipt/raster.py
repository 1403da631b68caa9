"""The receipt drawn as one picture: for printers without Chinese fonts, the screen, and the benchmark.

Characters are drawn on the printer's own grid (12-dot half cells, 24-dot
full cells, 30-dot lines) so the picture looks like the native print.
"""
from __future__ import annotations

from PIL import Image, ImageDraw

from printing.fonts import font_for
from printing.receipt.chinese import char_columns, text_columns
from printing.receipt.commands import ESC, GS, INIT, qr_image, qr_module_size
from printing.receipt.glyphs import pil_font, raster_bytes
from printing.receipt.layout import Block, Feed, Line, QrCode, Rule
from printing.receipt.model import PrinterModel

LINE = 30
CELL = 12


def _draw_line(draw: ImageDraw.ImageDraw, y: int, line: Line, dots: int) -> int:
    scale = line.scale
    width = text_columns(line.text) * CELL * scale
    x = (dots - width) // 2 if line.align == "center" else 0
    size = 24 * scale
    for ch in line.text:
        cols = char_columns(ch)
        if cols == 0:
            continue
        cell_w = cols * CELL * scale
        if not ch.isspace():
            face = pil_font(font_for(ch), size - 2 * scale)
            stroke = 1 if line.bold else 0
            if cols == 2:  # a full-width glyph: centred in its square cell
                left, top, right, bottom = draw.textbbox((0, 0), ch, font=face)
                gx = x + (cell_w - (right - left)) // 2 - left
                gy = y + (size - (bottom - top)) // 2 - top
                draw.text((gx, gy), ch, font=face, fill=0, stroke_width=stroke, stroke_fill=0)
            else:  # half-width: on a common baseline, so descenders hang below it
                draw.text((x + cell_w // 2, y + 19 * scale), ch, font=face, fill=0, anchor="ms",
                          stroke_width=stroke, stroke_fill=0)
        x += cell_w
    return LINE * scale


def render_blocks(blocks: list[Block], model: PrinterModel) -> Image.Image:
    dots = model.dots
    qr_cache: dict[str, Image.Image] = {}
    height = 0
    for b in blocks:
        if isinstance(b, Line):
            height += LINE * b.scale
        elif isinstance(b, Rule):
            height += LINE
        elif isinstance(b, QrCode):
            qr_cache[b.payload] = qr_image(b.payload, qr_module_size(model))
            height += qr_cache[b.payload].height + 6
        elif isinstance(b, Feed):
            height += LINE * b.lines
    img = Image.new("L", (dots, max(height, 1)), 255)
    draw = ImageDraw.Draw(img)
    y = 0
    for b in blocks:
        if isinstance(b, Line):
            y += _draw_line(draw, y, b, dots)
        elif isinstance(b, Rule):
            draw.line((0, y + LINE // 2, dots, y + LINE // 2), fill=0, width=2)
            y += LINE
        elif isinstance(b, QrCode):
            qr = qr_cache[b.payload]
            img.paste(qr.convert("L"), ((dots - qr.width) // 2, y))
            y += qr.height + 6
        elif isinstance(b, Feed):
            y += LINE * b.lines
    return img.point(lambda v: 0 if v < 160 else 255, mode="1")


def receipt_raster_bytes(blocks: list[Block], model: PrinterModel) -> bytes:
    """The whole receipt as GS v 0 bands: what a driver that rasterises everything would send."""
    out = INIT + raster_bytes(render_blocks(blocks, model))
    if model.part_cut or model.full_cut:
        out += ESC + b"d\x03" + GS + b"V" + (b"\x01" if model.part_cut else b"\x00")
    return out
