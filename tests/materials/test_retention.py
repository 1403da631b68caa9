"""Retention: what the platform holds is forgotten locally; what it does not is kept."""
from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk import audit
from kiosk.cli import main
from kiosk.lifecycle import Status, move
from kiosk.materials.intake import MaterialFile
from kiosk.retention import purge
from kiosk.store.models import Application, Attachment, AuditEntry, OutboxItem, utcnow
from kiosk.submission import ApplicationDraft
from kiosk.terminal import Terminal
from tests.conftest import ID_CARD_ITEM
from tests.helpers.files import jpeg_bytes, pdf_bytes

FORM = {"renewal_reason": "expired", "old_card_expiry": "2026-10-24", "collection_method": "counter",
        "mailing_address": "浙江省杭州市西湖区文三路100号"}
SHARED = MaterialFile("hukou.pdf", pdf_bytes(2), "application/pdf", 2)


def _submit(terminal: Terminal, seed: int, name: str = "张三") -> str:
    own = MaterialFile("id.jpg", jpeg_bytes(64, 40, seed=seed), "image/jpeg", 1)
    draft = ApplicationDraft(service_item=ID_CARD_ITEM,
                             applicant={"name": name, "id_type": "resident", "id_number": "11010519491231002X",
                                        "phone": "13800138000"},
                             form=dict(FORM), materials={"id_card": [own], "household_register": [SHARED]})
    return terminal.submit(draft, channel="kiosk", actor="kiosk:device1").id


def _confirm(terminal: Terminal, app_id: str, status: Status | None) -> None:
    """The platform received it (outbox sent) and, if given, moved it to `status`."""
    with terminal.store.transaction() as s:
        for row in s.scalars(select(OutboxItem).where(OutboxItem.ref_id == app_id)):
            row.state = "sent"
            row.sent_at = utcnow()
        app = s.get(Application, app_id)
        if status is not None:
            move(s, app, Status.ACCEPTED, actor="platform")
            move(s, app, status, actor="platform")


@pytest.fixture
def three(terminal: Terminal) -> dict[str, str]:
    apps = {"closed": _submit(terminal, 3), "open": _submit(terminal, 5), "unsent": _submit(terminal, 7)}
    _confirm(terminal, apps["closed"], Status.APPROVED)
    _confirm(terminal, apps["open"], None)
    # "unsent" is approved locally (e.g. at the counter) but the platform has not confirmed it
    with terminal.store.transaction() as s:
        app = s.get(Application, apps["unsent"])
        move(s, app, Status.ACCEPTED, actor="counter")
        move(s, app, Status.REJECTED, actor="counter")
    return apps


def _app(terminal: Terminal, app_id: str) -> Application:
    return next(a for a in terminal.applications() if a.id == app_id)


def test_dry_run_shows_and_changes_nothing(terminal: Terminal, three: dict[str, str]) -> None:
    files_before = terminal.attachments.stored_hashes()
    report = purge(terminal.store, terminal.attachments, dry_run=True)
    assert [i.application_id for i in report.items] == [three["closed"]]
    assert report.waiting_for_platform == 1
    item = report.items[0]
    assert item.reason == "closed" and len(item.delete_attachments) == 1 and len(item.keep_attachments) == 1
    assert terminal.attachments.stored_hashes() == files_before
    assert _app(terminal, three["closed"]).applicant_name == "张三"


def test_purge_of_a_closed_confirmed_case(terminal: Terminal, three: dict[str, str]) -> None:
    closed = _app(terminal, three["closed"])
    own_sha = closed.materials[0].files[0].attachment_sha256
    shared_sha = closed.materials[1].files[0].attachment_sha256

    report = purge(terminal.store, terminal.attachments)
    assert report.files_deleted == [own_sha]
    assert not terminal.attachments.exists(own_sha)
    assert terminal.attachments.exists(shared_sha)  # still used by two kept applications
    after = _app(terminal, three["closed"])
    assert (after.applicant_name, after.applicant_id_number, after.applicant_phone, after.form) == (None, None, None, {})
    assert after.personal_data_purged_at is not None
    assert after.receipt_no == closed.receipt_no and after.status == "approved" and after.submitted_at
    for other in ("open", "unsent"):
        assert _app(terminal, three[other]).applicant_id_number == "11010519491231002X"
    with terminal.store.transaction() as s:
        assert s.get(Attachment, own_sha).purged_at is not None
        assert s.get(Attachment, shared_sha).purged_at is None
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "personal_data_purged")).one()
        assert entry.subject == three["closed"] and entry.details["attachments_deleted"] == [own_sha]
        assert "张三" not in json.dumps(entry.details, ensure_ascii=False)
        assert audit.verify_chain(s) == []
    # A second run has nothing left to do.
    again = purge(terminal.store, terminal.attachments)
    assert again.items == [] and again.files_deleted == []


def test_age_purges_confirmed_open_cases_but_never_unsent_ones(terminal: Terminal, three: dict[str, str]) -> None:
    later = utcnow() + timedelta(days=terminal.settings.retention_days + 1)
    report = purge(terminal.store, terminal.attachments, now=later)
    reasons = {i.application_id: i.reason for i in report.items}
    assert reasons == {three["closed"]: "closed", three["open"]: "expired"}
    assert report.waiting_for_platform == 1
    unsent = _app(terminal, three["unsent"])
    assert unsent.applicant_name == "张三"
    for mf in (f for m in unsent.materials for f in m.files):
        assert terminal.attachments.get(mf.attachment_sha256)  # every file of the unsent case still reads


def test_files_left_by_a_crash_after_commit_are_deleted_next_time(terminal: Terminal, three: dict[str, str]) -> None:
    report = purge(terminal.store, terminal.attachments)
    sha = report.files_deleted[0]
    # Simulate a crash between the commit and the deletion: the file is back, the row says purged.
    closed_own = jpeg_bytes(64, 40, seed=3)
    assert terminal.attachments.put(closed_own) == sha
    assert purge(terminal.store, terminal.attachments).files_deleted == [sha]


def test_cli_dry_run_and_purge(terminal: Terminal, three: dict[str, str], home: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--home", str(home), "purge", "--dry-run", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["dry_run"] and [a["application_id"] for a in shown["applications"]] == [three["closed"]]
    assert _app(terminal, three["closed"]).applicant_name == "张三"
    assert main(["--home", str(home), "purge"]) == 0
    out = capsys.readouterr().out
    assert "已清除 1 份申请" in out and "purged personal data of 1 application" in out
    assert "wait for the platform" in out
    assert _app(terminal, three["closed"]).applicant_name is None
