"""The terminal as the rest of the software sees it: one object per data dir.

The kiosk screens, the counter, the sync worker and the CLI all go through
a `Terminal`, so each acts on the same store, attachments and catalog the
same way.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kiosk.attachments import AttachmentStore
from kiosk.catalog import Catalog
from kiosk.catalog_store import current_catalog
from kiosk.errors import Problem
from kiosk.identity import mask_id
from kiosk.lifecycle import LABELS, Status
from kiosk.materials.intake import IntakeLimits
from kiosk.settings import Settings, load_settings
from kiosk.store import Store, open_store
from kiosk.store.models import Application, ApplicationMaterial, MaterialFile
from kiosk.submission import ApplicationDraft, SubmittedApplication, submit


@dataclass
class Terminal:
    settings: Settings
    store: Store
    attachments: AttachmentStore

    @classmethod
    def open(cls, settings: Settings | None = None, home: Path | str | None = None) -> "Terminal":
        settings = settings or load_settings(home)
        store = open_store(settings)
        return cls(settings, store, AttachmentStore(settings.attachments_dir, settings.key_path))

    @property
    def catalog(self) -> Catalog:
        return current_catalog(self.store)

    @property
    def intake_limits(self) -> IntakeLimits:
        return IntakeLimits(max_bytes=self.settings.max_file_bytes)

    def submit(self, draft: ApplicationDraft, *, channel: str, actor: str,
               extra_problems: list[Problem] | None = None) -> SubmittedApplication:
        return submit(self.store, self.attachments, self.catalog, draft, channel=channel, actor=actor,
                      extra_problems=extra_problems)

    def applications(self, statuses: Iterable[str] | None = None) -> list[Application]:
        with self.store.transaction() as session:
            query = (select(Application)
                     .options(selectinload(Application.materials).selectinload(ApplicationMaterial.files)
                              .selectinload(MaterialFile.attachment))
                     .order_by(Application.created_at))
            if statuses is not None:
                query = query.where(Application.status.in_(list(statuses)))
            return list(session.scalars(query))


def describe_application(app: Application, catalog: Catalog | None = None) -> dict[str, Any]:
    """A JSON-ready view of an application with ID numbers masked, for listings."""
    item = catalog.item(app.service_item_code) if catalog else None
    form = dict(app.form or {})
    if item is not None:
        for f in item.form:
            if f.type in ("id_number",) and isinstance(form.get(f.key), str):
                form[f.key] = mask_id(form[f.key])
    status = Status(app.status)
    return {
        "id": app.id,
        "receipt_no": app.receipt_no,
        "case_no": app.case_no,
        "service_item": app.service_item_code,
        "service_item_name": {"zh": item.name.zh, "en": item.name.en} if item else None,
        "catalog_version": app.catalog_version,
        "status": status.value,
        "status_label": {"zh": LABELS[status].zh, "en": LABELS[status].en},
        "channel": app.channel,
        "applicant": {
            "name": app.applicant_name,
            "id_type": app.applicant_id_type,
            "id_number": mask_id(app.applicant_id_number) if app.applicant_id_number else None,
            "phone": app.applicant_phone,
        },
        "form": form,
        "submitted_at": app.submitted_at.isoformat() if app.submitted_at else None,
        "promised_date": app.promised_date.isoformat() if app.promised_date else None,
        "content_hash": app.content_hash,
        "materials": [
            {
                "code": m.material_code,
                "name": {"zh": m.name_zh, "en": m.name_en},
                "required": m.required,
                "attachments": [
                    {"sha256": f.attachment_sha256, "size": f.attachment.size, "media_type": f.attachment.media_type,
                     "page_count": f.attachment.page_count, "name": f.original_name}
                    for f in m.files
                ],
            }
            for m in app.materials
        ],
    }
