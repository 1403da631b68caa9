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

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

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


def save_draft(store: Store, attachments: AttachmentStore, snapshot: DraftSnapshot, *, actor: str = "kiosk") -> None:
    """Write the whole snapshot; repeated saves replace the previous one."""
    hashes = {code: [attachments.put(f.data) for f in files] for code, files in snapshot.materials.items()}
    settings = store.settings
    now = utcnow()
    with store.transaction() as session:
        app = session.get(Application, snapshot.draft_id)
        if app is None:
            app = Application(id=snapshot.draft_id, service_item_code=snapshot.service_item,
                              catalog_version=snapshot.catalog_version, status=Status.DRAFT.value, channel="kiosk",
                              hall_code=settings.hall_code,
                              device_no=device_number(session, settings).device_no or 0, created_at=now)
            session.add(app)
            audit.record(session, actor=actor, action="draft_started", subject=app.id,
                         details={"service_item": snapshot.service_item})
        elif app.status != Status.DRAFT.value:
            return  # already submitted or discarded: a late save must not revive it
        app.service_item_code = snapshot.service_item
        app.catalog_version = snapshot.catalog_version
        app.applicant_name = _clip(snapshot.applicant.get("name"), 100)
        app.applicant_id_type = _clip(snapshot.applicant.get("id_type") or "resident", 16)
        app.applicant_id_number = _clip(snapshot.applicant.get("id_number"), 32)
        app.applicant_phone = _clip(snapshot.applicant.get("phone"), 32)
        app.form = {k: v for k, v in snapshot.form.items() if v not in (None, "")}
        app.updated_at = now
        app.materials.clear()
        session.flush()
        codes = list(snapshot.materials) + sorted(set(snapshot.at_counter) - set(snapshot.materials))
        for position, code in enumerate(codes):
            files = snapshot.materials.get(code, [])
            ref = snapshot.licences.get(code)
            if not isinstance(ref, LicenceRef) or hashes.get(code) != [ref.sha256]:
                ref = None  # a licence kept only with its copy alone: without it (or beside a scan) it is no licence
            material = ApplicationMaterial(material_code=code, name_zh=code, name_en=code, required=False,
                                           position=position, at_counter=code in snapshot.at_counter and not files,
                                           licence=ref_to_json(ref) if ref is not None else None)
            app.materials.append(material)
            for index, (file, sha) in enumerate(zip(files, hashes.get(code, []))):
                if session.get(Attachment, sha) is None:
                    session.add(Attachment(sha256=sha, size=len(file.data), media_type=file.media_type,
                                           page_count=file.page_count))
                    session.flush()
                material.files.append(MaterialFileRow(attachment_sha256=sha, position=index,
                                                      original_name=file.name[:255]))


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
    with store.transaction() as session:
        app = session.get(Application, draft_id)
        if app is None or app.status != Status.DRAFT.value:
            return False
        session.delete(app)
        audit.record(session, actor=actor, action="draft_closed", subject=draft_id, details={"reason": reason})
        return True


def snapshot_for(catalog: Catalog, draft_id: str, service_item: str) -> DraftSnapshot:
    return DraftSnapshot(draft_id=draft_id, service_item=service_item, catalog_version=catalog.version)
