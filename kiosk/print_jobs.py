"""Print jobs as the domain sees them: rows owed to a printer, and what became of them.

A receipt or notice is a `PrintJob` row written in the same transaction as
the decision or submission it belongs to, so a printer that is out of paper
or offline never loses one and never blocks the citizen. The `printing`
package renders and sends the bytes (`printing.queue`, `printing.worker`);
this module only adds rows and names their states, so the application layer
can enqueue without importing the layer above it.

    pending --(worker or "print now")--> printing --> printed
       ^                                    |     \\-> unconfirmed (the printer took the bytes but
       +---- retry with backoff ------------+          never answered the status query: staff
                                            \\-> failed   confirm it or reprint, never silently)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.errors import Message
from kiosk.notices import require_notice_allowed
from kiosk.store.models import Application, PrintJob


class PrintState(StrEnum):
    PENDING = "pending"
    PRINTING = "printing"
    PRINTED = "printed"
    UNCONFIRMED = "unconfirmed"
    FAILED = "failed"


class PrintKind(StrEnum):
    RECEIPT = "receipt"
    FORM = "form"
    ACCEPTANCE = "acceptance"
    SUPPLEMENT = "supplement"
    RECEIPT_COPY = "receipt_copy"
    TICKET = "ticket"  # a queue ticket from the hall's ticket machine (`kiosk.usecases.ticket_print`)


#: jobs printed on the thermal receipt printer in ESC/POS (the rest are A4 PDFs)
THERMAL_KINDS = (PrintKind.RECEIPT, PrintKind.TICKET)
DOCUMENT_KINDS = (PrintKind.FORM, PrintKind.ACCEPTANCE, PrintKind.SUPPLEMENT, PrintKind.RECEIPT_COPY)
#: payload key: the attempt whose bytes went (or may have gone) out to the printer
SENT_ATTEMPT = "sent_attempt"
#: jobs still owed to a printer (waiting or being sent)
OWED = (PrintState.PENDING, PrintState.PRINTING)
#: jobs a person must look at
NEEDS_STAFF = (PrintState.UNCONFIRMED, PrintState.FAILED)

STATE_LABELS: dict[PrintState, Message] = {
    PrintState.PENDING: Message("待打印", "waiting for the printer"),
    PrintState.PRINTING: Message("打印中", "printing"),
    PrintState.PRINTED: Message("已打印", "printed"),
    PrintState.UNCONFIRMED: Message("待确认", "unconfirmed"),
    PrintState.FAILED: Message("打印失败", "failed"),
}


def enqueue_receipt(session: Session, application_id: str, *, printer: str, lang: str = "zh", paper_mm: int = 80,
                    profile: str = "default", two_byte_set: str = "gb18030", reprint: bool | None = None,
                    actor: str = "system") -> PrintJob:
    """Add a receipt job; safe to call inside the transaction that submits the application."""
    if reprint is None:
        reprint = session.scalar(select(PrintJob.id).where(
            PrintJob.application_id == application_id, PrintJob.kind == PrintKind.RECEIPT.value).limit(1)) is not None
    job = PrintJob(kind=PrintKind.RECEIPT.value, application_id=application_id, printer=printer,
                   state=PrintState.PENDING.value, attempts=0,
                   payload={"lang": lang, "paper_mm": paper_mm, "profile": profile, "two_byte_set": two_byte_set,
                            "reprint": bool(reprint), "requested_by": actor})
    session.add(job)
    session.flush()
    return job


def enqueue_ticket(session: Session, ticket: dict[str, Any], *, printer: str, lang: str = "zh", paper_mm: int = 80,
                   profile: str = "default", two_byte_set: str = "gb18030", actor: str = "system") -> PrintJob:
    """Add a queue ticket job. A ticket belongs to no application: the payload holds everything it prints
    (number, line, priority, people ahead, wait, time issued, status address), none of it personal."""
    job = PrintJob(kind=PrintKind.TICKET.value, application_id=None, printer=printer,
                   state=PrintState.PENDING.value, attempts=0,
                   payload={"lang": lang, "paper_mm": paper_mm, "profile": profile, "two_byte_set": two_byte_set,
                            "reprint": False, "requested_by": actor, "ticket": dict(ticket)})
    session.add(job)
    session.flush()
    return job


def enqueue_document(session: Session, application_id: str, kind: PrintKind | str, *, printer: str = "cups:",
                     lang: str = "zh", missing: list[dict[str, str]] | None = None, actor: str = "system",
                     details: dict[str, Any] | None = None) -> PrintJob:
    """Add an A4 document job; `missing` names the materials of a supplement notice."""
    kind = PrintKind(kind)
    if kind not in DOCUMENT_KINDS:
        raise ValueError(kind)
    app = session.get(Application, application_id)
    if app is not None:
        require_notice_allowed(app, kind.value)  # never an acceptance notice for a case not accepted
    payload: dict[str, Any] = {"lang": lang, "requested_by": actor, **(details or {})}
    if missing is not None:
        payload["missing"] = missing
    job = PrintJob(kind=kind.value, application_id=application_id, printer=printer, state=PrintState.PENDING.value,
                   attempts=0, payload=payload)
    session.add(job)
    session.flush()
    return job


@dataclass(frozen=True)
class PrintOutcome:
    """What one attempt at a job came to, in words the screen can show."""

    job_id: int
    kind: str
    application_id: str | None
    receipt_no: str | None
    state: PrintState
    error: Message | None = None
    error_code: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def printed(self) -> bool:
        return self.state == PrintState.PRINTED

    def message(self) -> Message:
        if self.kind == PrintKind.TICKET:
            return self._ticket_message()
        if self.state == PrintState.PRINTED:
            if self.kind == PrintKind.RECEIPT:
                return Message("回执已打印，请取走。", "Your receipt has been printed; please take it.")
            return Message("通知书已打印，请取走。", "The notice has been printed; please take it.")
        if self.state == PrintState.PENDING:
            if self.kind != PrintKind.RECEIPT:
                return Message("通知书暂时无法打印，已留在打印队列中，打印机恢复后自动打印。",
                               "The notice cannot print right now; it stays in the print queue and prints by itself "
                               "when the printer is back.")
            return Message(f"打印机暂时无法打印；如几分钟内恢复，回执会自动打印。您的回执编号是 {self.receipt_no}，"
                           "请记下或扫描屏幕上的二维码，需要纸质回执可到窗口补打。",
                           f"The printer cannot print right now; if it is back within a few minutes, the receipt "
                           f"will print by itself. Your receipt number is {self.receipt_no}: note it or scan the QR "
                           "code on the screen; a counter can print the receipt for you later.")
        if self.state == PrintState.UNCONFIRMED:
            return Message("打印机没有确认是否打印成功，请查看出纸口；如未打印，请工作人员补打。",
                           "The printer did not confirm that it printed; please check the paper slot. If nothing "
                           "came out, the staff will reprint it.")
        return self.error or Message("打印失败，请联系工作人员。", "Printing failed; please ask the staff.")

    def _ticket_message(self) -> Message:
        """A queue ticket: the number is issued whatever the printer does, so the words say how to keep it."""
        number = str(self.details.get("number") or "")
        if self.state == PrintState.PRINTED:
            return Message("号票已打印，请取走。", "Your ticket has been printed; please take it.")
        if self.state == PrintState.PRINTING:
            return Message("正在打印号票，请稍候。", "Your ticket is printing; please wait a moment.")
        if self.state == PrintState.UNCONFIRMED:
            return Message(f"请查看出纸口有没有号票；如果没有，请记住您的号码 {number}。",
                           f"Please check the paper slot for your ticket; if there is none, remember your number "
                           f"{number}.")
        return ticket_not_printed(number)


def ticket_not_printed(number: str) -> Message:
    """The printer could not print a queue ticket: the number stands, and the citizen is told to keep it."""
    return Message(f"号票打印不出来，但您的号码已经取好了，不会丢失。请记住您的号码 {number}。",
                   f"The ticket could not be printed, but your number is taken and will not be lost. Please "
                   f"remember your number {number}.")


def owed_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(PrintJob)
                              .where(PrintJob.state.in_(OWED))) or 0)


def needs_staff_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(PrintJob)
                              .where(PrintJob.state.in_(NEEDS_STAFF))) or 0)
