"""Resumable uploads on the platform, modelled on tus 1.0 (core, creation, checksum).

Each PATCH body is streamed into its own temporary file (never held in
memory) while its SHA-256 is computed; only a chunk whose checksum matches is
appended to the upload, and only then does the offset move. A connection cut
mid-chunk therefore loses that chunk and nothing else. When the last chunk
arrives the whole file is hashed again and must equal the SHA-256 it was
announced under before it becomes a blob and completes cases.

Appends to one upload are serialised by a per-upload lock: after a cut the
terminal may resume while the old request is still being torn down here.

A request removes its own chunk file when it ends, however it ends; only a
platform process that dies mid-request leaves one behind. Such leftovers
(`.chunk` files, `.part` files whose upload row is gone, the temporary files
of an online submission's blobs) are found by `leftover_files` and removed
by `remove_leftovers`: at `platform serve` start-up and by `platform purge`.
Only files untouched for an hour count, so a chunk still arriving in another
platform process (its file grows with every piece received) is never taken.

Files belong to halls (`HallBlob`). An upload is answered from what the
caller's hall holds only: a file only another hall has uploaded is uploaded
again like any new file (the bytes on disk are still stored once), so no
answer ever says whether another hall has it. A file becomes the hall's when
its upload completes with the announced SHA-256 and with the size and media
type that a case of the hall declared for it.
"""
from __future__ import annotations

import hashlib
import os
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.materials.intake import detect_media_type
from sync.server.cases import attachments_arrived, declarations_in_hall, declared_mismatch, hall_blob
from sync.server.db import PlatformStore
from sync.server.models import Blob, Case, CaseAttachment, Device, HallBlob, Upload

_locks_guard = threading.Lock()
_locks: dict[str, threading.Lock] = {}


def _lock_for(upload_id: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(upload_id, threading.Lock())


class UploadError(Exception):
    """An upload request refused; `status` is the HTTP answer, `reason` says why in both languages."""

    def __init__(self, status: int, zh: str, en: str, offset: int | None = None, code: str = "upload") -> None:
        super().__init__(en)
        self.status = status
        self.reason = {"zh": zh, "en": en}
        self.offset = offset
        self.code = code


MISMATCH_STATUS = 422  # a terminal's uploader treats it as final: the item is refused, not retried


def _mismatch(reason: dict[str, str]) -> UploadError:
    return UploadError(MISMATCH_STATUS, reason["zh"], reason["en"], code="attachment_mismatch")


@dataclass(frozen=True)
class UploadState:
    id: str | None
    offset: int
    length: int
    complete: bool


def part_path(store: PlatformStore, upload_id: str) -> Path:
    return store.uploads_dir / f"{upload_id}.part"


def create(store: PlatformStore, device: Device, sha256: str, length: int, max_bytes: int) -> UploadState:
    """Start an upload, or hand back the one this device already has for the same file."""
    if length <= 0:
        raise UploadError(400, "上传长度必须大于0。", "Upload-Length must be positive.")
    if length > max_bytes:
        raise UploadError(413, "文件超过平台允许的大小。", "The file is larger than the platform accepts.")
    with store.transaction() as session:
        owned = hall_blob(session, device.hall_code, sha256)
        if owned is not None:  # deduplication, inside the hall only
            if owned.size != length:
                raise _mismatch(declared_mismatch(sha256, length, owned.media_type, owned.size, owned.media_type))
            _check_own_cases(session, device, sha256, owned)
            return UploadState(None, length, length, True)
        declared = declarations_in_hall(session, device.hall_code, sha256)
        if not declared:
            raise UploadError(409, "没有本大厅的申请引用该附件，请先推送申请。",
                              "No application of this hall names this attachment; push the application first.")
        if all(size != length for size, _type, _dev in declared):
            size = declared[0][0]
            raise _mismatch({"zh": f"附件 {sha256[:12]}… 申报为 {size} 字节，上传长度却是 {length} 字节，平台拒收。",
                             "en": f"attachment {sha256[:12]}… is declared as {size} bytes but Upload-Length is "
                                   f"{length}; refused"})
        existing = session.scalar(select(Upload).where(Upload.device_id == device.id, Upload.sha256 == sha256))
        if existing is not None:
            if existing.length != length:
                raise UploadError(409, "同一文件的上传长度不一致。", "Upload-Length differs from the upload in progress.")
            return UploadState(existing.id, min(_current_offset(store, existing.id), existing.length), existing.length, False)
        upload = Upload(id=secrets.token_hex(16), device_id=device.id, sha256=sha256, length=length, offset=0)
        session.add(upload)
    private_file(part_path(store, upload.id))
    return UploadState(upload.id, 0, length, False)


def _check_own_cases(session: Session, device: Device, sha256: str, owned: HallBlob) -> None:
    """This device's waiting cases must declare the file the hall holds as what it is."""
    for size, media_type in session.execute(
            select(CaseAttachment.size, CaseAttachment.media_type).join(Case, Case.id == CaseAttachment.case_id)
            .where(CaseAttachment.sha256 == sha256, Case.device_id == device.id, Case.complete.is_(False))):
        if (size, media_type) != (owned.size, owned.media_type):
            raise _mismatch(declared_mismatch(sha256, size, media_type, owned.size, owned.media_type))


def _current_offset(store: PlatformStore, upload_id: str) -> int:
    """The partial file's size is the offset: only verified chunks are ever appended to it."""
    try:
        return part_path(store, upload_id).stat().st_size
    except FileNotFoundError:
        return 0


def get_state(store: PlatformStore, device: Device, upload_id: str) -> UploadState:
    with store.transaction() as session:
        upload = session.get(Upload, upload_id)
        if upload is None or upload.device_id != device.id:
            raise UploadError(404, "没有这个上传。", "No such upload.")
        length = upload.length
    return UploadState(upload_id, min(_current_offset(store, upload_id), length), length, False)


def new_chunk_path(store: PlatformStore, upload_id: str) -> Path:
    return store.uploads_dir / f"{upload_id}.{secrets.token_hex(6)}.chunk"


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


def commit_chunk(store: PlatformStore, device: Device, upload_id: str, offset: int, chunk: Path,
                 size: int) -> UploadState:
    """Append a verified chunk at `offset`; finish the upload when it is the last one.

    Intermediate chunks are neither fsynced nor recorded in the database: the
    link must not idle while the platform waits for its disk. That is safe
    because nothing trusts the partial file until the whole of it has been
    fsynced and hashed; after a platform crash a damaged partial file fails
    that check and the terminal simply sends the file again.
    """
    with _lock_for(upload_id):
        with store.transaction() as session:
            upload = session.get(Upload, upload_id)
            if upload is None or upload.device_id != device.id:
                raise UploadError(404, "没有这个上传。", "No such upload.")
            sha256, length = upload.sha256, upload.length
        part = part_path(store, upload_id)
        current = _current_offset(store, upload_id)
        if current != offset:
            raise UploadError(409, "偏移量不符，请先查询当前偏移量。", "Upload-Offset does not match; ask for the offset first.",
                              offset=current)
        if offset + size > length:
            raise UploadError(400, "数据超出声明的长度。", "The chunk goes past Upload-Length.")
        with part.open("ab") as out, chunk.open("rb") as src:
            while block := src.read(1024 * 1024):
                out.write(block)
            if offset + size == length:
                out.flush()
                os.fsync(out.fileno())
        if offset + size < length:
            return UploadState(upload_id, offset + size, length, False)
        return _finish(store, device, upload_id, part, sha256, length)


def _insert_once(session: Session, row: Blob | HallBlob) -> None:
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # the racing request inserted the same row first
        pass


def private_file(path: Path) -> None:
    """Create (or empty) a file only this user can read: upload data is a citizen's scan."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))


def _drop_upload(store: PlatformStore, upload_id: str, part: Path) -> None:
    with store.transaction() as session:
        upload = session.get(Upload, upload_id)
        if upload is not None:
            session.delete(upload)
    part.unlink(missing_ok=True)


def stored_media_type(head: bytes) -> str:
    """What the platform takes a file to be: its content decides, never the sender's word."""
    return detect_media_type(head) or "application/octet-stream"


def _finish(store: PlatformStore, device: Device, upload_id: str, part: Path, sha256: str,
            length: int) -> UploadState:
    """The last chunk is in: the whole file must be what it was announced and declared as; then the hall owns it."""
    if _file_sha256(part) != sha256:
        _drop_upload(store, upload_id, part)
        raise UploadError(409, "文件校验失败（SHA-256 不符），请重新上传。",
                          "The file failed verification (SHA-256 mismatch); upload it again.", offset=0)
    with part.open("rb") as fh:
        media_type = stored_media_type(fh.read(1024))
    with store.transaction() as session:
        owned = hall_blob(session, device.hall_code, sha256)
        declared = declarations_in_hall(session, device.hall_code, sha256)
    if owned is None and not any((size, kind) == (length, media_type) for size, kind, _dev in declared):
        _drop_upload(store, upload_id, part)
        # name the declaration nearest to this upload: this device's, of this length, if there is one
        nearest = sorted(declared, key=lambda d: (d[2] != device.id, d[0] != length))
        size, kind, _dev = nearest[0] if nearest else (length, "?", None)
        raise _mismatch(declared_mismatch(sha256, size, kind, length, media_type))
    # The bytes are stored once, whichever hall sent them first; each hall that sends them owns them.
    # (A plaintext copy left by an older platform is replaced by an encrypted one while we have the bytes.)
    on_disk = store.blob_file(sha256)
    if on_disk is None or not store.blob_encrypted(on_disk):
        store.store_blob_file(sha256, part)
    part.unlink(missing_ok=True)
    with store.transaction() as session:
        # Another upload of the same file (this hall's or another's) may finish at the same moment.
        if session.get(Blob, sha256) is None:
            _insert_once(session, Blob(sha256=sha256, size=length))
        if hall_blob(session, device.hall_code, sha256) is None:
            _insert_once(session, HallBlob(hall_code=device.hall_code, sha256=sha256, size=length,
                                           media_type=media_type, device_id=device.id))
        upload = session.get(Upload, upload_id)
        if upload is not None:
            session.delete(upload)
        session.flush()
        attachments_arrived(session, device.hall_code, sha256)
    return UploadState(upload_id, length, length, True)


STALE_AFTER_SECONDS = 3600


@dataclass(frozen=True)
class Leftover:
    path: Path
    kind: str  # "chunk" | "part" | "blob_tmp"
    size: int
    age_seconds: float

    def as_dict(self) -> dict[str, object]:
        return {"path": str(self.path), "kind": self.kind, "size": self.size, "age_seconds": round(self.age_seconds)}


@dataclass(frozen=True)
class LeftoverScan:
    stale: list[Leftover]  # untouched for longer than the threshold: safe to remove
    young: list[Leftover]  # may belong to a request in progress: kept


def _candidates(store: PlatformStore) -> list[tuple[Path, str]]:
    found = [(p, "chunk") for p in store.uploads_dir.glob("*.chunk")]
    parts = {p.name.removesuffix(".part"): p for p in store.uploads_dir.glob("*.part")}
    if parts:
        with store.transaction() as session:
            live = set(session.scalars(select(Upload.id).where(Upload.id.in_(list(parts)))))
        found += [(p, "part") for upload_id, p in parts.items() if upload_id not in live]
    found += [(p, "blob_tmp") for p in store.blobs_dir.glob("*/.*.tmp")]  # sync.server.online._store_blob
    return sorted(found)


def leftover_files(store: PlatformStore, *, older_than: float = STALE_AFTER_SECONDS,
                   now: float | None = None) -> LeftoverScan:
    """Files of interrupted uploads that no upload or blob will ever use, split by age."""
    now = time.time() if now is None else now
    stale: list[Leftover] = []
    young: list[Leftover] = []
    for path, kind in _candidates(store):
        try:
            st = path.stat()
        except FileNotFoundError:  # its request just finished and removed it
            continue
        item = Leftover(path, kind, st.st_size, max(0.0, now - st.st_mtime))
        (stale if item.age_seconds > older_than else young).append(item)
    return LeftoverScan(stale, young)


def remove_leftovers(store: PlatformStore, *, older_than: float = STALE_AFTER_SECONDS,
                     dry_run: bool = False) -> LeftoverScan:
    """Remove the stale leftovers (re-checking each file's age just before it goes); young ones stay."""
    scan = leftover_files(store, older_than=older_than)
    if dry_run:
        return scan
    removed: list[Leftover] = []
    for item in scan.stale:
        try:
            if time.time() - item.path.stat().st_mtime <= older_than:
                continue  # written to since the scan
            item.path.unlink()
        except FileNotFoundError:
            continue
        removed.append(item)
    return LeftoverScan(removed, scan.young)
