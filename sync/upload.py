"""Resumable attachment upload, speaking the tus 1.0 core, creation, creation-with-upload
and checksum extensions with `requests` directly.

tuspy's defaults (one chunk of unlimited size, no retries, no timeouts) are
wrong for a link that drops every few hundred kilobytes, so this module sets
its own: chunks sized to the link (sync.chunk_size: larger while chunks get
through, smaller after a cut), each with its SHA-256, lean request heads,
timeouts on every request, and a reconnect right away after a cut that
followed progress. A cut costs at most the chunk in flight; the server's
offset is the truth after every reconnect.

The first chunk rides in `POST /uploads` (creation-with-upload), which saves a
round trip per file. A platform that predates it refuses the body; the
terminal then sends the empty POST it always did, and stops offering bodies
to that platform for a while (`UploadLink`).

Files no larger than a chunk may go several in one request (`POST /uploads/batch`, `upload_batch`), where the
platform's push answer offers it: a pass's pages then cost one upload request, not one each. A cut mid-batch
costs no more than a cut chunk: the files that arrived whole are kept, the file in flight is at most a chunk,
and each file the batch did not store goes on its own, its creation an empty POST that first asks whether the
platform holds it. So a batch may be several chunks long (`BATCH_CHUNKS`, within the largest body the platform
takes); it is never retried as one.

Nothing loops unchecked: every attempt that does not move the platform's
offset past the best one seen counts as a failure; failures in a row back off
(after the first one, which is usually a short cut) and end the upload with
`Offline` at a limit, so the outbox's own backoff takes over.
"""
from __future__ import annotations

import base64
import hashlib
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import requests

from kiosk.retry import UPLOAD_CHUNK, RetryPolicy
from sync import wire
from sync.chunk_size import ChunkSizer
from sync.client import Offline, PlatformClient, Refused
from sync.protocol import (
    CHECKSUM_MISMATCH,
    COMPLETED_APPLICATIONS_HEADER,
    COMPLETED_APPLICATIONS_MAX,
    CREATION_WITH_UPLOAD_RETRY_SECONDS,
    TUS_VERSION,
    UPLOAD_BATCH_HEADER,
    UPLOAD_BATCH_MAX_FILES,
    UPLOAD_COMPLETE_HEADER,
    UPLOAD_CONTENT_TYPE,
)

CHECKSUM_LENGTH = len("sha256 ") + 44  # base64 of a SHA-256 digest
PROBE_CHUNK_BYTES = 8 * 1024  # the first chunk in a POST until the platform has shown it takes one
# A batch is at most this many chunks. The sizer takes a cut request to have crossed half its bytes before the
# cut, which holds while a request is a small share of the bytes between cuts (a chunk is about 2 % of them).
BATCH_CHUNKS = 8


@dataclass
class UploadStats:
    payload_bytes: int = 0  # chunk bytes put on the wire (including chunks lost to cuts)
    committed_bytes: int = 0  # chunk bytes the server confirmed
    requests: int = 0
    reconnects: int = 0
    chunks: int = 0  # chunk bodies sent (PATCH, or POST with its first chunk)
    head_bytes: int = 0  # request heads of the upload requests (estimated, see PlatformClient.head_bytes)

    def add(self, other: "UploadStats") -> None:
        self.payload_bytes += other.payload_bytes
        self.committed_bytes += other.committed_bytes
        self.requests += other.requests
        self.reconnects += other.reconnects
        self.chunks += other.chunks
        self.head_bytes += other.head_bytes


@dataclass(frozen=True)
class UploadPolicy:
    """How long to keep at one upload: a cut right after progress is retried at once (a cut, not an
    outage); failures in a row back off by the terminal's one retry policy and end at a limit."""

    max_failures_without_progress: int = 6
    retry: RetryPolicy = UPLOAD_CHUNK

    def delay(self, failures: int, *, cut: bool) -> float:
        """A first cut is retried at once; a refusal (a race, a platform that is not ready) always pauses."""
        if cut:
            return 0.0 if failures <= 1 else self.retry.delay(failures - 1)
        return self.retry.delay(failures)


class UploadLink:
    """What all uploads over one link share: the chunk sizer, whether the platform takes a first chunk
    in `POST /uploads`, and where this process already started each file's upload.

    The sizer's learning outlives a restart (`sync.link_memory`, kept by the sync engine); losing the rest
    costs time only: the platform is asked again, and an empty POST finds an upload in progress.
    """

    def __init__(self, sizer: ChunkSizer | None = None, *, fixed_chunk: int | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.sizer = sizer or ChunkSizer()
        self.fixed_chunk = fixed_chunk
        self.clock = clock
        self._lock = threading.Lock()
        self._body_refused_at: float | None = None
        self._body_taken = False  # has the platform taken a first chunk in a POST yet?
        self._post_cap: int | None = None  # the largest first chunk, once a POST body was refused as too large
        self._locations: dict[str, str | None] = {}
        self._batch_bytes: int | None = None  # the platform's largest batch body, once its push answer named one

    def chunk_size(self, head_bytes: int) -> int:
        if self.fixed_chunk is not None:
            return max(1, min(self.fixed_chunk, self.sizer.cap))
        return self.sizer.size(head_bytes)

    def body_in_post(self) -> bool:
        with self._lock:
            refused = self._body_refused_at
        return refused is None or self.clock() - refused >= CREATION_WITH_UPLOAD_RETRY_SECONDS

    def first_chunk_size(self, head_bytes: int) -> int:
        """Until the platform has taken one, a first chunk is a small probe: a platform that refuses it
        (an older one) wastes only those bytes, once."""
        size = self.chunk_size(head_bytes)
        with self._lock:
            if self._post_cap is not None:
                size = min(size, self._post_cap)
            return size if self._body_taken else min(size, PROBE_CHUNK_BYTES)

    def post_too_large(self, nbytes: int) -> None:
        """A POST body of `nbytes` was refused as too large (413): a proxy's or an older platform's limit
        for POST bodies, which need not be the one for PATCH chunks."""
        with self._lock:
            self._post_cap = max(1, min(self._post_cap or nbytes, nbytes) // 2)

    def refuse_body_in_post(self) -> None:
        with self._lock:
            self._body_refused_at = self.clock()
            self._body_taken = False

    def body_taken(self) -> None:
        with self._lock:
            self._body_refused_at = None
            self._body_taken = True

    def platform_batches(self, limit: int | None) -> None:
        """What the platform's push answer said of `POST /uploads/batch` (None: it takes none)."""
        with self._lock:
            self._batch_bytes = limit

    def batch_size(self, chunk: int) -> int:
        """The largest batch body to send with chunks of `chunk` bytes (`batch_budget`); 0 when the platform
        takes no batches."""
        with self._lock:
            limit = self._batch_bytes
        return 0 if limit is None else batch_budget(limit, self.sizer.cap, chunk)

    def started(self, sha256: str) -> bool:
        with self._lock:
            return sha256 in self._locations

    def location(self, sha256: str) -> str | None:
        with self._lock:
            return self._locations.get(sha256)

    def remember(self, sha256: str, location: str | None) -> None:
        """`None`: a creation was sent but its answer never came (the platform may have started it)."""
        with self._lock:
            self._locations[sha256] = location

    def forget(self, sha256: str) -> None:
        with self._lock:
            self._locations.pop(sha256, None)


def batch_budget(platform_limit: int, largest_body: int, chunk: int) -> int:
    """A batch body's limit: `BATCH_CHUNKS` chunks, within the platform's limit and the largest body the link
    takes (the sizer's cap, lowered by a 413 from a proxy). Each file in it is at most a chunk (`plan_batches`)."""
    return max(0, min(platform_limit, largest_body, BATCH_CHUNKS * chunk))


def plan_batches(sizes: Mapping[str, int], budget: int, largest_file: int | None = None,
                 max_files: int = UPLOAD_BATCH_MAX_FILES) -> list[list[str]]:
    """Files packed in order into batches of at most `budget` bytes and `max_files` files. A file larger than
    `largest_file` (a chunk: what a cut may cost) or than the budget, or one left alone, goes on its own (a
    batch of one is just a whole-file POST)."""
    largest = budget if largest_file is None else min(budget, largest_file)
    batches: list[list[str]] = []
    current: list[str] = []
    used = 0
    for sha, size in sizes.items():
        if size > largest or size <= 0:
            continue
        if current and (used + size > budget or len(current) >= max_files):
            batches.append(current)
            current, used = [], 0
        current.append(sha)
        used += size
    if current:
        batches.append(current)
    return [b for b in batches if len(b) > 1]


class _Stuck(Exception):
    """The platform answered, but the upload did not move (all bytes in and not complete, or an offset
    that went nowhere): a failure without progress, paced like one."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _checksum(chunk: bytes) -> str:
    return f"sha256 {_b64(hashlib.sha256(chunk).digest())}"


def _offset_of(headers: Mapping[str, str], name: str = "Upload-Offset") -> int:
    value = headers.get(name)
    if value is None or not value.isdigit():
        raise ValueError(f"the platform's answer lacks a valid {name}")
    return int(value)


class ResumableUploader:
    def __init__(self, client: PlatformClient, *, chunk_bytes: int | None = None, link: UploadLink | None = None,
                 policy: UploadPolicy = UploadPolicy(), sleep: Callable[[float], None] = time.sleep,
                 stats: UploadStats | None = None) -> None:
        """`chunk_bytes` fixes the chunk size (tests, comparisons); by default it adapts through `link`."""
        self.client = client
        self.link = link or UploadLink(fixed_chunk=chunk_bytes)
        self.policy = policy
        self.sleep = sleep
        self.stats = stats or UploadStats()
        # the last `upload_batch`'s: whether the platform answered, and the feed page the answer carried
        self.batch_answered = False
        self.feed_page: wire.ChangesPage | None = None
        self.feed_unread = False  # the platform took the batch in but could not read the page this time
        # applications whose cases the platform said this upload completed (COMPLETED_APPLICATIONS_HEADER)
        self.completed: set[str] = set()

    def _note_completed(self, headers: Mapping[str, str]) -> None:
        value = headers.get(COMPLETED_APPLICATIONS_HEADER, "")
        ids = [part.strip().lower() for part in value.split(",") if part.strip()]
        if len(ids) <= COMPLETED_APPLICATIONS_MAX and all(len(i) <= 64 and i.isprintable() for i in ids):
            self.completed.update(ids)

    # --- requests -------------------------------------------------------------------------------

    def _create(self, sha256: str, data: bytes) -> tuple[str | None, int]:
        """POST /uploads, with the first chunk in it when the platform may take one."""
        headers = {"Tus-Resumable": TUS_VERSION, "Upload-Length": str(len(data)),
                   "Upload-Metadata": f"sha256 {_b64(sha256.encode('ascii'))}"}
        body = b""
        if self.link.body_in_post() and not self.link.started(sha256):
            chunk_headers = {**headers, "Content-Type": UPLOAD_CONTENT_TYPE, "Upload-Checksum": "x" * CHECKSUM_LENGTH}
            body = data[:self.link.first_chunk_size(self.client.head_bytes("POST", "uploads", chunk_headers,
                                                                           len(data)))]
            headers.update({"Content-Type": UPLOAD_CONTENT_TYPE, "Upload-Checksum": _checksum(body)})
        # from here on this file's next creation is an empty POST: the platform may hold this one already
        self.link.remember(sha256, None)
        self.stats.requests += 1
        if body:
            self.stats.chunks += 1
            self.stats.payload_bytes += len(body)
        try:
            resp = self._send("POST", "uploads", headers, body, expected=(200, 201))
        except Refused as exc:
            if not body:
                raise
            # A platform without creation-with-upload (415), or a body over its limit (413): the empty POST
            # says whether the file itself is refused. Any other refusal of the body is asked the same way.
            if exc.status == 415:
                self.link.refuse_body_in_post()
            elif exc.status == 413:
                self.link.post_too_large(len(body))
            return self._create(sha256, data)
        if resp.status_code == 200 or resp.headers.get(UPLOAD_COMPLETE_HEADER):
            self._note_completed(resp.headers)
            if body:
                self.link.body_taken()
            self.stats.committed_bytes += len(body)
            self.link.forget(sha256)
            return None, len(data)
        location = resp.headers.get("Location")
        if not location:
            raise Offline("upload created without a Location")
        offset = _offset_of(resp.headers)
        if body and offset:  # (offset 0: an upload already under way was handed back, its body unused)
            self.link.body_taken()
            self.stats.committed_bytes += min(offset, len(body))
        self.link.remember(sha256, location)
        return location, offset

    def _send(self, method: str, path: str, headers: dict[str, str], body: bytes, *,
              expected: tuple[int, ...], params: Mapping[str, int] | None = None) -> requests.Response:
        """One lean request, told to the sizer: sent, then through, or cut (a 408 is the platform giving up
        on a stalled body: a cut too)."""
        head = self.client.head_bytes(method, path, headers, len(body), params=params)
        self.stats.head_bytes += head
        nbytes = head + len(body)
        sizer = self.link.sizer
        sizer.sending(nbytes)
        try:
            resp = self.client.request(method, path, expected=expected, data=body or None, headers=headers, lean=True,
                                       params=dict(params) if params else None)
        except Offline:
            sizer.cut(nbytes)
            raise
        except Refused as exc:
            if exc.status == 408:
                sizer.cut(nbytes)
            else:
                sizer.delivered(nbytes)
            raise
        except BaseException:
            sizer.delivered(nbytes)
            raise
        sizer.delivered(nbytes)
        return resp

    def _offset(self, location: str) -> int:
        self.stats.requests += 1
        resp = self._send("HEAD", location, {"Tus-Resumable": TUS_VERSION}, b"", expected=(200,))
        return _offset_of(resp.headers)

    def _patch(self, location: str, offset: int, data: bytes) -> tuple[int, bool]:
        """Send the next chunk; return the platform's new offset and whether the upload is complete."""
        headers = {"Tus-Resumable": TUS_VERSION, "Content-Type": UPLOAD_CONTENT_TYPE, "Upload-Offset": str(offset),
                   "Upload-Checksum": "x" * CHECKSUM_LENGTH}
        size = self.link.chunk_size(self.client.head_bytes("PATCH", location, headers, len(data)))
        chunk = data[offset: offset + size]
        headers["Upload-Checksum"] = _checksum(chunk)
        self.stats.requests += 1
        self.stats.chunks += 1
        self.stats.payload_bytes += len(chunk)
        try:
            resp = self._send("PATCH", location, headers, chunk, expected=(204,))
        except Refused as exc:
            if exc.status == 413:
                self.link.sizer.too_large(len(chunk))
            raise
        new_offset = _offset_of(resp.headers)
        self.stats.committed_bytes += max(0, min(new_offset - offset, len(chunk)))
        complete = bool(resp.headers.get(UPLOAD_COMPLETE_HEADER))
        if complete:
            self._note_completed(resp.headers)
        return new_offset, complete

    def upload_batch(self, files: Mapping[str, bytes], *, feed: Mapping[str, int] | None = None) -> set[str]:
        """Several whole files in one request (`POST /uploads/batch`); return those the platform now holds.
        Every other file (refused, an upload of it under way, lost to a cut, a platform that turned the batch
        down) is left to `upload`, whose own request gives it its own answer and pacing: a batch is never
        retried as one.

        With `feed` (the changes feed's query), the request also asks for that page of the feed: whether the
        platform answered is then `batch_answered`, and the page it read (None from a platform from before)
        `feed_page`, or `feed_unread` when it could not read it this time."""
        self.batch_answered, self.feed_page, self.feed_unread = False, None, False
        if len(files) < 2:
            return set()
        body = b"".join(files.values())
        headers = {"Tus-Resumable": TUS_VERSION, "Content-Type": UPLOAD_CONTENT_TYPE,
                   UPLOAD_BATCH_HEADER: ",".join(f"{sha}:{len(data)}" for sha, data in files.items())}
        self.stats.requests += 1
        self.stats.chunks += 1
        self.stats.payload_bytes += len(body)
        try:
            resp = self._send("POST", "uploads/batch", headers, body, expected=(200,), params=feed)
            answer = wire.parse(wire.UploadBatchAnswer, resp.json())
        except Offline:
            # Cut: the files that arrived whole before the cut are held. Each file's next creation is an empty
            # POST, which says so, instead of sending its bytes again as a first chunk.
            self.stats.reconnects += 1
            for sha in files:
                if not self.link.started(sha):
                    self.link.remember(sha, None)
            return set()
        except Refused as exc:
            if exc.status == 413:
                self.link.sizer.too_large(len(body))
            elif exc.status in (404, 405):  # a platform that no longer takes batches (downgraded)
                self.link.platform_batches(None)
            return set()
        except ValueError:  # an answer that does not fit: as a lost one
            return set()
        self.batch_answered, self.feed_page, self.feed_unread = True, answer.feed, answer.feed_unread
        held: set[str] = set()
        for f in answer.files:
            if f.sha256 in files and f.result == "stored":
                held.add(f.sha256)
                self.completed.update(a.lower() for a in f.completed_applications)
                self.stats.committed_bytes += len(files[f.sha256])
                self.link.forget(f.sha256)
        return held

    # --- the loop -------------------------------------------------------------------------------

    def upload(self, sha256: str, data: bytes) -> None:
        """Return once the platform holds the verified file; raise Offline when the link stays down or
        the upload makes no progress, Refused when the platform refuses the file."""
        failures = 0
        best = -1  # the highest offset the platform confirmed: only passing it is progress
        location = self.link.location(sha256)
        offset = 0
        known = False  # is `offset` the platform's current one?
        while True:
            before = best
            cut = False
            error = ""
            try:
                if location is None:
                    location, offset = self._create(sha256, data)
                    if location is None:
                        return
                    known = True
                elif not known:
                    offset = self._offset(location)
                    known = True
                best = max(best, offset)
                if offset >= len(data):
                    # every byte is in but the upload is not complete: the last chunk's answer was lost (a
                    # creation answers for the finished file), or the platform's state is off; ask again
                    location, known = None, False
                    raise _Stuck(f"the platform holds all {len(data)} bytes but has not completed the upload")
                offset, complete = self._patch(location, offset, data)
                if complete:
                    self.link.forget(sha256)
                    return
                if offset > len(data):
                    known = False
                    raise _Stuck(f"the platform answered offset {offset} past the length {len(data)}")
                best = max(best, offset)
            except Refused as exc:
                if location is None:
                    raise  # creation refused (too large, not named by any case): retrying will not help
                if exc.status == 409 and exc.code == "upload" or exc.status == CHECKSUM_MISMATCH:
                    known = False  # offset moved under us, or the chunk was damaged: ask and go on
                elif exc.status == 404:
                    # the upload is gone: finished (its last answer lost) or failed verification; the next
                    # creation says which, as an empty POST (a first chunk in it could be wasted)
                    location, known, best = None, False, -1
                    self.link.remember(sha256, None)
                elif exc.status in (408, 413, 429):
                    known = False  # stalled, too large (the sizer learnt it), or too many requests: pause
                else:
                    raise
                error = str(exc)
            except _Stuck as exc:
                error = str(exc)
            except (Offline, ValueError) as exc:
                known, cut = False, True
                self.stats.reconnects += 1
                error = str(exc)
            if best > before:
                failures = 0
                if not error:
                    continue
            elif not error:
                error = f"the platform's offset stayed at {offset}"
            failures += 1
            if failures >= self.policy.max_failures_without_progress:
                raise Offline(f"upload of {sha256[:12]} stopped after {failures} attempts without progress: "
                              f"{error}")
            delay = self.policy.delay(failures, cut=cut)
            if delay:
                self.sleep(delay)
