"""Receipt blocks to ESC/POS bytes, with Chinese in the printer's own Chinese mode.

- ESC @, then FS & (Chinese character mode): bytes >= 0x80 are read in
  pairs as GB codes from here on.
- A rare character (no two-byte GB code) becomes a 24x24 bit image in its
  place: ESC * 33 where the profile has column bit images, which prints in
  line with the text; otherwise the whole line goes as one GS v 0 raster.
- The QR code uses GS ( k through python-escpos where the profile has it,
  otherwise a GS v 0 image of the code.
"""
from __future__ import annotations

from escpos.constants import QR_ECLEVEL_M
from escpos.printer import Dummy
from PIL import Image

from printing.receipt.chinese import split_runs
from printing.receipt.commands import ALIGN, CHINESE_ON, ESC, FS, GS, INIT, LF, qr_image, qr_module_size
from printing.receipt.glyphs import column_image_bytes, raster_bytes, render_glyph
from printing.receipt.layout import Block, Feed, Line, QrCode, Rule
from printing.receipt.model import PrinterModel

def _centered(img: Image.Image, dots: int) -> Image.Image:
    canvas = Image.new("1", (dots, img.height), 1)
    canvas.paste(img, (max(0, (dots - img.width) // 2), 0))
    return canvas


def _qr_bytes(payload: str, model: PrinterModel) -> bytes:
    if model.native_qr:
        dummy = Dummy(profile=model.profile)
        dummy.qr(payload, ec=QR_ECLEVEL_M, size=qr_module_size(model), native=True)
        return ALIGN["center"] + dummy.output + LF + ALIGN["left"]
    return raster_bytes(_centered(qr_image(payload, qr_module_size(model)), model.dots)) + ALIGN["left"]


def _line_bytes(line: Line, model: PrinterModel) -> bytes:
    runs = split_runs(line.text, model.two_byte_set)
    has_glyph = any(r.glyph for r in runs)
    if has_glyph and not model.inline_images:
        from printing.receipt.raster import render_blocks

        return raster_bytes(render_blocks([line], model))
    out = bytearray(ALIGN.get(line.align, ALIGN["left"]))
    if line.bold:
        out += ESC + b"E\x01"
    if line.magnify > 1:  # ASCII only at this size (a ticket's number): FS ! has no more than double
        m = min(line.magnify, 8) - 1
        out += GS + b"!" + bytes([m << 4 | m])
    elif line.double:
        out += GS + b"!\x11" + FS + b"!\x0c"
    for run in runs:
        out += column_image_bytes(render_glyph(run.glyph)) if run.glyph else run.data
    out += LF
    if line.magnify > 1:
        out += GS + b"!\x00"
    elif line.double:
        out += GS + b"!\x00" + FS + b"!\x00"
    if line.bold:
        out += ESC + b"E\x00"
    if line.align != "left":
        out += ALIGN["left"]
    return bytes(out)


def receipt_bytes(blocks: list[Block], model: PrinterModel, *, cut: bool = True) -> bytes:
    out = bytearray(INIT + CHINESE_ON)
    for block in blocks:
        if isinstance(block, Line):
            out += _line_bytes(block, model)
        elif isinstance(block, Rule):
            out += (block.char * model.columns).encode("ascii") + LF
        elif isinstance(block, QrCode):
            out += _qr_bytes(block.payload, model)
        elif isinstance(block, Feed):
            out += ESC + b"d" + bytes([min(block.lines, 255)])
    if cut and (model.part_cut or model.full_cut):
        out += ESC + b"d\x03" + GS + b"V" + (b"\x01" if model.part_cut else b"\x00")
    return bytes(out)
