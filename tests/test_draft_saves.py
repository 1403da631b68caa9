"""Saving a draft as the citizen goes: a repeat costs (almost) nothing, and every change still reaches the store."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import OperationalError

from kiosk import drafts as draft_store
from kiosk.demo import APPLICANT
from kiosk.drafts import DraftSnapshot, load_draft, new_draft_id, save_draft
from kiosk.lifecycle import Status
from kiosk.materials.intake import MaterialFile
from kiosk.store.models import Application, ApplicationMaterial, MaterialFile as MaterialFileRow
from kiosk.terminal import Terminal
from kiosk.usecases import drafts as draft_cases
from tests.conftest import ID_CARD_ITEM


def snapshot(**changes: Any) -> DraftSnapshot:
    values: dict[str, Any] = dict(
        draft_id=new_draft_id(), service_item=ID_CARD_ITEM, catalog_version="v", applicant=dict(APPLICANT),
        form={"reason": "到期换领"},
        materials={"id_card": [MaterialFile("front.jpg", b"front " * 1000, "image/jpeg", 1),
                               MaterialFile("back.jpg", b"back " * 1000, "image/jpeg", 1)],
                   "photo_receipt": [MaterialFile("receipt.pdf", b"%PDF receipt", "application/pdf", 1)]})
    values.update(changes)
    return DraftSnapshot(**values)


@contextmanager
def writes(terminal: Terminal) -> Iterator[list[str]]:
    """The statements that change rows, as the store runs them."""
    seen: list[str] = []

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            seen.append(statement)

    event.listen(terminal.store.engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        event.remove(terminal.store.engine, "before_cursor_execute", on_execute)


@pytest.fixture
def puts(terminal: Terminal, monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    stored: list[bytes] = []
    real = terminal.attachments.put

    def counting(data: bytes) -> str:
        stored.append(data)
        return real(data)

    monkeypatch.setattr(terminal.attachments, "put", counting)
    return stored


def material_ids(terminal: Terminal, draft_id: str) -> list[int]:
    with terminal.store.read() as s:
        return list(s.scalars(select(ApplicationMaterial.id).where(ApplicationMaterial.application_id == draft_id)
                              .order_by(ApplicationMaterial.position)))


def updated_at(terminal: Terminal, draft_id: str) -> Any:
    with terminal.store.read() as s:
        return s.scalar(select(Application.updated_at).where(Application.id == draft_id))


def test_a_repeated_save_of_the_same_screen_writes_and_hashes_nothing(terminal: Terminal, puts: list[bytes]) -> None:
    snap = snapshot()
    save_draft(terminal.store, terminal.attachments, snap)
    assert len(puts) == 3
    first = updated_at(terminal, snap.draft_id)
    again = snapshot(draft_id=snap.draft_id, applicant=dict(snap.applicant), form=dict(snap.form),
                     materials={code: list(files) for code, files in snap.materials.items()})
    with writes(terminal) as seen:
        save_draft(terminal.store, terminal.attachments, again)
    assert seen == [] and len(puts) == 3
    assert updated_at(terminal, snap.draft_id) == first


def test_typing_alone_leaves_the_material_rows_and_files_alone(terminal: Terminal, puts: list[bytes]) -> None:
    snap = snapshot()
    save_draft(terminal.store, terminal.attachments, snap)
    ids = material_ids(terminal, snap.draft_id)
    snap.applicant["phone"] = "13900139000"
    snap.form["reason"] = "损坏换领"
    with writes(terminal) as seen:
        save_draft(terminal.store, terminal.attachments, snap)
    assert [s.split()[0:3] for s in seen] == [["UPDATE", "applications", "SET"]]
    assert material_ids(terminal, snap.draft_id) == ids and len(puts) == 3
    loaded = load_draft(terminal.store, terminal.attachments, snap.draft_id)
    assert loaded is not None
    assert loaded.applicant["phone"] == "13900139000" and loaded.form == {"reason": "损坏换领"}


@pytest.mark.parametrize("change", ["file_replaced", "file_renamed", "file_added", "field_cleared",
                                    "form_value_cleared", "form_changed_in_place", "moved_to_counter",
                                    "material_removed", "item_changed"])
def test_every_change_of_the_screen_reaches_the_draft(terminal: Terminal, change: str) -> None:
    snap = snapshot(form={"reason": "到期换领", "address": {"city": "杭州"}})
    save_draft(terminal.store, terminal.attachments, snap)
    materials = snap.materials
    if change == "file_replaced":
        materials["id_card"][1] = MaterialFile("back.jpg", b"a better scan of the back", "image/jpeg", 1)
    elif change == "file_renamed":
        materials["id_card"][0] = MaterialFile("front-1.jpg", materials["id_card"][0].data, "image/jpeg", 1)
    elif change == "file_added":
        materials["id_card"].append(MaterialFile("third.jpg", b"a third page", "image/jpeg", 1))
    elif change == "field_cleared":
        snap.applicant["phone"] = ""
    elif change == "form_value_cleared":
        snap.form["reason"] = None
    elif change == "form_changed_in_place":
        snap.form["address"]["city"] = "宁波"  # the screen's own dict, changed where it lies
    elif change == "moved_to_counter":
        del materials["photo_receipt"]
        snap.at_counter = frozenset({"photo_receipt"})
    elif change == "material_removed":
        del materials["id_card"]
    elif change == "item_changed":
        snap.service_item = "330106000177001001"
    save_draft(terminal.store, terminal.attachments, snap)
    loaded = load_draft(terminal.store, terminal.attachments, snap.draft_id)
    assert loaded is not None
    assert loaded.service_item == snap.service_item
    assert loaded.applicant == {k: v for k, v in snap.applicant.items() if v} | {"id_type": "resident"}
    assert loaded.form == {k: v for k, v in snap.form.items() if v not in (None, "")}
    assert loaded.materials == {code: files for code, files in snap.materials.items()}
    assert sorted(loaded.at_counter) == sorted(snap.at_counter)
    with terminal.store.read() as s:
        names = [n for (n,) in s.execute(select(MaterialFileRow.original_name).join(ApplicationMaterial)
                                         .where(ApplicationMaterial.application_id == snap.draft_id)
                                         .order_by(ApplicationMaterial.position, MaterialFileRow.position))]
    assert names == [f.name for files in snap.materials.values() for f in files]


def test_a_draft_deleted_behind_this_process_is_saved_whole_again(terminal: Terminal, puts: list[bytes]) -> None:
    """Another process (the counter's CLI) discarded it and a file was retired: the next save writes it all."""
    snap = snapshot()
    save_draft(terminal.store, terminal.attachments, snap)
    with terminal.store.transaction() as s:
        s.delete(s.get(Application, snap.draft_id))
    gone = terminal.attachments.put(snap.materials["id_card"][0].data)
    terminal.attachments.path_for(gone).unlink()
    del puts[:]
    save_draft(terminal.store, terminal.attachments, snap)
    assert len(puts) == 3
    loaded = load_draft(terminal.store, terminal.attachments, snap.draft_id)
    assert loaded is not None and loaded.materials == snap.materials


def test_a_draft_written_elsewhere_since_is_rewritten_whole(terminal: Terminal) -> None:
    snap = snapshot()
    save_draft(terminal.store, terminal.attachments, snap)
    with terminal.store.transaction() as s:  # as another process's save of an older screen would
        s.execute(text("DELETE FROM material_files"))
        s.get(Application, snap.draft_id).applicant_phone = None
    save_draft(terminal.store, terminal.attachments, snap)
    loaded = load_draft(terminal.store, terminal.attachments, snap.draft_id)
    assert loaded is not None and loaded.materials == snap.materials
    assert loaded.applicant["phone"] == APPLICANT["phone"]


@pytest.mark.parametrize("changed", [False, True])
def test_a_late_save_never_revives_a_closed_draft(terminal: Terminal, changed: bool) -> None:
    snap = snapshot()
    save_draft(terminal.store, terminal.attachments, snap)
    with terminal.store.transaction() as s:
        s.get(Application, snap.draft_id).status = Status.SUBMITTED.value
    if changed:
        snap.applicant["phone"] = "13900139000"
    save_draft(terminal.store, terminal.attachments, snap)
    with terminal.store.read() as s:
        app = s.get(Application, snap.draft_id)
        assert app is not None and app.status == Status.SUBMITTED.value
        assert app.applicant_phone == APPLICANT["phone"]
    assert load_draft(terminal.store, terminal.attachments, snap.draft_id) is None


def test_a_discarded_draft_saved_again_is_a_new_draft_as_before(terminal: Terminal) -> None:
    snap = snapshot()
    draft_cases.save_draft(terminal, snap)
    assert draft_cases.discard_draft(terminal, snap.draft_id, "cancelled")
    draft_cases.save_draft(terminal, snap)
    loaded = load_draft(terminal.store, terminal.attachments, snap.draft_id)
    assert loaded is not None and loaded.materials == snap.materials
    with terminal.store.read() as s:
        actions = list(s.execute(text("SELECT actor, action FROM audit_log WHERE subject = :id ORDER BY id"),
                                 {"id": snap.draft_id}))
    assert [tuple(a) for a in actions] == [("kiosk:1", "draft_started"), ("kiosk:1", "draft_closed"),
                                           ("kiosk:1", "draft_started")]


def test_only_a_few_drafts_are_remembered(terminal: Terminal) -> None:
    for _ in range(draft_store._WRITTEN_KEPT + 3):
        save_draft(terminal.store, terminal.attachments, snapshot())
    assert len(draft_store._written) <= draft_store._WRITTEN_KEPT
