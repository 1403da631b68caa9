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
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from kiosk import audit
from kiosk.attachments import sha256_hex
from kiosk.lifecycle import Status
from kiosk.store.models import Application, ApplicationMaterial, Attachment, MaterialFile, PendingDownload, utcnow
from kiosk.terminal import Terminal
from sync.backoff import Backoff
from sync.client import Offline, PlatformClient, Refused

log = logging.getLogger("onewindow.sync.assigned")
SHA_RE = re.compile(r"[0-9a-f]{64}")
CODE_RE = re.compile(r"[0-9A-Za-z_.-]{1,64}")


class BadAssignment(ValueError):
    pass


def _text(value: Any, limit: int, *, required: bool = False) -> str | None:
    if value is None or value == "":
        if required:
            raise BadAssignment("a required text is missing")
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise BadAssignment(f"not a text of at most {limit} characters")
    return value


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


@dataclass(frozen=True)
class _File:
    sha256: str
    size: int
    media_type: str
    page_count: int
    name: str | None


def _files(raw: Any) -> list[_File]:
    if not isinstance(raw, list):
        raise BadAssignment("a material's files are not a list")
    out = []
    for f in raw:
        if not isinstance(f, dict) or not isinstance(f.get("sha256"), str) or not SHA_RE.fullmatch(f["sha256"]):
            raise BadAssignment("a file has no valid sha256")
        size, pages = f.get("size"), f.get("page_count", 1)
        if not (isinstance(size, int) and not isinstance(size, bool) and size > 0):
            raise BadAssignment("a file has no valid size")
        if not (isinstance(pages, int) and not isinstance(pages, bool) and pages >= 1):
            raise BadAssignment("a file has no valid page count")
        out.append(_File(f["sha256"], size, _text(f.get("media_type"), 100, required=True) or "",
                         pages, _text(f.get("name"), 255)))
    return out


def _build(doc: dict[str, Any], change: dict[str, Any]) -> tuple[Application, list[PendingDownload]]:
    app_id = str(uuid.UUID(str(doc.get("id") or change.get("application_id"))))
    applicant = doc.get("applicant") or {}
    form = doc.get("form") or {}
    if not isinstance(applicant, dict) or not isinstance(form, dict):
        raise BadAssignment("the applicant or form is not an object")
    submitted_at = _when(doc.get("submitted_at")) or _when(change.get("at")) or utcnow()
    app = Application(
        id=app_id, receipt_no=None, status=Status.RECEIVED.value, channel="online",
        service_item_code=_text(doc.get("service_item"), 64, required=True),
        catalog_version=_text(doc.get("catalog_version"), 64, required=True),
        hall_code=_text(doc.get("hall_code"), 12, required=True), device_no=0,
        applicant_name=_text(applicant.get("name"), 100), applicant_id_type=_text(applicant.get("id_type"), 16),
        applicant_id_number=_text(applicant.get("id_number"), 32), applicant_phone=_text(applicant.get("phone"), 32),
        form=form, content_hash=_text(doc.get("content_hash"), 64),
        case_no=_text(doc.get("case_no") or change.get("case_no"), 64, required=True),
        promised_date=_day(doc.get("promised_date")), created_at=submitted_at, submitted_at=submitted_at,
        updated_at=utcnow(),
    )
    downloads: list[PendingDownload] = []
    materials = doc.get("materials") or []
    if not isinstance(materials, list):
        raise BadAssignment("the materials are not a list")
    codes: set[str] = set()
    for position, m in enumerate(materials):
        if not isinstance(m, dict) or not isinstance(m.get("code"), str) or not CODE_RE.fullmatch(m["code"]):
            raise BadAssignment("a material has no valid code")
        if m["code"] in codes:
            raise BadAssignment("a material code repeats")
        codes.add(m["code"])
        name = m.get("name") if isinstance(m.get("name"), dict) else {}
        app.materials.append(ApplicationMaterial(
            material_code=m["code"], name_zh=_text(name.get("zh"), 200) or m["code"],
            name_en=_text(name.get("en"), 300) or m["code"], required=bool(m.get("required")), position=position))
        for index, f in enumerate(_files(m.get("files") or [])):
            downloads.append(PendingDownload(application_id=app_id, material_code=m["code"], position=index,
                                             sha256=f.sha256, size=f.size, media_type=f.media_type,
                                             page_count=f.page_count, original_name=f.name))
    return app, downloads


def take_in(session: Session, change: dict[str, Any]) -> bool:
    """Insert an assigned online case; False when it is already here or the change is unusable."""
    doc = change.get("application")
    if not isinstance(doc, dict):
        log.warning("assigned change %s carries no application; skipped", change.get("seq"))
        return False
    try:
        app, downloads = _build(doc, change)
    except (BadAssignment, ValueError, TypeError) as exc:
        log.warning("assigned change %s is unusable (%s); skipped", change.get("seq"), exc)
        return False
    if session.get(Application, app.id) is not None:
        return False  # the same assignment again, or a case this terminal pushed itself
    try:
        with session.begin_nested():  # a row this store refuses costs this case, never the feed page
            session.add(app)
            session.add_all(downloads)
            session.flush()
            audit.record(session, actor="platform", action="assigned", subject=app.id,
                         details={"case_no": app.case_no, "channel": "online", "service_item": app.service_item_code,
                                  "files": len(downloads), "feed_seq": change.get("seq")})
    except SQLAlchemyError as exc:
        log.warning("assigned change %s could not be stored (%s); skipped", change.get("seq"), type(exc).__name__)
        return False
    log.info("online case %s assigned to this hall, %d files to fetch", app.case_no, len(downloads))
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


def _record_failure(terminal: Terminal, sha256: str, error: str, backoff: Backoff) -> None:
    with terminal.store.transaction() as session:
        for row in session.scalars(select(PendingDownload).where(PendingDownload.sha256 == sha256)):
            row.attempts += 1
            row.last_error = error[:2000]
            row.next_attempt_at = utcnow() + timedelta(seconds=backoff.delay(row.attempts))


def fetch_downloads(terminal: Terminal, client: PlatformClient, backoff: Backoff) -> DownloadStats:
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
                _record_failure(terminal, sha, f"{exc.status}: {exc.reason.get('zh')} / {exc.reason.get('en')}", backoff)
                log.warning("file %s of an online case refused by the platform: %s", sha[:12], exc.reason.get("en"))
                continue
            except Offline as exc:
                _record_failure(terminal, sha, str(exc), Backoff(base=0.0, cap=0.0))
                raise
            data = resp.content
            if sha256_hex(data) != sha or len(data) != sizes.get(sha, len(data)):
                stats.failed += 1
                _record_failure(terminal, sha, f"the file received does not match its SHA-256 or size "
                                               f"({len(data)} bytes)", backoff)
                log.warning("file %s of an online case arrived damaged; will fetch it again", sha[:12])
                continue
            terminal.attachments.put(data)  # fsynced before any row names it
            stats.files += 1
            stats.bytes += len(data)
        with terminal.store.transaction() as session:
            _link(session, sha)
    return stats
