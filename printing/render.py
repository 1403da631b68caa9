"""Turning a queued job into bytes, and the bytes into paper: one place for both, used by the worker."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from kiosk.catalog import Catalog
from kiosk.settings import Settings
from kiosk.store.models import Application, PrintJob
from printing.drivers import open_printer
from printing.errors import PrinterUriInvalid
from printing.receipt.content import receipt_content
from printing.receipt.escpos_out import receipt_bytes
from printing.receipt.layout import receipt_blocks
from printing.receipt.model import printer_model
from printing.records import find_application
from printing.uri import parse_printer_uri


def receipt_for(app: Application, settings: Settings, catalog: Catalog | None, payload: dict[str, Any]) -> bytes:
    model = printer_model(str(payload.get("profile") or settings.printer_profile),
                          int(payload.get("paper_mm") or settings.receipt_paper_mm),
                          str(payload.get("two_byte_set") or "gb18030"))
    content = receipt_content(app, settings, catalog, lang=payload.get("lang"), reprint=bool(payload.get("reprint")))
    return receipt_bytes(receipt_blocks(content, model.columns), model)


def render_job(session: Session, settings: Settings, catalog: Catalog | None, job: PrintJob) -> bytes:
    app = find_application(session, job.application_id or "")
    payload = dict(job.payload or {})
    if job.kind == "receipt":
        return receipt_for(app, settings, catalog, payload)
    from printing.pdf.documents import build_document

    return build_document(job.kind, app, settings, catalog, lang=str(payload.get("lang") or settings.language),
                          missing=payload.get("missing"))


def send_job(kind: str, printer: str, data: bytes, payload: dict[str, Any], *, timeout: float = 5.0) -> None:
    address = parse_printer_uri(printer)
    if kind == "receipt":
        with open_printer(address, timeout=timeout) as driver:
            driver.ensure_ready()  # paper out, cover open, offline: raise before sending a byte
            driver.write(data)
        return
    if address.scheme != "cups":
        raise PrinterUriInvalid(printer, "A4 documents go to CUPS: use cups: or cups:QUEUE")
    from printing.pdf.cups import send_to_cups

    send_to_cups(data, address.target, title=f"onewindow-{kind}")
