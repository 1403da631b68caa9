"""Applications submitted online and assigned to a hall for checking the originals in person.

The platform checks an online application with the same rules a kiosk
applies (`kiosk.submission.check_draft`, the same page pipeline for images)
against the catalog it has published, stores the files as verified blobs,
and makes the case complete and "received" at once. Its "received" change in
the hall's feed is the assignment: it carries the whole application, so the
hall's counters can take it in and fetch its files.
"""
from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.application_document import build_document
from kiosk.catalog import Catalog, CatalogInvalid, parse_catalog
from kiosk.errors import Message, UserFacingError
from kiosk.materials.intake import IntakeLimits
from kiosk.submission import check_draft, local_today
from kiosk.submission_file import draft_from_submission
from kiosk.workdays import default_calendar
from sync.server.cases import complete_case, hall_blob
from sync.server.db import PlatformStore
from sync.server.models import Blob, Case, CaseAttachment, Device, HallBlob, PublishedCatalog, utcnow

PORTAL_DEVICE_NAME = "online-portal"


@dataclass(frozen=True)
class OnlineCase:
    id: str
    case_no: str
    hall_code: str
    promised_date: date
    duplicate: bool = False


def published_catalog(session: Session) -> Catalog:
    row = session.scalar(select(PublishedCatalog).order_by(PublishedCatalog.id.desc()).limit(1))
    if row is None:
        raise UserFacingError(Message("平台尚未发布服务目录，不能受理网上申请。",
                                      "The platform has not published a catalog, so it cannot take online applications."),
                              code="no_catalog")
    try:
        return parse_catalog(row.document)
    except CatalogInvalid as exc:
        raise UserFacingError(Message("平台发布的服务目录无效。", f"The published catalog is invalid: {exc}"),
                              code="catalog_invalid") from None


def portal_device(session: Session, hall_code: str) -> Device:
    """The online portal as a device of the hall, so online cases have an origin like any other.

    Its token hash is not a SHA-256 digest and it is revoked, so nobody can
    ever authenticate as it.
    """
    marker = f"portal:{hall_code}"
    device = session.scalar(select(Device).where(Device.token_hash == marker))
    if device is None:
        device = Device(hall_code=hall_code, name=PORTAL_DEVICE_NAME, token_hash=marker, revoked_at=utcnow())
        session.add(device)
        session.flush()
    return device


def submit_online(store: PlatformStore, hall_code: str, doc: dict[str, Any], base: Path, *,
                  limits: IntakeLimits = IntakeLimits(), now: datetime | None = None) -> OnlineCase:
    if not (hall_code.isdigit() and 6 <= len(hall_code) <= 12):
        raise UserFacingError(Message("大厅编码应为6到12位数字。", "The hall code must be 6 to 12 digits."), code="hall_code")
    with store.transaction() as session:
        catalog = published_catalog(session)
    draft, problems = draft_from_submission(catalog, doc, base, limits)
    checked = check_draft(catalog, draft, extra_problems=problems)
    app_id = str(uuid.UUID(str(draft.id))) if draft.id else str(uuid.uuid4())
    submitted_at = now or utcnow()
    promised = default_calendar().add_working_days(local_today(submitted_at), checked.item.promised_limit_days)
    files = {code: [(hashlib.sha256(f.data).hexdigest(), f) for f in material_files]
             for code, material_files in checked.materials.items()}
    # the same builder as a terminal's submission: one definition of an application and its hash
    document = build_document(application_id=app_id, hall_code=hall_code, device_no=0, receipt_no=None,
                              channel="online", submitted_at=submitted_at, promised_date=promised, item=checked.item,
                              catalog_version=catalog.version, applicant=checked.applicant, form=checked.form,
                              files=files)
    # bytes durable in the store (encrypted) before any row names them, as a terminal's submission does
    locators = store.keep_files({sha: f.data for entries in files.values() for sha, f in entries})
    digest = document.content_hash
    with store.transaction() as session:
        existing = session.scalar(select(Case).where(Case.uuid == app_id))
        if existing is not None:
            if existing.content_hash == digest and existing.hall_code == hall_code and existing.case_no:
                promised_was = (existing.document or {}).get("promised_date")
                return OnlineCase(existing.uuid, existing.case_no, hall_code,
                                  date.fromisoformat(promised_was) if promised_was else promised, duplicate=True)
            raise UserFacingError(Message(f"平台已有编号为 {app_id} 的其他申请，未覆盖。",
                                          f"The platform holds another application under {app_id}; nothing was overwritten."),
                                  code="conflict")
        device = portal_device(session, hall_code)
        case = Case(uuid=app_id, hall_code=hall_code, device_id=device.id, device_no=0, receipt_no=None,
                    service_item=checked.item.code, catalog_version=catalog.version, content_hash=digest,
                    document=document.wire(), status="submitted", received_at=submitted_at)
        session.add(case)
        session.flush()
        for ref in document.attachments:
            session.add(CaseAttachment(case_id=case.id, sha256=ref.sha256, size=ref.size, media_type=ref.media_type))
            blob = session.get(Blob, ref.sha256)
            if blob is None:
                session.add(Blob(sha256=ref.sha256, size=ref.size, locator=locators[ref.sha256]))
            elif blob.locator != locators[ref.sha256]:  # its file was gone and has just been stored again
                blob.locator = locators[ref.sha256]
            if hall_blob(session, hall_code, ref.sha256) is None:
                session.add(HallBlob(hall_code=hall_code, sha256=ref.sha256, size=ref.size, media_type=ref.media_type,
                                     device_id=device.id))  # the platform stored it for this hall
                session.flush()
        session.flush()
        complete_case(session, case)  # every file is here: received, a case number, and the hall's assignment in the feed
        assert case.case_no is not None
        return OnlineCase(case.uuid, case.case_no, hall_code, promised)
