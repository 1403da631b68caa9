"""ESC/POS command bytes and the QR picture, shared by the native and the raster receipt writers."""
from __future__ import annotations

from PIL import Image

from kiosk.qr import qr_picture
from printing.receipt.model import PrinterModel

ESC, GS, FS, LF = b"\x1b", b"\x1d", b"\x1c", b"\n"
INIT = ESC + b"@"
CHINESE_ON = FS + b"&"
ALIGN = {"left": ESC + b"a\x00", "center": ESC + b"a\x01", "right": ESC + b"a\x02"}


def qr_module_size(model: PrinterModel) -> int:
    return 6 if model.dots >= 500 else 5


def qr_image(payload: str, module: int, border: int = 1) -> Image.Image:
    """Encoded once for the result screen and the receipt (`kiosk.qr`)."""
    return qr_picture(payload, module, border)
