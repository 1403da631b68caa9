"""Real files for tests: images and PDFs made on the fly."""
from __future__ import annotations

import io
import os
from pathlib import Path

from PIL import Image


def jpeg_bytes(width: int = 400, height: int = 300, seed: int = 0) -> bytes:
    img = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3) if seed == 0 else
                          bytes((i * seed) % 251 for i in range(width * height * 3)))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def png_bytes(width: int = 200, height: int = 100) -> bytes:
    buf = io.BytesIO()
    Image.new("L", (width, height), 255).save(buf, "PNG")
    return buf.getvalue()


def pdf_bytes(pages: int = 1) -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for i in range(pages):
        c.drawString(72, 720, f"page {i + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
