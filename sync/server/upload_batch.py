"""Several whole files in one request (`POST /uploads/batch`): a kiosk's two-page application sends its
pages in one request instead of one each, so the platform pays its per-request floor (routing, the device's
token, a thread hop) once.

Each file is then taken as `POST /uploads` takes a whole file: checked against its SHA-256 as its bytes
arrive, stored, owned by the hall, its cases completed, and answered on its own. One file refused never
refuses the others. The usual files (new to the hall, declared as what they are) go in together, in one
transaction of a few statements (`uploads.create_whole_files`); any other one in a transaction of its own.
A link cut mid-body keeps the files that arrived whole; the terminal's next creation of each finds it held.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from sync.protocol import COMPLETED_APPLICATIONS_MAX, UPLOAD_BATCH_MAX_FILES
from sync.server import uploads
from sync.server.db import PlatformStore
from sync.server.models import Device
from sync.server.request_guard import BodyRefused

ENTRY = re.compile(r"([0-9a-f]{64}):([0-9]{1,15})")


@dataclass(frozen=True)
class Entry:
    sha256: str
    length: int


@dataclass
class Received:
    entry: Entry
    data: bytes
    digest: Any  # the file's SHA-256, fed as its bytes arrived


def manifest(header: str, content_length: int, max_upload_bytes: int) -> list[Entry]:
    """The files the header names, in body order; refused as a whole (`BodyRefused`: nothing is taken in)
    unless they are distinct, each of a length the platform takes, and together exactly the body's length."""
    parts = [p.strip() for p in header.split(",")] if header.strip() else []
    if not parts:
        raise BodyRefused(400, "bad_batch", "须列出批内每个文件（sha256:长度）。",
                          "The batch must name each file (sha256:length).")
    if len(parts) > UPLOAD_BATCH_MAX_FILES:
        raise BodyRefused(400, "bad_batch", f"一批最多 {UPLOAD_BATCH_MAX_FILES} 个文件。",
                          f"A batch holds at most {UPLOAD_BATCH_MAX_FILES} files.")
    entries: list[Entry] = []
    for part in parts:
        match = ENTRY.fullmatch(part)
        if match is None:
            raise BodyRefused(400, "bad_batch", "批内文件须写作 64 位小写十六进制 sha256:长度。",
                              "Each file of the batch must read <64 lowercase hex sha256>:<length>.")
        entries.append(Entry(match[1], int(match[2])))
    if len({e.sha256 for e in entries}) != len(entries):
        raise BodyRefused(400, "bad_batch", "同一文件在批内出现了两次。", "A file is named twice in the batch.")
    for e in entries:
        try:
            uploads.check_length(e.length, max_upload_bytes)
        except uploads.UploadError as exc:
            raise BodyRefused(exc.status, "bad_length", exc.reason["zh"], exc.reason["en"]) from None
    if sum(e.length for e in entries) != content_length:
        raise BodyRefused(400, "bad_length", "批内文件长度之和与 Content-Length 不符。",
                          "The files' lengths do not add up to Content-Length.")
    return entries


async def receive(stream: AsyncIterator[bytes], entries: list[Entry], whole: list[Received]) -> None:
    """Read the body into `whole`, one file after another, each hashed as its bytes arrive (never read twice).
    A cut raises from the stream with the files that arrived whole already in `whole`."""
    index = 0
    pieces: list[bytes] = []
    have = 0
    digest = hashlib.sha256()
    async for piece in stream:
        at = 0
        while at < len(piece):
            if index >= len(entries):
                raise BodyRefused(400, "bad_length", "请求体长于所列文件之和。",
                                  "The body is longer than the files named.")
            need = entries[index].length - have
            take = piece if at == 0 and len(piece) <= need else piece[at: at + need]  # copied only where split
            digest.update(take)
            pieces.append(take)
            have += len(take)
            at += len(take)
            if have == entries[index].length:
                whole.append(Received(entries[index], b"".join(pieces), digest))
                index, pieces, have, digest = index + 1, [], 0, hashlib.sha256()
    if index != len(entries):
        raise BodyRefused(400, "bad_length", "请求体短于所列文件之和。", "The body is shorter than the files named.")


def take_in(store: PlatformStore, device: Device, files: list[Received], max_upload_bytes: int
            ) -> list[dict[str, Any]]:
    """Each file as `POST /uploads` takes a whole one (`wire.UploadBatchFile` each, in order)."""
    taken = uploads.create_whole_files(store, device, [uploads.WholeFile(f.entry.sha256, f.data, f.digest)
                                                       for f in files], max_upload_bytes)
    answers: list[dict[str, Any]] = []
    for f, state in zip(files, taken):
        answer: dict[str, Any] = {"sha256": f.entry.sha256}
        if isinstance(state, uploads.UploadError):
            answer.update(result="refused", status=state.status, code=state.code, reason=state.reason)
        else:
            answer["result"] = "stored" if state.complete else "in_progress"
            if len(state.completed_applications) <= COMPLETED_APPLICATIONS_MAX:  # (more: the terminal asks)
                answer["completed_applications"] = list(state.completed_applications)
        answers.append(answer)
    return answers
