"""A citizen's unfinished application, saved as they go.

A draft is an `Application` row with status ``draft`` and no receipt number.
Its material files are stored as encrypted attachments first (bytes before
rows, as for a submission), so after a crash or power cut the counter can
resume or discard it. The kiosk itself never reopens a draft on start-up:
the next citizen must not see the previous one's data.

The draft has its own id, not the id of the application it becomes, because
`submit` treats an existing row with that id as a conflict; after a
successful submission the draft row is deleted.
"""
from __future__ import annotations

import copy
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kiosk import audit
from kiosk.attachments import AttachmentStore
from kiosk.device_identity import device_number
from kiosk.licences.model import LicenceRef
from kiosk.licences.refs import ref_from_json, ref_to_json
from kiosk.lifecycle import Status
from kiosk.materials.intake import MaterialFile
from kiosk.store import Store
from kiosk.store.models import Application, ApplicationMaterial, Attachment, MaterialFile as MaterialFileRow
from kiosk.store.models import utcnow
from kiosk.submission import ApplicationDraft
from kiosk.catalog import Catalog


@dataclass
class DraftSnapshot:
    """What the screen holds right now, raw as typed (nothing validated yet)."""

    draft_id: str
    service_item: str
    catalog_version: str
    applicant: dict[str, str] = field(default_factory=dict)
    form: dict[str, Any] = field(default_factory=dict)
    materials: dict[str, list[MaterialFile]] = field(default_factory=dict)
    at_counter: frozenset[str] = frozenset()  # materials the citizen will hand in at the counter
    # materials an electronic licence stood for; the annotated copy is the material's one file
    licences: dict[str, LicenceRef] = field(default_factory=dict)


@dataclass(frozen=True)
class DraftSummary:
    draft_id: str
    service_item: str
    applicant_name: str | None
    updated_at: datetime
    file_count: int


def new_draft_id() -> str:
    return str(uuid.uuid4())


def _clip(value: Any, limit: int) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text[:limit] or None


@dataclass(frozen=True)
class _Written:
    """What this process's last save of one draft committed, to spare a repeat the work it does not need.

    Trusted only while the row's ``updated_at`` is still the one written then
    (checked against the store on every save): a draft another process
    saved, discarded or recreated since gets the whole save again.
    """

    updated_at: datetime
    fields: tuple[Any, ...]  # the application row's columns as written (a deep copy: the screen's dicts may change)
    materials: tuple[Any, ...]  # the material and file rows as written
    files: tuple[tuple[bytes, str], ...]  # every file's bytes with their SHA-256, so unchanged bytes are not hashed again


_WRITTEN_KEPT = 2  # drafts remembered per process: a kiosk works on one at a time
_written: OrderedDict[tuple[str, str], _Written] = OrderedDict()
_written_lock = threading.Lock()


def _written_key(store: Store, draft_id: str) -> tuple[str, str]:
    return str(store.settings.db_path), draft_id


def _remembered(key: tuple[str, str]) -> _Written | None:
    with _written_lock:
        return _written.get(key)


def _remember(key: tuple[str, str], written: _Written | None) -> None:
    with _written_lock:
        if written is None:
            _written.pop(key, None)
            return
        _written[key] = written
        _written.move_to_end(key)
        while len(_written) > _WRITTEN_KEPT:
            _written.popitem(last=False)


def _fields_of(snapshot: DraftSnapshot) -> tuple[Any, ...]:
    return (snapshot.service_item, snapshot.catalog_version,
            _clip(snapshot.applicant.get("name"), 100),
            _clip(snapshot.applicant.get("id_type") or "resident", 16),
            _clip(snapshot.applicant.get("id_number"), 32),
            _clip(snapshot.applicant.get("phone"), 32),
            copy.deepcopy({k: v for k, v in snapshot.form.items() if v not in (None, "")}))


def _materials_of(snapshot: DraftSnapshot, hashes: dict[str, list[str]]) -> tuple[Any, ...]:
    """The material rows the snapshot makes: (code, at_counter, licence, ((sha, name), ...)) in position order."""
    codes = list(snapshot.materials) + sorted(set(snapshot.at_counter) - set(snapshot.materials))
    rows = []
    for code in codes:
        files = snapshot.materials.get(code, [])
        ref = snapshot.licences.get(code)
        if not isinstance(ref, LicenceRef) or hashes.get(code) != [ref.sha256]:
            ref = None  # a licence kept only with its copy alone: without it (or beside a scan) it is no licence
        rows.append((code, code in snapshot.at_counter and not files, ref,
                     tuple((sha, file.name[:255]) for file, sha in zip(files, hashes.get(code, [])))))
    return tuple(rows)


def save_draft(store: Store, attachments: AttachmentStore, snapshot: DraftSnapshot, *,
               actor: str | Callable[[Session], str] = "kiosk", last: bool = False) -> None:
    """Write the snapshot; repeated saves replace the previous one.

    The draft in the store is always exactly the last snapshot saved. What
    this process wrote last time (`_Written`) only spares work: a repeat of
    it writes nothing, a save where only typed fields changed leaves the
    material rows alone, and bytes saved before are not hashed and stored
    again (the rows committed then name their files, so nothing retires them).
    `actor` (or what it returns in the save's transaction) is audited when the draft starts.

    That memory holds the citizen's file bytes, so it lasts only while they
    are at the screen: `last` (the save when their session ends) and
    `discard_draft` (after a submission, or when they cancel) let it go.
    """
    key = _written_key(store, snapshot.draft_id)
    before = _remembered(key)
    known = {id(data): (data, sha) for data, sha in before.files} if before is not None else {}
    unsure: list[bytes] = []  # bytes taken as stored because the last save stored them: checked in the transaction
    hashes: dict[str, list[str]] = {}
    files_written: list[tuple[bytes, str]] = []
    for code, files in snapshot.materials.items():
        shas: list[str] = []
        hashes[code] = shas
        for file in files:
            same = known.get(id(file.data))  # the very bytes saved last time (`known` keeps them alive)
            if same is None:
                same = next(((d, h) for d, h in known.values() if len(d) == len(file.data) and d == file.data), None)
            if same is not None:
                sha = same[1]
                unsure.append(file.data)
            else:
                sha = attachments.put(file.data)
            shas.append(sha)
            files_written.append((file.data, sha))
    fields = _fields_of(snapshot)
    materials = _materials_of(snapshot, hashes)
    if before is not None and fields == before.fields and materials == before.materials:
        with store.read() as session:
            row = session.execute(select(Application.status, Application.updated_at)
                                  .where(Application.id == snapshot.draft_id)).one_or_none()
        if row is not None and (row.status != Status.DRAFT.value or row.updated_at == before.updated_at):
            if last or row.status != Status.DRAFT.value:
                _remember(key, None)
            return  # what the screen holds is what the store holds (or the draft is closed: never revive it)
    settings = store.settings
    now = utcnow()
    with store.transaction() as session:
        app = session.get(Application, snapshot.draft_id)
        trusted = before is not None and app is not None and app.updated_at == before.updated_at
        if not trusted:
            for data in unsure:
                attachments.put(data)  # bytes before rows, still before this transaction commits
        if app is None:
            app = Application(id=snapshot.draft_id, service_item_code=snapshot.service_item,
                              catalog_version=snapshot.catalog_version, status=Status.DRAFT.value, channel="kiosk",
                              hall_code=settings.hall_code,
                              device_no=device_number(session, settings).device_no or 0, created_at=now)
            session.add(app)
            audit.record(session, actor=actor if isinstance(actor, str) else actor(session), action="draft_started",
                         subject=app.id, details={"service_item": snapshot.service_item})
        elif app.status != Status.DRAFT.value:
            _remember(key, None)
            return  # already submitted or discarded: a late save must not revive it
        (app.service_item_code, app.catalog_version, app.applicant_name, app.applicant_id_type,
         app.applicant_id_number, app.applicant_phone, app.form) = fields[:6] + (copy.deepcopy(fields[6]),)
        app.updated_at = now
        if not trusted or before is None:
            _write_materials(session, app, snapshot, hashes, materials)
        elif materials != before.materials:
            _update_materials(session, app, snapshot, hashes, before, materials)
    _remember(key, None if last else _Written(now, fields, materials, tuple(files_written)))


def _add_attachment_rows(session: Session, snapshot: DraftSnapshot, hashes: dict[str, list[str]],
                         known: frozenset[str] = frozenset()) -> None:
    """An attachment row for every file whose row is not there yet (`known`: the ones the draft already names)."""
    by_sha = {sha: file for code, files in snapshot.materials.items() for file, sha in zip(files, hashes[code])
              if sha not in known}
    if not by_sha:
        return
    stored = set(session.scalars(select(Attachment.sha256).where(Attachment.sha256.in_(list(by_sha)))))
    for sha, file in by_sha.items():
        if sha not in stored:
            session.add(Attachment(sha256=sha, size=len(file.data), media_type=file.media_type,
                                   page_count=file.page_count))


def _material_row(app_id: str, position: int, code: str, at_counter: bool, ref: LicenceRef | None) -> ApplicationMaterial:
    return ApplicationMaterial(application_id=app_id, material_code=code, name_zh=code, name_en=code, required=False,
                               position=position, at_counter=at_counter,
                               licence=ref_to_json(ref) if ref is not None else None)


def _write_materials(session: Session, app: Application, snapshot: DraftSnapshot, hashes: dict[str, list[str]],
                     materials: tuple[Any, ...]) -> None:
    """Replace all the draft's material and file rows by `materials` (from `_materials_of`)."""
    app.materials.clear()
    session.flush()
    _add_attachment_rows(session, snapshot, hashes)
    for position, (code, at_counter, ref, files) in enumerate(materials):
        material = _material_row(app.id, position, code, at_counter, ref)
        app.materials.append(material)
        for index, (sha, name) in enumerate(files):
            material.files.append(MaterialFileRow(attachment_sha256=sha, position=index, original_name=name))


def _update_materials(session: Session, app: Application, snapshot: DraftSnapshot, hashes: dict[str, list[str]],
                      before: _Written, materials: tuple[Any, ...]) -> None:
    """Rewrite only the material rows (or just the file rows) that differ from `before`, which the store holds.

    A scan adds a file to one material: its file rows are replaced, the other
    materials' rows are left as they are. Every removal runs before any row
    is added, so the unique (material, position) and (application, code) hold throughout.
    """
    old = {row[0]: (position, row) for position, row in enumerate(before.materials)}
    new = {row[0]: (position, row) for position, row in enumerate(materials)}
    ids: dict[str, int] = {code: material_id for code, material_id in session.execute(
        select(ApplicationMaterial.material_code, ApplicationMaterial.id).where(ApplicationMaterial.application_id == app.id))}
    files_only: list[tuple[int, tuple[Any, ...]]] = []  # (material id, new row): same material, other files
    rewritten: list[tuple[int, tuple[Any, ...]]] = []  # (position, new row): material row and files anew
    gone: list[int] = []
    for code, (position, row) in new.items():
        was = old.get(code)
        if was == (position, row):
            continue
        if was is not None and was[0] == position and was[1][:3] == row[:3] and code in ids:
            files_only.append((ids[code], row))
            continue
        rewritten.append((position, row))
        if code in ids:
            gone.append(ids[code])
    gone += [ids[code] for code in old if code not in new and code in ids]
    emptied = [material_id for material_id, _row in files_only] + gone
    if emptied:
        session.execute(delete(MaterialFileRow).where(MaterialFileRow.material_id.in_(emptied)))
    if gone:
        session.execute(delete(ApplicationMaterial).where(ApplicationMaterial.id.in_(gone)))
    _add_attachment_rows(session, snapshot, hashes, frozenset(sha for _data, sha in before.files))
    for material_id, (_code, _at_counter, _ref, files) in files_only:
        session.add_all(MaterialFileRow(material_id=material_id, attachment_sha256=sha, position=index,
                                        original_name=name) for index, (sha, name) in enumerate(files))
    for position, (code, at_counter, ref, files) in rewritten:
        material = _material_row(app.id, position, code, at_counter, ref)
        material.files = [MaterialFileRow(attachment_sha256=sha, position=index, original_name=name)
                          for index, (sha, name) in enumerate(files)]
        session.add(material)


def list_drafts(store: Store) -> list[DraftSummary]:
    with store.transaction() as session:
        rows = session.scalars(select(Application).where(Application.status == Status.DRAFT.value)
                               .order_by(Application.updated_at)).all()
        return [DraftSummary(a.id, a.service_item_code, a.applicant_name, a.updated_at,
                             sum(len(m.files) for m in a.materials)) for a in rows]


def load_draft(store: Store, attachments: AttachmentStore, draft_id: str) -> ApplicationDraft | None:
    """The draft as an `ApplicationDraft` the counter can finish (new application id)."""
    with store.transaction() as session:
        app = session.get(Application, draft_id)
        if app is None or app.status != Status.DRAFT.value:
            return None
        applicant = {k: v for k, v in (("name", app.applicant_name), ("id_type", app.applicant_id_type),
                                       ("id_number", app.applicant_id_number), ("phone", app.applicant_phone))
                     if v is not None}
        materials: dict[str, list[MaterialFile]] = {}
        at_counter = [m.material_code for m in app.materials if m.at_counter]
        licences = {m.material_code: ref for m in app.materials if (ref := ref_from_json(m.licence)) is not None}
        for m in app.materials:
            if m.at_counter:
                continue
            materials[m.material_code] = [
                MaterialFile(name=f.original_name or f.attachment_sha256[:12],
                             data=attachments.get(f.attachment_sha256),
                             media_type=f.attachment.media_type, page_count=f.attachment.page_count)
                for f in m.files
            ]
        return ApplicationDraft(service_item=app.service_item_code, applicant=applicant, form=dict(app.form or {}),
                                materials=materials, at_counter=at_counter, licences=licences)


def discard_draft(store: Store, draft_id: str, *, actor: str = "kiosk", reason: str = "discarded") -> bool:
    """Delete the draft row and its personal data; the audit row keeps only that it happened."""
    _remember(_written_key(store, draft_id), None)
    with store.transaction() as session:
        app = session.get(Application, draft_id)
        if app is None or app.status != Status.DRAFT.value:
            return False
        session.delete(app)
        audit.record(session, actor=actor, action="draft_closed", subject=draft_id, details={"reason": reason})
        return True


def snapshot_for(catalog: Catalog, draft_id: str, service_item: str) -> DraftSnapshot:
    return DraftSnapshot(draft_id=draft_id, service_item=service_item, catalog_version=catalog.version)
