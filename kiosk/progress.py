"""Answers to "where is my application?" from the local store, and what is still owed.

The kiosk answers a progress question offline from its own store first; the
platform (through `sync`) is asked only when the store does not know the
receipt number or knows less than the platform may.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from kiosk.lifecycle import LABELS, Status
from kiosk.receipt_numbers import parse_receipt_no
from kiosk.store import Store
from kiosk import outbox, print_jobs
from kiosk.store.models import Application


@dataclass(frozen=True)
class ProgressAnswer:
    receipt_no: str
    service_item: str
    status: Status
    submitted_at: datetime | None
    promised_date: date | None
    status_note: str | None
    source: str  # "local" or "platform"

    @property
    def label(self):  # noqa: ANN201 - a Message
        return LABELS[self.status]


def find_by_receipt(store: Store, text: str) -> ProgressAnswer | None:
    """Raises `InvalidReceiptNo` for a mistyped number (checked before any look-up)."""
    receipt = str(parse_receipt_no(text))
    with store.transaction() as session:
        app = session.scalar(select(Application).where(Application.receipt_no == receipt))
        if app is None:
            return None
        return ProgressAnswer(receipt, app.service_item_code, Status(app.status), app.submitted_at,
                              app.promised_date, app.status_note, "local")


@dataclass(frozen=True)
class PendingCounts:
    outbox: int
    print_jobs: int


def pending_counts(store: Store) -> PendingCounts:
    with store.transaction() as session:
        return PendingCounts(outbox.owed_count(session), print_jobs.owed_count(session))
