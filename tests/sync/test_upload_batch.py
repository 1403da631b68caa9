"""Several whole files in one request (`POST /uploads/batch`), on SQLite and on PostgreSQL, over real HTTP.

A kiosk's application with two scanned pages sends them in one request: each file is checked, stored and
answered on its own, as `POST /uploads` would answer it whole. A bad file is refused alone; a request that
does not fit as a whole takes nothing in, with a bilingual reason; a cut mid-body keeps the files that
arrived whole. The terminal batches only what the platform's push answer offers, puts in a batch only files
no larger than a chunk (so a cut costs no more than a cut chunk, however large the batch), and sends each file
the batch did not store on its own; an older platform is never sent a batch.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func, select, text

from kiosk.outbox import OutboxState
from kiosk.store.models import Attachment, OutboxItem
from sync.demo_data import submit_demo
from sync.linksim import BadLink
from sync.protocol import TUS_VERSION, UPLOAD_BATCH_HEADER, UPLOAD_BATCH_MAX_FILES, UPLOAD_CONTENT_TYPE
from sync.server import uploads
from sync.server.app import Limits
from sync.server.models import Blob, Case, Change, HallBlob, Upload
from sync.server.upload_batch import Entry, Received, receive
from sync.upload import BATCH_CHUNKS, batch_budget, plan_batches
from tests.sync.conftest import engine_for, enroll, make_terminal, pushed_document, record_requests
from tests.sync.servers import PlatformServer
from tests.sync.test_faults import assert_arrived_once, sync_until_done
from tests.sync.test_s3_store import keys_in, settings_of
from tests.sync.upload_session import PendingFile, assert_refused


@dataclass
class PendingFiles:
    """An application pushed to a real platform with every file still to upload."""

    platform: PlatformServer
    token: str
    app_id: str
    files: dict[str, bytes]  # sha256 -> bytes
    push_answer: dict[str, Any]
    files_of: dict[str, list[str]]  # application id -> its files (sha256), in `files`' order

    def batch(self, files: dict[str, bytes] | None = None, *, header: str | None = None, body: bytes | None = None,
              content_type: str = UPLOAD_CONTENT_TYPE) -> requests.Response:
        files = self.files if files is None else files
        head = {"Authorization": f"Bearer {self.token}", "Tus-Resumable": TUS_VERSION, "Content-Type": content_type,
                UPLOAD_BATCH_HEADER: header if header is not None else ",".join(f"{s}:{len(d)}" for s, d in files.items())}
        return requests.post(self.platform.url() + "/uploads/batch", headers=head, timeout=30,
                             data=body if body is not None else b"".join(files.values()))

    def held(self) -> set[str]:
        """The files the hall holds, each checked byte for byte against what the terminal has."""
        with self.platform.store.transaction() as s:
            shas = set(s.scalars(select(HallBlob.sha256).where(HallBlob.sha256.in_(list(self.files)))))
            locators = {b.sha256: b.locator for b in s.scalars(select(Blob).where(Blob.sha256.in_(list(shas))))}
        for sha in shas:
            assert b"".join(self.platform.store.blobs.open(sha, locators[sha])) == self.files[sha]
        return shas

    def upload_rows(self) -> int:
        with self.platform.store.transaction() as s:
            return int(s.scalar(select(func.count()).select_from(Upload)) or 0)

    def case_complete(self) -> bool:
        with self.platform.store.transaction() as s:
            return bool(s.scalar(select(Case.complete).where(Case.uuid == self.app_id)))


def pending_files(tmp_path: Path, platform: PlatformServer, *, pages: int = 2, page_kb: int = 20,
                  seed: int = 7, applications: int = 1) -> PendingFiles:
    terminal = make_terminal(tmp_path / f"t{seed}")
    apps = submit_demo(terminal, applications, pages=pages, page_kb=page_kb, seed=seed)
    credential = enroll(terminal, platform, name=f"kiosk-{seed}", role="kiosk")
    answer = requests.post(platform.url() + "/applications",
                           json={"applications": [pushed_document(terminal, app.id) for app in apps]},
                           headers={"Authorization": f"Bearer {credential.token}"}, timeout=30).json()
    files_of = {r["id"]: r["missing"] for r in answer["results"]}
    files = {sha: terminal.attachments.get(sha) for shas in files_of.values() for sha in shas}
    terminal.close()
    assert len(files) >= 2 * applications and len(files_of) == applications
    return PendingFiles(platform, credential.token, apps[0].id, files, answer, files_of)


@pytest.fixture
def pending(tmp_path: Path, platform: PlatformServer) -> Iterator[PendingFiles]:
    uploads.running_hashes.clear()
    yield pending_files(tmp_path, platform)


# --- the platform ----------------------------------------------------------------------------------------

def test_an_applications_files_in_one_request_are_stored_and_complete_its_case(pending: PendingFiles) -> None:
    f = pending
    assert f.push_answer["upload_batch_bytes"] == Limits().max_chunk_bytes  # the push answer offers batches
    answer = f.batch()
    assert answer.status_code == 200, answer.text
    files = answer.json()["files"]
    assert [a["sha256"] for a in files] == list(f.files) and {a["result"] for a in files} == {"stored"}
    # the file that completed the case names the application; the terminal needs to ask nothing
    assert [a["completed_applications"] for a in files if a["completed_applications"]] == [[f.app_id]]
    assert f.held() == set(f.files) and f.upload_rows() == 0 and f.case_complete()
    again = f.batch()  # the answer was lost and the request sent again: the hall holds every file, once
    assert again.status_code == 200 and {a["result"] for a in again.json()["files"]} == {"stored"}
    with f.platform.store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(HallBlob)) == len(f.files)


def test_a_bad_file_in_a_batch_is_refused_alone(pending: PendingFiles) -> None:
    f = pending
    good, bad = list(f.files)[:2]
    damaged = bytearray(f.files[bad])
    damaged[len(damaged) // 2] ^= 0xFF  # same length, one byte changed: it no longer hashes to its name
    stranger = os.urandom(5000)  # a file no case of the hall names
    stranger_sha = hashlib.sha256(stranger).hexdigest()
    answer = f.batch({good: f.files[good], bad: bytes(damaged), stranger_sha: stranger})
    assert answer.status_code == 200, answer.text
    by_sha = {a["sha256"]: a for a in answer.json()["files"]}
    assert by_sha[good]["result"] == "stored"
    for sha in (bad, stranger_sha):
        assert by_sha[sha]["result"] == "refused" and by_sha[sha]["status"] == 409
        assert by_sha[sha]["reason"]["zh"] and by_sha[sha]["reason"]["en"]
    assert "SHA-256" in by_sha[bad]["reason"]["en"] and "push the application first" in by_sha[stranger_sha]["reason"]["en"]
    assert f.held() == {good} and f.upload_rows() == 0
    # the bad file sent right afterwards is taken, and completes the case
    answer = f.batch({bad: f.files[bad], **{s: d for s, d in f.files.items() if s not in (good, bad)}})
    assert {a["result"] for a in answer.json()["files"]} == {"stored"} and f.held() == set(f.files)
    assert f.case_complete()


def test_a_file_declared_with_another_length_is_refused_with_its_reason(pending: PendingFiles) -> None:
    f = pending
    sha, data = next(iter(f.files.items()))
    other, other_data = list(f.files.items())[1]
    answer = f.batch(header=f"{sha}:{len(data) - 1},{other}:{len(other_data)}", body=data[:-1] + other_data)
    by_sha = {a["sha256"]: a for a in answer.json()["files"]}
    assert by_sha[sha]["result"] == "refused" and by_sha[sha]["status"] == uploads.MISMATCH_STATUS
    assert by_sha[sha]["code"] == "attachment_mismatch" and by_sha[other]["result"] == "stored"
    assert f.held() == {other}


def _hostile(f: PendingFiles) -> dict[str, tuple[dict[str, Any], int, str]]:
    (a, da), (b, db) = list(f.files.items())[:2]
    body = da + db
    many = ",".join(f"{n:064x}:1" for n in range(UPLOAD_BATCH_MAX_FILES + 1))
    return {
        "no header": (dict(header="", body=body), 400, "bad_batch"),
        "not sha:length": (dict(header=f"{a}={len(da)},{b}:{len(db)}", body=body), 400, "bad_batch"),
        "upper-case hex": (dict(header=f"{a.upper()}:{len(da)},{b}:{len(db)}", body=body), 400, "bad_batch"),
        "a hostile string": (dict(header="'; DROP TABLE cases; --:1,<script>:2", body=b"abc"), 400, "bad_batch"),
        "the same file twice": (dict(header=f"{a}:{len(da)},{a}:{len(da)}", body=da + da), 400, "bad_batch"),
        "too many files": (dict(header=many, body=b"x" * (UPLOAD_BATCH_MAX_FILES + 1)), 400, "bad_batch"),
        "an empty file": (dict(header=f"{a}:0,{b}:{len(db)}", body=db), 400, "bad_length"),
        "a file over the limit": (dict(header=f"{a}:{10**12},{b}:{len(db)}", body=body), 413, "bad_length"),
        "lengths short of the body": (dict(header=f"{a}:{len(da)},{b}:{len(db) - 10}", body=body), 400, "bad_length"),
        "lengths past the body": (dict(header=f"{a}:{len(da)},{b}:{len(db) + 10}", body=body), 400, "bad_length"),
        "not a chunk's type": (dict(body=body, content_type="application/json"), 415, "content_type"),
        "over the chunk limit": (dict(header=f"{a}:{len(da)},{b}:{Limits().max_chunk_bytes}",
                                      body=da + b"\0" * Limits().max_chunk_bytes), 413, "too_large"),
    }


@pytest.fixture(params=["sqlite", "postgresql", "postgresql+s3"])
def any_platform(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PlatformServer]:
    """A platform on each of its stores: SQLite, PostgreSQL with files on its disk, PostgreSQL with object storage
    (a real SeaweedFS), where a batch's rows take their own statements."""
    db_url = None if request.param == "sqlite" else request.getfixturevalue("postgres").new_database()
    objects = settings_of(request.getfixturevalue("s3_bucket")) if request.param.endswith("+s3") else None
    server = PlatformServer(tmp_path / "platform", db_url, objects=objects)
    uploads.running_hashes.clear()
    yield server
    server.stop()


def test_a_batchs_files_and_the_cases_they_complete_go_in_one_transaction(
        tmp_path: Path, any_platform: PlatformServer) -> None:
    f = pending_files(tmp_path, any_platform, applications=2, pages=3)
    answer = f.batch()
    assert answer.status_code == 200, answer.text
    files = answer.json()["files"]
    assert [a["sha256"] for a in files] == list(f.files) and {a["result"] for a in files} == {"stored"}
    # each application is told once, with the last of its files in the body: the file that completed it
    told = {a["sha256"]: a["completed_applications"] for a in files if a["completed_applications"]}
    assert told == {shas[-1]: [app_id] for app_id, shas in f.files_of.items()}
    assert f.held() == set(f.files) and f.upload_rows() == 0
    with f.platform.store.transaction() as s:
        cases = s.execute(select(Case.id, Case.complete, Case.case_no).where(Case.uuid.in_(list(f.files_of)))).all()
        assert len(cases) == 2 and all(complete and case_no for _id, complete, case_no in cases)
        received = s.scalars(select(Change.case_id).where(Change.case_id.in_([c.id for c in cases]),
                                                          Change.status == "received")).all()
        assert sorted(received) == sorted(c.id for c in cases)  # one feed entry each
        if s.get_bind().dialect.name == "postgresql":  # every row the batch wrote, by one transaction
            writers = set(s.scalars(text("SELECT DISTINCT xmin::text FROM hall_blobs WHERE sha256 = ANY(:shas) "
                                         "UNION SELECT DISTINCT xmin::text FROM blobs WHERE sha256 = ANY(:shas) "
                                         "UNION SELECT DISTINCT xmin::text FROM cases WHERE uuid = ANY(:ids)"),
                                    {"shas": list(f.files), "ids": list(f.files_of)}))
            assert len(writers) == 1, writers
    again = f.batch()  # the answer was lost: every file is the hall's already, and nothing is told twice
    assert again.status_code == 200 and {a["result"] for a in again.json()["files"]} == {"stored"}
    assert not any(a["completed_applications"] for a in again.json()["files"])
    with f.platform.store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(HallBlob)) == len(f.files)
        assert s.scalar(select(func.count()).select_from(Change).where(Change.status == "received")) == 2


def test_a_batch_takes_a_file_the_hall_holds_or_has_begun_on_its_own_and_refuses_only_the_bad_one(
        tmp_path: Path, any_platform: PlatformServer) -> None:
    f = pending_files(tmp_path, any_platform, pages=4)
    held, begun, bad, new = list(f.files)
    assert f.batch({held: f.files[held]}).json()["files"][0]["result"] == "stored"
    first = PendingFile(f.platform, f.token, f.app_id, begun, f.files[begun]).create(f.files[begun][:5000])
    assert first.status_code == 201, first.text
    damaged = bytearray(f.files[bad])
    damaged[-1] ^= 0xFF
    answer = f.batch({held: f.files[held], begun: f.files[begun], bad: bytes(damaged), new: f.files[new]})
    assert answer.status_code == 200, answer.text
    by_sha = {a["sha256"]: a for a in answer.json()["files"]}
    assert [a["sha256"] for a in answer.json()["files"]] == [held, begun, bad, new]
    assert (by_sha[held]["result"], by_sha[begun]["result"], by_sha[new]["result"]) == ("stored", "in_progress", "stored")
    assert by_sha[bad]["result"] == "refused" and by_sha[bad]["status"] == 409 and "SHA-256" in by_sha[bad]["reason"]["en"]
    assert f.held() == {held, new} and f.upload_rows() == 1 and not f.case_complete()
    # the begun upload is resumed on its own; the bad file, sent right, completes the case
    assert f.batch({bad: f.files[bad]}).json()["files"][0]["result"] == "stored" and not f.case_complete()
    upload = PendingFile(f.platform, f.token, f.app_id, begun, f.files[begun])
    location = upload.create().headers["Location"]
    done = upload.patch(location, 5000, f.files[begun][5000:])
    assert done.status_code == 204, done.text
    assert f.held() == set(f.files) and f.upload_rows() == 0 and f.case_complete()


def test_the_same_batch_sent_twice_at_once_stores_and_completes_each_once(
        tmp_path: Path, any_platform: PlatformServer, request: pytest.FixtureRequest) -> None:
    """A terminal that timed out sends its batch again while the first request still runs (on this instance or
    another): the two meet at the rows' unique keys and the cases' locks, whichever commits first."""
    f = pending_files(tmp_path, any_platform, applications=2, pages=3)
    start = threading.Barrier(2)

    def send() -> requests.Response:
        start.wait(timeout=10)
        return f.batch()

    with ThreadPoolExecutor(2) as pool:
        answers = [a.result(timeout=60) for a in [pool.submit(send) for _ in range(2)]]
    for answer in answers:
        assert answer.status_code == 200, answer.text
        assert {a["result"] for a in answer.json()["files"]} == {"stored"}
    told = sorted(app for answer in answers for a in answer.json()["files"] for app in a["completed_applications"])
    assert told == sorted(f.files_of)  # each application told once, by one of the two
    assert f.held() == set(f.files) and f.upload_rows() == 0
    with f.platform.store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(HallBlob)) == len(f.files)
        assert s.scalar(select(func.count()).select_from(Blob)) == len(f.files)
        assert s.scalar(select(func.count()).select_from(Change).where(Change.status == "received")) == 2
    if request.node.callspec.params["any_platform"].endswith("+s3"):  # the copy that lost is gone too
        assert len(keys_in(request.getfixturevalue("s3_bucket"))) == len(f.files)


def test_a_batch_that_does_not_fit_takes_nothing_in(pending: PendingFiles) -> None:
    f = pending
    for name, (kwargs, status, code) in _hostile(f).items():
        answer = f.batch(**kwargs)
        try:
            assert_refused(answer, status, code)
        except AssertionError as exc:
            raise AssertionError(f"{name}: {exc}") from None
        assert f.held() == set() and f.upload_rows() == 0, name
    assert not f.case_complete()


def test_a_cut_mid_batch_keeps_the_files_that_arrived_whole(pending: PendingFiles) -> None:
    f = pending
    (a, da), (b, db) = list(f.files.items())[:2]
    head = (f"POST /api/v1/uploads/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {f.token}\r\n"
            f"Tus-Resumable: {TUS_VERSION}\r\nContent-Type: {UPLOAD_CONTENT_TYPE}\r\n"
            f"{UPLOAD_BATCH_HEADER}: {a}:{len(da)},{b}:{len(db)}\r\nContent-Length: {len(da) + len(db)}\r\n\r\n")
    with socket.create_connection(("127.0.0.1", f.platform.port), timeout=10) as sock:
        sock.sendall(head.encode() + da + db[: len(db) // 2])
    deadline = time.monotonic() + 10
    while f.held() != {a} and time.monotonic() < deadline:
        time.sleep(0.05)
    assert f.held() == {a} and f.upload_rows() == 0
    # the rest, sent again: the whole file already held is answered stored, the cut one is taken now
    answer = f.batch()
    assert {x["result"] for x in answer.json()["files"]} == {"stored"} and f.held() == set(f.files)


# --- the terminal -------------------------------------------------------------------------------------------

def _sent(terminal: Any) -> bool:
    with terminal.store.transaction() as s:
        return set(s.scalars(select(OutboxItem.state).where(OutboxItem.kind == "application"))) == {OutboxState.SENT}


def test_a_pass_sends_an_applications_small_files_in_one_request(
        tmp_path: Path, platform: PlatformServer, monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = make_terminal(tmp_path / "t1")
    submit_demo(terminal, 2, pages=2, page_kb=12, seed=31)
    with terminal.store.transaction() as s:
        files = s.scalar(select(func.count()).select_from(Attachment))
    asked = record_requests(monkeypatch)
    engine = engine_for(terminal, enroll(terminal, platform, role="kiosk"), chunk_bytes=1024 * 1024)
    engine.parallel_uploads = 1
    report = engine.run_pass()
    assert report.sent == 2 and report.uploaded_files == files and _sent(terminal)
    assert asked.count("POST uploads/batch") == 1 and asked.count("POST uploads") == 0
    # the platform said in the batch's answer which cases it completed: the state of none was asked for
    assert "POST applications/state" not in asked
    with platform.store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Case).where(Case.complete)) == 2
    assert engine.upload_stats.requests == 1 and engine.upload_stats.committed_bytes == report.uploaded_bytes


def batch_bodies(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The body size of each `POST /uploads/batch` the terminal sends from now on."""
    sizes: list[int] = []
    send = requests.Session.request

    def measuring(self, method, url, **kwargs):  # type: ignore[no-untyped-def]
        if url.endswith("/uploads/batch"):
            sizes.append(len(kwargs.get("data") or b""))
        return send(self, method, url, **kwargs)

    monkeypatch.setattr(requests.Session, "request", measuring)
    return sizes


def test_files_over_a_chunk_go_alone_and_the_rest_in_one_batch_larger_than_a_chunk(
        tmp_path: Path, platform: PlatformServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a link whose chunks are small, files larger than a chunk go on their own (in chunks); the others share
    one batch, which may be larger than a chunk: a cut in it loses at most the file in flight."""
    terminal = make_terminal(tmp_path / "t1")
    submit_demo(terminal, 1, pages=1, page_kb=40, seed=32)  # an item that needs two pages, each over a chunk
    submit_demo(terminal, 1, pages=3, page_kb=12, seed=33)  # three pages, each within a chunk, together over one
    asked = record_requests(monkeypatch)
    sizes = batch_bodies(monkeypatch)
    engine = engine_for(terminal, enroll(terminal, platform, role="kiosk"), chunk_bytes=32 * 1024)
    report = engine.run_pass()
    assert report.sent == 2 and report.uploaded_files == 5 and _sent(terminal)
    with terminal.store.transaction() as session:
        small = sorted(session.scalars(select(Attachment.size)))[:3]
    assert max(small) <= 32 * 1024 and sizes == [sum(small)] and sum(small) > 32 * 1024
    assert asked.count("POST uploads") == 2  # the 40 KB pages, then their PATCHes


def test_a_batch_keeps_within_the_platforms_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A platform whose largest batch body is small gets several batches, none over its limit."""
    limit = 40 * 1024
    server = PlatformServer(tmp_path / "platform", limits=Limits(max_chunk_bytes=limit))
    try:
        terminal = make_terminal(tmp_path / "t1")
        submit_demo(terminal, 1, pages=5, page_kb=12, seed=34)
        sizes = batch_bodies(monkeypatch)
        report = engine_for(terminal, enroll(terminal, server, role="kiosk"), chunk_bytes=32 * 1024).run_pass()
        assert report.sent == 1 and _sent(terminal)
        assert len(sizes) >= 2 and all(0 < n <= limit for n in sizes)
        with server.store.transaction() as s:
            assert s.scalar(select(func.count()).select_from(HallBlob)) == report.uploaded_files
    finally:
        server.stop()


def test_plan_batches_packs_in_order_and_leaves_large_and_lone_files_alone() -> None:
    sizes = {"a": 10, "b": 50, "c": 30, "d": 200, "e": 60, "f": 5}
    assert plan_batches(sizes, 100) == [["a", "b", "c"], ["e", "f"]]
    assert plan_batches(sizes, 100, max_files=2) == [["a", "b"], ["c", "e"]]  # "f" alone is left to itself
    # a batch may be larger than a chunk; a file may not
    assert plan_batches(sizes, 1000, largest_file=50) == [["a", "b", "c", "f"]]
    assert plan_batches(sizes, 1000, largest_file=5000) == [["a", "b", "c", "d", "e", "f"]]
    assert plan_batches({"a": 10}, 100) == [] and plan_batches({"a": 0, "b": 0}, 100) == []


def test_a_batch_is_a_few_chunks_within_what_the_platform_and_the_link_take() -> None:
    kb = 1024
    assert batch_budget(4096 * kb, 4096 * kb, 32 * kb) == BATCH_CHUNKS * 32 * kb
    assert batch_budget(40 * kb, 4096 * kb, 32 * kb) == 40 * kb  # the platform's limit
    assert batch_budget(4096 * kb, 100 * kb, 32 * kb) == 100 * kb  # a proxy's, learnt from a 413


def _older(app: Any) -> Any:
    """A platform from before batches: its push answer names no batch size, and it has no such route."""
    async def older(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] == "http" and scope["path"].endswith("/uploads/batch"):
            return await app({**scope, "path": scope["path"] + "-unknown"}, receive, send)
        if not (scope["type"] == "http" and scope["method"] == "POST" and scope["path"].endswith("/applications")):
            return await app(scope, receive, send)
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def rewrite(message):  # type: ignore[no-untyped-def]
            if message["type"] == "http.response.start":
                start.update(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = json.loads(b"".join(chunks))
            assert body.pop("upload_batch_bytes", None) is not None
            data = json.dumps(body).encode()
            headers = [(k, v) for k, v in start["headers"] if k != b"content-length"]
            await send({**start, "headers": headers + [(b"content-length", str(len(data)).encode())]})
            await send({"type": "http.response.body", "body": data, "more_body": False})

        return await app(scope, receive, rewrite)
    return older


def _half_upgraded(app: Any) -> Any:
    """An instance of an older version behind the same address (a rolling upgrade): the push answer, from a
    newer instance, offers batches; the batch reaches the older one, which has no such route."""
    async def route(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] == "http" and scope["path"].endswith("/uploads/batch"):
            scope = {**scope, "path": scope["path"] + "-unknown"}
        return await app(scope, receive, send)
    return route


@pytest.mark.parametrize(("wrap", "batches"), [(_older, 0), (_half_upgraded, 1)], ids=["older", "half-upgraded"])
def test_a_platform_that_takes_no_batch_is_sent_each_file_on_its_own(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, wrap: Any, batches: int) -> None:
    """An older platform is never sent a batch; a batch turned down is followed by each file on its own in the
    same pass. Nothing is lost or stored twice."""
    server = PlatformServer(tmp_path / "platform", wrap=wrap)
    try:
        terminal = make_terminal(tmp_path / "t1")
        submit_demo(terminal, 1, pages=2, page_kb=8, seed=33)
        with terminal.store.transaction() as s:
            files = s.scalar(select(func.count()).select_from(Attachment))
        asked = record_requests(monkeypatch)
        report = engine_for(terminal, enroll(terminal, server, role="kiosk"), chunk_bytes=1024 * 1024).run_pass()
        assert report.sent == 1 and report.uploaded_files == files and _sent(terminal)
        assert asked.count("POST uploads/batch") == batches and asked.count("POST uploads") == files
        with server.store.transaction() as s:
            assert s.scalar(select(func.count()).select_from(HallBlob)) == files
    finally:
        server.stop()


def test_batches_over_a_link_cut_mid_batch_lose_and_duplicate_nothing(
        tmp_path: Path, platform: PlatformServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cuts land inside batches larger than a chunk: the files that arrived whole stay, the others go on their
    own, and no cut costs more than a chunk."""
    terminal = make_terminal(tmp_path / "t")
    submit_demo(terminal, 6, pages=2, page_kb=10, seed=35)
    link = BadLink(platform.port, rate=4_000_000, cut_every=45_000, seed=3)
    try:
        asked = record_requests(monkeypatch)
        sizes = batch_bodies(monkeypatch)
        credential = enroll(terminal, platform, url=link.url(), role="kiosk")
        sync_until_done(engine_for(terminal, credential, chunk_bytes=64 * 1024))
        assert link.stats.cuts >= 2 and "POST uploads/batch" in asked and max(sizes) > 64 * 1024
        assert_arrived_once(terminal, platform)
        payload = sum(a.size for a in {f.attachment.sha256: f.attachment for app in terminal.applications()
                                       for m in app.materials for f in m.files}.values())
        assert link.stats.upstream_bytes < payload + (link.stats.cuts + 1) * 64 * 1024 + 200_000
    finally:
        link.close()


@pytest.mark.parametrize("piece", [1, 7, 4096, 10_000, 1 << 20])
def test_a_body_is_split_into_its_files_whatever_the_pieces_it_arrives_in(piece: int) -> None:
    files = [os.urandom(n) for n in (1, 5000, 4096, 9999)]
    entries = [Entry(hashlib.sha256(f).hexdigest(), len(f)) for f in files]
    body = b"".join(files)

    async def stream():  # type: ignore[no-untyped-def]
        for at in range(0, len(body), piece):
            yield body[at: at + piece]

    whole: list[Received] = []
    asyncio.run(receive(stream(), entries, whole))
    assert [w.data for w in whole] == files
    assert [w.digest.hexdigest() for w in whole] == [e.sha256 for e in entries]
