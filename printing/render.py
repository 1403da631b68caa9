"""Turning a queued job into bytes, and the bytes into paper: one place for both, used by the worker."""
from __future__ import annotations

import time
from pathlib import Path
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
    if address.scheme == "file":
        save_document(Path(address.target), kind, data, payload)
        return
    if address.scheme != "cups":
        raise PrinterUriInvalid(printer, "A4 documents go to CUPS (cups: or cups:QUEUE) or into a folder (file:/dir)")
    from printing.pdf.cups import send_to_cups

    send_to_cups(data, address.target, title=f"onewindow-{kind}")


def save_document(target: Path, kind: str, data: bytes, payload: dict[str, Any]) -> Path:
    """`file:/dir` keeps each A4 document as a PDF in that folder (a hall without CUPS, or an archive)."""
    from kiosk.fsutil import write_atomic

    if target.is_dir():
        stamp = time.strftime("%Y%m%d-%H%M%S")
        name = f"{kind}-{payload.get('receipt_no') or payload.get('application_id') or 'document'}-{stamp}.pdf"
        target = target / name.replace("/", "_")
    if not target.parent.is_dir():  # a mistyped folder must not be created silently
        raise PrinterUriInvalid(str(target), "the folder does not exist / 文件夹不存在")
    write_atomic(target, data, mode=0o640)
    return target
