"""Turning a queued job into bytes, and the bytes into paper: one place for both, used by the worker."""
from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from kiosk.catalog import Catalog
from kiosk.errors import Message
from kiosk.print_jobs import THERMAL_KINDS
from kiosk.settings import Settings
from kiosk.store.models import Application, PrintJob
from printing.drivers import open_printer
from printing.errors import PrintCancelled, PrinterSilent, PrinterUnreachable, PrinterUriInvalid, PrintInterrupted
from printing.pdf.facts import DocumentFacts, document_facts
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


def ticket_for(payload: dict[str, Any], settings: Settings) -> bytes:
    """A queue ticket's bytes: it belongs to no application, its payload holds what it prints."""
    from printing.ticket.content import ticket_content
    from printing.ticket.layout import ticket_blocks

    model = printer_model(str(payload.get("profile") or settings.printer_profile),
                          int(payload.get("paper_mm") or settings.receipt_paper_mm),
                          str(payload.get("two_byte_set") or "gb18030"))
    return receipt_bytes(ticket_blocks(ticket_content(payload, settings), model.columns, model.dots), model)


def prepare_job(session: Session, settings: Settings, catalog: Catalog | None, job: PrintJob) -> bytes | DocumentFacts:
    """Inside the claim's transaction: a receipt's or ticket's bytes (a few ms), or what an A4 document says.

    The document's layout (`render_document`, a hundred ms and more of pure
    Python) is left to the caller, to run after the transaction and, in a
    window process, in the worker process."""
    payload = dict(job.payload or {})
    if job.kind == "ticket":
        return ticket_for(payload, settings)
    app = find_application(session, job.application_id or "")
    if job.kind == "receipt":
        return receipt_for(app, settings, catalog, payload)
    return document_facts(job.kind, app, settings, catalog, lang=str(payload.get("lang") or settings.language),
                          missing=payload.get("missing"))


def render_job(session: Session, settings: Settings, catalog: Catalog | None, job: PrintJob) -> bytes:
    """A job's bytes, all of it here."""
    prepared = prepare_job(session, settings, catalog, job)
    return prepared if isinstance(prepared, bytes) else render_document(prepared, settings)


def prepare_receipt_fonts() -> None:
    """Which font draws which character: read from the fonts' cmaps once per process (`printing.fonts`), a
    third of a second of pure Python that the first receipt with a rare character in a name used to pay."""
    from printing.fonts import covers, hanazono_a, hanazono_b, main_font

    for font in (main_font(), hanazono_a(), hanazono_b()):
        covers(font, "一")


def prepare_document_fonts() -> None:
    """Where documents are laid out (this process or the worker process): load their CJK font ahead."""
    from printing.pdf.fonts import setup_fonts

    setup_fonts()


def render_document(facts: DocumentFacts, settings: Settings) -> bytes:
    """An A4 document's PDF from its facts (picklable and module-level: the worker process runs it)."""
    from printing.pdf.documents import render_document as render

    return render(facts, settings)


class Delivery(StrEnum):
    """What "printed" rests on for one job; kept in its audit row, because it is not always the printer's word."""

    #: the receipt printer answered "ready" after the job (DLE EOT): the only real confirmation
    CONFIRMED = "confirmed_by_printer"
    #: `file:`, `usb:` or a printer declared `status=none`: every byte was written to the device or
    #: file, and nothing can tell us more (a `file:` path that is a plain file holds the whole receipt)
    WRITTEN = "written_to_device"
    #: an A4 PDF kept in a folder (`file:/dir`)
    SAVED = "saved_to_folder"
    #: CUPS accepted the PDF (`lp` gave a request id); CUPS keeps its own queue and `lpstat` shows it
    SPOOLED = "submitted_to_spooler"


def _go_ahead(before_write: Callable[[], bool] | None) -> None:
    if before_write is not None and not before_write():
        raise PrintCancelled()


def send_job(kind: str, printer: str, data: bytes, payload: dict[str, Any], *, timeout: float = 5.0,
             before_write: Callable[[], bool] | None = None) -> Delivery:
    """Put one job on paper and say on what grounds it counts as printed.

    Receipts and queue tickets: the printer's status is read before the job (paper out, cover
    open, offline: `PrinterNotReady`, nothing sent) and again after it
    (`PrinterDriver.status_after_job`). A problem reported after the bytes is
    `PrintInterrupted` (retried whole, marked as a reprint); no answer after
    the bytes, on a transport that can carry one, is `PrinterSilent` (the job
    becomes "unconfirmed"). `before_write` is asked once, right before the
    first byte of the document goes out; False calls the attempt off
    (`PrintCancelled`, nothing sent).
    """
    address = parse_printer_uri(printer)
    if kind in THERMAL_KINDS:  # a receipt or a queue ticket: ESC/POS on the receipt printer
        with open_printer(address, timeout=timeout) as driver:
            before = driver.ensure_ready()  # paper out, cover open, offline: raise before sending a byte
            _go_ahead(before_write)
            try:
                driver.write(data)
            except PrinterUnreachable as exc:  # part of the receipt may be in the tray
                raise PrintInterrupted(address.uri, ("link_lost",),
                                       Message(f"连接中断（{exc.detail}）", f"the connection broke ({exc.detail})")) from None
            if not driver.supports_status:
                return Delivery.WRITTEN
            after = driver.status_after_job()
        if not after.known:
            raise PrinterSilent(address.uri, answered_before=before.known)
        if not after.ready:
            raise PrintInterrupted(address.uri, after.reasons, after.message())
        return Delivery.CONFIRMED
    if address.scheme == "file":
        _go_ahead(before_write)
        save_document(Path(address.target), kind, data, payload)
        return Delivery.SAVED
    if address.scheme != "cups":
        raise PrinterUriInvalid(printer, "A4 documents go to CUPS (cups: or cups:QUEUE) or into a folder (file:/dir)")
    from printing.pdf.cups import send_to_cups

    _go_ahead(before_write)
    send_to_cups(data, address.target, title=f"onewindow-{kind}")
    return Delivery.SPOOLED


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
