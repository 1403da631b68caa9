"""Saving a draft as the citizen goes: a repeat costs (almost) nothing, and every change still reaches the store."""
from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select, text

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
                                    "back_from_counter", "material_removed", "reordered", "item_changed"])
def test_every_change_of_the_screen_reaches_the_draft(terminal: Terminal, change: str) -> None:
    snap = snapshot(form={"reason": "到期换领", "address": {"city": "杭州"}},
                    at_counter=frozenset({"household_register"}) if change == "back_from_counter" else frozenset())
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
    elif change == "back_from_counter":
        snap.at_counter = frozenset()  # saved first as handed in at the counter, now scanned after all
        materials["household_register"] = [MaterialFile("hr.jpg", b"household register", "image/jpeg", 1)]
    elif change == "material_removed":
        del materials["id_card"]
    elif change == "reordered":
        snap.materials = {"photo_receipt": materials["photo_receipt"], "id_card": materials["id_card"]}
    elif change == "item_changed":
        snap.service_item = "330106000177001001"
    save_draft(terminal.store, terminal.attachments, snap)
    loaded = load_draft(terminal.store, terminal.attachments, snap.draft_id)
    assert loaded is not None
    assert loaded.service_item == snap.service_item
    assert loaded.applicant == {k: v for k, v in snap.applicant.items() if v} | {"id_type": "resident"}
    assert loaded.form == {k: v for k, v in snap.form.items() if v not in (None, "")}
    assert loaded.materials == {code: files for code, files in snap.materials.items()}
    assert list(loaded.materials) == list(snap.materials)  # in the screen's order
    assert sorted(loaded.at_counter) == sorted(snap.at_counter)
    assert rows_of(terminal, snap.draft_id) == rows_written_whole(terminal, snap)
    with terminal.store.read() as s:
        names = [n for (n,) in s.execute(select(MaterialFileRow.original_name).join(ApplicationMaterial)
                                         .where(ApplicationMaterial.application_id == snap.draft_id)
                                         .order_by(ApplicationMaterial.position, MaterialFileRow.position))]
    assert names == [f.name for files in snap.materials.values() for f in files]


def rows_of(terminal: Terminal, draft_id: str) -> list[tuple[Any, ...]]:
    """The draft's material and file rows as the store holds them (without their ids)."""
    with terminal.store.read() as s:
        materials = s.scalars(select(ApplicationMaterial).where(ApplicationMaterial.application_id == draft_id)
                              .order_by(ApplicationMaterial.position)).all()
        return [(m.position, m.material_code, m.at_counter, m.licence, m.required, m.review_state,
                 [(f.position, f.attachment_sha256, f.original_name) for f in m.files]) for m in materials]


def rows_written_whole(terminal: Terminal, snap: DraftSnapshot) -> list[tuple[Any, ...]]:
    """The rows a first save of the same screen writes (under another draft id)."""
    fresh = DraftSnapshot(**{**snap.__dict__, "draft_id": new_draft_id()})
    save_draft(terminal.store, terminal.attachments, fresh)
    rows = rows_of(terminal, fresh.draft_id)
    draft_store.discard_draft(terminal.store, fresh.draft_id)
    return rows


def test_a_scan_into_one_material_leaves_the_others_rows_alone(terminal: Terminal) -> None:
    snap = snapshot()
    save_draft(terminal.store, terminal.attachments, snap)
    with terminal.store.read() as s:
        photo_files = set(s.scalars(select(MaterialFileRow.id).join(ApplicationMaterial)
                                    .where(ApplicationMaterial.material_code == "photo_receipt")))
    ids = material_ids(terminal, snap.draft_id)
    snap.materials["id_card"].append(MaterialFile("third.jpg", b"a third page", "image/jpeg", 1))
    with writes(terminal) as seen:
        save_draft(terminal.store, terminal.attachments, snap)
    assert not any("application_materials" in w for w in seen)
    assert material_ids(terminal, snap.draft_id) == ids
    with terminal.store.read() as s:
        assert set(s.scalars(select(MaterialFileRow.id).join(ApplicationMaterial)
                             .where(ApplicationMaterial.material_code == "photo_receipt"))) == photo_files
    assert rows_of(terminal, snap.draft_id) == rows_written_whole(terminal, snap)


def test_a_long_session_of_changes_always_leaves_what_a_whole_save_would(terminal: Terminal) -> None:
    rng = random.Random(20261130)
    codes = ["id_card", "household_register", "photo_receipt", "bank_card"]
    pages = [MaterialFile(f"p{n}.jpg", f"page {n}".encode() * 50, "image/jpeg", 1) for n in range(8)]
    snap = snapshot(materials={})
    for step in range(60):
        code = rng.choice(codes)
        action = rng.choice(["add", "add", "remove_file", "drop", "counter", "rename", "type", "shuffle"])
        files = snap.materials.get(code)
        if action == "add":
            snap.materials.setdefault(code, []).append(rng.choice(pages))
        elif action == "remove_file" and files:
            files.pop(rng.randrange(len(files)))
        elif action == "drop":
            snap.materials.pop(code, None)
        elif action == "counter":
            snap.at_counter = snap.at_counter ^ {code}
        elif action == "rename" and files:
            files[0] = MaterialFile(f"renamed-{step}.jpg", files[0].data, files[0].media_type, files[0].page_count)
        elif action == "type":
            snap.applicant["phone"] = f"139{step:08d}"
        elif action == "shuffle":
            items = list(snap.materials.items())
            rng.shuffle(items)
            snap.materials = dict(items)
        save_draft(terminal.store, terminal.attachments, snap)
        assert rows_of(terminal, snap.draft_id) == rows_written_whole(terminal, snap), (step, action, code)
    loaded = load_draft(terminal.store, terminal.attachments, snap.draft_id)
    assert loaded is not None
    assert loaded.materials == {c: f for c, f in snap.materials.items() if f or c not in snap.at_counter}


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


@pytest.mark.parametrize("ending", ["idle", "cancelled", "submitted"])
def test_nothing_of_the_citizen_is_remembered_once_their_session_ends(terminal: Terminal, ending: str) -> None:
    """The memory that spares repeat saves holds the citizen's scans: it lasts only while they are at the
    screen (the last save at an idle timeout, a cancel's or a submission's discard let it go)."""
    draft_store._written.clear()  # other tests' drafts share this snapshot's constant bytes
    snap = snapshot()
    draft_cases.save_draft(terminal, snap)
    assert any(draft_id == snap.draft_id for _, draft_id in draft_store._written)
    if ending == "idle":
        draft_cases.save_draft(terminal, snap, last=True)  # kept for staff in the store, not in memory
        assert load_draft(terminal.store, terminal.attachments, snap.draft_id) is not None
    else:
        assert draft_cases.discard_draft(terminal, snap.draft_id, ending)
    assert not any(draft_id == snap.draft_id for _, draft_id in draft_store._written)
    kept = [data for w in draft_store._written.values() for data, _ in w.files]
    assert not any(f.data is data for files in snap.materials.values() for f in files for data in kept)
