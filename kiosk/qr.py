"""The QR code of a receipt's status address, encoded once for the screen and the printed receipt.

Encoding is the costly part (the qrcode library tries all eight masks in pure
Python: 6-9 ms for a status address), and the kiosk draws the same code twice
within seconds: on the result screen, in the submitting job, and on the receipt,
in the print job. Both run on threads of the window process, where every
millisecond of pure Python is a millisecond the GUI thread may wait for
Python's lock, so the matrix is kept for the few most recent texts. It holds a
status address (a receipt number), nothing of the citizen's.
"""
from __future__ import annotations

from functools import lru_cache

import qrcode
from PIL import Image

Modules = tuple[tuple[bool, ...], ...]


@lru_cache(maxsize=16)
def qr_modules(text: str) -> Modules:
    """The dark (True) and light modules, without a quiet zone; error correction M, the smallest version."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(text)
    code.make(fit=True)
    return tuple(tuple(bool(m) for m in row) for row in code.get_matrix())


def qr_picture(text: str, module: int, border: int) -> Image.Image:
    """A 1-bit picture: `module` pixels a module and `border` light modules around (the quiet zone)."""
    modules = qr_modules(text)
    size = len(modules) + 2 * border
    small = Image.new("1", (size, size), 1)
    small.putdata([0 if (border <= y < size - border and border <= x < size - border
                         and modules[y - border][x - border]) else 1
                   for y in range(size) for x in range(size)])
    return small.resize((size * module, size * module), Image.Resampling.NEAREST)
