"""Application documents for simulated terminals, built with the domain's own builder.

The bytes are made before the clock starts (noise PNGs, so nothing compresses and no
two files are alike); the documents are built once a terminal knows the device number
its enrollment gave it, because the receipt number carries that number.
"""
from __future__ import annotations

import hashlib
import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from kiosk.application_document import build_document
from kiosk.catalog import Catalog, ServiceItem, read_catalog_file, demo_catalog_path
from kiosk.receipt_numbers import ReceiptNo
from kiosk.submission import ApplicationDraft
from sync.demo_data import make_draft


@dataclass(frozen=True)
class Draft:
    item: ServiceItem
    draft: ApplicationDraft


@dataclass(frozen=True)
class PreparedApp:
    """One application as a terminal pushes it, with the bytes of each of its files."""

    id: str
    document: dict[str, Any]
    files: dict[str, bytes]  # sha256 -> bytes

    @property
    def payload_bytes(self) -> int:
        return sum(len(b) for b in self.files.values())


def demo_catalog() -> Catalog:
    return read_catalog_file(demo_catalog_path())


def make_drafts(catalog: Catalog, count: int, pages: int, page_kb: int, seed: int) -> list[Draft]:
    """What citizens entered (as `onewindow demo-data` makes it), one service item after another."""
    rng = random.Random(seed)
    items = [i for i in catalog.items if i.materials]
    return [Draft(items[n % len(items)], make_draft(items[n % len(items)], pages, page_kb, rng)) for n in range(count)]


def build_app(catalog: Catalog, draft: Draft, hall_code: str, device_no: int, sequence: int,
              day: date) -> PreparedApp:
    files = {code: [(hashlib.sha256(f.data).hexdigest(), f) for f in fs] for code, fs in draft.draft.materials.items()}
    app_id = str(uuid.uuid4())
    doc = build_document(application_id=app_id, hall_code=hall_code, device_no=device_no,
                         receipt_no=str(ReceiptNo(hall_code, device_no, day, sequence)), channel="kiosk",
                         submitted_at=datetime.now(timezone.utc), promised_date=None, item=draft.item,
                         catalog_version=catalog.version, applicant=draft.draft.applicant, form=draft.draft.form,
                         files=files)
    blobs = {sha: f.data for pairs in files.values() for sha, f in pairs}
    return PreparedApp(app_id, doc.wire(), blobs)
