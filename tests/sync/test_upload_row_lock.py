"""An upload's offset lives in its database row and moves under the row's lock, one transaction per chunk.

So the same chunk sent twice at once (on one platform instance or two) is committed once; a process that
dies between appending a chunk and committing it leaves nothing the next attempt cannot write over; the
instance that takes the last chunk need not have seen the others (it reads the file back once); and an
upload begun by a platform before schema 8 (its offset in a local file) goes on where it was.
On SQLite and on PostgreSQL, with the platform served over real HTTP.
"""
from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import event, text, update

from sync.server import uploads
from sync.server.blobstore import Assembly, AssemblyState
from sync.server.models import Upload
from tests.sync.servers import PlatformServer
from tests.sync.upload_session import PendingFile, pending_file

CHUNK = 64 * 1024


class WrappedAssembly:
    """The platform's own assembly, with a hook before each append (a fault injected at the store's edge)."""

    def __init__(self, inner: Assembly) -> None:
        self.inner = inner
        self.before_append: Callable[[AssemblyState, int, bytes], None] = lambda state, offset, chunk: None
        self.completed: list[bool] = []  # the `verified` of every completion

    def start(self, upload_id: str, sha256: str, length: int) -> AssemblyState:
        return self.inner.start(upload_id, sha256, length)

    def append(self, state: AssemblyState, offset: int, chunk: bytes) -> AssemblyState:
        self.before_append(state, offset, chunk)
        return self.inner.append(state, offset, chunk)

    def complete(self, state: AssemblyState, sha256: str, *, verified: bool) -> str | None:
        self.completed.append(verified)
        return self.inner.complete(state, sha256, verified=verified)

    def abort(self, state: AssemblyState) -> None:
        self.inner.abort(state)


def wrap_assembly(platform: PlatformServer) -> WrappedAssembly:
    blobs = platform.store.blobs
    wrapped = WrappedAssembly(blobs.assembly)
    blobs.assembly = wrapped
    return wrapped


@pytest.fixture
def pending(tmp_path: Path, platform: PlatformServer) -> Iterator[PendingFile]:
    uploads.running_hashes.clear()
    yield pending_file(tmp_path, platform)
    uploads.running_hashes.clear()


def wait_until(predicate: Callable[[], bool], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def upload_rest(f: PendingFile, location: str, offset: int, *, port: int | None = None) -> requests.Response:
    answer: requests.Response | None = None
    while offset < len(f.data):
        answer = f.patch(location, offset, f.data[offset: offset + CHUNK], port=port)
        assert answer.status_code == 204, (answer.status_code, answer.text)
        offset = int(answer.headers["Upload-Offset"])
    assert answer is not None
    return answer


def assert_stored_once(f: PendingFile) -> None:
    assert f.stored() == f.data and f.hall_copies() == 1 and f.upload_rows() == 0 and f.case_complete()
    assert not list(f.platform.store.uploads_dir.iterdir())  # nothing half-assembled left behind


def in_threads(*calls: Callable[[], requests.Response]) -> list[requests.Response]:
    """Run the calls at once (released together by a barrier); their answers in call order."""
    barrier = threading.Barrier(len(calls))
    answers: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        answers[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(isinstance(a, requests.Response) for a in answers)
    return answers


def waiting_for_lock(platform: PlatformServer) -> int:
    """PostgreSQL backends of this database waiting for a lock (here: the upload row's)."""
    with platform.store.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                     "AND datname = current_database()")).scalar_one())


def waiting_at_sqlite_begin() -> bool:
    """Some thread of this process is in the platform's BEGIN IMMEDIATE (SQLite's busy wait for the write lock)."""
    for frame in sys._current_frames().values():
        while frame is not None:
            if frame.f_code.co_name == "_on_begin" and frame.f_code.co_filename.endswith("store/sqlite.py"):
                return True
            frame = frame.f_back
    return False


def test_the_same_chunk_sent_twice_while_the_first_is_being_appended_is_committed_once(
        pending: PendingFile, platform: PlatformServer) -> None:
    f = pending
    created = f.create()
    location = created.headers["Location"]
    assert f.patch(location, 0, f.data[:CHUNK]).status_code == 204
    assembly = wrap_assembly(platform)
    inside, release = threading.Event(), threading.Event()

    def hold_first(_state: AssemblyState, offset: int, _chunk: bytes) -> None:
        if offset == CHUNK and not inside.is_set():
            inside.set()  # the first request holds the row and is writing its chunk...
            assert release.wait(30)

    assembly.before_append = hold_first
    chunk = f.data[CHUNK: 2 * CHUNK]
    answers: list[requests.Response] = []
    first = threading.Thread(target=lambda: answers.append(f.patch(location, CHUNK, chunk)))
    first.start()
    assert inside.wait(30)
    second = threading.Thread(target=lambda: answers.append(f.patch(location, CHUNK, chunk)))
    second.start()
    # ...while the second, with the same chunk at the same offset, waits for the row
    if platform.store.engine.dialect.name == "postgresql":
        wait_until(lambda: waiting_for_lock(platform) >= 1)
    else:  # SQLite: the first request's transaction holds the database's write lock, the second's BEGIN waits
        wait_until(waiting_at_sqlite_begin)
    release.set()
    first.join(30)
    second.join(30)
    assert sorted(a.status_code for a in answers) == [204, 409]
    conflict = next(a for a in answers if a.status_code == 409)
    assert conflict.headers["Upload-Offset"] == str(2 * CHUNK)  # where to go on from
    assert {"zh", "en"} <= set(conflict.json()["reason"])
    assert f.offset(location) == 2 * CHUNK
    upload_rest(f, location, 2 * CHUNK)
    assert_stored_once(f)


def test_every_chunk_raced_by_two_senders_is_committed_once_and_the_file_is_right(pending: PendingFile) -> None:
    f = pending
    location = f.create().headers["Location"]
    offset = 0
    while offset < len(f.data):
        chunk = f.data[offset: offset + CHUNK]
        answers = in_threads(lambda: f.patch(location, offset, chunk), lambda: f.patch(location, offset, chunk))
        statuses = sorted(a.status_code for a in answers)
        if offset + len(chunk) < len(f.data):
            assert statuses == [204, 409], statuses  # the loser finds the offset moved
        else:  # or, for the last chunk, the upload already finished and gone
            assert statuses in ([204, 409], [204, 404]), statuses
        won = next(a for a in answers if a.status_code == 204)
        assert int(won.headers["Upload-Offset"]) == offset + len(chunk)
        offset += len(chunk)
    assert won.headers.get("OneWindow-Upload-Complete") == "1"
    assert_stored_once(f)


@pytest.mark.parametrize("where, written, cache_kept", [
    ("middle", "longer garbage", True),
    ("middle", "the same chunk", False),
    ("last", "longer garbage", False),
])
def test_a_chunk_appended_by_a_process_that_died_before_committing_is_written_over(
        pending: PendingFile, platform: PlatformServer, where: str, written: str, cache_kept: bool) -> None:
    """A platform process killed between writing a chunk into the store and committing the row leaves the
    row at the old offset; the terminal sends the chunk again (perhaps to another instance, whose running
    hash is missing) and the file comes out right."""
    f = pending
    location = f.create().headers["Location"]
    upload_rest_until = 2 * CHUNK if where == "middle" else (len(f.data) - 1) // CHUNK * CHUNK
    offset = 0
    while offset < upload_rest_until:
        assert f.patch(location, offset, f.data[offset: offset + CHUNK]).status_code == 204
        offset += CHUNK
    assembly = wrap_assembly(platform)
    died: list[int] = []

    class ProcessDied(Exception):
        pass

    def die_after_writing(state: AssemblyState, at: int, chunk: bytes) -> None:
        if not died:
            died.append(at)
            assembly.inner.append(state, at, b"\xff" * (len(chunk) + 5000) if written == "longer garbage" else chunk)
            raise ProcessDied("killed between the append and the commit")

    assembly.before_append = die_after_writing
    chunk = f.data[offset: offset + CHUNK]
    lost = f.patch(location, offset, chunk)
    assert lost.status_code == 500 and died == [offset]
    assert {"zh", "en"} <= set(lost.json()["reason"])
    assert f.offset(location) == offset and f.upload_rows() == 1  # nothing of it counted
    if not cache_kept:
        uploads.running_hashes.clear()  # the retry reaches an instance that did not see the earlier chunks
    last = upload_rest(f, location, offset)
    assert last.headers["OneWindow-Upload-Complete"] == "1"
    assert assembly.completed == [cache_kept]  # read back once exactly when the running hash was lost
    assert_stored_once(f)


@pytest.mark.parametrize("cache_kept", [True, False])
def test_bytes_that_are_not_the_announced_file_are_refused_and_kept_nowhere(
        pending: PendingFile, platform: PlatformServer, cache_kept: bool) -> None:
    f = pending
    wrong = bytearray(f.data)
    wrong[-10] ^= 0xFF  # every chunk passes its own checksum; the whole is not the file the case names
    location = f.create().headers["Location"]
    offset = 0
    while offset + CHUNK < len(wrong):
        assert f.patch(location, offset, bytes(wrong[offset: offset + CHUNK])).status_code == 204
        offset += CHUNK
    if not cache_kept:
        uploads.running_hashes.clear()
    refused = f.patch(location, offset, bytes(wrong[offset:]))
    assert refused.status_code == 409 and refused.headers["Upload-Offset"] == "0"
    assert "SHA-256" in refused.json()["reason"]["en"] and "SHA-256" in refused.json()["reason"]["zh"]
    assert f.stored() is None and f.hall_copies() == 0 and f.upload_rows() == 0 and not f.case_complete()
    assert not list(platform.store.uploads_dir.iterdir())
    assert f.request("HEAD", location).status_code == 404
    location = f.create().headers["Location"]  # the right bytes are then taken as usual
    upload_rest(f, location, 0)
    assert_stored_once(f)


def test_chunks_alternating_between_two_instances_make_one_file(
        pending: PendingFile, platform: PlatformServer, db_url: str | None) -> None:
    """Two platform instances on one database and one store: each takes every other chunk, HEAD on either
    tells the same offset, the same chunk sent to both is committed once, and the last chunk is verified by
    the instance that did not see the first."""
    f = pending
    other = PlatformServer(platform.home, db_url)
    try:
        assemblies = [wrap_assembly(platform), wrap_assembly(other)]
        location = f.create(port=other.port).headers["Location"]
        offset, n = 0, 0
        while offset < len(f.data):
            uploads.running_hashes.clear()  # each instance is its own process: none knows the other's hashes
            port = (platform.port, other.port)[n % 2]
            assert f.offset(location, port=platform.port) == f.offset(location, port=other.port) == offset
            chunk = f.data[offset: offset + CHUNK]
            if n == 1:  # the same chunk to both at once
                answers = in_threads(lambda: f.patch(location, offset, chunk, port=platform.port),
                                     lambda: f.patch(location, offset, chunk, port=other.port))
                assert sorted(a.status_code for a in answers) == [204, 409]
            else:
                assert f.patch(location, offset, chunk, port=port).status_code == 204
            offset, n = offset + len(chunk), n + 1
        assert n >= 3
        assert assemblies[0].completed + assemblies[1].completed == [False]  # read back once, by one instance
        assert_stored_once(f)
    finally:
        other.stop()


def test_an_upload_begun_before_schema_8_goes_on_from_its_part_file(pending: PendingFile) -> None:
    """Before schema 8 the offset was the `.part` file's size and the row's own offset stayed 0."""
    f = pending
    location = f.create().headers["Location"]
    upload_id = location.rsplit("/", 1)[1]
    part = f.platform.store.uploads_dir / f"{upload_id}.part"
    part.write_bytes(f.data[: 3 * CHUNK])
    with f.platform.store.transaction() as s:
        s.execute(update(Upload).where(Upload.id == upload_id).values(assembly=None, head=None, offset=0))
    uploads.running_hashes.clear()
    assert f.offset(location) == 3 * CHUNK
    assert f.create().headers["Upload-Offset"] == str(3 * CHUNK)
    upload_rest(f, location, 3 * CHUNK)
    assert_stored_once(f)


def test_each_chunk_costs_one_transaction_the_last_one_included(
        pending: PendingFile, platform: PlatformServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Offset check, append, offset, and for the last chunk the blob, the hall's copy and the case: one commit."""
    f = pending
    inside = threading.local()
    begun: list[int] = []

    def count_begin(_conn: Any) -> None:
        if getattr(inside, "chunk", False):
            begun.append(1)

    real_commit = uploads.commit_chunk

    def commit_chunk(*args: Any, **kwargs: Any) -> uploads.UploadState:
        inside.chunk = True
        try:
            return real_commit(*args, **kwargs)
        finally:
            inside.chunk = False

    event.listen(platform.store.engine, "begin", count_begin)
    monkeypatch.setattr(uploads, "commit_chunk", commit_chunk)
    try:
        location = f.create().headers["Location"]
        chunks = 0
        offset = 0
        while offset < len(f.data):
            before = len(begun)
            answer = f.patch(location, offset, f.data[offset: offset + CHUNK])
            assert answer.status_code == 204 and len(begun) == before + 1
            offset, chunks = int(answer.headers["Upload-Offset"]), chunks + 1
    finally:
        event.remove(platform.store.engine, "begin", count_begin)
    assert chunks >= 3 and len(begun) == chunks
    assert_stored_once(f)
