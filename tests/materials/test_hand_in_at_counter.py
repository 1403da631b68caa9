"""A material the citizen hands in at the counter: checked, stored, sent, shown to staff and printed."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kiosk import staff as accounts
from kiosk.application_document import ApplicationDocument
from kiosk.errors import ValidationFailed
from kiosk.materials.intake import MaterialFile
from kiosk.store.models import Application, ApplicationMaterial, OutboxItem
from kiosk.submission import ApplicationDraft
from kiosk.terminal import Terminal
from kiosk.usecases.cases import case_detail
from printing.receipt.content import receipt_content
from printing.receipt.escpos_out import receipt_bytes
from printing.receipt.layout import receipt_blocks
from printing.receipt.model import printer_model
from printing.records import find_application
from sync.server.cases import list_cases
from tests.conftest import ID_CARD_ITEM
from tests.helpers.files import jpeg_bytes
from tests.printing.escpos_decoder import decode
from tests.sync.conftest import engine_for, enroll, make_terminal
from tests.sync.servers import PlatformServer

APPLICANT = {"name": "王秀英", "id_type": "resident", "id_number": "11010519491231002X", "phone": "13800138000"}
FORM = {"renewal_reason": "expired", "old_card_expiry": "2004-01-01", "collection_method": "counter"}


def draft(**changes: object) -> ApplicationDraft:
    base = ApplicationDraft(service_item=ID_CARD_ITEM, applicant=dict(APPLICANT), form=dict(FORM),
                            materials={"id_card": [MaterialFile("id.jpg", jpeg_bytes(seed=3), "image/jpeg", 1)]},
                            at_counter=["household_register"])
    for key, value in changes.items():
        setattr(base, key, value)
    return base


def count(terminal: Terminal, model: type) -> int:
    with terminal.store.transaction() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_a_required_material_handed_in_at_the_counter_does_not_block_submission(terminal: Terminal) -> None:
    submitted = terminal.submit(draft(), channel="kiosk", actor="kiosk:1")
    with terminal.store.transaction() as s:
        app = s.get(Application, submitted.id)
        states = {m.material_code: (m.at_counter, len(m.files)) for m in app.materials}
        payload = s.scalars(select(OutboxItem)).one().payload
    assert states == {"id_card": (False, 1), "household_register": (True, 0), "photo_receipt": (False, 0)}
    document = ApplicationDocument.model_validate(payload)
    assert document.problems() == []
    details = {d.code: d for d in document.materials_detail}
    assert details["household_register"].at_counter and details["household_register"].required
    assert not details["id_card"].at_counter
    # written only where it is true: a document with no hand-in is what it was before the field existed
    raw = {d["code"]: d for d in payload["materials_detail"]}
    assert raw["household_register"]["at_counter"] is True and "at_counter" not in raw["id_card"]


def test_without_the_mark_the_missing_material_still_blocks(terminal: Terminal) -> None:
    with pytest.raises(ValidationFailed) as failed:
        terminal.submit(draft(at_counter=[]), channel="kiosk", actor="kiosk:1")
    assert [p.field for p in failed.value.problems] == ["materials.household_register"]
    assert count(terminal, Application) == 0


def test_bad_marks_are_explained_and_store_nothing(terminal: Terminal) -> None:
    both = draft(at_counter=["household_register", "id_card", "no_such_material"])
    with pytest.raises(ValidationFailed) as failed:
        terminal.submit(both, channel="kiosk", actor="kiosk:1")
    problems = {p.field: p.message for p in failed.value.problems}
    assert set(problems) == {"at_counter.no_such_material", "materials.id_card"}
    assert "不能同时标为到窗口提交" in problems["materials.id_card"].zh
    assert "cannot also be handed in at the counter" in problems["materials.id_card"].en
    assert "no_such_material" in problems["at_counter.no_such_material"].en
    assert count(terminal, Application) == count(terminal, OutboxItem) == 0


def test_old_documents_still_parse_and_a_contradictory_one_is_inconsistent(terminal: Terminal) -> None:
    terminal.submit(draft(), channel="kiosk", actor="kiosk:1")
    with terminal.store.transaction() as s:
        payload = s.scalars(select(OutboxItem)).one().payload
    old = json.loads(json.dumps(payload))
    for detail in old["materials_detail"]:
        detail.pop("at_counter", None)
    parsed = ApplicationDocument.model_validate(old)
    assert parsed.problems() == [] and not any(d.at_counter for d in parsed.materials_detail)
    assert parsed.wire() == old  # and written back byte for byte as it came
    contradictory = json.loads(json.dumps(payload))
    contradictory["materials_detail"][0]["at_counter"] = True  # id_card has a file
    assert any("both attached and to be handed in" in p
               for p in ApplicationDocument.model_validate(contradictory).problems())


def test_the_counter_review_sees_the_mark(terminal: Terminal) -> None:
    submitted = terminal.submit(draft(), channel="kiosk", actor="kiosk:1")
    with terminal.store.transaction() as s:
        clerk = accounts.add_staff(s, "clerk1", "password-1", "clerk", actor="t")
        clerk_id = clerk.id
    detail = case_detail(terminal, clerk_id, submitted.id)
    assert detail.material("household_register").at_counter and not detail.material("household_register").files
    assert not detail.material("id_card").at_counter


def _receipt(terminal: Terminal, receipt_no: str, lang: str = "zh") -> bytes:
    with terminal.store.transaction() as session:
        content = receipt_content(find_application(session, receipt_no), terminal.settings, terminal.catalog,
                                  lang=lang)
    model = printer_model("default", 80, "gb18030")
    return receipt_bytes(receipt_blocks(content, model.columns), model)


def test_the_receipt_says_what_to_hand_in_at_the_counter(terminal: Terminal) -> None:
    submitted = terminal.submit(draft(), channel="kiosk", actor="kiosk:1")
    data = _receipt(terminal, submitted.receipt_no)
    assert "需到窗口提交：居民户口簿".encode("gb18030") in data
    assert "需到窗口提交：居民户口簿" in decode(data).text
    english = decode(_receipt(terminal, submitted.receipt_no, lang="en")).text
    assert "To hand in at the counter: Household Register" in english
    # nothing handed in: no such line
    other = terminal.submit(draft(materials={"id_card": [MaterialFile("id.jpg", jpeg_bytes(seed=4), "image/jpeg", 1)],
                                             "household_register": [MaterialFile("h.jpg", jpeg_bytes(seed=5),
                                                                                 "image/jpeg", 1)]},
                                  at_counter=[]), channel="kiosk", actor="kiosk:1")
    assert "需到窗口提交".encode("gb18030") not in _receipt(terminal, other.receipt_no)


@pytest.fixture
def sqlite_platform(tmp_path: Path) -> Iterator[PlatformServer]:
    server = PlatformServer(tmp_path / "platform")
    yield server
    server.stop()


def test_the_mark_reaches_the_platform(tmp_path: Path, sqlite_platform: PlatformServer) -> None:
    terminal = make_terminal(tmp_path / "t1")
    submitted = terminal.submit(draft(), channel="kiosk", actor="kiosk:1")
    credential = enroll(terminal, sqlite_platform)
    report = engine_for(terminal, credential).run_pass()
    assert report.online and report.errors == [] and report.sent == 1
    (case,) = list_cases(sqlite_platform.store)
    assert case["id"] == submitted.id and case["complete"] and case["at_counter"] == ["household_register"]
    with sqlite_platform.store.transaction() as s:
        from sync.server.models import Case

        stored = s.scalars(select(Case)).one().document
    assert ApplicationDocument.model_validate(stored).problems() == []
    assert {d["code"]: d.get("at_counter", False) for d in stored["materials_detail"]} == {
        "id_card": False, "household_register": True, "photo_receipt": False}
    with terminal.store.transaction() as s:
        assert s.scalar(select(ApplicationMaterial.at_counter)
                        .where(ApplicationMaterial.material_code == "household_register")) is True


def test_a_draft_keeps_what_the_citizen_will_hand_in_at_the_counter(tmp_path):
    from kiosk.drafts import DraftSnapshot, load_draft, new_draft_id, save_draft
    from kiosk.demo import APPLICANT
    from kiosk.settings import load_settings
    from kiosk.terminal import Terminal

    terminal = Terminal.open(load_settings(tmp_path / "home", device_no=1), parts=False)
    try:
        draft_id = new_draft_id()
        snapshot = DraftSnapshot(draft_id=draft_id, service_item="330106000173002001", catalog_version="v",
                                 applicant=dict(APPLICANT), at_counter=frozenset({"household_register"}))
        save_draft(terminal.store, terminal.attachments, snapshot)
        loaded = load_draft(terminal.store, terminal.attachments, draft_id)
        assert loaded is not None and loaded.at_counter == ["household_register"]
        assert "household_register" not in loaded.materials
    finally:
        terminal.close()
