"""Cases the platform assigns to this hall (submitted online, originals to be checked in person).

The feed's "assigned" change carries the whole application. It is taken in as
an `Application` with the platform's UUID and case number, channel "online",
status "received", and its materials; each file becomes a `PendingDownload`
and is fetched after the feed page is committed (`fetch_downloads`), checked
against its SHA-256 and size, and stored encrypted like any scan. Only then
are its `Attachment` and `MaterialFile` rows written, so a file row always
means the bytes are here. A download that fails is retried on a later pass
with backoff; it never holds up the feed.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from kiosk import audit
from kiosk.attachments import sha256_hex
from kiosk.lifecycle import Status
from kiosk.retry import IMMEDIATE, RetryPolicy
from kiosk.store.models import (
    Application,
    ApplicationMaterial,
    Attachment,
    MaterialFile,
    OnlinePreReview,
    PendingDownload,
    utcnow,
)
from kiosk.terminal import Terminal
from sync import wire
from sync.client import Offline, PlatformClient, Refused

log = logging.getLogger("onewindow.sync.assigned")


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _build(doc: wire.AssignedApplication, change: dict[str, Any]) -> tuple[Application, list[PendingDownload]]:
    applicant = doc.applicant
    at = change.get("at")
    submitted_at = doc.submitted_at or (datetime.fromisoformat(at) if isinstance(at, str) else None) or utcnow()
    app = Application(
        id=doc.id.lower(), receipt_no=None, status=Status.RECEIVED.value, channel="online",
        service_item_code=doc.service_item, catalog_version=doc.catalog_version, hall_code=doc.hall_code, device_no=0,
        applicant_name=applicant.get("name"), applicant_id_type=(applicant.get("id_type") or None),
        applicant_id_number=applicant.get("id_number"), applicant_phone=applicant.get("phone"),
        form=dict(doc.form), content_hash=doc.content_hash, case_no=doc.case_no, promised_date=_day(doc.promised_date),
        created_at=submitted_at, submitted_at=submitted_at, updated_at=utcnow(),
    )
    downloads: list[PendingDownload] = []
    if len({m.code for m in doc.materials}) != len(doc.materials):
        raise ValueError("a material code repeats")
    for position, m in enumerate(doc.materials):
        app.materials.append(ApplicationMaterial(material_code=m.code, name_zh=m.name.zh or m.code,
                                                 name_en=m.name.en or m.code, required=m.required, position=position,
                                                 at_counter=m.at_counter, prereview=m.prereview))
        for index, f in enumerate(m.files):
            downloads.append(PendingDownload(application_id=app.id, material_code=m.code, position=index,
                                             sha256=f.sha256, size=f.size, media_type=f.media_type,
                                             page_count=f.page_count, original_name=f.name))
    return app, downloads


def take_in(session: Session, change: dict[str, Any]) -> bool:
    """Insert an assigned online case; False when it is already here or the change is unusable."""
    raw = change.get("application")
    if not isinstance(raw, dict):
        log.warning("assigned change %s carries no application; skipped", change.get("seq"))
        return False
    try:
        doc = wire.AssignedApplication.model_validate(raw)
        app, downloads = _build(doc, change)
    except ValueError as exc:  # pydantic's ValidationError included: this case is skipped, never the feed
        log.warning("assigned change %s is unusable (%s); skipped", change.get("seq"), str(exc)[:300])
        return False
    existing = session.get(Application, app.id)
    if existing is not None:  # the same assignment again, a newer one (a pre-review), or a case pushed from here
        return _take_prereview(session, existing, doc, change)
    try:
        with session.begin_nested():  # a row this store refuses costs this case, never the feed page
            session.add(app)
            session.add_all(downloads)
            if doc.prereview is not None:
                session.add(OnlinePreReview(application_id=app.id, by=doc.prereview.by, at=doc.prereview.at,
                                            note=doc.prereview.note))
            session.flush()
            audit.record(session, actor="platform", action="assigned", subject=app.id,
                         details={"case_no": app.case_no, "channel": "online", "service_item": app.service_item_code,
                                  "files": len(downloads), "feed_seq": change.get("seq")})
    except SQLAlchemyError as exc:
        log.warning("assigned change %s could not be stored (%s); skipped", change.get("seq"), type(exc).__name__)
        return False
    log.info("online case %s assigned to this hall, %d files to fetch", app.case_no, len(downloads))
    return True


def _take_prereview(session: Session, app: Application, doc: wire.AssignedApplication, change: dict[str, Any]) -> bool:
    """The platform pre-reviewed an online case this hall already holds: each material's verdict and who
    looked. A case the hall has decided meanwhile keeps what it has (the counter saw it in person)."""
    if app.channel != "online" or doc.prereview is None or app.status != Status.RECEIVED.value:
        return False
    held = session.get(OnlinePreReview, app.id)
    if held is not None and held.at == doc.prereview.at and held.by == doc.prereview.by:
        return False  # the same pre-review again
    verdicts = {m.code: m.prereview for m in doc.materials}
    for material in app.materials:
        if material.material_code in verdicts:
            material.prereview = verdicts[material.material_code]
    if held is None:
        session.add(OnlinePreReview(application_id=app.id, by=doc.prereview.by, at=doc.prereview.at,
                                    note=doc.prereview.note))
    else:
        held.by, held.at, held.note = doc.prereview.by, doc.prereview.at, doc.prereview.note
    audit.record(session, actor="platform", action="prereviewed", subject=app.id,
                 details={"case_no": app.case_no, "by": doc.prereview.by, "verdicts": verdicts,
                          "feed_seq": change.get("seq")})
    log.info("online case %s: the platform's pre-review arrived", app.case_no)
    return True


# --- fetching the files -------------------------------------------------------------------------

@dataclass
class DownloadStats:
    files: int = 0
    bytes: int = 0
    failed: int = 0


def pending_downloads(session: Session, application_id: str | None = None) -> list[PendingDownload]:
    """Files still owed to this terminal (all, or one application's), e.g. for the review screen."""
    query = select(PendingDownload).order_by(PendingDownload.id)
    if application_id is not None:
        query = query.where(PendingDownload.application_id == application_id)
    return list(session.scalars(query))


def count_pending(session: Session) -> int:
    return int(session.scalar(select(func.count(func.distinct(PendingDownload.sha256)))) or 0)


def _link(session: Session, sha256: str) -> int:
    """The bytes are stored and verified: write the file rows for every material waiting for them."""
    rows = list(session.scalars(select(PendingDownload).where(PendingDownload.sha256 == sha256)))
    if not rows:
        return 0
    attachment = session.get(Attachment, sha256)
    if attachment is None:
        first = rows[0]
        session.add(Attachment(sha256=sha256, size=first.size, media_type=first.media_type, page_count=first.page_count,
                               uploaded_at=utcnow()))  # it came from the platform: the platform holds it
        session.flush()
    elif attachment.purged_at is not None:
        attachment.purged_at = None
    for row in rows:
        material = session.scalar(select(ApplicationMaterial).where(
            ApplicationMaterial.application_id == row.application_id,
            ApplicationMaterial.material_code == row.material_code))
        if material is not None and not any(f.position == row.position for f in material.files):
            material.files.append(MaterialFile(attachment_sha256=sha256, position=row.position,
                                               original_name=row.original_name))
        session.delete(row)
    return len(rows)


def _record_failure(terminal: Terminal, sha256: str, error: str, retry: RetryPolicy) -> None:
    with terminal.store.transaction() as session:
        for row in session.scalars(select(PendingDownload).where(PendingDownload.sha256 == sha256)):
            row.attempts += 1
            row.last_error = error[:2000]
            row.next_attempt_at = retry.next_attempt_at(row.attempts)


def fetch_downloads(terminal: Terminal, client: PlatformClient, retry: RetryPolicy) -> DownloadStats:
    """Fetch every due file; raise Offline when the link drops (what is stored stays stored)."""
    stats = DownloadStats()
    now = utcnow()
    with terminal.store.transaction() as session:
        due = list(dict.fromkeys(session.scalars(
            select(PendingDownload.sha256).where(or_(PendingDownload.next_attempt_at.is_(None),
                                                     PendingDownload.next_attempt_at <= now))
            .order_by(PendingDownload.id))))
        sizes = {sha: size for sha, size in session.execute(
            select(PendingDownload.sha256, PendingDownload.size).where(PendingDownload.sha256.in_(due)))}
    for sha in due:
        if terminal.attachments.verify(sha) is not None:  # not here yet (the usual case), or damaged here
            try:
                resp = client.request("GET", f"attachments/{sha}", expected=(200,), headers={"Accept": "*/*"})
            except Refused as exc:
                stats.failed += 1
                _record_failure(terminal, sha, f"{exc.status}: {exc.reason.get('zh')} / {exc.reason.get('en')}", retry)
                log.warning("file %s of an online case refused by the platform: %s", sha[:12], exc.reason.get("en"))
                continue
            except Offline as exc:
                _record_failure(terminal, sha, str(exc), IMMEDIATE)
                raise
            data = resp.content
            if sha256_hex(data) != sha or len(data) != sizes.get(sha, len(data)):
                stats.failed += 1
                _record_failure(terminal, sha, f"the file received does not match its SHA-256 or size "
                                               f"({len(data)} bytes)", retry)
                log.warning("file %s of an online case arrived damaged; will fetch it again", sha[:12])
                continue
            terminal.attachments.put(data)  # fsynced before any row names it
            stats.files += 1
            stats.bytes += len(data)
        with terminal.store.transaction() as session:
            _link(session, sha)
    return stats
