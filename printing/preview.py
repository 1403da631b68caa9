"""Pictures for the screen: the receipt as it will print, and its QR code.

When the printer is out of paper the kiosk shows these while the job waits,
so the citizen leaves with the receipt number and the progress link anyway.
The UI gets PNG bytes and never touches ESC/POS.
"""
from __future__ import annotations

import io
from typing import Any

from PIL import Image

from kiosk.settings import Settings
from kiosk.terminal import Terminal
from printing.receipt.content import receipt_content
from printing.receipt.commands import qr_image
from printing.receipt.layout import receipt_blocks
from printing.receipt.model import printer_model
from printing.receipt.raster import render_blocks
from printing.records import find_application


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.convert("L").save(buf, "PNG", optimize=True)
    return buf.getvalue()


def qr_png(payload: str, module: int = 8) -> bytes:
    return _png(qr_image(payload, module, border=4))


def receipt_preview_png(terminal: Terminal, key: str, *, lang: str | None = None) -> bytes:
    """The receipt for application `key` (id or receipt number) drawn as the 80 mm printer would print it."""
    catalog = terminal.catalog
    with terminal.store.transaction() as session:
        content = receipt_content(find_application(session, key), terminal.settings, catalog, lang=lang)
    model = printer_model("default", 80)
    return _png(render_blocks(receipt_blocks(content, model.columns), model))


def ticket_preview_png(payload: dict[str, Any], settings: Settings, *, paper_mm: int = 80) -> bytes:
    """A queue ticket (a print job's payload, `kiosk.print_jobs.enqueue_ticket`) drawn as the printer prints it."""
    from printing.ticket.content import ticket_content
    from printing.ticket.layout import ticket_blocks

    model = printer_model("default", paper_mm)
    return _png(render_blocks(ticket_blocks(ticket_content(payload, settings), model.columns, model.dots), model))
