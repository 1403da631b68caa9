"""Retention: forgetting a citizen's documents once the platform holds them.

An application is purged when everything the terminal owed the platform
for it has been confirmed sent (no outbox row for it, or for its attachments,
is in any state but 'sent'), and either its case is closed (approved,
rejected or withdrawn) or it was submitted more than ``retention_days`` ago.
The second rule bounds how long a kiosk in a public hall keeps ID card
scans of open cases that the platform already has. Nothing unsent is ever
purged, whatever its age: that would be data loss, not retention.

Purging deletes the local attachment files no kept application still uses,
marks their rows ``purged_at``, blanks the applicant's name, ID number,
phone and form, and sets ``personal_data_purged_at``. The receipt number,
status, dates, hashes and the audit chain stay: they are what an audit
needs and they identify no one. The database commits first, then the files
go; a crash in between leaves files that the next run deletes.

Purging also removes leftover files: attachment files no row names (a
submission or draft interrupted between writing its bytes and committing),
temporary files of interrupted writes, and removals a crash interrupted.
Only files untouched for an hour go: a submission in progress in another
process writes or touches its files just before it commits, so its files
are always young (see `AttachmentStore.retire`).
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kiosk import audit, outbox
from kiosk.attachments import AttachmentStore
from kiosk.lifecycle import TERMINAL
from kiosk.store import Store
from kiosk.store.models import (
    Application,
    ApplicationMaterial,
    Attachment,
    MaterialFile,
    PendingDownload,
    utcnow,
)

CLOSED = frozenset(s.value for s in TERMINAL)
LEFTOVER_MIN_AGE_SECONDS = 3600


@dataclass(frozen=True)
class LeftoverFile:
    path: str  # relative to the attachments folder
    kind: str  # "attachment" (no row names it) | "temporary" (an interrupted write) | "retiring" (an interrupted removal)
    size: int
    age_seconds: int


@dataclass
class LeftoverScan:
    stale: list[LeftoverFile] = field(default_factory=list)  # found (or, after removal, removed)
    young: int = 0  # unreferenced but written to within the hour: perhaps a submission in progress; kept

    @property
    def bytes(self) -> int:
        return sum(f.size for f in self.stale)


@dataclass(frozen=True)
class PurgeItem:
    application_id: str
    receipt_no: str | None
    status: str
    reason: str  # "closed" | "expired"
    delete_attachments: list[str]
    keep_attachments: list[str]  # still used by an application that is kept


@dataclass
class PurgeReport:
    dry_run: bool
    items: list[PurgeItem] = field(default_factory=list)
    files_deleted: list[str] = field(default_factory=list)
    waiting_for_platform: int = 0  # eligible by status or age, but not yet confirmed sent
    leftovers: LeftoverScan = field(default_factory=LeftoverScan)  # removed (found, in a dry run)

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "applications": [asdict(i) for i in self.items],
            "files_deleted": self.files_deleted,
            "waiting_for_platform": self.waiting_for_platform,
            "leftover_files": [asdict(f) for f in self.leftovers.stale],
            "leftover_files_young_kept": self.leftovers.young,
        }


def _attachment_hashes(app: Application) -> set[str]:
    return {f.attachment_sha256 for m in app.materials for f in m.files}


def _unsent_refs(session: Session) -> set[str]:
    return outbox.not_sent_refs(session)


def _reason(app: Application, cutoff: datetime) -> str | None:
    if app.status in CLOSED:
        return "closed"
    started = app.submitted_at or app.created_at
    if started is not None and started < cutoff:
        return "expired"
    return None


def plan(session: Session, retention_days: int, now: datetime | None = None) -> tuple[list[PurgeItem], int]:
    """What a purge would do now, and how many applications wait only for the platform's confirmation."""
    now = now or utcnow()
    cutoff = now - timedelta(days=retention_days)
    apps = list(session.scalars(
        select(Application).where(Application.personal_data_purged_at.is_(None))
        .options(selectinload(Application.materials).selectinload(ApplicationMaterial.files))
        .order_by(Application.created_at)))
    unsent = _unsent_refs(session)
    chosen: list[tuple[Application, str]] = []
    waiting = 0
    for app in apps:
        reason = _reason(app, cutoff)
        if reason is None:
            continue
        if app.id in unsent or _attachment_hashes(app) & unsent:
            waiting += 1
            continue
        chosen.append((app, reason))
    chosen_ids = {a.id for a, _ in chosen}
    in_use: set[str] = set()
    for app in apps:
        if app.id not in chosen_ids:
            in_use |= _attachment_hashes(app)
    items = []
    for app, reason in chosen:
        hashes = sorted(_attachment_hashes(app))
        items.append(PurgeItem(application_id=app.id, receipt_no=app.receipt_no, status=app.status, reason=reason,
                               delete_attachments=[h for h in hashes if h not in in_use],
                               keep_attachments=[h for h in hashes if h in in_use]))
    return items, waiting


def purge(store: Store, attachments: AttachmentStore, *, dry_run: bool = False, actor: str = "system:retention",
          now: datetime | None = None, retention_days: int | None = None) -> PurgeReport:
    days = store.settings.retention_days if retention_days is None else retention_days
    now = now or utcnow()
    with store.transaction() as session:
        items, waiting = plan(session, days, now)
        report = PurgeReport(dry_run=dry_run, items=items, waiting_for_platform=waiting)
        if not dry_run:
            to_delete = _apply(session, items, actor, now)
    if dry_run:
        report.leftovers = find_leftovers(store, attachments)
        return report
    # Committed: now the files go (including any a crash left behind last time).
    for sha in to_delete:
        if attachments.exists(sha):
            attachments.delete(sha)
            report.files_deleted.append(sha)
    report.leftovers = remove_leftovers(store, attachments)
    return report


def _apply(session: Session, items: list[PurgeItem], actor: str, now: datetime) -> list[str]:
    """Blank the chosen applications' personal data; the attachment files that may now go."""
    for item in items:
        app = session.get(Application, item.application_id)
        assert app is not None
        app.applicant_name = None
        app.applicant_id_number = None
        app.applicant_phone = None
        app.form = {}
        app.personal_data_purged_at = now
        for sha in item.delete_attachments:
            row = session.get(Attachment, sha)
            if row is not None and row.purged_at is None:
                row.purged_at = now
        audit.record(session, actor=actor, action="personal_data_purged", subject=app.id,
                     details={"receipt_no": item.receipt_no, "reason": item.reason,
                              "attachments_deleted": item.delete_attachments,
                              "attachments_kept": item.keep_attachments})
    purged_hashes = set(session.scalars(select(Attachment.sha256).where(Attachment.purged_at.is_not(None))))
    # A file that a not-yet-purged application refers to is never deleted, whatever its row says.
    still_used = set(session.scalars(
        select(MaterialFile.attachment_sha256)
        .join(ApplicationMaterial, MaterialFile.material_id == ApplicationMaterial.id)
        .join(Application, ApplicationMaterial.application_id == Application.id)
        .where(Application.personal_data_purged_at.is_(None))))
    return sorted(purged_hashes - still_used)


def referenced_hashes(session: Session) -> set[str]:
    """Every attachment a row names: stored ones, and files of online cases still being fetched."""
    return set(session.scalars(select(Attachment.sha256))) | set(session.scalars(select(PendingDownload.sha256)))


def _kind(name: str) -> tuple[str, str | None] | None:
    if name.endswith(".owa.removing"):
        return "retiring", name.removesuffix(".owa.removing")
    if name.endswith(".owa"):
        return "attachment", name.removesuffix(".owa")
    if name.startswith(".tmp-"):  # kiosk.fsutil.write_atomic
        return "temporary", None
    return None  # not a file this software writes: never touched


def _scan(store: Store, attachments: AttachmentStore,
          min_age_seconds: float) -> tuple[list[tuple[LeftoverFile, str | None]], int, list[str]]:
    now = time.time()
    on_disk: list[tuple[str, str | None, Any]] = []
    for path in attachments.root.glob("*/*/*"):
        kind = _kind(path.name)
        if kind is None:
            continue
        try:
            st = path.stat()
        except FileNotFoundError:
            continue
        on_disk.append((kind[0], kind[1], (path, st)))
    # Listed first, then the rows: a file committed after the listing is named by a row here, or young.
    with store.transaction() as session:
        referenced = referenced_hashes(session)
    found: list[tuple[LeftoverFile, str | None]] = []
    restore: list[str] = []
    young = 0
    for kind, sha, (path, st) in on_disk:
        if kind == "attachment" and sha in referenced:
            continue
        if kind == "retiring" and sha in referenced:
            restore.append(sha)  # a row names it after all: it goes back, whatever its age
            continue
        age = now - st.st_mtime
        if age <= min_age_seconds:
            young += 1
            continue
        found.append((LeftoverFile(str(path.relative_to(attachments.root)), kind, st.st_size, int(age)), sha))
    return found, young, restore


def find_leftovers(store: Store, attachments: AttachmentStore, *,
                   min_age_seconds: float = LEFTOVER_MIN_AGE_SECONDS) -> LeftoverScan:
    """Files under the attachments folder that no row names and nothing has touched for `min_age_seconds`."""
    found, young, _ = _scan(store, attachments, min_age_seconds)
    return LeftoverScan([f for f, _ in found], young)


def remove_leftovers(store: Store, attachments: AttachmentStore, *,
                     min_age_seconds: float = LEFTOVER_MIN_AGE_SECONDS) -> LeftoverScan:
    """Remove what `find_leftovers` finds; a file touched since the scan stays, a named `.removing` one goes back."""
    found, young, restore = _scan(store, attachments, min_age_seconds)
    for sha in restore:
        attachments.restore_retiring(sha)
    removed: list[LeftoverFile] = []
    for item, sha in found:
        path = attachments.root / item.path
        if item.kind == "attachment" and sha is not None:
            if attachments.retire(sha, min_age_seconds):
                removed.append(item)
            else:
                young += 1
        else:
            try:
                if time.time() - path.stat().st_mtime <= min_age_seconds:
                    young += 1
                    continue
                path.unlink()
            except FileNotFoundError:
                continue
            removed.append(item)
    return LeftoverScan(removed, young)
