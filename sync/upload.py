"""Resumable attachment upload, speaking the tus 1.0 core, creation and checksum
extensions with `requests` directly.

tuspy's defaults (one chunk of unlimited size, no retries, no timeouts) are
wrong for a link that drops every few hundred kilobytes, so this module sets
its own: small chunks, each with its SHA-256, timeouts on every request, and
a reconnect right away after a cut that followed progress (backing off only
when attempts keep failing without progress). A cut costs at most the chunk
in flight; the server's offset is the truth after every reconnect.
"""
from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.retry import UPLOAD_CHUNK, RetryPolicy
from sync.client import Offline, PlatformClient, Refused
from sync.protocol import CHECKSUM_MISMATCH, DEFAULT_CHUNK_BYTES, TUS_VERSION, UPLOAD_COMPLETE_HEADER, UPLOAD_CONTENT_TYPE


@dataclass
class UploadStats:
    payload_bytes: int = 0  # chunk bytes put on the wire (including chunks lost to cuts)
    committed_bytes: int = 0  # chunk bytes the server confirmed
    requests: int = 0
    reconnects: int = 0


@dataclass(frozen=True)
class UploadPolicy:
    """How long to keep at one upload: a cut right after progress is retried at once (a cut, not an
    outage); failures in a row back off by the terminal's one retry policy."""

    max_failures_without_progress: int = 6
    retry: RetryPolicy = UPLOAD_CHUNK

    def delay(self, failures: int) -> float:
        return 0.0 if failures <= 1 else self.retry.delay(failures - 1)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class ResumableUploader:
    def __init__(self, client: PlatformClient, *, chunk_bytes: int = DEFAULT_CHUNK_BYTES,
                 policy: UploadPolicy = UploadPolicy(), sleep: Callable[[float], None] = time.sleep,
                 stats: UploadStats | None = None) -> None:
        self.client = client
        self.chunk_bytes = chunk_bytes
        self.policy = policy
        self.sleep = sleep
        self.stats = stats or UploadStats()

    def _create(self, sha256: str, length: int) -> tuple[str | None, int]:
        self.stats.requests += 1
        resp = self.client.request("POST", "uploads", expected=(200, 201), headers={
            "Tus-Resumable": TUS_VERSION, "Upload-Length": str(length),
            "Upload-Metadata": f"sha256 {_b64(sha256.encode('ascii'))}"})
        if resp.status_code == 200 or resp.headers.get(UPLOAD_COMPLETE_HEADER):
            return None, length
        location = resp.headers.get("Location")
        if not location:
            raise Offline("upload created without a Location")
        return location, int(resp.headers.get("Upload-Offset", "0") or 0)

    def _offset(self, location: str) -> int:
        self.stats.requests += 1
        resp = self.client.request("HEAD", location, expected=(200,), headers={"Tus-Resumable": TUS_VERSION})
        return int(resp.headers["Upload-Offset"])

    def upload(self, sha256: str, data: bytes) -> None:
        """Return once the platform holds the verified file; raise Offline when the link stays down."""
        failures = 0
        location: str | None = None
        offset = 0
        known = False  # is `offset` the server's current one?
        while True:
            try:
                if location is None:
                    location, offset = self._create(sha256, len(data))
                    if location is None:
                        return
                    known = True
                if not known:
                    offset = self._offset(location)
                    known = True
                if offset >= len(data):  # the last chunk's answer was lost; asking again settles it
                    location, known = None, False
                    continue
                chunk = data[offset: offset + self.chunk_bytes]
                self.stats.requests += 1
                self.stats.payload_bytes += len(chunk)
                resp = self.client.request("PATCH", location, expected=(204,), data=chunk, headers={
                    "Tus-Resumable": TUS_VERSION, "Content-Type": UPLOAD_CONTENT_TYPE, "Upload-Offset": str(offset),
                    "Upload-Checksum": f"sha256 {_b64(hashlib.sha256(chunk).digest())}"})
                offset = int(resp.headers["Upload-Offset"])
                self.stats.committed_bytes += len(chunk)
                failures = 0
                if resp.headers.get(UPLOAD_COMPLETE_HEADER):
                    return
            except Refused as exc:
                if location is None:
                    raise  # creation refused (too large, not named by any case): retrying will not help
                if exc.status == 409 and exc.code == "upload" or exc.status == CHECKSUM_MISMATCH:
                    known = False  # offset moved under us, or the chunk was damaged: ask and go on
                elif exc.status == 404:
                    location, known = None, False  # the upload is gone (verification failed): start again
                else:
                    raise
                failures += 1
            except (Offline, KeyError, ValueError) as exc:
                failures += 1
                known = False
                self.stats.reconnects += 1
                if failures >= self.policy.max_failures_without_progress:
                    raise Offline(f"upload of {sha256[:12]} stopped: {exc}") from None
            if failures >= self.policy.max_failures_without_progress * 2:
                raise Offline(f"upload of {sha256[:12]} keeps failing")
            delay = self.policy.delay(failures)
            if delay:
                self.sleep(delay)
