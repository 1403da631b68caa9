"""A simulated terminal: one asyncio task speaking the platform's real protocol over httpx.

It does what `sync.engine.SyncEngine` does in a pass, as a kiosk: the catalog
(with its ETag), applications pushed in batches of 20, the files the platform
says it lacks uploaded two at a time (files smaller than a chunk together in one
`POST /uploads/batch` where the push answer offers it; the others with tus:
creation with the first chunk in the POST, falling back to an empty POST if the
platform refuses the body, then checksummed PATCH chunks), the state of the
batch, the changes feed and the count check's figures (carried by the feed's last page, else `GET /summary`),
the audit chain's head (carried by the push, else on its own), the settings
from the centre and the heartbeat: every request a kiosk's pass makes. A pass that meets link trouble or a 5xx is retried after a capped
backoff, as the engine's outbox does; pushes are idempotent and uploads resume
from the platform's offset, so a retry is always safe.

Several platform instances sit behind one `Router`, which does what the
repository's nginx (deploy/nginx) does in front of them: upload requests go by a
hash of the device token (so an upload's running hash stays warm on one instance,
also for its first chunk, which comes in the POST before the upload has an id),
everything else is spread round robin, and an instance that refuses connections
is left alone for a few seconds while its requests go to the next one.
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import random
import time
import uuid
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import httpx

from kiosk import heartbeat
from kiosk.audit import GENESIS, entry_hash
from sync.chunk_size import SNAPSHOT_VERSION, ChunkLimits, ChunkSizer
from sync.upload import batch_budget, plan_batches
from sync.protocol import (
    API_PREFIX,
    COMPLETED_APPLICATIONS_HEADER,
    DEFAULT_CHUNK_BYTES,
    PLATFORM_MAX_CHUNK_BYTES,
    PROTOCOL_HEADER,
    TUS_VERSION,
    UPLOAD_BATCH_HEADER,
    UPLOAD_COMPLETE_HEADER,
    UPLOAD_CONTENT_TYPE,
)

from loadsim.documents import PreparedApp

BATCH = 20  # applications per push, as SyncEngine's batch_size
PARALLEL_UPLOADS = 2  # as SyncEngine's parallel_uploads
MAX_PASS_FAILURES = 40
MAX_UPLOAD_FAILURES = 30


class Trouble(Exception):
    """Link trouble or a platform failure (5xx): the pass is tried again later."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason  # short, for counting: "GET changes 503", "PATCH uploads/{id} ReadError"


class Refused(Exception):
    """A 4xx the protocol has no answer for: a defect the bench reports."""


class LinkChunks:
    """The terminal's own chunk sizer (`sync.chunk_size.ChunkSizer`, which the engine's uploads use), or one
    fixed size. `proven` bytes already through without a cut is what a terminal keeps of its link across
    restarts (`sync.link_memory`); 0 is a terminal that has just enrolled."""

    HEAD = 400  # bytes of a PATCH's head: request line, token, offset, checksum

    def __init__(self, cap: int, *, proven: int = 0, fixed: int | None = None) -> None:
        self.fixed = fixed
        self.sizer = ChunkSizer(ChunkLimits(cap=max(cap, DEFAULT_CHUNK_BYTES)))
        if proven and not self.sizer.restore({"version": SNAPSHOT_VERSION, "mean_gap": None, "gaps": [],
                                              "run": proven, "cuts": 0}):
            raise ValueError(f"the sizer refused a proven link of {proven} bytes")  # (not an assert: -O drops it)

    def size(self) -> int:
        return self.fixed or self.sizer.size(self.HEAD)

    def sending(self, body: int) -> None:
        """A request with `body` bytes goes out; `passed` or `failed` follows (the sizer counts it meanwhile)."""
        self.sizer.sending(body + self.HEAD)

    def passed(self, body: int) -> None:
        self.sizer.delivered(body + self.HEAD)

    def failed(self, body: int) -> None:
        self.sizer.cut(body + self.HEAD)


HEARTBEAT_SECONDS = heartbeat.MIN_INTERVAL.total_seconds()  # a report at most this often (kiosk.heartbeat)


class AuditChain:
    """A terminal's audit log as the platform sees it (kiosk.audit): a hash chain, two entries per application
    (submitted, receipt printed), of which the sync pass sends the head."""

    def __init__(self, actor: str) -> None:
        self.actor = actor
        self.last_id = 0
        self.hash = GENESIS
        self.logged: set[str] = set()
        self.acked: dict[str, Any] | None = None

    def add_once(self, application_ids: list[str]) -> None:
        for app_id in application_ids:
            if app_id in self.logged:
                continue
            self.logged.add(app_id)
            for action in ("application.submitted", "receipt.printed"):
                self.last_id += 1
                self.hash = entry_hash(self.hash, datetime.now(timezone.utc), self.actor, action, app_id, {})

    def head(self) -> dict[str, Any]:
        return {"last_id": self.last_id, "count": self.last_id, "hash": self.hash}


class Router:
    """nginx's part: a device's uploads on one instance, the rest round robin, a dead instance skipped."""

    def __init__(self, bases: list[str], down_seconds: float = 5.0) -> None:
        self.bases = bases
        self.down_until = [0.0] * len(bases)
        self.down_seconds = down_seconds
        self.turn = 0

    def order(self, key: str | None) -> list[int]:
        n = len(self.bases)
        if key is not None:
            first = zlib.crc32(key.encode()) % n
        else:
            first = self.turn % n
            self.turn += 1
        ring = [(first + k) % n for k in range(n)]
        now = time.monotonic()
        return [i for i in ring if self.down_until[i] <= now] + [i for i in ring if self.down_until[i] > now]

    def mark_down(self, index: int) -> None:
        self.down_until[index] = time.monotonic() + self.down_seconds


@dataclass
class Shared:
    """What all simulated terminals of a run share: the router and whether the platform takes a body on
    POST /uploads (creation-with-upload)."""

    router: Router
    creation_with_upload: bool | None = None  # None: not known yet
    chunk_cap: int = PLATFORM_MAX_CHUNK_BYTES
    proven_bytes: int = 0  # what each terminal's link has carried without a cut (LinkChunks)
    in_service: bool = False  # terminals that hold the catalog and read the feed last pass (`SimTerminal.in_service`)
    fixed_chunk: int | None = None
    batches: bool = True  # False: every file on its own, as a terminal from before POST /uploads/batch
    feed_carries_heartbeat: bool | None = None  # False: the platform has no POST /changes (None: not known yet)
    push_carries_heartbeat: bool | None = None  # False: the platform's push answers without it
    batch_carries_feed: bool | None = None  # False: the platform's upload batch answers without the feed
    requests: Counter[str] = field(default_factory=Counter)
    confirmed: int = 0
    # called at once with the new count, before any other coroutine runs: a run that kills an instance "halfway"
    # kills it at exactly that count, where a poller could wake only after the last application was confirmed
    on_confirmed: Callable[[int], None] | None = None
    # why passes, batches and chunks were tried again: one count for each time, so its sum is the retries
    retry_reasons: Counter[str] = field(default_factory=Counter)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _kind(method: str, path: str) -> str:
    """The route a request went to, e.g. "PATCH uploads/{id}", "POST applications/state"."""
    parts = path.split("?")[0].split("/")
    return (f"{method} uploads/{{id}}" if parts[0] == "uploads" and len(parts) > 1 and parts[1] != "batch"
            else f"{method} {'/'.join(parts)}")


class SimTerminal:
    """One kiosk of a hall: its own connections (at most four), its own token and feed cursor."""

    def __init__(self, name: str, hall_code: str, code: str, shared: Shared) -> None:
        self.name = name
        self.hall_code = hall_code
        self.code = code
        self.shared = shared
        self.client = httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=5.0),
                                        limits=httpx.Limits(max_connections=4, max_keepalive_connections=4))
        self.token = ""
        self.device_no = 0
        self.apps: list[PreparedApp] = []
        self.pending: list[PreparedApp] = []
        self.etag: str | None = None
        self.cursor = 0
        self.received: Counter[str] = Counter()  # application id -> "received" changes seen in the feed
        self.errors: list[str] = []
        self.chunk = LinkChunks(shared.chunk_cap, proven=shared.proven_bytes, fixed=shared.fixed_chunk)
        self.summary: dict[str, Any] | None = None
        self.confirmed_ids: set[str] = set()
        self.audit = AuditChain(name)
        self.started = time.monotonic()
        self.heartbeat_at: float | None = None
        self.settings_version = 0  # the newest settings document taken in
        self.completed: set[str] = set()  # applications the answers to uploads said are complete
        self.carried = False  # this pass's heartbeat went with its push
        self.page_in_hand: tuple[int, dict[str, Any]] | None = None  # the feed page this pass's batch read

    # --- HTTP ------------------------------------------------------------------------------------

    async def request(self, method: str, path: str, *, key: str | None = None, headers: dict[str, str] | None = None,
                      **kwargs: Any) -> httpx.Response:
        """One request through the router; only a connection that was never made moves to another instance."""
        all_headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        all_headers.update(headers or {})
        kind = _kind(method, path)
        for index in self.shared.router.order(key):
            url = self.shared.router.bases[index] + API_PREFIX + "/" + path
            try:
                resp = await self.client.request(method, url, headers=all_headers, **kwargs)
            except httpx.ConnectError:
                self.shared.router.mark_down(index)
                continue
            except httpx.TransportError as exc:
                raise Trouble(f"{method} {path}: {type(exc).__name__}", f"{kind} {type(exc).__name__}") from None
            self.shared.requests[kind] += 1
            if PROTOCOL_HEADER not in resp.headers:
                raise Trouble(f"{method} {path}: an answer without the protocol header ({resp.status_code})",
                              f"{kind} {resp.status_code} not the platform's")
            if resp.status_code >= 500 or resp.status_code == 429:
                raise Trouble(f"{method} {path}: {resp.status_code} {resp.text[:200]}", f"{kind} {resp.status_code}")
            return resp
        raise Trouble(f"{method} {path}: no instance accepts connections", f"{kind} no instance")

    async def json(self, method: str, path: str, body: Any | None = None, **kwargs: Any) -> Any:
        resp = await self.request(method, path, json=body, **kwargs) if body is not None else \
            await self.request(method, path, **kwargs)
        if resp.status_code != 200:
            raise Refused(f"{method} {path}: {resp.status_code} {resp.text[:200]}")
        return resp.json()

    async def close(self) -> None:
        await self.client.aclose()

    # --- enrollment -------------------------------------------------------------------------------

    async def enroll(self) -> None:
        answer = await self.json("POST", "enroll", {"code": self.code})
        self.token, self.device_no = answer["token"], int(answer["device_no"])

    async def in_service(self) -> None:
        """What a terminal in service has that one just enrolled has not: the catalog, a previous pass whose
        feed named it (so its passes ask for no catalog), and passes that reached every instance (nginx sends
        a pass's requests round robin: each instance has met its token in the last minutes and keeps it)."""
        for base in self.shared.router.bases:
            resp = await self.client.get(f"{base}{API_PREFIX}/catalog",
                                         headers={"Authorization": f"Bearer {self.token}"})
            if resp.status_code == 200:
                self.etag = resp.headers.get("ETag")
        self.summary = {"catalog_etag": self.etag}

    # --- the sync passes ----------------------------------------------------------------------------

    async def sync(self) -> None:
        """Passes until every application is confirmed complete (a pass reads the feed after its pushes, so the
        last one also learns the case numbers of the last applications)."""
        self.pending = list(self.apps)
        failures = 0
        while True:
            try:
                await self.one_pass()
            except Trouble as exc:
                failures += 1
                self.shared.retry_reasons[f"pass: {exc.reason}"] += 1
                if failures >= MAX_PASS_FAILURES:
                    self.errors.append(f"gave up after {failures} failed passes: {exc}")
                    return
                await asyncio.sleep(min(2.0, 0.05 * 2 ** failures) * random.uniform(0.5, 1.0))
                continue
            except Refused as exc:
                self.errors.append(str(exc))
                return
            failures = 0
            if not self.pending:
                return

    async def one_pass(self) -> None:
        previous, self.summary = self.summary, None
        self.carried, self.page_in_hand = False, None
        # the catalog only when the previous pass's feed did not name the one held (SyncEngine.pull_catalog)
        if self.etag is None or previous is None or previous.get("catalog_etag") != self.etag:
            resp = await self.request("GET", "catalog", headers={"If-None-Match": self.etag} if self.etag else None)
            if resp.status_code == 200:
                self.etag = resp.headers.get("ETag")
        for start in range(0, len(self.pending), BATCH):
            await self.push(self.pending[start:start + BATCH])
        self.pending = [a for a in self.pending if a.id not in self.confirmed_ids]
        self.summary = await self.pull_changes()
        announced = self.summary is not None and "settings_version" in self.summary
        if self.summary is None:  # an older platform: its feed's last page carries no count check figures
            self.summary = await self.json("GET", "summary")
        await self.push_audit_head()
        # settings from the centre only when the feed announces a version newer than any seen (none are set here)
        if not announced or (self.summary.get("settings_version") or 0) > self.settings_version:
            resp = await self.request("GET", "settings")
            if resp.status_code not in (200, 204):
                raise Refused(f"GET settings: {resp.status_code} {resp.text[:200]}")
            self.settings_version = self.summary.get("settings_version") or 0
        if self.heartbeat_due():  # the feed read did not carry it: a platform from before, or a first report
            if not (self.shared.in_service or self.heartbeat_at is not None):  # the platform's clock first
                await self.json("POST", "heartbeat", {"reports": []})  # (sync.heartbeat_push.deliver)
            await self.json("POST", "heartbeat", {"reports": [self.heartbeat_report()]})
            self.heartbeat_at = time.monotonic()

    def audit_head_body(self) -> dict[str, Any] | None:
        """The audit chain's head, with the head the platform accepted last as its anchor, or None when the
        platform holds it (sync.audit_push). The statuses a real terminal's feed writes into its log are the
        platform's own word and wait for the next push's head, so they are left out here."""
        head = self.audit.head()
        if head == self.audit.acked:
            return None
        body: dict[str, Any] = dict(head)
        if self.audit.acked is not None:
            body["anchor"] = dict(self.audit.acked)
        return body

    def take_audit_answer(self, body: dict[str, Any], answer: dict[str, Any]) -> bool:
        """Whether the platform holds the head sent (anchor_needed at this very head: it took it in a pass
        whose answer was lost)."""
        head = {k: body[k] for k in ("last_id", "count", "hash")}
        if answer.get("result") in ("accepted", "unchanged") or (
                answer.get("result") == "anchor_needed" and answer.get("anchor_id") == head["last_id"]):
            self.audit.acked = head
            return True
        return False

    async def push_audit_head(self) -> None:
        """The head on its own, when no push of the pass carried it."""
        body = self.audit_head_body()
        if body is None:
            return
        answer = await self.json("POST", "audit/heads", body)
        if not self.take_audit_answer(body, answer):
            raise Refused(f"audit head: {answer}")

    def heartbeat_report(self) -> dict[str, Any]:
        """A kiosk's heartbeat report (sync.wire_heartbeat.Report): all well, nothing waiting."""
        fine = {"configured": True, "state": "ok"}
        return {"id": str(uuid.uuid4()), "made_at": datetime.now(timezone.utc).isoformat(), "version": "bench",
                "device_kind": "kiosk", "uptime_seconds": round(time.monotonic() - self.started, 1),
                "disk_free_bytes": 50 * 2**30, "disk_total_bytes": 100 * 2**30,
                "outbox_backlog": len(self.pending), "print_backlog": 0,
                "devices": {"printer": {**fine, "online": True, "paper": "ok"}, "scanner": fine, "camera": fine,
                            "card_reader": fine}}

    async def push(self, batch: list[PreparedApp]) -> None:
        self.audit.add_once([a.id for a in batch])  # submitted, and the receipt printed (kiosk.submission)
        self.page_in_hand = None  # a page an earlier batch read does not tell what this push completes
        body: dict[str, Any] = {"applications": [a.document for a in batch]}
        head = self.audit_head_body()  # the head rides with the push (SyncEngine.push)
        if head is not None:
            body["audit_head"] = head
        # the heartbeat too, once the clock is measured (SyncEngine._push_batch)
        measured = self.shared.in_service or self.heartbeat_at is not None
        beat = (not self.carried and measured and self.heartbeat_due()
                and self.shared.push_carries_heartbeat is not False)
        if beat:
            body["heartbeat"] = {"reports": [self.heartbeat_report()]}
        answer = await self.json("POST", "applications", body)
        if head is not None and answer.get("audit_head") is not None:
            self.take_audit_answer(head, answer["audit_head"])
        if beat:
            taken = answer.get("heartbeat")
            self.shared.push_carries_heartbeat = taken is not None
            if taken is not None and taken.get("result") == "taken":
                self.carried, self.heartbeat_at = True, time.monotonic()
        by_id = {a.id: a for a in batch}
        needed: dict[str, bytes] = {}
        accepted: list[str] = []
        for r in answer["results"]:
            if r["result"] not in ("created", "duplicate"):
                raise Refused(f"application {r['id']}: {r['result']} {r.get('reason')}")
            accepted.append(r["id"])
            for sha in r.get("missing", []):
                needed[sha] = by_id[r["id"]].files[sha]
        # files no larger than a chunk in batches where the platform's answer offers them (SyncEngine._upload_work)
        units = [{sha: data} for sha, data in needed.items()]
        if self.shared.batches and answer.get("upload_batch_bytes") and len(needed) > 1:
            chunk = self.chunk.size()
            batches = plan_batches({sha: len(data) for sha, data in needed.items()},
                                   batch_budget(int(answer["upload_batch_bytes"]), self.chunk.sizer.cap, chunk), chunk)
            batched = {sha for batch in batches for sha in batch}
            units = [{sha: needed[sha] for sha in batch} for batch in batches] + [
                {sha: data} for sha, data in needed.items() if sha not in batched]
        gate = asyncio.Semaphore(PARALLEL_UPLOADS)
        # the feed's page read by the batch when the uploads are one batch (SyncEngine._feed_for_batch)
        feed = ({"since": self.cursor, "limit": 100} if len(units) == 1 and len(units[0]) > 1
                and self.shared.batch_carries_feed is not False else None)

        async def one(unit: dict[str, bytes]) -> None:
            async with gate:
                held = await self.upload_batch(unit, feed) if len(unit) > 1 else set()
                if feed is None or held != set(unit):
                    self.page_in_hand = None  # a file goes on its own next: the page would miss what it completes
                for sha, data in unit.items():
                    if sha not in held:  # each file a batch did not store goes on its own
                        await self.upload(sha, data)

        outcomes = await asyncio.gather(*(one(unit) for unit in units), return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        # the platform's word, where its answers gave it (the push's, the completing upload's), else asked for
        told = {r["id"] for r in answer["results"] if r.get("complete")} | self.completed
        ask = [a for a in accepted if a not in told]
        states = (await self.json("POST", "applications/state", {"ids": ask}))["states"] if ask else []
        complete = [a for a in accepted if a in told] + [
            s["id"] for s in states if s.get("known") and s.get("complete")]
        for app_id in complete:
            if app_id not in self.confirmed_ids:
                self.confirmed_ids.add(app_id)
                self.shared.confirmed += 1
                if self.shared.on_confirmed is not None:
                    self.shared.on_confirmed(self.shared.confirmed)

    def note_completed(self, resp: httpx.Response) -> None:
        named = resp.headers.get(COMPLETED_APPLICATIONS_HEADER, "")
        self.completed.update(part for part in named.split(",") if part)

    async def pull_changes(self) -> dict[str, Any] | None:
        """The feed from the cursor on; the count check's figures its last page carried, if any.

        The first page is the one the pass's upload batch read, when it read one; else it carries the heartbeat
        when one is due and the push did not (`POST /changes`, as `SyncEngine.pull_changes` sends it once the
        terminal's clock is measured); a platform without that route is read with `GET` and told with `POST
        /heartbeat` at the end of the pass (`one_pass`)."""
        # a terminal just enrolled has never measured its clock: its first report goes on its own (below)
        measured = self.shared.in_service or self.heartbeat_at is not None
        carry = (not self.carried and measured and self.heartbeat_due()
                 and self.shared.feed_carries_heartbeat is not False)
        in_hand, self.page_in_hand = self.page_in_hand, None
        while True:
            params = {"since": self.cursor, "limit": 100}
            page = None
            if in_hand is not None and in_hand[0] == self.cursor:
                page, carry = in_hand[1], False
            in_hand = None
            if carry:
                carry = False
                resp = await self.request("POST", "changes", params=params,
                                          json={"reports": [self.heartbeat_report()]})
                if resp.status_code in (404, 405):
                    self.shared.feed_carries_heartbeat = False
                elif resp.status_code != 200:
                    raise Refused(f"POST changes: {resp.status_code} {resp.text[:200]}")
                else:
                    page = resp.json()
                    self.shared.feed_carries_heartbeat = True
                    self.heartbeat_at = time.monotonic()
            if page is None:
                page = await self.json("GET", "changes", params=params)
            for change in page["changes"]:
                if change["status"] == "received":
                    self.received[change["application_id"]] += 1
            moved = page["cursor"] != self.cursor
            self.cursor = page["cursor"]
            if not page["more"] or not moved:
                return page.get("summary")

    def heartbeat_due(self) -> bool:
        return self.heartbeat_at is None or time.monotonic() - self.heartbeat_at >= HEARTBEAT_SECONDS

    # --- resumable upload (tus core + creation(-with-upload) + checksum) ----------------------------

    async def upload_batch(self, files: dict[str, bytes], feed: dict[str, int] | None = None) -> set[str]:
        """Several whole files in one `POST /uploads/batch`; the files it stored (never retried as a batch). With
        `feed`, the answer's page of the feed is kept in `page_in_hand`."""
        body = b"".join(files.values())
        self.chunk.sending(len(body))
        try:
            resp = await self.request("POST", "uploads/batch", key=self.token, content=body, params=feed, headers={
                "Tus-Resumable": TUS_VERSION, "Content-Type": UPLOAD_CONTENT_TYPE,
                UPLOAD_BATCH_HEADER: ",".join(f"{sha}:{len(data)}" for sha, data in files.items())})
        except Trouble as exc:
            self.chunk.failed(len(body))
            self.shared.retry_reasons[f"batch: {exc.reason}"] += 1
            return set()
        self.chunk.passed(len(body))
        if resp.status_code != 200:
            self.shared.retry_reasons[f"batch: {resp.status_code}"] += 1
            return set()
        answer_body = resp.json()
        if feed is not None:
            self.shared.batch_carries_feed = answer_body.get("feed") is not None
            if answer_body.get("feed") is not None:
                self.page_in_hand = (feed["since"], answer_body["feed"])
        held: set[str] = set()
        for answer in answer_body["files"]:
            if answer["result"] == "stored":
                held.add(answer["sha256"])
                self.completed.update(answer.get("completed_applications", []))
        return held

    async def upload(self, sha256: str, data: bytes) -> None:
        location: str | None = None
        upload_id: str | None = None
        offset = 0
        in_flight = 0  # body bytes of the PATCH on the wire, told to the sizer when it is answered or cut
        known = False
        failures = 0
        while True:
            try:
                if location is None:
                    location, offset = await self.create(sha256, data)
                    if location is None:
                        return
                    upload_id = location.rsplit("/", 1)[-1]
                    known = True
                if not known:
                    resp = await self.request("HEAD", f"uploads/{upload_id}", key=self.token,
                                              headers={"Tus-Resumable": TUS_VERSION})
                    if resp.status_code == 404:
                        location = None
                        continue
                    offset, known = int(resp.headers["Upload-Offset"]), True
                if offset >= len(data):  # the last chunk's answer was lost: asking again settles it
                    location, known = None, False
                    continue
                chunk = data[offset: offset + self.chunk.size()]
                in_flight = len(chunk)
                self.chunk.sending(in_flight)
                resp = await self.request("PATCH", f"uploads/{upload_id}", key=self.token, content=chunk, headers={
                    "Tus-Resumable": TUS_VERSION, "Content-Type": UPLOAD_CONTENT_TYPE, "Upload-Offset": str(offset),
                    "Upload-Checksum": f"sha256 {_b64(hashlib.sha256(chunk).digest())}"})
                self.chunk.passed(in_flight)  # it got through, whatever the answer says
                in_flight = 0
                if resp.status_code == 204:
                    offset = int(resp.headers["Upload-Offset"])
                    failures = 0
                    if resp.headers.get(UPLOAD_COMPLETE_HEADER):
                        self.note_completed(resp)
                        return
                    continue
                if resp.status_code in (409, 460):
                    known = False
                elif resp.status_code == 404:
                    location, known = None, False
                else:
                    raise Refused(f"PATCH upload of {sha256[:12]}: {resp.status_code} {resp.text[:200]}")
                self.shared.retry_reasons[f"chunk: PATCH {resp.status_code}"] += 1
            except Trouble as exc:
                known = False
                if in_flight:
                    self.chunk.failed(in_flight)
                    in_flight = 0
                self.shared.retry_reasons[f"chunk: {exc.reason}"] += 1
            failures += 1
            if failures >= MAX_UPLOAD_FAILURES:
                raise Trouble(f"upload of {sha256[:12]} failed {failures} times in a row", "upload gave up")
            await asyncio.sleep(min(1.0, 0.02 * 2 ** failures) * random.uniform(0.5, 1.0))

    async def create(self, sha256: str, data: bytes) -> tuple[str | None, int]:
        """POST /uploads, with the first chunk as its body unless the platform refused that before."""
        headers = {"Tus-Resumable": TUS_VERSION, "Upload-Length": str(len(data)),
                   "Upload-Metadata": f"sha256 {_b64(sha256.encode('ascii'))}"}
        with_body = self.shared.creation_with_upload is not False
        if with_body:
            first = data[: self.chunk.size()]
            self.chunk.sending(len(first))
            try:
                resp = await self.request("POST", "uploads", key=self.token, content=first, headers={
                    **headers, "Content-Type": UPLOAD_CONTENT_TYPE,
                    "Upload-Checksum": f"sha256 {_b64(hashlib.sha256(first).digest())}"})
            except Trouble:
                self.chunk.failed(len(first))
                raise
            self.chunk.passed(len(first))
            if resp.status_code in (400, 411, 413, 415) and self.shared.creation_with_upload is not True:
                self.shared.creation_with_upload = False  # an older platform: an empty POST, as before
                with_body = False
            elif resp.status_code in (200, 201):
                if self.shared.creation_with_upload is None and "Upload-Offset" in resp.headers:
                    self.shared.creation_with_upload = resp.status_code == 200 or int(resp.headers["Upload-Offset"]) > 0
        if not with_body:
            resp = await self.request("POST", "uploads", key=self.token, headers=headers)
        if resp.status_code == 200 or resp.headers.get(UPLOAD_COMPLETE_HEADER):
            self.note_completed(resp)
            return None, len(data)
        if resp.status_code != 201 or not resp.headers.get("Location"):
            raise Refused(f"POST uploads of {sha256[:12]}: {resp.status_code} {resp.text[:200]}")
        return resp.headers["Location"], int(resp.headers.get("Upload-Offset", "0") or 0)
