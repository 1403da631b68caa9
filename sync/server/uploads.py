"""Resumable uploads on the platform, modelled on tus 1.0 (core, creation, creation-with-upload, checksum).

Any platform instance may take any request of any upload: all an upload is lives in its `uploads` row (the
offset, the blob store's assembly state, the file's first bytes) and in the blob store (`store.blobs`). A
chunk arrives whole and checksummed (the HTTP layer holds it in memory, at most the platform's chunk limit),
then ONE transaction takes the row's lock (`SELECT … FOR UPDATE` on PostgreSQL; SQLite serialises writers by
BEGIN IMMEDIATE), checks the offset, appends the chunk to the assembly and moves offset, state and head;
its commit makes the chunk count. So the same chunk sent twice at once (a terminal resuming after a cut
while its old request still runs, on this instance or another) meets itself at the lock: one commits, the
other finds the offset moved and gets 409. A process that dies after appending and before committing leaves
the row as it was; the chunk is appended again at the same offset, which the store makes harmless.

The file's SHA-256 is computed as the bytes arrive: each process keeps the running hash of the uploads it
serves, keyed by (upload id, offset) (`RunningHashes`). That cache only saves time: when the last chunk
reaches a process that did not see every earlier one, the store reads the assembled file once to check it.

The last chunk finishes the upload in its own transaction: the file becomes a blob (with the locator its
store gave it), the hall's (`HallBlob`), and the hall's cases waiting only for it complete.

Files belong to halls (`HallBlob`). An upload is answered from what the caller's hall holds only: a file
only another hall has uploaded is uploaded again like any new file (the bytes are still stored once), so no
answer ever says whether another hall has it. A file becomes the hall's when its upload completes with the
announced SHA-256 and with the size and media type that a case of the hall declared for it.
"""
from __future__ import annotations

import copy
import hashlib
import logging
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import ARRAY, Connection, Integer, String, and_, any_, bindparam, delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.materials.intake import detect_media_type
from sync.server import raw_sql
from sync.server.blob_crypto import BlobDamaged, open_upload_head, seal_upload_head
from sync.server.blobstore import AssemblyMismatch, AssemblyState, BlobStore
from sync.server.cases import complete_cases, declarations_in_hall, declared_mismatch, hall_blob
from sync.server.db import PlatformStore
from sync.server.models import Blob, Case, CaseAttachment, Device, HallBlob, Upload, utcnow
from sync.server.upload_leftovers import (  # noqa: F401 - the CLI's names for them
    STALE_AFTER_SECONDS,
    Leftover,
    LeftoverScan,
    leftover_files,
    remove_leftovers,
)

if TYPE_CHECKING:
    from hashlib import _Hash as Hasher

log = logging.getLogger("onewindow.platform")

HEAD_BYTES = 1024  # what `uploads.head` keeps: enough for the media type


def _seal_head(store: PlatformStore, upload_id: str, head: bytes) -> bytes:
    return seal_upload_head(store.key, upload_id, head)


def _open_head(store: PlatformStore, upload_id: str, sealed: bytes | None) -> bytes:
    try:
        return open_upload_head(store.key, upload_id, sealed)
    except BlobDamaged:  # sealed under another key, or damaged: the media type is then unknown
        log.warning("upload %s: its first bytes do not authenticate", upload_id)
        return b""


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


def _no_such_upload() -> UploadError:
    return UploadError(404, "没有这个上传。", "No such upload.")


def _verification_failed() -> UploadError:
    return UploadError(409, "文件校验失败（SHA-256 不符），请重新上传。",
                       "The file failed verification (SHA-256 mismatch); upload it again.", offset=0)


def _past_length() -> UploadError:
    return UploadError(400, "数据超出声明的长度。", "The chunk goes past Upload-Length.")


@dataclass(frozen=True)
class UploadState:
    id: str | None
    offset: int
    length: int
    complete: bool
    completed_applications: tuple[str, ...] = ()  # the uploading terminal's cases this file completed


class RunningHashes:
    """The SHA-256 of the bytes of each upload this process has seen from its first byte, by (id, offset).

    Only a cache: an entry exists only for an offset this process committed itself, so it always hashes
    exactly the committed bytes; a missing entry (another instance took a chunk, a restart, eviction) costs
    one read of the assembled file when the upload completes. Bounded, oldest entries go first.
    """

    def __init__(self, capacity: int = 4096) -> None:
        self.capacity = capacity
        self._states: OrderedDict[tuple[str, int], Hasher] = OrderedDict()
        self._guard = threading.Lock()  # keeps the dict whole across threads; no upload's correctness rests on it

    def resume(self, upload_id: str, offset: int) -> Hasher | None:
        """A hash to continue with the bytes from `offset` on (the caller's own copy), or None if unknown."""
        if offset == 0:
            return hashlib.sha256()
        with self._guard:
            found = self._states.get((upload_id, offset))
            return None if found is None else found.copy()

    def advance(self, upload_id: str, offset: int, new_offset: int, digest: Hasher) -> None:
        """The chunk from `offset` to `new_offset` is committed and `digest` includes it."""
        with self._guard:
            self._states.pop((upload_id, offset), None)
            self._states[(upload_id, new_offset)] = digest
            while len(self._states) > self.capacity:
                self._states.popitem(last=False)

    def forget(self, upload_id: str, offset: int) -> None:
        with self._guard:
            self._states.pop((upload_id, offset), None)

    def clear(self) -> None:
        with self._guard:
            self._states.clear()

    def __len__(self) -> int:
        return len(self._states)


running_hashes = RunningHashes()


@dataclass
class _Outcome:
    """What one transaction decided: the answer, or a refusal that must still commit (the upload is dropped),
    and the store's clean-up that may happen only once the commit has made it safe."""

    state: UploadState | None = None
    error: UploadError | None = None
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    hall_file_stored: bool = False  # the hall's row for the file went in with the blob row (`_store_file`)


def _clean_up(steps: list[Callable[[], None]]) -> None:
    """The store's clean-up that only a commit made safe; a step that fails is logged, not raised."""
    for step in steps:
        try:
            step()
        except Exception:  # a leftover object or file costs space, never correctness
            log.exception("cleaning up after an upload failed")


def _after(outcome: _Outcome) -> UploadState:
    """What follows a commit: the store's clean-up, then the answer (or the refusal that had to commit)."""
    _clean_up(outcome.after_commit)
    if outcome.error is not None:
        raise outcome.error
    assert outcome.state is not None
    return outcome.state


def _run(store: PlatformStore, work: Callable[[Session], _Outcome]) -> UploadState:
    """An ORM transaction: only the rare paths (a file the hall holds, a row from before schema 8)."""
    with store.transaction() as session:
        outcome = work(session)
    return _after(outcome)


def _run_core(store: PlatformStore, work: Callable[[Connection], _Outcome | None]) -> UploadState | None:
    """One Core transaction (a chunk's whole work: a handful of statements, no ORM unit of work); None when
    `work` handed the request to the ORM path."""
    with store.engine.begin() as conn:
        outcome = work(conn)
    return None if outcome is None else _after(outcome)


def check_length(length: int, max_bytes: int, first_chunk: int = 0) -> None:
    """Refuse an Upload-Length (and a first chunk's size) before any byte of the body is read."""
    if length <= 0:
        raise UploadError(400, "上传长度必须大于0。", "Upload-Length must be positive.")
    if length > max_bytes:
        raise UploadError(413, "文件超过平台允许的大小。", "The file is larger than the platform accepts.")
    if first_chunk > length:
        raise _past_length()


def create(store: PlatformStore, device: Device, sha256: str, length: int, max_bytes: int,
           first_chunk: bytes | None = None, running: Hasher | None = None) -> UploadState:
    """Start an upload, or hand back the one this device already has for the same file.

    With `first_chunk` (tus creation-with-upload: already checked against its checksum), the chunk is
    appended in the same transaction when the upload is at offset 0; `running` is the SHA-256 of it.
    An upload already further on keeps its offset and the chunk is not used. A first chunk that is the whole
    file is stored at once and no upload row is ever written.
    """
    check_length(length, max_bytes, 0 if first_chunk is None else len(first_chunk))
    state = _run_core(store, lambda conn: _create_core(conn, store, device, sha256, length, first_chunk, running))
    if state is not None:
        return state
    return _run(store, lambda session: _create(session, store, device, sha256, length, first_chunk, running))


@dataclass(frozen=True)
class WholeFile:
    """A whole file that arrived in one request (a batch's), hashed as its bytes arrived."""

    sha256: str
    data: bytes
    running: Hasher


def create_whole_files(store: PlatformStore, device: Device, files: list[WholeFile], max_bytes: int
                       ) -> list[UploadState | UploadError]:
    """Each file as `create` takes a whole one, answered in order (a refusal is one file's answer, never another's).

    The usual files (new to the hall, declared as what they are, no upload of them in progress) are taken in
    ONE transaction of a few statements whatever their number: their declarations read at once, their blob
    and hall rows written at once, the cases waiting for them completed at once. On a busy platform a kiosk's
    pass sends its applications' pages in one batch, and a transaction for each page (six statements) was
    most of what a page cost. Any other file (one the hall holds, one resumed, one no case names) is then
    taken on its own, as `create` takes it.
    """
    answers: dict[int, UploadState | UploadError] = {}
    usual: list[tuple[int, WholeFile]] = []
    for i, f in enumerate(files):
        try:
            check_length(len(f.data), max_bytes, len(f.data))
        except UploadError as exc:
            answers[i] = exc
        else:
            usual.append((i, f))
    if usual:
        answers.update(_create_together(store, device, usual))
    for i, f in enumerate(files):
        if i not in answers:
            try:
                answers[i] = create(store, device, f.sha256, len(f.data), max_bytes, f.data, f.running)
            except UploadError as exc:
                answers[i] = exc
    return [answers[i] for i in range(len(files))]


@dataclass
class _Taken:
    """A file of `_create_together` on its way into the store."""

    index: int
    file: WholeFile
    upload_id: str
    media_type: str
    state: AssemblyState  # as appended: what an abort removes
    locator: str | None = None
    rows_written: bool = True  # False: its rows go in with the others' (`_BLOBS_AND_HALL_FILES`)


def _create_together(store: PlatformStore, device: Device, files: list[tuple[int, WholeFile]]
                     ) -> dict[int, UploadState | UploadError]:
    """The usual ones of `files` in one transaction; those it leaves out of its answer are taken on their own."""
    answers: dict[int, UploadState | UploadError] = {}
    after_commit: list[Callable[[], None]] = []
    taken: list[_Taken] = []
    assembly = store.blobs.assembly
    try:
        with store.engine.begin() as conn:
            found = _declarations_of(conn, device, [f.sha256 for _i, f in files])
            for i, f in files:
                declared = found.get(f.sha256)
                if declared is None or declared[0] or declared[1]:  # none, held, or being uploaded: on its own
                    continue
                media_type = stored_media_type(f.data[:HEAD_BYTES])
                try:  # in `_create_core`'s order, so that a file gets the same refusal either way
                    _refuse_undeclared_length(declared[2], f.sha256, len(f.data))
                    if f.running.copy().hexdigest() != f.sha256:
                        raise _verification_failed()
                    refusal = _declared_as(declared[2], device, f.sha256, len(f.data), media_type)
                    if refusal is not None:
                        raise refusal
                except UploadError as exc:
                    answers[i] = exc
                    continue
                upload_id = secrets.token_hex(16)
                t = _Taken(i, f, upload_id, media_type, assembly.start(upload_id, f.sha256, len(f.data)))
                taken.append(t)
                t.state = assembly.append(t.state, 0, f.data)
            stored = _store_together(conn, store, device, taken, answers, after_commit)
            completed = complete_waiting_for(conn, device.hall_code, [t.file.sha256 for t in stored])
    except BaseException:
        for t in taken:
            try:
                assembly.abort(t.state)
            except Exception:  # a leftover object costs space, never correctness
                log.exception("removing a batch's file after its transaction failed")
        raise
    _clean_up(after_commit)
    # a completed case is told with the last of its files in the batch: the file that completed it
    place = {t.file.sha256: n for n, t in enumerate(stored)}
    told: dict[int, list[str]] = {}
    for application_id, device_id, shas in completed:
        if device_id == device.id:
            told.setdefault(max(place[sha] for sha in shas), []).append(application_id)
    for n, t in enumerate(stored):
        length = len(t.file.data)
        answers[t.index] = UploadState(t.upload_id, length, length, True, tuple(told.get(n, ())))
    return answers


def _declarations_of(conn: Connection, device: Device, shas: list[str]
                     ) -> dict[str, tuple[bool, bool, list[tuple[int, str, int]]]]:
    """For each of these files some case of the device's hall names: whether the hall holds it, whether the
    device has an upload of it in progress, and every declaration of it (size, media type, declaring device)."""
    params = {"hall_code": device.hall_code, "shas": shas, "device_id": device.id}
    if raw_sql.is_postgresql(conn):
        rows = raw_sql.rows(conn, _DECLARED_HELD_UPLOADING_ANY, params)
    else:
        rows = [tuple(r) for r in conn.execute(_DECLARED_HELD_UPLOADING_IN, params)]
    found: dict[str, tuple[bool, bool, list[tuple[int, str, int]]]] = {}
    for sha256, size, media_type, device_id, held, uploading in rows:
        entry = found.setdefault(sha256, (bool(held), bool(uploading), []))
        entry[2].append((size, media_type, device_id))
    return found


def _store_together(conn: Connection, store: PlatformStore, device: Device, taken: list[_Taken],
                    answers: dict[int, UploadState | UploadError], after_commit: list[Callable[[], None]]
                    ) -> list[_Taken]:
    """The files become stored files and the hall's, as `_finish` makes one; those that did, in body order."""
    blobs = store.blobs
    stored: list[_Taken] = []
    for t in taken:
        sha256, length, outcome = t.file.sha256, len(t.file.data), _Outcome()
        state = t.state
        if raw_sql.is_postgresql(conn) and isinstance(state, dict) and state.get("done") and not state.get("mpu"):
            # the usual case of `_store_file` (one part, written whole): its rows go in with the others' below
            ok, t.locator = _assemble(blobs, state, sha256, True, outcome)
            t.rows_written = False
        else:
            hall_file = {"hall_code": device.hall_code, "sha256": sha256, "size": length,
                         "media_type": t.media_type, "device_id": device.id}
            t.locator = _store_file(conn, store, sha256, length, state, True, outcome, hall_file)
            ok = outcome.error is None
            if ok and not outcome.hall_file_stored:
                _insert_ignore(conn, HallBlob.__table__, hall_file)
        after_commit.extend(outcome.after_commit)
        if ok:
            stored.append(t)
        else:
            assert outcome.error is not None
            answers[t.index] = outcome.error
    rows = sorted((t for t in stored if not t.rows_written), key=lambda t: t.file.sha256)
    if rows:  # in hash order: two transactions storing the same files lock their rows in the same order
        inserted = {sha for sha, in raw_sql.rows(conn, _BLOBS_AND_HALL_FILES, {
            "hall_code": device.hall_code, "device_id": device.id, "now": raw_sql.stored_now(),
            "shas": [t.file.sha256 for t in rows], "sizes": [len(t.file.data) for t in rows],
            "locators": [t.locator for t in rows], "media_types": [t.media_type for t in rows]})}
        for t in rows:
            if t.file.sha256 not in inserted:  # stored before (another hall's, a racing request's)
                outcome = _Outcome()
                t.locator = _keep_stored(conn, store, t.file.sha256, t.locator, outcome)
                after_commit.extend(outcome.after_commit)
    return stored


def _held_and_declared(conn: Connection, device: Device, sha256: str) -> tuple[bool, list[tuple[int, str, int]], bool]:
    """Whether the hall holds the file, every declaration of it in the hall's cases (as `declarations_in_hall`),
    and whether the device has an upload of it in progress: `_declarations_of` for one file, one statement when
    a case declares it (every upload a terminal makes after its push), two otherwise (and then the third answer
    is True: not asked)."""
    found = _declarations_of(conn, device, [sha256]).get(sha256)
    if found is None:
        return bool(raw_sql.rows(conn, _HALL_HOLDS, {"hall_code": device.hall_code, "sha256": sha256})), [], True
    held, uploading, declared = found
    return held, declared, uploading


def _refuse_undeclared_length(declared: list[tuple[int, str, int]], sha256: str, length: int) -> None:
    if not declared:
        raise UploadError(409, "没有本大厅的申请引用该附件，请先推送申请。",
                          "No application of this hall names this attachment; push the application first.")
    if all(size != length for size, _type, _dev in declared):
        size = declared[0][0]
        raise _mismatch({"zh": f"附件 {sha256[:12]}… 申报为 {size} 字节，上传长度却是 {length} 字节，平台拒收。",
                         "en": f"attachment {sha256[:12]}… is declared as {size} bytes but Upload-Length is "
                               f"{length}; refused"})


def _declared_as(declared: list[tuple[int, str, int]], device: Device, sha256: str, length: int,
                 media_type: str) -> UploadError | None:
    """The refusal when no case of the hall declares the file as what it is (its length and media type)."""
    if any((size, kind) == (length, media_type) for size, kind, _dev in declared):
        return None
    # name the declaration nearest to this upload: this device's, of this length, if there is one
    nearest = sorted(declared, key=lambda d: (d[2] != device.id, d[0] != length))
    size, kind, _dev = nearest[0] if nearest else (length, "?", None)
    return _mismatch(declared_mismatch(sha256, size, kind, length, media_type))


def _create_core(conn: Connection, store: PlatformStore, device: Device, sha256: str, length: int,
                 chunk: bytes | None, running: Hasher | None) -> _Outcome | None:
    """The usual creation in Core statements; None hands the request to the ORM path (`_create`): a file the
    hall already holds, an upload row from before schema 8, a row the same device created at this moment."""
    held, declared, uploading = _held_and_declared(conn, device, sha256)
    if held:
        return None
    _refuse_undeclared_length(declared, sha256, length)
    outcome = _Outcome()
    # Locked only when there is one (a resumed upload): a new file (nearly every request) costs no look-up of
    # its own. Two requests creating it at once meet at the upload row's or the blob row's unique key.
    existing = conn.execute(_DEVICE_UPLOAD_LOCKED, {"device_id": device.id, "sha256": sha256}).first() \
        if uploading else None
    assembly = store.blobs.assembly
    if existing is not None:
        if existing.assembly is None:
            return None
        if existing.length != length:
            raise UploadError(409, "同一文件的上传长度不一致。", "Upload-Length differs from the upload in progress.")
        if chunk is None or existing.offset != 0:
            outcome.state = UploadState(existing.id, existing.offset, existing.length, False)
            return outcome
        return _append(conn, store, device, _Row(existing.id, sha256, length, 0, existing.assembly, existing.head),
                       chunk, running, outcome)
    upload_id = secrets.token_hex(16)
    if chunk is not None and len(chunk) == length and running is not None:
        # The whole file in one request: checked, stored, owned, and its cases completed; no row, no second read.
        if running.copy().hexdigest() != sha256:
            raise _verification_failed()
        refusal = _declared_as(declared, device, sha256, length, stored_media_type(chunk[:HEAD_BYTES]))
        if refusal is not None:
            raise refusal
        state = assembly.start(upload_id, sha256, length)
        try:
            state = assembly.append(state, 0, chunk)
            return _finish(conn, store, device, _Row(upload_id, sha256, length, 0, state, None, stored=False),
                           chunk[:HEAD_BYTES], state, running, outcome, declared_checked=True)
        except BaseException:
            assembly.abort(state)
            raise
    state = assembly.start(upload_id, sha256, length)
    try:
        offset, head = 0, b""
        if chunk is not None:
            state = assembly.append(state, 0, chunk)
            offset, head = len(chunk), _seal_head(store, upload_id, chunk[:HEAD_BYTES])
        inserted = _insert_ignore(conn, Upload.__table__, {
            "id": upload_id, "device_id": device.id, "sha256": sha256, "length": length, "offset": offset,
            "assembly": state, "head": head})
    except BaseException:
        assembly.abort(state)
        raise
    if not inserted:  # the same device created it at this moment (its POST resent after a lost answer)
        assembly.abort(state)
        return None
    if chunk is not None and running is not None:
        outcome.after_commit.append(lambda: running_hashes.advance(upload_id, 0, offset, running))
    outcome.state = UploadState(upload_id, offset, length, False)
    return outcome


def _create(session: Session, store: PlatformStore, device: Device, sha256: str, length: int,
            chunk: bytes | None, running: Hasher | None) -> _Outcome:
    owned = hall_blob(session, device.hall_code, sha256)
    if owned is not None:  # deduplication, inside the hall only
        if owned.size != length:
            raise _mismatch(declared_mismatch(sha256, length, owned.media_type, owned.size, owned.media_type))
        _check_own_cases(session, device, sha256, owned)
        outcome = _Outcome(UploadState(None, length, length, True))
        abandoned = _existing(session, store, device, sha256)
        if abandoned is not None:  # another device of the hall sent the file meanwhile: this upload is moot
            state = abandoned.assembly
            session.delete(abandoned)
            if state is not None:
                outcome.after_commit.append(lambda: store.blobs.assembly.abort(state))
        return outcome
    _refuse_undeclared_length(declarations_in_hall(session, device.hall_code, sha256), sha256, length)
    outcome = _Outcome()
    upload = _existing(session, store, device, sha256)
    started = False
    if upload is None:
        upload, started = _new_upload(session, store, device, sha256, length)
    elif upload.length != length:
        raise UploadError(409, "同一文件的上传长度不一致。", "Upload-Length differs from the upload in progress.")
    if chunk is None or upload.offset != 0:
        outcome.state = UploadState(upload.id, upload.offset, upload.length, False)
        return outcome
    state = upload.assembly
    session.flush()  # the row as adopted or made; from here on it moves by Core statements
    session.expunge(upload)
    try:
        return _append(session.connection(), store, device,
                       _Row(upload.id, sha256, length, upload.offset, upload.assembly, upload.head), chunk, running,
                       outcome)
    except Exception:
        if started and state is not None:  # the row goes with the rollback: so do its bytes
            store.blobs.assembly.abort(state)
        raise


def _existing(session: Session, store: PlatformStore, device: Device, sha256: str) -> Upload | None:
    upload = session.scalar(select(Upload).where(Upload.device_id == device.id, Upload.sha256 == sha256)
                            .with_for_update())
    if upload is not None and upload.assembly is None:
        _adopt_legacy(store, upload)
    return upload


def _new_upload(session: Session, store: PlatformStore, device: Device, sha256: str,
                length: int) -> tuple[Upload, bool]:
    """A new upload row (True), or the one a simultaneous request of the same device just made (False)."""
    upload_id = secrets.token_hex(16)
    state = store.blobs.assembly.start(upload_id, sha256, length)
    upload = Upload(id=upload_id, device_id=device.id, sha256=sha256, length=length, offset=0, assembly=state,
                    head=b"")
    try:
        with session.begin_nested():
            session.add(upload)
            session.flush()
    except IntegrityError:  # the same device created it at this moment (its POST resent after a lost answer)
        store.blobs.assembly.abort(state)
        found = _existing(session, store, device, sha256)
        if found is None:
            raise
        return found, False
    return upload, True


def _adopt_legacy(store: PlatformStore, upload: Upload) -> None:
    """A row from before schema 8: its verified bytes are in the local `.part` file, whose size was the offset
    (the row's own offset never moved). The local store takes the file as it is; any other store starts over."""
    part = store.uploads_dir / f"{upload.id}.part"
    if store.blobs.kind == "local":
        try:
            size = part.stat().st_size
            with part.open("rb") as fh:
                head = fh.read(HEAD_BYTES)
        except FileNotFoundError:
            size, head = 0, b""
        if 0 < size < upload.length:
            upload.assembly = {"upload_id": upload.id, "length": upload.length}  # LocalAssembly's state
            upload.offset, upload.head = size, _seal_head(store, upload.id, head[:size])
            return
    upload.assembly = store.blobs.assembly.start(upload.id, upload.sha256, upload.length)
    upload.offset, upload.head = 0, b""
    if store.blobs.kind != "local":
        part.unlink(missing_ok=True)


def _check_own_cases(session: Session, device: Device, sha256: str, owned: HallBlob) -> None:
    """This device's waiting cases must declare the file the hall holds as what it is."""
    for size, media_type in session.execute(
            select(CaseAttachment.size, CaseAttachment.media_type).join(Case, Case.id == CaseAttachment.case_id)
            .where(CaseAttachment.sha256 == sha256, Case.device_id == device.id, Case.complete.is_(False))):
        if (size, media_type) != (owned.size, owned.media_type):
            raise _mismatch(declared_mismatch(sha256, size, media_type, owned.size, owned.media_type))


def get_state(store: PlatformStore, device: Device, upload_id: str) -> UploadState:
    with store.transaction() as session:
        upload = session.get(Upload, upload_id)
        if upload is None or upload.device_id != device.id:
            raise _no_such_upload()
        if upload.assembly is None:
            upload = _locked(session, store, upload_id)
            assert upload is not None
        return UploadState(upload_id, upload.offset, upload.length, False)


def _locked(session: Session, store: PlatformStore, upload_id: str) -> Upload | None:
    upload = session.get(Upload, upload_id, with_for_update=True, populate_existing=True)
    if upload is not None and upload.assembly is None:
        _adopt_legacy(store, upload)
    return upload


@dataclass(frozen=True)
class _Row:
    """An upload as its locked row holds it (`stored`: False for a whole file that never had a row)."""

    id: str
    sha256: str
    length: int
    offset: int
    assembly: AssemblyState | None
    head: bytes | None
    stored: bool = True


def commit_chunk(store: PlatformStore, device: Device, upload_id: str, offset: int, chunk: bytes,
                 running: Hasher | None = None) -> UploadState:
    """Append a verified chunk at `offset` in one transaction; finish the upload when it is the last one.

    `running`, when given, is the SHA-256 of the upload's bytes up to and including this chunk (from
    `running_hashes.resume(upload_id, offset)`, fed the chunk as it arrived).
    """

    def work(conn: Connection) -> _Outcome | None:
        row = conn.execute(_UPLOAD_LOCKED, {"upload_id": upload_id}).first()
        if row is None or row.device_id != device.id:
            raise _no_such_upload()
        if row.assembly is None:  # from before schema 8: adopted first, in a transaction of its own
            return None
        if row.offset != offset:
            raise UploadError(409, "偏移量不符，请先查询当前偏移量。",
                              "Upload-Offset does not match; ask for the offset first.", offset=row.offset)
        return _append(conn, store, device, _Row(upload_id, row.sha256, row.length, row.offset, row.assembly,
                                                 row.head), chunk, running, _Outcome())

    state = _run_core(store, work)
    if state is None:
        with store.transaction() as session:
            _locked(session, store, upload_id)
        state = _run_core(store, work)
        assert state is not None
    return state


def _append(conn: Connection, store: PlatformStore, device: Device, upload: _Row, chunk: bytes,
            running: Hasher | None, outcome: _Outcome) -> _Outcome:
    """Under the row's lock: the chunk goes into the assembly at the row's offset, and the row moves with it."""
    upload_id, offset = upload.id, upload.offset
    new_offset = offset + len(chunk)
    if new_offset > upload.length:
        raise _past_length()
    state = store.blobs.assembly.append(copy.deepcopy(upload.assembly or {}), offset, chunk)
    head: bytes | None = None
    if offset < HEAD_BYTES:
        head = _open_head(store, upload_id, upload.head)[:offset] + chunk[:HEAD_BYTES - offset]
    if new_offset < upload.length:
        values: dict[str, object] = {"upload_id": upload_id, "offset": new_offset, "assembly": state,
                                     "updated_at": utcnow()}
        if head is not None:
            values["head"] = _seal_head(store, upload_id, head)
        conn.execute(_ADVANCE_WITH_HEAD if head is not None else _ADVANCE, values)
        if running is not None:
            outcome.after_commit.append(lambda: running_hashes.advance(upload_id, offset, new_offset, running))
        outcome.state = UploadState(upload_id, new_offset, upload.length, False)
        return outcome
    outcome.after_commit.append(lambda: running_hashes.forget(upload_id, offset))
    if head is None:
        head = _open_head(store, upload_id, upload.head)
    return _finish(conn, store, device, upload, head, state, running, outcome)


# The statements of a chunk and of a file's arrival, built once (building one cost more than running it).
_HALL_HOLDS = select(HallBlob.id).where(HallBlob.hall_code == bindparam("hall_code"),
                                        HallBlob.sha256 == bindparam("sha256"))
_DEVICE_UPLOAD_LOCKED = (select(Upload.id, Upload.length, Upload.offset, Upload.assembly, Upload.head)
                         .where(Upload.device_id == bindparam("device_id"), Upload.sha256 == bindparam("sha256"))
                         .with_for_update())
_UPLOAD_LOCKED = (select(Upload.device_id, Upload.sha256, Upload.length, Upload.offset, Upload.assembly, Upload.head)
                  .where(Upload.id == bindparam("upload_id")).with_for_update())
_ADVANCE = (update(Upload.__table__).where(Upload.__table__.c.id == bindparam("upload_id"))
            .values(offset=bindparam("offset"), assembly=bindparam("assembly"), updated_at=bindparam("updated_at")))
_ADVANCE_WITH_HEAD = _ADVANCE.values(head=bindparam("head"))
_DELETE_UPLOAD = delete(Upload.__table__).where(Upload.__table__.c.id == bindparam("upload_id"))
_LACKING = (select(CaseAttachment.case_id)
            .outerjoin(HallBlob, and_(HallBlob.hall_code == bindparam("hall_code"),
                                      HallBlob.sha256 == CaseAttachment.sha256, HallBlob.size == CaseAttachment.size,
                                      HallBlob.media_type == CaseAttachment.media_type))
            .where(CaseAttachment.case_id.in_(bindparam("case_ids", expanding=True)), HallBlob.id.is_(None)))
_LACKING_ANY = (select(CaseAttachment.case_id)
                .outerjoin(HallBlob, and_(HallBlob.hall_code == bindparam("hall_code"),
                                          HallBlob.sha256 == CaseAttachment.sha256,
                                          HallBlob.size == CaseAttachment.size,
                                          HallBlob.media_type == CaseAttachment.media_type))
                .where(CaseAttachment.case_id == any_(bindparam("case_ids", type_=ARRAY(Integer))),
                       HallBlob.id.is_(None)))


# Several files at once: on PostgreSQL one prepared statement whatever their number (`= ANY`), on SQLite an
# IN list through Core.
def _declared_held_uploading(shas: Any) -> Any:
    """For the files `shas` names (the condition on the file's hash): each declaration in the hall's cases, the
    hash first, with whether the hall holds the file and whether the device has an upload of it in progress."""
    file = CaseAttachment.sha256
    return (select(file, CaseAttachment.size, CaseAttachment.media_type, Case.device_id,
                   select(HallBlob.id).where(HallBlob.hall_code == bindparam("hall_code"), HallBlob.sha256 == file)
                   .exists().label("held"),
                   select(Upload.id).where(Upload.device_id == bindparam("device_id"), Upload.sha256 == file)
                   .exists().label("uploading"))
            .join(Case, Case.id == CaseAttachment.case_id)
            .where(shas, Case.hall_code == bindparam("hall_code")))


_DECLARED_HELD_UPLOADING_ANY = _declared_held_uploading(
    CaseAttachment.sha256 == any_(bindparam("shas", type_=ARRAY(String))))
_DECLARED_HELD_UPLOADING_IN = _declared_held_uploading(CaseAttachment.sha256.in_(bindparam("shas", expanding=True)))


def _waiting_locked(shas: Any) -> Any:
    """The hall's incomplete cases naming any of the files (`shas`: the condition on the hash), each with the
    file it names (a case naming two of them comes twice), locked in case id order."""
    return (select(Case.id, Case.uuid, Case.device_id, CaseAttachment.sha256)
            .join(CaseAttachment, CaseAttachment.case_id == Case.id)
            .where(shas, Case.hall_code == bindparam("hall_code"), Case.complete.is_(False))
            .order_by(Case.id).with_for_update(of=Case))


_WAITING_ANY_LOCKED = _waiting_locked(CaseAttachment.sha256 == any_(bindparam("shas", type_=ARRAY(String))))
_WAITING_IN_LOCKED = _waiting_locked(CaseAttachment.sha256.in_(bindparam("shas", expanding=True)))

# The blob row and the hall's row of a newly stored file, in one statement (PostgreSQL: data-modifying CTEs
# always run to completion); each is the same INSERT … ON CONFLICT DO NOTHING the two statements were.
_BLOB_AND_HALL_FILE = text(
    "WITH blob AS (INSERT INTO blobs (sha256, size, stored_at, locator) VALUES (:sha256, :size, :now, :locator) "
    "ON CONFLICT DO NOTHING RETURNING sha256), "
    "hall AS (INSERT INTO hall_blobs (hall_code, sha256, size, media_type, device_id, first_uploaded_at) "
    "VALUES (:hall_code, :sha256, :size, :media_type, :device_id, :now) ON CONFLICT DO NOTHING RETURNING id) "
    "SELECT EXISTS (SELECT 1 FROM blob), EXISTS (SELECT 1 FROM hall)")

# The same for several files at once (`_store_together`): the rows come in the order given, which is hash order.
_BLOBS_AND_HALL_FILES = text(
    "WITH given AS (SELECT * FROM unnest(CAST(:shas AS VARCHAR[]), CAST(:sizes AS BIGINT[]), "
    "CAST(:locators AS VARCHAR[]), CAST(:media_types AS VARCHAR[])) WITH ORDINALITY "
    "AS g(sha256, size, locator, media_type, n)), "
    "blob AS (INSERT INTO blobs (sha256, size, stored_at, locator) "
    "SELECT sha256, size, :now, locator FROM given ORDER BY n ON CONFLICT DO NOTHING RETURNING sha256), "
    "hall AS (INSERT INTO hall_blobs (hall_code, sha256, size, media_type, device_id, first_uploaded_at) "
    "SELECT :hall_code, sha256, size, media_type, :device_id, :now FROM given ORDER BY n "
    "ON CONFLICT DO NOTHING RETURNING id) "
    "SELECT sha256 FROM blob")

_INSERT_IGNORE: dict[tuple[str, str], Any] = {}  # (dialect, table) -> its statement, built once


def _insert_ignore(conn: Connection, table: Any, values: dict[str, Any]) -> bool:
    """Insert the row unless a unique key already holds it (a racing request's); True when this one did.

    The statement is built once per table (building one per call costs more than running it); RETURNING says
    whether a row was written (psycopg's rowcount for ON CONFLICT DO NOTHING is not reliable).
    """
    dialect = conn.dialect.name
    statement = _INSERT_IGNORE.get((dialect, table.name))
    if statement is None:
        dialect_insert = raw_sql.upsert_insert(dialect)
        if dialect_insert is None:  # pragma: no cover - the platform runs on PostgreSQL or SQLite
            try:
                with conn.begin_nested():
                    conn.execute(insert(table).values(**values))
            except IntegrityError:
                return False
            return True
        statement = dialect_insert(table).on_conflict_do_nothing().returning(*table.primary_key.columns)
        _INSERT_IGNORE[(dialect, table.name)] = statement
    return conn.execute(statement, values).first() is not None


def stored_media_type(head: bytes) -> str:
    """What the platform takes a file to be: its content decides, never the sender's word."""
    return detect_media_type(head) or "application/octet-stream"


def _drop(conn: Connection, store: PlatformStore, upload: _Row, state: AssemblyState | None,
          error: UploadError, outcome: _Outcome) -> _Outcome:
    """The upload can never complete: its row goes with this commit, its bytes after it."""
    if upload.stored:
        conn.execute(delete(Upload.__table__).where(Upload.id == upload.id))
    if state is not None:
        outcome.after_commit.append(lambda: store.blobs.assembly.abort(state))
    outcome.error = error
    return outcome


def _finish(conn: Connection, store: PlatformStore, device: Device, upload: _Row, head: bytes,
            state: AssemblyState, running: Hasher | None, outcome: _Outcome, *,
            declared_checked: bool = False) -> _Outcome:
    """The last chunk is in: the whole file must be what it was announced and declared as; then the hall owns it."""
    upload_id, sha256, length = upload.id, upload.sha256, upload.length
    if running is not None and running.hexdigest() != sha256:
        return _drop(conn, store, upload, state, _verification_failed(), outcome)
    media_type = stored_media_type(head)
    # (a whole file in the creating request was checked against the hall's copy and declarations a moment ago)
    owned = False
    if not declared_checked:
        owned, declared, _ = _held_and_declared(conn, device, sha256)
        refusal = None if owned else _declared_as(declared, device, sha256, length, media_type)
        if refusal is not None:
            return _drop(conn, store, upload, state, refusal, outcome)
    hall_file = None if owned else {"hall_code": device.hall_code, "sha256": sha256, "size": length,
                                    "media_type": media_type, "device_id": device.id}
    locator = _store_file(conn, store, sha256, length, state, running is not None, outcome, hall_file)
    if outcome.error is not None:
        return _drop(conn, store, upload, None, outcome.error, outcome)
    if hall_file is not None and not outcome.hall_file_stored:
        _insert_ignore(conn, HallBlob.__table__, hall_file)
    if upload.stored:
        conn.execute(_DELETE_UPLOAD, {"upload_id": upload_id})
    completed = complete_waiting_for(conn, device.hall_code, [sha256])
    log.debug("upload %s complete: %s (%d bytes) at %s", upload_id, sha256[:12], length, locator or "local")
    outcome.state = UploadState(upload_id, length, length, True,
                                tuple(app_id for app_id, device_id, _shas in completed if device_id == device.id))
    return outcome


def _store_file(conn: Connection, store: PlatformStore, sha256: str, length: int, state: AssemblyState,
                verified: bool, outcome: _Outcome, hall_file: dict[str, Any] | None = None) -> str | None:
    """The assembled bytes become the stored file `sha256` (once, whichever hall sent them first).

    When the store already holds the file and every byte was hashed on arrival, the assembly is simply
    thrown away. Otherwise the store completes it (reading it back once when not `verified`); a copy that
    ends up named by no row (another upload of the same file stored its own first) is deleted after commit.
    Sets `outcome.error` when the bytes are not the file announced. `hall_file`: the hall's row for the file
    (`HallBlob`), which the usual case on PostgreSQL inserts in the blob row's statement (then
    `outcome.hall_file_stored`); the caller inserts it otherwise.
    """
    blobs = store.blobs
    if verified and isinstance(state, dict) and state.get("done") and not state.get("mpu"):
        # the usual case: a new file of one part, already written whole, every byte hashed on arrival. The
        # row goes in first; only a file stored before (another hall's, a racing request's) needs a look.
        ok, locator = _assemble(blobs, state, sha256, True, outcome)
        if not ok:
            return None
        if hall_file is not None and raw_sql.is_postgresql(conn):
            # both rows in one statement; each insert is the same INSERT … ON CONFLICT DO NOTHING as alone
            [(inserted, _hall)] = raw_sql.rows(conn, _BLOB_AND_HALL_FILE, {
                **hall_file, "locator": locator, "now": raw_sql.stored_now()})
            outcome.hall_file_stored = True
        else:
            inserted = _insert_ignore(conn, Blob.__table__, {"sha256": sha256, "size": length, "locator": locator})
        if inserted:
            return locator
        return _keep_stored(conn, store, sha256, locator, outcome)
    blob = conn.execute(select(Blob.locator).where(Blob.sha256 == sha256)).first()
    held = blob is not None and blobs.exists(sha256, blob.locator)
    if blob is not None and held and verified:
        outcome.after_commit.append(lambda: blobs.assembly.abort(state))
        return blob.locator
    ok, locator = _assemble(blobs, state, sha256, verified, outcome)
    if not ok:
        return None
    if blob is None:
        if _insert_ignore(conn, Blob.__table__, {"sha256": sha256, "size": length, "locator": locator}):
            kept = locator
        else:  # the racing request stored its copy first
            kept = conn.execute(select(Blob.locator).where(Blob.sha256 == sha256)).scalar_one()
    elif not held:  # the row named a file its store no longer has: this copy takes its place
        conn.execute(update(Blob.__table__).where(Blob.sha256 == sha256).values(locator=locator))
        kept = locator
    else:
        kept = blob.locator
    if locator is not None and kept != locator:
        outcome.after_commit.append(lambda: blobs.delete(sha256, locator))
    return kept


def _assemble(blobs: BlobStore, state: AssemblyState, sha256: str, verified: bool,
              outcome: _Outcome) -> tuple[bool, str | None]:
    """The store completes the assembly as the file `sha256`: (True, its locator), or (False, None) with
    `outcome.error` set when the bytes are not the file announced (both ways of storing a file meet it)."""
    try:
        return True, blobs.assembly.complete(state, sha256, verified=verified)
    except AssemblyMismatch as exc:
        log.warning("upload of %s failed verification: %s", sha256[:12], exc)
        outcome.error = _verification_failed()
        return False, None


def _keep_stored(conn: Connection, store: PlatformStore, sha256: str, locator: str | None,
                 outcome: _Outcome) -> str | None:
    """The file had a `blobs` row already; this upload's verified copy `locator` is complete. The row's file is
    kept if its store still has it (this copy is deleted after commit), else this copy takes its place."""
    blobs = store.blobs
    held = conn.execute(select(Blob.locator).where(Blob.sha256 == sha256).with_for_update()).scalar_one()
    if held != locator and blobs.exists(sha256, held):
        if locator is not None:
            outcome.after_commit.append(lambda: blobs.delete(sha256, locator))
        return held
    conn.execute(update(Blob.__table__).where(Blob.sha256 == sha256).values(locator=locator))
    return locator


def complete_waiting_for(conn: Connection, hall_code: str, shas: list[str]
                         ) -> list[tuple[str, int | None, tuple[str, ...]]]:
    """A hall now holds these verified files: complete every case of that hall that was waiting only for them,
    and say which (application id, device id, which of these files it names): the answer to the upload names
    the uploading terminal's own, so it need not ask for their state.

    The waiting cases are locked in id order (two arrivals never deadlock): when a case's last two files
    arrive at once, the second to commit sees the first. A few statements per arrival, however many files
    arrived (on PostgreSQL straight through the driver, `raw_sql`), whatever the cases hold (their documents
    are never read).
    """
    if not shas:
        return []
    params = {"shas": shas, "hall_code": hall_code}
    if raw_sql.is_postgresql(conn):
        rows = raw_sql.rows(conn, _WAITING_ANY_LOCKED, params)
    else:
        rows = [tuple(r) for r in conn.execute(_WAITING_IN_LOCKED, params)]
    if not rows:
        return []
    named: dict[int, tuple[str, int | None, list[str]]] = {}
    for case_id, application_id, device_id, sha256 in rows:
        named.setdefault(case_id, (application_id, device_id, []))[2].append(sha256)
    waiting = list(named)
    if raw_sql.is_postgresql(conn):  # one prepared statement whatever the number of cases (no IN list to expand)
        lacking = {case_id for case_id, in raw_sql.rows(conn, _LACKING_ANY, {"hall_code": hall_code,
                                                                             "case_ids": waiting})}
    else:
        lacking = set(conn.execute(_LACKING, {"hall_code": hall_code, "case_ids": waiting}).scalars())
    done = [case_id for case_id in waiting if case_id not in lacking]
    if not done:
        return []
    complete_cases(conn, hall_code, done)
    return [(named[case_id][0], named[case_id][1], tuple(named[case_id][2])) for case_id in done]
