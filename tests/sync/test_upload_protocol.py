"""The terminal's resumable uploads (sync.upload) against the real platform and, for what only a broken
or future platform answers, against doubles at the edge (tests/sync/upload_doubles.py): the first chunk
in the POST and the fall-back when the platform refuses it, lean heads, a 413 that teaches the chunk
size, and uploads that make no progress pausing and stopping instead of looping."""
from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.retry import RetryPolicy
from kiosk.terminal import Terminal
from sync.chunk_size import ChunkLimits, ChunkSizer
from sync.client import Offline, PlatformClient, Refused, Timeouts
from sync.credentials import Credential
from sync.demo_data import submit_demo
from sync.engine import SyncEngine
from sync.linksim import BadLink
from sync.protocol import API_PREFIX, PLATFORM_MAX_CHUNK_BYTES, UPLOAD_COMPLETE_HEADER
from sync.server.app import Limits
from sync.upload import PROBE_CHUNK_BYTES, ResumableUploader, UploadLink, UploadPolicy
from tests.sync.conftest import enroll, make_terminal
from tests.sync.servers import PlatformServer
from tests.sync.upload_doubles import CreationWithUpload, Recorder, RefusesBodyInPost, ScriptedPlatform

LEAN_LEFT_OUT = ("user-agent", "accept", "accept-encoding", "connection")


class Wrapped:
    def __init__(self, with_creation_upload: bool) -> None:
        self.with_creation_upload = with_creation_upload
        self.creation: CreationWithUpload | None = None
        self.recorder: Recorder | None = None

    def __call__(self, app: Any) -> Recorder:
        if self.with_creation_upload:
            app = self.creation = CreationWithUpload(app)
        else:
            app = RefusesBodyInPost(app)
        self.recorder = Recorder(app)
        return self.recorder


def engine(terminal: Terminal, credential: Credential) -> SyncEngine:
    """The terminal's defaults (adaptive chunks, two files at a time), with quick retries."""
    client = PlatformClient.for_credential(credential, Timeouts(connect=2.0, read=10.0))
    return SyncEngine(terminal, client, retry=RetryPolicy(base=0.01, cap=0.05),
                      upload_policy=UploadPolicy(max_failures_without_progress=8, retry=RetryPolicy(0.01, 0.05)))


def sync_all(sync: SyncEngine, passes: int = 20) -> None:
    for _ in range(passes):
        report = sync.run_pass()
        if report.online and report.pending == 0 and not report.errors:
            return
    raise AssertionError(f"not done after {passes} passes: {report}")


def assert_files_arrived(terminal: Terminal, platform: PlatformServer) -> int:
    shas = {f.attachment_sha256 for app in terminal.applications() for m in app.materials for f in m.files}
    for sha in shas:
        assert platform.store.read_blob(sha) == terminal.attachments.get(sha)
    return len(shas)


@pytest.fixture
def older(tmp_path: Path) -> Iterator[tuple[PlatformServer, Wrapped]]:
    """The platform as it was before creation-with-upload: it refuses a POST /uploads body (415)."""
    wrapped = Wrapped(with_creation_upload=False)
    server = PlatformServer(tmp_path / "platform", wrap=wrapped)
    yield server, wrapped
    server.stop()


@pytest.fixture
def newer(tmp_path: Path) -> Iterator[tuple[PlatformServer, Wrapped]]:
    wrapped = Wrapped(with_creation_upload=True)
    server = PlatformServer(tmp_path / "platform", wrap=wrapped)
    yield server, wrapped
    server.stop()


def test_an_older_platform_refusing_the_first_chunk_in_the_post_gets_empty_posts(
        tmp_path: Path, older: tuple[PlatformServer, Wrapped]) -> None:
    platform, wrapped = older
    terminal = make_terminal(tmp_path / "t")
    submit_demo(terminal, 3, pages=2, page_kb=60, seed=21)
    sync = engine(terminal, enroll(terminal, platform))
    sync_all(sync)
    files = assert_files_arrived(terminal, platform)
    assert wrapped.recorder is not None
    posts = wrapped.recorder.uploads("POST")
    with_body = [p for p in posts if p.body_bytes]
    # only a small probe per upload thread, refused; every other creation is an empty POST
    assert 1 <= len(with_body) <= sync.parallel_uploads
    assert all(p.status == 415 and p.body_bytes <= PROBE_CHUNK_BYTES for p in with_body)
    assert len([p for p in posts if not p.body_bytes and p.status == 201]) == files
    assert not sync.upload_link.body_in_post()


def test_the_first_chunk_rides_in_the_post_on_a_platform_that_takes_it(
        tmp_path: Path, newer: tuple[PlatformServer, Wrapped]) -> None:
    platform, wrapped = newer
    terminal = make_terminal(tmp_path / "t")
    submit_demo(terminal, 2, pages=2, page_kb=5, seed=22)  # every file smaller than the probe
    credential = enroll(terminal, platform)
    sync = engine(terminal, credential)
    sync.batch_uploads = False  # each file in its own POST (test_upload_batch.py: several in one)
    sync_all(sync)
    files = assert_files_arrived(terminal, platform)
    assert wrapped.recorder is not None and wrapped.creation is not None
    # one request per file: the POST carried the whole file and answered that it is complete
    assert [(s.method, s.status) for s in wrapped.recorder.uploads()] == [("POST", 200)] * files
    assert wrapped.creation.bodies_taken == files

    submit_demo(terminal, 2, pages=2, page_kb=150, seed=23)  # larger files: the POST carries a full chunk
    sync_all(sync)
    assert_files_arrived(terminal, platform)
    later = [s for s in wrapped.recorder.uploads("POST")][files:]
    assert later and all(s.status == 201 and s.body_bytes > PROBE_CHUNK_BYTES for s in later)
    assert all(s.status == 204 for s in wrapped.recorder.uploads("PATCH"))
    assert sync.upload_link.body_in_post()


def test_upload_requests_carry_lean_heads_and_json_requests_their_accept(
        tmp_path: Path, older: tuple[PlatformServer, Wrapped]) -> None:
    platform, wrapped = older
    terminal = make_terminal(tmp_path / "t")
    submit_demo(terminal, 1, pages=1, page_kb=100, seed=24)
    sync_all(engine(terminal, enroll(terminal, platform)))
    assert wrapped.recorder is not None
    uploads = wrapped.recorder.uploads()
    assert {s.method for s in uploads} == {"POST", "PATCH"}
    for s in uploads:
        assert not set(LEAN_LEFT_OUT) & set(s.headers), s
        assert s.headers["tus-resumable"] == "1.0.0" and s.headers["authorization"].startswith("Bearer ")
    pushes = [s for s in wrapped.recorder.seen if s.path == f"{API_PREFIX}/applications"]
    assert pushes and pushes[0].headers["accept"] == "application/json"


def test_a_platform_with_a_smaller_chunk_limit_teaches_the_sizer(tmp_path: Path) -> None:
    platform = PlatformServer(tmp_path / "platform", limits=Limits(max_chunk_bytes=16 * 1024))
    try:
        terminal = make_terminal(tmp_path / "t")
        submit_demo(terminal, 1, pages=1, page_kb=120, seed=25)
        credential = enroll(terminal, platform)
        sha = next(f.attachment_sha256 for app in terminal.applications() for m in app.materials for f in m.files)
        client = PlatformClient.for_credential(credential)
        assert client.json("POST", "applications", json_body={"applications": [
            _document(terminal)]})["results"][0]["result"] == "created"
        link = UploadLink(ChunkSizer(ChunkLimits(start=64 * 1024)))
        slept: list[float] = []
        ResumableUploader(client, link=link, sleep=slept.append).upload(sha, terminal.attachments.get(sha))
        assert platform.store.read_blob(sha) == terminal.attachments.get(sha)
        assert link.sizer.cap <= 16 * 1024  # learnt from the 413s, and kept for the next file
        assert len(slept) == 2  # 64 KB and 32 KB were refused, each followed by a pause
    finally:
        platform.stop()


def _document(terminal: Terminal) -> dict:
    from tests.sync.conftest import pushed_document

    return pushed_document(terminal, terminal.applications()[0].id)


DATA = os.urandom(50_000)
SHA = hashlib.sha256(DATA).hexdigest()
CREATED = (201, {"Location": f"{API_PREFIX}/uploads/u1", "Upload-Offset": "0", "Tus-Resumable": "1.0.0"})


@pytest.fixture
def scripted() -> Iterator[Any]:
    doubles: list[ScriptedPlatform] = []

    def make(*script: Any) -> tuple[ScriptedPlatform, PlatformClient]:
        double = ScriptedPlatform(list(script))
        doubles.append(double)
        return double, PlatformClient(double.url(), "token-1", timeouts=Timeouts(connect=2.0, read=5.0))

    yield make
    for double in doubles:
        double.stop()


def test_an_upload_the_platform_never_completes_pauses_and_stops(scripted: Any) -> None:
    """The loop issue 15 saw: every byte in, never complete, POST /uploads thousands of times in seconds."""
    double, client = scripted((201, {"Location": f"{API_PREFIX}/uploads/u1", "Upload-Offset": str(len(DATA))}))
    slept: list[float] = []
    policy = UploadPolicy(max_failures_without_progress=5, retry=RetryPolicy(base=0.2, cap=10.0))
    with pytest.raises(Offline, match="without progress"):
        ResumableUploader(client, policy=policy, sleep=slept.append).upload(SHA, DATA)
    assert len(double.seen) == 5  # a limit
    assert len(slept) == 4 and all(d > 0 for d in slept)  # and a pause before every new attempt


def test_an_offset_that_never_moves_pauses_and_stops(scripted: Any) -> None:
    double, client = scripted(CREATED, (204, {"Upload-Offset": "0"}))
    slept: list[float] = []
    with pytest.raises(Offline, match="without progress"):
        ResumableUploader(client, policy=UploadPolicy(max_failures_without_progress=4),
                          sleep=slept.append).upload(SHA, DATA)
    # the POST and its first chunk count as progress; then four chunks that went nowhere, paced
    assert [s.method for s in double.seen] == ["POST"] + ["PATCH"] * 5
    assert len(slept) == 3 and all(d > 0 for d in slept)


def test_too_many_requests_pauses_and_goes_on(scripted: Any) -> None:
    done = (204, {"Upload-Offset": str(len(DATA)), UPLOAD_COMPLETE_HEADER: "1"})
    double, client = scripted((415, {}), CREATED, (429, {}), (200, {"Upload-Offset": "0"}), done)
    slept: list[float] = []
    ResumableUploader(client, sleep=slept.append).upload(SHA, DATA)
    assert [s.method for s in double.seen] == ["POST", "POST", "PATCH", "HEAD", "PATCH"]
    assert len(slept) == 1 and slept[0] > 0


def test_a_lost_answer_to_the_post_with_the_first_chunk_is_followed_by_an_empty_post(scripted: Any) -> None:
    """The platform may have taken that chunk: sending it again at offset 0 would only waste it."""
    done = (204, {"Upload-Offset": str(len(DATA)), UPLOAD_COMPLETE_HEADER: "1"})
    double, client = scripted("drop", (201, {"Location": f"{API_PREFIX}/uploads/u1", "Upload-Offset": "8192"}), done)
    link = UploadLink()
    ResumableUploader(client, link=link, sleep=lambda _s: None).upload(SHA, DATA)
    assert [(s.method, s.body_bytes) for s in double.seen[:2]] == [("POST", PROBE_CHUNK_BYTES), ("POST", 0)]
    assert double.seen[2].method == "PATCH" and double.seen[2].headers["upload-offset"] == "8192"
    assert link.sizer.cuts == 1


def test_a_refused_file_is_not_retried(scripted: Any) -> None:
    double, client = scripted((415, {}), (413, {}))
    with pytest.raises(Refused) as refused:
        ResumableUploader(client, sleep=lambda _s: None).upload(SHA, DATA)
    assert refused.value.status == 413
    assert [(s.method, bool(s.body_bytes)) for s in double.seen] == [("POST", True), ("POST", False)]


def test_a_post_body_refused_as_too_large_limits_first_chunks_only(scripted: Any) -> None:
    """A proxy's limit for POST bodies (nginx's 2 MB for JSON) is not the platform's limit for chunks."""
    done = (204, {"Upload-Offset": str(len(DATA)), UPLOAD_COMPLETE_HEADER: "1"})
    double, client = scripted((413, {}), CREATED, done, (413, {}), CREATED, done)
    link = UploadLink()
    for data in (DATA, DATA[::-1]):
        ResumableUploader(client, link=link, sleep=lambda _s: None).upload(hashlib.sha256(data).hexdigest(), data)
    posts = [s.body_bytes for s in double.seen if s.method == "POST"]
    assert posts == [PROBE_CHUNK_BYTES, 0, PROBE_CHUNK_BYTES // 2, 0]
    assert link.sizer.cap == PLATFORM_MAX_CHUNK_BYTES
    assert link.body_in_post()


def test_adaptive_chunks_over_a_throttled_link_that_cuts(tmp_path: Path, platform: PlatformServer) -> None:
    """The terminal's defaults end to end over a bad link (sync.linksim), on SQLite and PostgreSQL."""
    terminal = make_terminal(tmp_path / "t")
    submit_demo(terminal, 4, pages=2, page_kb=150, seed=26)
    link = BadLink(platform.port, rate=4_000_000, cut_every=150_000, seed=3)
    try:
        sync = engine(terminal, enroll(terminal, platform, url=link.url()))
        sync_all(sync, passes=40)
        assert link.stats.cuts >= 5 and sync.upload_link.sizer.cuts >= 1
        assert_files_arrived(terminal, platform)
        payload = sum(len(terminal.attachments.get(sha)) for sha in
                      {f.attachment_sha256 for app in terminal.applications() for m in app.materials for f in m.files})
        assert link.stats.upstream_bytes < payload * 1.15, (link.stats, payload)
    finally:
        link.close()
