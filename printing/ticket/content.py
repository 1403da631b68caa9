"""What a queue ticket says, in plain values: from the print job's payload, or from a ticket just issued.

The payload is written by `kiosk.usecases.ticket_print` when the ticket is
issued, so a job that waited for paper prints exactly what the citizen was
shown, and nothing on it needs the hub (or any personal data).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.errors import Message
from kiosk.queue.model import PRIORITY_LABELS, Priority
from kiosk.settings import Settings
from printing.errors import PrintingError


class TicketPayloadInvalid(PrintingError):
    """A ticket job whose payload cannot be printed: a defect, and the same bytes would fail again."""

    resultcode = 12

    def __init__(self, detail: str) -> None:
        super().__init__(Message(f"号票打印任务内容不完整（{detail}）。", f"The ticket print job is incomplete ({detail})."),
                         code="ticket_payload")


@dataclass(frozen=True)
class TicketContent:
    hall_zh: str
    hall_en: str
    number: str
    category: str  # the line's letter
    category_zh: str
    category_en: str
    priority: Priority
    people_ahead: int
    wait_minutes: int
    issued_at: datetime  # local time
    status_url: str  # what the QR code holds: the ticket's own page on the hub
    offline: bool = False
    lang: str = "zh"
    reprint: bool = False  # printed again (by staff, or whole after an interruption): the title says 补打

    @property
    def priority_label(self) -> Message:
        return PRIORITY_LABELS[self.priority]


def ticket_content(payload: dict[str, Any], settings: Settings) -> TicketContent:
    """The ticket a job's payload describes (`kiosk.print_jobs.enqueue_ticket`), with this hall's name."""
    ticket = payload.get("ticket")
    if not isinstance(ticket, dict):
        raise TicketPayloadInvalid("no ticket")
    try:
        issued = datetime.fromisoformat(str(ticket["issued_at"]))
        return TicketContent(
            hall_zh=settings.hall_name_zh, hall_en=settings.hall_name_en,
            number=str(ticket["number"]), category=str(ticket["category"]),
            category_zh=str(ticket.get("category_zh") or ticket["category"]),
            category_en=str(ticket.get("category_en") or ticket["category"]),
            priority=Priority(ticket["priority"]), people_ahead=max(0, int(ticket["people_ahead"])),
            wait_minutes=max(0, int(ticket["wait_minutes"])),
            issued_at=issued.astimezone() if issued.tzinfo else issued,
            status_url=str(ticket.get("status_url") or ""), offline=bool(ticket.get("offline")),
            lang=str(payload.get("lang") or settings.language), reprint=bool(payload.get("reprint")))
    except (KeyError, ValueError, TypeError) as exc:
        raise TicketPayloadInvalid(str(exc) or type(exc).__name__) from None
