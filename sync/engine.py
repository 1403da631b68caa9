"""One sync pass: catalog down, applications and attachments up, counter
decisions up, changes down (with the files of online cases assigned to the
hall), then a count check with the platform.

Rules the pass keeps (each learned the hard way by ODK, CouchDB, tus users):
- an outbox item is marked "sending" (committed) before its request and
  "sent" only when the platform says the case is complete, every attachment
  arrived and verified; a crash in between means a harmless re-send;
- a 4xx for one item marks that item rejected (or conflict) with the
  platform's reason and the pass moves on; network trouble and 5xx leave it
  for a retry with backoff;
- one item's failure never stops the others.
"""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from kiosk.attachments import DamagedAttachment
from kiosk.catalog import CatalogInvalid, parse_catalog
from kiosk.catalog_store import install_catalog
from kiosk.store.models import (
    Application,
    ApplicationMaterial,
    Attachment,
    KeyValue,
    MaterialFile,
    OutboxItem,
    utcnow,
)
from kiosk.terminal import Terminal
from sync.backoff import Backoff
from sync.assigned import count_pending, fetch_downloads
from sync.changes import apply_change, get_cursor, set_cursor
from sync.decisions import push_decisions
from sync.client import Offline, PlatformClient, Refused
from sync.documents import application_document
from sync.protocol import DEFAULT_CHUNK_BYTES
from sync.upload import ResumableUploader, RetryPolicy, UploadStats

log = logging.getLogger("onewindow.sync")
CATALOG_ETAG_KEY = "sync.catalog_etag"
DUE_STATES = ("pending", "sending")


@dataclass
class PassReport:
    online: bool = False
    catalog_updated: bool = False
    pushed: int = 0
    sent: int = 0
    conflicts: int = 0
    rejected: int = 0
    uploaded_files: int = 0
    uploaded_bytes: int = 0
    pulled: int = 0
    decisions_sent: int = 0
    decisions_waiting: int = 0
    downloaded_files: int = 0
    downloaded_bytes: int = 0
    downloads_pending: int = 0
    pending: int = 0
    pending_bytes: int = 0
    count_check: dict[str, Any] | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def progressed(self) -> bool:
        return bool(self.sent or self.pushed or self.uploaded_bytes or self.pulled or self.rejected or self.conflicts
                    or self.catalog_updated or self.decisions_sent or self.downloaded_files)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class SyncEngine:
    def __init__(self, terminal: Terminal, client: PlatformClient, *, batch_size: int = 20,
                 chunk_bytes: int = DEFAULT_CHUNK_BYTES, backoff: Backoff = Backoff(),
                 upload_policy: RetryPolicy = RetryPolicy(), sleep: Callable[[float], None] = time.sleep,
                 parallel_uploads: int = 2) -> None:
        self.terminal = terminal
        self.store = terminal.store
        self.client = client
        self.batch_size = batch_size
        self.chunk_bytes = chunk_bytes
        self.backoff = backoff
        self.upload_policy = upload_policy
        self.sleep = sleep
        self.upload_stats = UploadStats()
        self.parallel_uploads = max(1, parallel_uploads)

    # --- the pass ---------------------------------------------------------------------------

    def run_pass(self) -> PassReport:
        report = PassReport()
        try:
            self.pull_catalog(report)
            self.push(report)
            self.push_decisions(report)
            self.pull_changes(report)
            self.fetch_downloads(report)
            self.compare_counts(report)
            report.online = True
        except Offline as exc:
            report.errors.append(f"offline: {exc}")
            log.info("sync pass ended early, link trouble: %s", exc)
        report.pending, report.pending_bytes = self.pending()
        with self.store.transaction() as session:
            report.downloads_pending = count_pending(session)
        return report

    def pending(self) -> tuple[int, int]:
        """Items still owed to the platform (applications and decisions) and the attachment bytes not yet
        confirmed there."""
        with self.store.transaction() as session:
            decisions = int(session.scalar(select(func.count()).select_from(OutboxItem).where(
                OutboxItem.kind == "decision", OutboxItem.state.in_(DUE_STATES))) or 0)
            ids = list(session.scalars(select(OutboxItem.ref_id).where(
                OutboxItem.kind == "application", OutboxItem.state.in_(DUE_STATES))))
            if not ids:
                return decisions, 0
            size = session.scalar(
                select(func.coalesce(func.sum(Attachment.size), 0)).where(Attachment.sha256.in_(
                    select(MaterialFile.attachment_sha256).join(ApplicationMaterial)
                    .where(ApplicationMaterial.application_id.in_(ids))), Attachment.uploaded_at.is_(None)))
            return len(ids) + decisions, int(size or 0)

    def next_due_in(self) -> float | None:
        """Seconds until the next outbox item is due (0 when one is due now), None when nothing waits."""
        with self.store.transaction() as session:
            rows = list(session.scalars(select(OutboxItem.next_attempt_at).where(
                OutboxItem.kind == "application", OutboxItem.state.in_(DUE_STATES))))
            app_item = aliased(OutboxItem)
            # a decision whose application is still on its way is due when the application is
            rows += list(session.scalars(select(OutboxItem.next_attempt_at).where(
                OutboxItem.kind == "decision", OutboxItem.state.in_(DUE_STATES),
                ~exists().where(app_item.kind == "application", app_item.ref_id == OutboxItem.ref_id,
                                app_item.state != "sent"))))
        if not rows:
            return None
        now = utcnow()
        return max(0.0, min((r - now).total_seconds() if r else 0.0 for r in rows))

    # --- catalog ----------------------------------------------------------------------------

    def pull_catalog(self, report: PassReport) -> None:
        with self.store.transaction() as session:
            row = session.get(KeyValue, CATALOG_ETAG_KEY)
            etag = row.value if row else None
        resp = self.client.request("GET", "catalog", expected=(200, 304, 404),
                                   headers={"If-None-Match": etag} if etag else None)
        if resp.status_code != 200:
            return
        try:
            catalog = parse_catalog(resp.json())
        except (ValueError, CatalogInvalid) as exc:  # keep working from the last good catalog
            report.errors.append(f"catalog refused: {exc}")
            return
        with self.store.transaction() as session:
            install_catalog(session, catalog, source=self.client.url("catalog"))
            new_etag = resp.headers.get("ETag", f'"{catalog.etag}"')
            row = session.get(KeyValue, CATALOG_ETAG_KEY)
            if row is None:
                session.add(KeyValue(key=CATALOG_ETAG_KEY, value=new_etag))
            else:
                row.value = new_etag
        report.catalog_updated = True

    # --- push -------------------------------------------------------------------------------

    def _due(self) -> list[int]:
        now = utcnow()
        with self.store.transaction() as session:
            return list(session.scalars(select(OutboxItem.id).where(
                OutboxItem.kind == "application", OutboxItem.state.in_(DUE_STATES),
                or_(OutboxItem.next_attempt_at.is_(None), OutboxItem.next_attempt_at <= now)).order_by(OutboxItem.id)))

    def push(self, report: PassReport) -> None:
        due = self._due()
        for start in range(0, len(due), self.batch_size):
            self._push_batch(due[start:start + self.batch_size], report)

    def _mark(self, item_ids: list[int], state: str, error: str | None = None, *, retry: bool = False) -> None:
        with self.store.transaction() as session:
            for item in session.scalars(select(OutboxItem).where(OutboxItem.id.in_(item_ids))):
                item.state = state
                item.last_error = error[:2000] if error else None
                if state == "sent":
                    item.sent_at = utcnow()
                    item.next_attempt_at = None
                elif retry:
                    item.next_attempt_at = utcnow() + timedelta(seconds=self.backoff.delay(item.attempts))

    def _push_batch(self, item_ids: list[int], report: PassReport) -> None:
        docs: dict[str, dict[str, Any]] = {}
        item_of: dict[str, int] = {}
        with self.store.transaction() as session:  # "sending" is on disk before any request leaves
            items = list(session.scalars(select(OutboxItem).where(OutboxItem.id.in_(item_ids))))
            apps = {a.id: a for a in session.scalars(
                select(Application).where(Application.id.in_([i.ref_id for i in items]))
                .options(selectinload(Application.materials).selectinload(ApplicationMaterial.files)
                         .selectinload(MaterialFile.attachment)))}
            for item in items:
                item.state = "sending"
                item.attempts += 1
                app = apps.get(item.ref_id)
                if app is None:
                    item.state, item.last_error = "rejected", "the application is no longer in the local store"
                    continue
                docs[app.id] = application_document(app)
                item_of[app.id] = item.id
        if not docs:
            return
        try:
            results = self.client.json("POST", "applications", json_body={"applications": list(docs.values())})["results"]
        except Offline as exc:
            self._mark(list(item_of.values()), "pending", str(exc), retry=True)
            raise
        except Refused as exc:  # the whole batch refused (e.g. too large): try the items one by one
            if len(item_of) > 1:
                for item_id in item_of.values():
                    self._push_batch([item_id], report)
                return
            self._mark(list(item_of.values()), "rejected", f"{exc.status}: {exc.reason.get('zh')} / {exc.reason.get('en')}")
            report.rejected += 1
            return
        except (KeyError, TypeError) as exc:
            self._mark(list(item_of.values()), "pending", f"unexpected answer: {exc}", retry=True)
            raise Offline("unexpected answer to the push") from None
        accepted: list[str] = []
        missing: dict[str, list[str]] = {}
        for r in results:
            app_id = str(r.get("id"))
            if app_id not in item_of:
                continue
            reason = r.get("reason") or {}
            text = f"{reason.get('zh', '')} / {reason.get('en', '')}"
            if r.get("result") in ("created", "duplicate"):
                accepted.append(app_id)
                missing[app_id] = [str(s) for s in r.get("missing") or []]
                report.pushed += 1
            elif r.get("result") == "conflict":
                self._mark([item_of[app_id]], "conflict", text)
                report.conflicts += 1
                log.warning("application %s: conflict on the platform, kept for staff", app_id)
            else:
                self._mark([item_of[app_id]], "rejected", text)
                report.rejected += 1
                log.warning("application %s rejected by the platform: %s", app_id, reason.get("en"))
        unanswered = [i for a, i in item_of.items() if a not in {str(r.get("id")) for r in results}]
        if unanswered:
            self._mark(unanswered, "pending", "no answer for this item", retry=True)
        self._upload_missing(accepted, missing, item_of, docs, report)
        self._confirm(accepted, item_of, docs, report)

    def _upload_missing(self, accepted: list[str], missing: dict[str, list[str]], item_of: dict[str, int],
                        docs: dict[str, dict[str, Any]], report: PassReport) -> None:
        """Upload what the platform lacks, a few files at a time so the link never idles
        while the platform answers one chunk."""
        needed: dict[str, list[str]] = {}
        for app_id in accepted:
            for sha in missing.get(app_id, []):
                needed.setdefault(sha, []).append(app_id)
        if not needed:
            return
        stop = threading.Event()

        def work(sha: str) -> tuple[str, UploadStats, BaseException | None]:
            stats = UploadStats()
            if stop.is_set():
                return sha, stats, Offline("skipped: the link is down")
            client = self.client.clone()
            try:
                data = self.terminal.attachments.get(sha)
                ResumableUploader(client, chunk_bytes=self.chunk_bytes, policy=self.upload_policy, sleep=self.sleep,
                                  stats=stats).upload(sha, data)
                return sha, stats, None
            except Offline as exc:
                stop.set()
                return sha, stats, exc
            except (Refused, DamagedAttachment) as exc:
                return sha, stats, exc
            finally:
                client.close()

        with ThreadPoolExecutor(max_workers=self.parallel_uploads, thread_name_prefix="ow-upload") as pool:
            outcomes = list(pool.map(work, list(needed)))
        offline: Offline | None = None
        done: set[str] = set()
        failed_apps: set[str] = set()
        for sha, stats, error in outcomes:
            report.uploaded_bytes += stats.payload_bytes
            self.upload_stats.payload_bytes += stats.payload_bytes
            self.upload_stats.committed_bytes += stats.committed_bytes
            if error is None:
                done.add(sha)
                report.uploaded_files += 1
            elif isinstance(error, Offline):
                offline = offline or error
            else:
                text = (error.message.both() if isinstance(error, DamagedAttachment)
                        else f"{error.reason.get('zh')} / {error.reason.get('en')}")  # type: ignore[union-attr]
                for app_id in needed[sha]:
                    if app_id not in failed_apps:
                        failed_apps.add(app_id)
                        self._mark([item_of[app_id]], "rejected", text)
                        report.rejected += 1
        for app_id in failed_apps:
            accepted.remove(app_id)
        if done:
            self._note_uploaded(done)
        if offline is not None:
            self._mark([item_of[a] for a in accepted], "pending", str(offline), retry=True)
            raise offline

    def _note_uploaded(self, shas: set[str]) -> None:
        with self.store.transaction() as session:
            for att in session.scalars(select(Attachment).where(Attachment.sha256.in_(list(shas)))):
                att.uploaded_at = att.uploaded_at or utcnow()

    def _confirm(self, accepted: list[str], item_of: dict[str, int], docs: dict[str, dict[str, Any]],
                 report: PassReport) -> None:
        """Only the platform's word that a case is complete makes an item "sent"."""
        if not accepted:
            return
        try:
            states = self.client.json("POST", "applications/state", json_body={"ids": accepted})["states"]
        except Offline as exc:
            self._mark([item_of[a] for a in accepted], "pending", str(exc), retry=True)
            raise
        complete = [str(s["id"]) for s in states if s.get("known") and s.get("complete")]
        if complete:
            self._mark([item_of[a] for a in complete if a in item_of], "sent")
            report.sent += len(complete)
            self._note_uploaded({a["sha256"] for app_id in complete if app_id in docs
                                 for a in docs[app_id]["attachments"]})
        waiting = [a for a in accepted if a not in complete]
        if waiting:
            self._mark([item_of[a] for a in waiting], "pending", "the platform still lacks attachments", retry=True)

    # --- decisions ---------------------------------------------------------------------------

    def push_decisions(self, report: PassReport) -> None:
        """Counter decisions, after the applications they concern (see sync.decisions)."""
        stats = push_decisions(self.store, self.client, self.backoff)
        report.decisions_sent += stats.sent
        report.decisions_waiting += stats.waiting
        report.rejected += stats.rejected
        report.conflicts += stats.conflicts

    # --- changes ----------------------------------------------------------------------------

    def pull_changes(self, report: PassReport) -> None:
        while True:
            with self.store.transaction() as session:
                cursor = get_cursor(session)
            page = self.client.json("GET", "changes", params={"since": cursor, "limit": 100})
            try:
                changes, new_cursor, more = list(page["changes"]), int(page["cursor"]), bool(page["more"])
            except (KeyError, TypeError, ValueError):
                raise Offline("unexpected answer from the changes feed") from None
            with self.store.transaction() as session:  # the page and its cursor: together or not at all
                if get_cursor(session) != cursor:
                    continue  # another worker applied this page meanwhile
                for change in changes:
                    if apply_change(session, change):
                        report.pulled += 1
                set_cursor(session, new_cursor)
            if not more or new_cursor == cursor:
                return

    def fetch_downloads(self, report: PassReport) -> None:
        """Files of online cases the feed assigned to this hall (see sync.assigned)."""
        stats = fetch_downloads(self.terminal, self.client, self.backoff)
        report.downloaded_files += stats.files
        report.downloaded_bytes += stats.bytes
        if stats.failed:
            report.errors.append(f"{stats.failed} file(s) of online cases could not be fetched; will retry")

    # --- count check ------------------------------------------------------------------------

    def compare_counts(self, report: PassReport) -> None:
        summary = self.client.json("GET", "summary")
        with self.store.transaction() as session:
            local_sent = int(session.scalar(select(func.count()).select_from(OutboxItem).where(
                OutboxItem.kind == "application", OutboxItem.state == "sent")) or 0)
        platform = int(summary.get("device_complete", -1))
        report.count_check = {"local_sent": local_sent, "platform_complete": platform,
                              "platform_hall_cases": summary.get("hall_cases"), "match": local_sent == platform}
        if local_sent != platform:
            message = (f"count mismatch: this terminal has {local_sent} applications confirmed, "
                       f"the platform has {platform} complete cases from this device")
            report.errors.append(message)
            log.warning(message)
