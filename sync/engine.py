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
from datetime import datetime, timezone
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable, Iterator, Set
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased

from kiosk import outbox
from kiosk.attachments import DamagedAttachment
from kiosk.catalog import CatalogInvalid, parse_catalog
from kiosk.catalog_store import install_catalog
from kiosk.errors import UserFacingError
from kiosk.outbox import OutboxKind, OutboxState
from kiosk.retry import SYNC_ITEMS, RetryPolicy
from kiosk.store.key_values import get_value, put_value
from kiosk.store.models import (
    ApplicationMaterial,
    Attachment,
    MaterialFile,
    OutboxItem,
    utcnow,
)
from kiosk.terminal import Terminal
from kiosk.usecases.appointments import mark_no_shows
from sync.appointments import sync_appointments
from sync.assigned import count_pending, fetch_downloads
from sync.audit_push import PLATFORM_ENTRIES_WAIT, HeadPush, head_for_push, push_audit_head, take_push_answer
from sync.centre_settings import pull_centre_settings
from sync.changes import apply_change, get_cursor, get_start, has_cursor, set_cursor, set_start
from sync.decisions import push_decisions
from sync.hall_stats_push import forward_hall_stats
from sync.heartbeat_push import Carried, take_answer, to_carry, waiting
from sync.heartbeat_push import deliver as deliver_heartbeat
from sync.link_memory import keep_link, restore_link
from sync import wire
from sync.client import Offline, PlatformClient, Refused
from sync.credentials import EnrollmentRequired, load_credential
from sync.staff_sync import pull_staff
from sync.upload import ResumableUploader, UploadLink, UploadPolicy, UploadStats, plan_batches
from sync.wire_heartbeat import ChangesWithHeartbeat, HeartbeatAnswer, HeartbeatOnPush, PushWithHeartbeat

log = logging.getLogger("onewindow.sync")
CATALOG_ETAG_KEY = "sync.catalog_etag"
UPDATE_CHECK_SECONDS = 600.0
# a platform that did not carry the heartbeat (no `POST /changes`, a push answer without it) or the feed (a
# batch answer without it) is offered it again after this long: it may have been upgraded meanwhile, and one
# refused read an hour costs nothing
FEED_CARRY_RETRY_SECONDS = 3600.0


@contextmanager
def _optional_step(report: PassReport, failure: str, *,
                   refusal: Callable[[Refused], str] | None = None) -> Iterator[None]:
    """A step after the applications whose failure is the pass's news, never its end.

    Link trouble and a lost enrollment still end the pass: every later step would meet them too. A refusal
    (given `refusal`, which words it) or a defect is reported as `failure: why` and the pass goes on, so an
    older platform or a bug in a side step never holds up citizens' applications.
    """
    try:
        yield
    except (Offline, EnrollmentRequired):
        raise
    except Exception as exc:  # noqa: BLE001 - a defect here must not end the pass badly
        if refusal is not None and isinstance(exc, Refused):
            report.errors.append(f"{failure}: {refusal(exc)}")
            return
        log.exception(failure)
        report.errors.append(f"{failure}: {type(exc).__name__}")


def _page_query(cursor: int, start: int | None) -> dict[str, int]:
    """The feed page's query from `cursor` (`GET /changes`'s, also carried by an upload batch): `start` while
    the cursor is short of where this terminal began (`sync.changes`)."""
    params = {"since": cursor, "limit": 100}
    if start and cursor < start:
        params["start"] = start
    return params


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
    staff_updated: int = 0
    decisions_sent: int = 0
    decisions_waiting: int = 0
    downloaded_files: int = 0
    downloaded_bytes: int = 0
    downloads_pending: int = 0
    pending: int = 0
    pending_bytes: int = 0
    count_check: dict[str, Any] | None = None
    audit_head: dict[str, Any] | None = None
    hall_stats: dict[str, Any] | None = None  # a counter with a hall hub: the queue statistics forwarded
    appointments: int = 0  # bookings of the hall's next days copied here (sync.appointments)
    appointment_events_sent: int = 0  # check-ins and no-shows the platform confirmed
    no_shows_marked: int = 0
    update: dict[str, Any] | None = None  # a new version fetched and staged for the root helper (sync.updates)
    heartbeat: dict[str, Any] | None = None  # the report made and the reports delivered (sync.heartbeat_push)
    centre_settings: dict[str, Any] | None = None  # settings from the centre: none, unchanged, staged, refused
    errors: list[str] = field(default_factory=list)

    @property
    def progressed(self) -> bool:
        return bool(self.sent or self.pushed or self.uploaded_bytes or self.pulled or self.rejected or self.conflicts
                    or self.catalog_updated or self.decisions_sent or self.downloaded_files or self.staff_updated
                    or self.appointment_events_sent)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class SyncEngine:
    def __init__(self, terminal: Terminal, client: PlatformClient, *, batch_size: int = 20,
                 chunk_bytes: int | None = None, retry: RetryPolicy = SYNC_ITEMS,
                 upload_policy: UploadPolicy = UploadPolicy(), sleep: Callable[[float], None] = time.sleep,
                 parallel_uploads: int = 2) -> None:
        self.terminal = terminal
        self.store = terminal.store
        self.client = client
        self.batch_size = batch_size
        self.chunk_bytes = chunk_bytes  # None: sized to the link (sync.chunk_size)
        # kept across passes (the sync worker keeps its engine): what the uploads learnt about the link and the
        # platform (sync.upload.UploadLink), the sizer's part also across restarts (sync.link_memory)
        self.upload_link = UploadLink(fixed_chunk=chunk_bytes)
        self._link_restored = False  # what an earlier process learnt about the link (sync.link_memory): read once
        self.retry = retry
        self.upload_policy = upload_policy
        self.sleep = sleep
        self.upload_stats = UploadStats()
        self.parallel_uploads = max(1, parallel_uploads)
        self._update_checked_at = float("-inf")
        # the count check's figures the feed's last page carried this pass (None: ask GET /summary, as from an
        # older platform, whose pages carry none)
        self._feed_summary: wire.Summary | None = None
        # the same page's summary, kept for the steps after the feed, and the previous pass's, for the catalog
        # (asked for first in a pass, before this pass's feed was read)
        self._pass_summary: wire.Summary | None = None
        self._previous_summary: wire.Summary | None = None
        # this pass's audit head, sent along with its first push, and the push's answer to it
        self._head_to_push: dict[str, object] | None = None
        self._pushed_head: HeadPush | None = None
        self._head_taken_at: float | None = None  # monotonic: when the platform last accepted a head sent
        # 0: the head is sent once, at the end of each pass, whoever wrote the entries (never with the push)
        self.platform_entries_wait = PLATFORM_ENTRIES_WAIT
        # False: every file on its own (`POST /uploads`), even where the platform offers batches
        self.batch_uploads = True
        # whether the feed read carries the heartbeat (`POST /changes`), the push carries it, and an upload
        # batch carries the feed read: False once a platform from before answered without, until
        # `FEED_CARRY_RETRY_SECONDS` later (`clock`, monotonic)
        self.feed_carries_heartbeat: bool | None = None
        self.push_carries_heartbeat: bool | None = None
        self.batch_carries_feed: bool | None = None
        self.clock: Callable[[], float] = time.monotonic
        self._carry_again_at = float("-inf")
        self._push_carry_again_at = float("-inf")
        self._batch_feed_again_at = float("-inf")
        # this pass: what its requests carried of the heartbeat, whether no later request is to try (the
        # platform took the reports, or refused them: the heartbeat step finds the one that does not fit),
        # and the feed's page an upload batch read (with the cursor it was read from)
        self._carried: Carried | None = None
        self._carry_done = False
        self._batch_page: tuple[int, wire.ChangesPage] | None = None

    # --- the pass ---------------------------------------------------------------------------

    def run_pass(self) -> PassReport:
        report = PassReport()
        self._feed_summary = None
        self._previous_summary, self._pass_summary = self._pass_summary, None
        self._head_to_push = None
        self._pushed_head = None
        self._carried = None
        self._carry_done = False
        self._batch_page = None
        self.mark_no_shows(report)  # local: also while the link is down
        try:
            self.pull_catalog(report)
            self.pull_staff(report)
            self.push(report)
            self.push_decisions(report)
            self.sync_appointments(report)
            self.pull_changes(report)
            self.fetch_downloads(report)
            self.compare_counts(report)
            report.online = True
            self.push_audit_head(report)
            self.push_hall_stats(report)
            self.pull_centre_settings(report)
            self.fetch_update(report)
        except Offline as exc:
            report.errors.append(f"offline: {exc}")
            log.info("sync pass ended early, link trouble: %s", exc)
        self.send_heartbeat(report)
        # No connection is kept until the next pass (a minute away): the platform or a proxy closes idle
        # ones, and the first request on one it closed fails. The engine itself is kept (`SyncWorker`).
        self.client.close()
        report.pending, report.pending_bytes = self.pending()
        with self.store.transaction() as session:
            report.downloads_pending = count_pending(session)
        return report

    def pending(self) -> tuple[int, int]:
        """Items still owed to the platform (applications and decisions) and the attachment bytes not yet
        confirmed there."""
        with self.store.transaction() as session:
            decisions = outbox.owed_count(session, OutboxKind.DECISION)
            ids = [i.ref_id for i in outbox.owed(session, OutboxKind.APPLICATION)]
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
            rows = [i.next_attempt_at for i in outbox.owed(session, OutboxKind.APPLICATION)]
            app_item = aliased(OutboxItem)
            # a decision whose application is still on its way is due when the application is
            rows += list(session.scalars(select(OutboxItem.next_attempt_at).where(
                OutboxItem.kind == OutboxKind.DECISION.value, OutboxItem.state.in_(outbox.OWED),
                ~exists().where(app_item.kind == OutboxKind.APPLICATION.value, app_item.ref_id == OutboxItem.ref_id,
                                app_item.state != OutboxState.SENT.value))))
        if not rows:
            return None
        now = utcnow()
        return max(0.0, min((r - now).total_seconds() if r else 0.0 for r in rows))

    # --- catalog ----------------------------------------------------------------------------

    def pull_catalog(self, report: PassReport) -> None:
        """First in the pass (the applications' forms come from it); not asked for at all when the previous
        pass's feed named the catalog this terminal holds, so a new catalog arrives at most one pass late
        and a pass after link trouble (no feed read) always asks."""
        with self.store.transaction() as session:
            etag = get_value(session, CATALOG_ETAG_KEY)
        seen = self._previous_summary
        if etag is not None and seen is not None and seen.catalog_etag is not None \
                and seen.catalog_etag == etag.removeprefix("W/"):  # (a proxy that compresses weakens it)
            return
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
            put_value(session, CATALOG_ETAG_KEY, resp.headers.get("ETag", f'"{catalog.etag}"'))
        self.terminal.reload_catalog()
        report.catalog_updated = True

    # --- staff (counters) --------------------------------------------------------------------

    def pull_staff(self, report: PassReport) -> None:
        """The hall's staff accounts from the platform (see sync.staff_sync); a kiosk has none to pull."""
        try:
            credential = load_credential(self.terminal.settings)
        except UserFacingError:  # a damaged credential file: doctor reports it; the platform answers for the role
            credential = None
        if credential is not None and not credential.is_counter:
            return
        result = pull_staff(self.store, self.client)
        if result is not None:
            report.staff_updated += result.added + result.updated + result.disabled

    # --- push -------------------------------------------------------------------------------

    def push(self, report: PassReport) -> None:
        with self.store.transaction() as session:
            due = outbox.due(session, OutboxKind.APPLICATION)
        # the audit head goes along with the first push the platform answers; `push_audit_head` then has
        # nothing left to send unless the pass adds entries other than the platform's word, which may wait
        # (without that wait, a head sent now would be followed by another at the end of the pass)
        self._head_to_push = head_for_push(self.store) if due and self.platform_entries_wait > 0 else None
        for start in range(0, len(due), self.batch_size):
            self._push_batch(due[start:start + self.batch_size], report)

    def _retry(self, item_ids: list[int], error: str) -> None:
        with self.store.transaction() as session:
            outbox.mark_retry(session, item_ids, error, self.retry)

    def _refuse(self, item_ids: list[int], state: OutboxState, reason: str) -> None:
        with self.store.transaction() as session:
            outbox.mark_refused(session, item_ids, state, reason)

    def _push_batch(self, item_ids: list[int], report: PassReport) -> None:
        """The items' payloads are the documents built at submission: sent as they are, never rebuilt."""
        self._batch_page = None  # a feed page an earlier batch read does not tell what this push completes
        docs: dict[str, dict[str, Any]] = {}
        item_of: dict[str, int] = {}
        unusable: list[int] = []
        with self.store.transaction() as session:  # "sending" is on disk before any request leaves
            for item in outbox.claim(session, item_ids):
                try:
                    document = wire.ApplicationDocument.model_validate(item.payload)
                except wire.ValidationError as exc:  # pragma: no cover - built and validated at submission
                    log.error("outbox item %s holds no valid application document: %s", item.id, exc)
                    unusable.append(item.id)
                    continue
                docs[document.id] = item.payload
                item_of[document.id] = item.id
            if unusable:
                outbox.mark_refused(session, unusable, OutboxState.REJECTED,
                                    "本机保存的申请文档无效，请联系技术支持。 / The stored application document is "
                                    "invalid; call technical support.")
                report.rejected += len(unusable)
        if not docs:
            return
        body: dict[str, Any] = {"applications": list(docs.values())}
        if self._head_to_push is not None:
            body["audit_head"] = self._head_to_push
        reports = self._reports_to_carry(report) if self._may_carry(
            self.push_carries_heartbeat, self._push_carry_again_at) else []
        if reports:
            body["heartbeat"] = {"reports": reports}
        before = datetime.now(timezone.utc)
        try:
            answer = wire.parse(PushWithHeartbeat, self.client.json("POST", "applications", json_body=body))
        except Offline as exc:
            self._retry(list(item_of.values()), str(exc))
            raise
        except Refused as exc:  # the whole batch refused (e.g. too large): try the items one by one
            if len(item_of) > 1:
                for item_id in item_of.values():
                    self._push_batch([item_id], report)
                return
            self._refuse(list(item_of.values()), OutboxState.REJECTED,
                         f"{exc.status}: {exc.reason.get('zh')} / {exc.reason.get('en')}")
            report.rejected += 1
            return
        except wire.ValidationError as exc:
            self._retry(list(item_of.values()), f"unexpected answer: {exc.error_count()} problems")
            raise Offline("unexpected answer to the push") from None
        self.upload_link.platform_batches(answer.upload_batch_bytes if self.batch_uploads else None)
        if reports:
            self._push_carried(answer.heartbeat, reports, before)
        if self._head_to_push is not None:
            self._pushed_head = take_push_answer(self.store, self._head_to_push, answer.audit_head)
            self._head_to_push = None
            if self._pushed_head is not None and self._pushed_head.result in ("accepted", "unchanged"):
                self._head_taken_at = time.monotonic()
        accepted: list[str] = []
        missing: dict[str, list[str]] = {}
        answered: set[str] = set()
        for r in answer.results:
            if r.id not in item_of or r.id in answered:
                continue
            answered.add(r.id)
            text = f"{r.reason.zh} / {r.reason.en}" if r.reason else ""
            if r.result in ("created", "duplicate"):
                accepted.append(r.id)
                missing[r.id] = list(r.missing)
                report.pushed += 1
            elif r.result == "conflict":
                self._refuse([item_of[r.id]], OutboxState.CONFLICT, text)
                report.conflicts += 1
                log.warning("application %s: conflict on the platform, kept for staff", r.id)
            else:
                self._refuse([item_of[r.id]], OutboxState.REJECTED, text)
                report.rejected += 1
                log.warning("application %s rejected by the platform: %s", r.id, r.reason.en if r.reason else "")
        unanswered = [i for a, i in item_of.items() if a not in answered]
        if unanswered:
            self._retry(unanswered, "no answer for this item")
        # the platform's word that a case is complete, where it already gave it: in the push's answer, or in
        # the answer to the upload that completed it; only the others are asked about
        told = {r.id.lower() for r in answer.results if r.id in accepted and r.complete}
        told |= self._upload_missing(accepted, missing, item_of, report)
        self._confirm(accepted, item_of, docs, report, told)

    # --- the heartbeat, carried by the pass's first request that can ---------------------------------------

    def _may_carry(self, carries: bool | None, again_at: float) -> bool:
        """Whether a request of the kind whose platform support is `carries` is to carry the heartbeat: not
        when an earlier request of the pass settled it, nor within the hour after the platform answered
        without it."""
        return not self._carry_done and (carries is not False or self.clock() >= again_at)

    def _reports_to_carry(self, report: PassReport) -> list[dict[str, Any]]:
        """The reports a request is to carry: this pass's report, made for the first request that tries (so a
        later one carries the same report, not a second), and those waiting before it. None until the
        terminal has measured its clock (`to_carry`)."""
        if self._carried is None:
            made, reports = to_carry(self.terminal, sync_errors=report.errors)
            if reports:  # not taken (yet): if no request takes it, the pass's errors still get a report
                self._carried = Carried(made=made, sent=0, errors_then=len(report.errors), taken=False)
            return reports
        return waiting(self.terminal)

    def _carry_taken(self, answer: HeartbeatAnswer, reports: list[dict[str, Any]], before: datetime) -> None:
        assert self._carried is not None
        sent = take_answer(self.terminal, answer, reports, before, datetime.now(timezone.utc))
        self._carried = Carried(made=self._carried.made, sent=sent, errors_then=self._carried.errors_then)
        self._carry_done = True

    def _push_carried(self, answer: HeartbeatOnPush | None, reports: list[dict[str, Any]], before: datetime) -> None:
        if answer is None:  # a platform from before: the feed read carries them
            self.push_carries_heartbeat = False
            self._push_carry_again_at = self.clock() + FEED_CARRY_RETRY_SECONDS
            return
        self.push_carries_heartbeat = True
        if answer.result == "taken" and answer.server_time is not None:
            self._carry_taken(HeartbeatAnswer(results=answer.results, server_time=answer.server_time), reports,
                              before)
        else:  # none taken: the heartbeat step sends them on their own and drops the one that does not fit
            log.info("the push did not carry the heartbeat: %s", answer.reason.en if answer.reason else answer.result)
            self._carry_done = True

    # --- uploads ------------------------------------------------------------------------------

    def _upload_missing(self, accepted: list[str], missing: dict[str, list[str]], item_of: dict[str, int],
                        report: PassReport) -> set[str]:
        """Upload what the platform lacks, a few files at a time so the link never idles
        while the platform answers one chunk; return the applications the answers said are now complete."""
        needed: dict[str, list[str]] = {}
        for app_id in accepted:
            for sha in missing.get(app_id, []):
                needed.setdefault(sha, []).append(app_id)
        if not needed:
            return set()
        if not self._link_restored:
            self._link_restored = True
            restore_link(self.store, self.upload_link.sizer, self.client.base_url)
        stop = threading.Event()

        completed: set[str] = set()
        Outcome = tuple[str, UploadStats, BaseException | None]

        def one(uploader: ResumableUploader, sha: str, data: bytes | None) -> Outcome:
            stats = uploader.stats = UploadStats()
            if stop.is_set():
                return sha, stats, Offline("skipped: the link is down")
            try:
                uploader.upload(sha, data if data is not None else self.terminal.attachments.get(sha))
                return sha, stats, None
            except Offline as exc:
                stop.set()
                return sha, stats, exc
            except (Refused, DamagedAttachment) as exc:
                return sha, stats, exc

        def work(shas: list[str]) -> list[Outcome]:
            """Files of a batch go in one request first (with the feed's read, when `feed` asks for it); each one
            it did not store (and a file alone) is then uploaded on its own."""
            client = self.client.clone()
            try:
                uploader = ResumableUploader(client, link=self.upload_link, policy=self.upload_policy,
                                             sleep=self.sleep)
                outcomes: list[Outcome] = []
                data: dict[str, bytes] = {}
                held: set[str] = set()
                batch_stats: UploadStats | None = None
                if len(shas) > 1 and not stop.is_set():
                    for sha in shas:
                        try:
                            data[sha] = self.terminal.attachments.get(sha)
                        except DamagedAttachment:  # answered on its own below
                            pass
                    held = uploader.upload_batch(data, feed=feed)
                    if feed is not None and uploader.batch_answered and not uploader.feed_unread:
                        # a file the batch did not store goes on its own next: the page would miss what it completes
                        self._batch_read_feed(feed, uploader.feed_page, whole=held == set(shas))
                    batch_stats = uploader.stats
                for sha in shas:
                    outcomes.append((sha, UploadStats(), None) if sha in held else one(uploader, sha, data.get(sha)))
                if batch_stats is not None:  # the batch's request and bytes count once, with its first file
                    outcomes[0][1].add(batch_stats)
                completed.update(uploader.completed)  # (set.update holds the GIL: safe across the pool)
                return outcomes
            finally:
                client.close()

        units = self._upload_work(list(needed))
        feed = self._feed_for_batch(units)
        with ThreadPoolExecutor(max_workers=self.parallel_uploads, thread_name_prefix="ow-upload") as pool:
            outcomes = [o for done in pool.map(work, units) for o in done]
        keep_link(self.store, self.upload_link.sizer, self.client.base_url)
        offline: Offline | None = None
        done: set[str] = set()
        failed_apps: set[str] = set()
        for sha, stats, error in outcomes:
            report.uploaded_bytes += stats.payload_bytes
            self.upload_stats.add(stats)
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
                        self._refuse([item_of[app_id]], OutboxState.REJECTED, text)
                        report.rejected += 1
        for app_id in failed_apps:
            accepted.remove(app_id)
        if done:
            self._note_uploaded(done)
        if offline is not None:
            self._retry([item_of[a] for a in accepted], str(offline))
            raise offline
        return completed

    def _feed_for_batch(self, work: list[list[str]]) -> dict[str, int] | None:
        """The feed page's query when the pass's uploads are one batch, so that batch reads the page (after
        its files are in, so the page tells the cases they completed) and the pass needs no read of its own;
        None when they are not, when the platform did not read it last time (within the hour), when this
        terminal has yet to ask where its feed starts, or when decisions wait to go after the uploads (their
        changes belong in the page)."""
        if len(work) != 1 or len(work[0]) < 2:
            return None
        if self.batch_carries_feed is False and self.clock() < self._batch_feed_again_at:
            return None
        with self.store.transaction() as session:
            start = get_start(session)
            if (not has_cursor(session) and start is None) or outbox.owed_count(session, OutboxKind.DECISION):
                return None
            return _page_query(get_cursor(session), start)

    def _batch_read_feed(self, params: dict[str, int], page: wire.ChangesPage | None, *, whole: bool) -> None:
        """What the upload batch that was asked for the feed answered (`page` None: a platform from before);
        the page is kept for `pull_changes` when it is the pass's last word (`whole`: the batch stored every
        file, so no upload followed it)."""
        if page is None:
            self.batch_carries_feed = False
            self._batch_feed_again_at = self.clock() + FEED_CARRY_RETRY_SECONDS
            return
        self.batch_carries_feed = True
        if whole:
            self._batch_page = (params["since"], page)

    def _upload_work(self, shas: list[str]) -> list[list[str]]:
        """The files in batches where the platform takes them and each is no larger than a chunk of the link
        (sync.upload.plan_batches), the rest one by one."""
        chunk = self.upload_link.chunk_size(self.client.head_bytes("POST", "uploads", {}))  # one reading for both limits
        budget = self.upload_link.batch_size(chunk)
        if budget <= 0 or len(shas) < 2:
            return [[sha] for sha in shas]
        with self.store.transaction() as session:
            sizes = {sha: size for sha, size in session.execute(
                select(Attachment.sha256, Attachment.size).where(Attachment.sha256.in_(shas)))}
        # (a file whose upload this process began goes on its own: it resumes from the platform's offset)
        batches = plan_batches({sha: sizes[sha] for sha in shas if sha in sizes and not self.upload_link.started(sha)},
                               budget, chunk)
        batched = {sha for batch in batches for sha in batch}
        return batches + [[sha] for sha in shas if sha not in batched]

    def _note_uploaded(self, shas: set[str]) -> None:
        with self.store.transaction() as session:
            for att in session.scalars(select(Attachment).where(Attachment.sha256.in_(list(shas)))):
                att.uploaded_at = att.uploaded_at or utcnow()

    def _confirm(self, accepted: list[str], item_of: dict[str, int], docs: dict[str, dict[str, Any]],
                 report: PassReport, told: Set[str] = frozenset()) -> None:
        """Only the platform's word that a case is complete makes an item "sent": `told` (lowercase ids) it
        gave already; the state of the others is asked for."""
        if not accepted:
            return
        complete = [a for a in accepted if a.lower() in told]
        ask = [a for a in accepted if a.lower() not in told]
        states: list[wire.CaseState] = []
        try:
            if ask:
                states = wire.parse(wire.StatesResponse, self.client.json(
                    "POST", "applications/state", json_body={"ids": ask})).states
        except Offline as exc:
            self._retry([item_of[a] for a in ask], str(exc))
            self._mark_sent(complete, docs, report, item_of)
            raise
        except wire.ValidationError:
            self._retry([item_of[a] for a in ask], "unexpected answer to the state query")
            self._mark_sent(complete, docs, report, item_of)
            raise Offline("unexpected answer to the state query") from None
        complete += [s.id for s in states if s.known and s.complete and s.id in item_of and s.id in ask]
        self._mark_sent(complete, docs, report, item_of)
        waiting = [a for a in accepted if a not in complete]
        if waiting:
            self._retry([item_of[a] for a in waiting], "the platform still lacks attachments")

    def _mark_sent(self, complete: list[str], docs: dict[str, dict[str, Any]], report: PassReport,
                   item_of: dict[str, int]) -> None:
        if complete:
            with self.store.transaction() as session:
                outbox.mark_sent(session, [item_of[a] for a in complete])
            report.sent += len(complete)
            self._note_uploaded({a["sha256"] for app_id in complete if app_id in docs
                                 for a in docs[app_id]["attachments"]})

    # --- decisions ---------------------------------------------------------------------------

    def push_decisions(self, report: PassReport) -> None:
        """Counter decisions, after the applications they concern (see sync.decisions)."""
        stats = push_decisions(self.store, self.client, self.retry)
        report.decisions_sent += stats.sent
        report.decisions_waiting += stats.waiting
        report.rejected += stats.rejected
        report.conflicts += stats.conflicts

    # --- changes ----------------------------------------------------------------------------

    def feed_start(self) -> int | None:
        """Where this terminal starts reading the feed (see `sync.changes`): asked once, when it never has."""
        with self.store.transaction() as session:
            if has_cursor(session):
                return get_start(session)
            start = get_start(session)
        if start is not None:
            return start
        try:
            start = wire.parse(wire.ChangesStart, self.client.json("GET", "changes/start")).cursor
        except Refused as exc:
            if exc.status != 404:
                raise
            start = 0  # a platform from before: the hall's whole history, as then
        except wire.ValidationError:
            raise Offline("unexpected answer to the feed's start") from None
        with self.store.transaction() as session:
            set_start(session, start)
            return get_start(session)

    def pull_changes(self, report: PassReport) -> None:
        """The feed from the cursor on, page by page; the first page is the one the pass's upload batch read
        (`_feed_for_batch`) when it read one from this very cursor."""
        start = self.feed_start()
        carry = self._may_carry(self.feed_carries_heartbeat, self._carry_again_at)  # the first page only
        in_hand, self._batch_page = self._batch_page, None
        while True:
            with self.store.transaction() as session:
                cursor = get_cursor(session)
            params = _page_query(cursor, start)
            if in_hand is not None and in_hand[0] == cursor:
                page = in_hand[1]
            else:
                page = self._read_page(params, report if carry else None)
            in_hand, carry = None, False
            changes, new_cursor, more = page.changes, page.cursor, page.more
            self._feed_summary = self._pass_summary = page.summary
            with self.store.transaction() as session:  # the page and its cursor: together or not at all
                if get_cursor(session) != cursor:
                    continue  # another worker applied this page meanwhile
                for change in changes:
                    if apply_change(session, change.model_dump(mode="json")):
                        report.pulled += 1
                set_cursor(session, new_cursor)
            if not more or new_cursor == cursor:
                return

    def _read_page(self, params: dict[str, int], report: PassReport | None) -> wire.ChangesPage:
        """A page of the feed; given the pass's `report`, its heartbeat rides on the read (`POST /changes`).

        A platform from before (no such route) is read with `GET` for the next hour; a report it refuses (422)
        leaves the page to a `GET` and the reports to the heartbeat step, which finds the one that does not fit.
        """
        if report is not None:
            reports = self._reports_to_carry(report)
            if reports:
                before = datetime.now(timezone.utc)
                try:
                    answer = self.client.json("POST", "changes", params=params, json_body={"reports": reports})
                except Refused as exc:
                    if exc.status in (404, 405):
                        self.feed_carries_heartbeat = False
                        self._carry_again_at = self.clock() + FEED_CARRY_RETRY_SECONDS
                    log.info("the feed read did not carry the heartbeat: %s", exc)
                else:
                    try:
                        page = wire.parse(ChangesWithHeartbeat, answer)
                    except wire.ValidationError:
                        raise Offline("unexpected answer from the changes feed") from None
                    self._carry_taken(page.heartbeat, reports, before)
                    self.feed_carries_heartbeat = True
                    return page
        try:
            return wire.parse(wire.ChangesPage, self.client.json("GET", "changes", params=params))
        except wire.ValidationError:
            raise Offline("unexpected answer from the changes feed") from None

    def fetch_downloads(self, report: PassReport) -> None:
        """Files of online cases the feed assigned to this hall (see sync.assigned)."""
        stats = fetch_downloads(self.terminal, self.client, self.retry)
        report.downloaded_files += stats.files
        report.downloaded_bytes += stats.bytes
        if stats.failed:
            report.errors.append(f"{stats.failed} file(s) of online cases could not be fetched; will retry")

    # --- appointments -----------------------------------------------------------------------

    def mark_no_shows(self, report: PassReport) -> None:
        try:
            report.no_shows_marked = mark_no_shows(self.terminal)
        except Exception as exc:  # noqa: BLE001 - a defect here must not stop the pass
            log.exception("marking no-shows failed")
            report.errors.append(f"no-shows not marked: {type(exc).__name__}")

    def sync_appointments(self, report: PassReport) -> None:
        """Check-ins and no-shows up, the hall's next days down (sync.appointments)."""
        # refused: an older platform without the routes, or this device may not read them
        with _optional_step(report, "appointments not synced", refusal=lambda exc: exc.message.en):
            stats = sync_appointments(self.store, self.client, self.retry)
            report.appointments = stats.pulled
            report.appointment_events_sent = stats.events_sent
            if stats.events_rejected:
                report.errors.append(f"{stats.events_rejected} appointment event(s) refused by the platform")

    # --- audit head -------------------------------------------------------------------------

    def push_audit_head(self, report: PassReport) -> None:
        """Last, and on its own: whatever goes wrong here never holds up applications or decisions. A pass
        that pushed sent the head along (`head_for_push`): then there is nothing left to send, unless the
        pass itself added entries."""
        with _optional_step(report, "audit head not sent"):
            pushed = self._pushed_head
            if pushed is not None and pushed.result == "refused":
                outcome = pushed  # the push's answer said so already: sent again, it would be refused again
            else:
                may_wait = (self._head_taken_at is not None
                            and time.monotonic() - self._head_taken_at < self.platform_entries_wait)
                outcome = push_audit_head(self.store, self.client, platform_entries_may_wait=may_wait)
                if outcome.result in ("unchanged", "waiting") and pushed is not None:
                    outcome = pushed
            if outcome.result == "accepted" and outcome is not pushed:
                self._head_taken_at = time.monotonic()
            report.audit_head = {"result": outcome.result, "last_id": outcome.last_id}
            if outcome.result == "refused":
                report.errors.append(f"audit head refused by the platform: {outcome.message}")

    # --- hall queue statistics ---------------------------------------------------------------

    def push_hall_stats(self, report: PassReport) -> None:
        """After everything else: a hub away or a defect here never holds up applications or decisions."""
        with _optional_step(report, "hall statistics not sent"):
            report.hall_stats = forward_hall_stats(self.terminal, self.client)
            if report.hall_stats and report.hall_stats["result"] == "refused":
                report.errors.append(f"hall statistics refused by the platform: {report.hall_stats['reason']}")

    # --- updates -----------------------------------------------------------------------------

    def fetch_update(self, report: PassReport) -> None:
        """Last in the pass, so a package never holds up applications; a cut link leaves the part fetched
        for the next pass to resume. Skipped until the platform's update root is pinned (at enrollment)."""
        from sync.updates import UpdatePaths, check_for_update

        paths = UpdatePaths.of(self.terminal.settings)
        if not paths.trusted_root.exists():
            return
        # at most every UPDATE_CHECK_SECONDS (two small requests each), but at once while a package is unfinished
        unfinished = paths.partial.is_dir() and any(paths.partial.iterdir())
        if not unfinished and time.monotonic() < self._update_checked_at + UPDATE_CHECK_SECONDS:
            return
        self._update_checked_at = time.monotonic()
        try:  # everything caught: the update check answers link trouble itself (state "offline")
            credential = load_credential(self.terminal.settings)
            if credential is None:
                return
            check = check_for_update(self.terminal.settings, credential.platform_url, credential.token,
                                     verify=credential.verify, timeouts=self.client.timeouts)
        except Exception as exc:  # noqa: BLE001 - a defect here (a full disk) must not end the pass badly
            log.exception("update check failed")
            report.errors.append(f"update not checked: {type(exc).__name__}")
            return
        report.update = check.as_dict()
        if check.state in ("refused", "offline"):
            report.errors.append(f"update {check.state}: {check.message.get('en', '')}")

    # --- heartbeat -------------------------------------------------------------------------------

    def send_heartbeat(self, report: PassReport) -> None:
        """After the pass, so the report tells its outcome; made offline too, and sent only while online."""
        try:
            with _optional_step(report, "heartbeat not sent"):
                report.heartbeat = deliver_heartbeat(self.terminal, self.client if report.online else None,
                                                     sync_errors=list(report.errors), carried=self._carried)
        except Offline as exc:  # after the pass: nothing left for link trouble to end
            report.errors.append(f"heartbeat not sent: {exc}")
    # --- settings from the centre -------------------------------------------------------------

    def pull_centre_settings(self, report: PassReport) -> None:
        """A signed settings document kept as the trial for the next window start (sync.centre_settings);
        a refused one is reported here, noted for the platform, and changes nothing."""
        # refused: an older platform without the route
        with _optional_step(report, "settings from the centre not pulled",
                            refusal=lambda exc: exc.reason.get("en", str(exc.status))):
            report.centre_settings = outcome = pull_centre_settings(self.terminal, self.client, self._pass_summary)
            if outcome["result"] in ("refused", "no_key"):
                message = f"settings from the centre {outcome['result']}: {outcome['reason']['en']}"
                report.errors.append(message)
                log.warning(message)

    # --- count check ------------------------------------------------------------------------

    def compare_counts(self, report: PassReport) -> None:
        summary, self._feed_summary = self._feed_summary, None
        if summary is None:  # an older platform: its feed carries no figures
            try:
                summary = wire.parse(wire.Summary, self.client.json("GET", "summary"))
            except wire.ValidationError:
                raise Offline("unexpected answer to the summary") from None
        with self.store.transaction() as session:
            local_sent = outbox.sent_count(session, OutboxKind.APPLICATION)
        platform = summary.device_complete
        report.count_check = {"local_sent": local_sent, "platform_complete": platform,
                              "platform_hall_cases": summary.hall_cases, "match": local_sent == platform}
        if local_sent != platform:
            message = (f"count mismatch: this terminal has {local_sent} applications confirmed, "
                       f"the platform has {platform} complete cases from this device")
            report.errors.append(message)
            log.warning(message)
