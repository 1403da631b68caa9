"""Fixtures for printing tests: a submitted application with a rare character in the name, a printer."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import select

from kiosk.materials.intake import MaterialFile
from kiosk.store.models import AuditEntry, PrintJob
from kiosk.submission import ApplicationDraft, SubmittedApplication
from kiosk.terminal import Terminal
from tests.conftest import ID_CARD_ITEM
from tests.helpers.files import jpeg_bytes, pdf_bytes
from tests.printing.printer_server import PrinterServer

RARE = "\U00020BB7"  # 𠮷: GB18030 has only a four-byte code for it
NAME = "张" + RARE


def submit_example(terminal: Terminal, name: str = NAME, with_optional: bool = True) -> SubmittedApplication:
    item = terminal.catalog.item(ID_CARD_ITEM)
    assert item is not None
    materials = {
        "id_card": [MaterialFile("id.jpg", jpeg_bytes(seed=3), "image/jpeg", 1)],
        "household_register": [MaterialFile("hukou.pdf", pdf_bytes(2), "application/pdf", 2)],
    }
    if with_optional:
        materials["photo_receipt"] = [MaterialFile("photo.jpg", jpeg_bytes(seed=5), "image/jpeg", 1)]
    draft = ApplicationDraft(
        service_item=ID_CARD_ITEM,
        applicant={"name": name, "id_type": "resident", "id_number": "11010519491231002X", "phone": "13800138000"},
        form={"renewal_reason": "expired", "old_card_expiry": "2004-01-01", "collection_method": "counter",
              "mailing_address": "浙江省杭州市西湖区文三路100号"},
        materials=materials,
    )
    return terminal.submit(draft, channel="kiosk", actor="kiosk:device1")



def job_row(terminal: Terminal, job_id: int) -> PrintJob:
    """The print job as stored now, detached from its session."""
    with terminal.store.transaction() as session:
        job = session.get(PrintJob, job_id)
        assert job is not None
        session.expunge(job)
        return job


def audit_entries(terminal: Terminal, action: str) -> list[AuditEntry]:
    with terminal.store.transaction() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


@pytest.fixture
def submitted(terminal: Terminal) -> SubmittedApplication:
    return submit_example(terminal)


@pytest.fixture
def printer() -> Iterator[PrinterServer]:
    server = PrinterServer()
    yield server
    server.stop()


def wait_until(condition: Callable[[], object], timeout: float = 10.0, what: str = "the condition") -> None:
    """Wait for something another thread does, checking every 20 ms; fail with `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def accept_case(terminal: Terminal, app_id: str) -> None:
    """Accept an application the way a counter does: every material with a file checked valid, then decided."""
    from kiosk import review
    from kiosk import staff as staff_accounts
    from kiosk.store.models import Application, Staff

    with terminal.store.transaction() as session:
        staff = session.query(Staff).filter_by(username="accept.clerk").one_or_none()
        if staff is None:
            staff = staff_accounts.add_staff(session, "accept.clerk", "accept-pass-1", "clerk", actor="test")
        app = session.get(Application, app_id)
        assert app is not None
        if app.status == "accepted":
            return
        for m in app.materials:
            if m.files:
                review.check_material(session, app, m.material_code, "valid", staff=staff)
        review.decide(session, app, "accepted", staff=staff)
