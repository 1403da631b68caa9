"""Printing what a citizen takes home: the receipt after submitting, the notice after a decision.

A print job is a row first (`kiosk.print_jobs`), so a printer that is out of
paper or offline never loses one and never blocks a submission or a
decision; the printing part makes one attempt now while the person waits,
and its background worker retries the rest by itself.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from kiosk.errors import Message, UserFacingError
from kiosk.print_jobs import PrintKind, PrintState, enqueue_document, enqueue_receipt
from kiosk.staff import Permission, actor_of
from kiosk.store.models import Application
from kiosk.terminal import Terminal
from kiosk.usecases.drafts import kiosk_actor
from kiosk.usecases.staff import current_staff
from kiosk.usecases.views import PrintResult

NO_PRINTER = Message("本机未连接回执打印机。请记下屏幕上的回执编号，或用手机扫描二维码。",
                     "No receipt printer is set up here. Please note the receipt number on the screen or scan the "
                     "QR code.")
CANNOT_PRINT = Message("本机不能打印。", "This terminal cannot print.")
NOT_FOUND = Message("找不到这份申请。", "This application cannot be found.")


def attempt(t: Terminal, job_id: int, actor: str) -> PrintResult:
    """One attempt now; whatever happens, the job is in the queue until it has printed."""
    if t.printing is None:
        return PrintResult(False, CANNOT_PRINT, PrintState.PENDING, job_id)
    outcome = t.printing.print_now(job_id, actor=actor)
    if outcome is None:  # taken by the background worker meanwhile, or already done
        return PrintResult(False, Message("正在打印，请稍候。", "Printing; please wait a moment."), None, job_id)
    if not outcome.printed:
        t.printing.poke()
    return PrintResult(outcome.printed, outcome.message(), outcome.state, job_id)


def print_receipt(t: Terminal, application_id: str, lang: str) -> PrintResult:
    settings = t.settings
    if not settings.printer or t.printing is None:
        return PrintResult(False, NO_PRINTER)
    actor = kiosk_actor(t)
    with t.store.transaction() as session:
        job_id = enqueue_receipt(session, application_id, printer=settings.printer, lang=lang,
                                 paper_mm=settings.receipt_paper_mm, profile=settings.printer_profile,
                                 actor=actor).id
    return attempt(t, job_id, actor)


def queue_notice(session: Session, t: Terminal, application_id: str, kind: PrintKind, lang: str,
                 missing: list[dict[str, str]] | None, actor: str) -> int | None:
    """Inside the caller's transaction (the decision's): the notice is owed from the moment it is decided."""
    if t.printing is None:
        return None
    app = session.get(Application, application_id)
    return enqueue_document(session, application_id, kind, printer=t.settings.document_printer, lang=lang,
                            missing=missing, actor=actor,
                            details={"application_id": application_id,
                                     "receipt_no": app.receipt_no if app else None}).id


def prepare_notices(t: Terminal) -> None:
    """Blocking (a job): the notices' font loaded where they are laid out, before the clerk's first decision
    waits for it (about a second the first time)."""
    if t.printing is not None:
        t.printing.prepare_documents()


def prepare_receipts(t: Terminal) -> None:
    """Blocking (a job at a window's start): which font draws a rare character in a name, read before the first
    such receipt waits for it (a third of a second the first time)."""
    if t.printing is not None and t.settings.printer:
        t.printing.prepare_receipts()


def reprint(t: Terminal, staff_id: int, application_id: str, kind: PrintKind | str, *,
            lang: str = "zh") -> PrintResult:
    kind = PrintKind(kind)
    with t.store.transaction() as session:
        staff = current_staff(session, staff_id, Permission.REVIEW)
        app = session.get(Application, application_id)
        if app is None or app.hall_code != t.settings.hall_code:
            raise UserFacingError(NOT_FOUND, code="no_application")
        actor = actor_of(staff)
        if kind == PrintKind.RECEIPT:
            if not t.settings.printer or t.printing is None:
                return PrintResult(False, NO_PRINTER)
            job_id: int | None = enqueue_receipt(session, application_id, printer=t.settings.printer, lang=lang,
                                                 paper_mm=t.settings.receipt_paper_mm,
                                                 profile=t.settings.printer_profile, reprint=True, actor=actor).id
        else:
            job_id = queue_notice(session, t, application_id, kind, lang, None, actor)
    if job_id is None:
        return PrintResult(False, CANNOT_PRINT)
    return attempt(t, job_id, actor)
