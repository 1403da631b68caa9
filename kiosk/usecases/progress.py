""""Where is my application?": the number is checked first, then the store, then the platform.

A mistyped number never reaches a look-up (its check character catches it).
The kiosk answers from its own store offline; when the platform answers, its
word is newer and wins.
"""
from __future__ import annotations

from kiosk import progress
from kiosk.errors import Message
from kiosk.lifecycle import LABELS, Status
from kiosk.receipt_numbers import parse_receipt_no
from kiosk.terminal import Terminal
from kiosk.usecases.views import LookupResult


def _label(status: str) -> Message:
    try:
        return LABELS[Status(status)]
    except ValueError:
        return Message(status, status)


def look_up_progress(t: Terminal, text: str, *, online: bool = True) -> LookupResult:
    """Raises `InvalidReceiptNo` (a `UserFacingError`) for a mistyped number."""
    number = str(parse_receipt_no(text))
    local = progress.find_by_receipt(t.store, number)
    promised = local.promised_date.isoformat() if local is not None and local.promised_date else None
    answer = t.sync.look_up(number) if online and t.sync is not None else None
    if answer is not None and answer.found and answer.status:
        return LookupResult(number, True, _label(answer.status), answer.status_note, promised, "platform",
                            answer.note)
    note = answer.note if answer is not None else None
    if local is None:
        return LookupResult(number, False, None, None, None, "local", note)
    return LookupResult(number, True, local.label, local.status_note, promised, "local", note)
