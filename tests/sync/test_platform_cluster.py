"""Two platform instances behind one address: PostgreSQL and object storage (SeaweedFS) shared, nothing else.

Every instance is a real `onewindow platform serve` process with its own home, in front of them the
shipped nginx configuration. The tests send an upload's chunks to the instances in turn, race the same
chunk on both, SIGKILL the instance a terminal is uploading to (it finishes through nginx on the other),
and revoke a token (every instance refuses it within seconds). `--workers N` has its own tests: a
terminal syncs through a two-worker instance, and a SIGKILLed supervisor takes its workers with it.
"""
from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from kiosk.retry import RetryPolicy
from kiosk.submission import SubmittedApplication
from kiosk.terminal import Terminal
from sync.client import PlatformClient, Timeouts
from sync.credentials import credential_from_enrollment, save_enrollment
from sync.demo_data import make_draft, submit_demo
from sync.engine import SyncEngine
from sync.protocol import UPLOAD_COMPLETE_HEADER
from sync.server import token_cache
from sync.server.blob_crypto import load_or_create_key
from sync.upload import UploadPolicy
from tests.sync.conftest import make_terminal, pushed_document
from tests.sync.nginx_layout import nginx_binary
from tests.sync.platform_cluster import (
    Instance,
    PlatformCluster,
    create_upload,
    download,
    half_sent_patch,
    offset_of,
    patch,
    push,
    race,
    wait_for,
)
from tests.sync.seaweed import SeaweedServer
from tests.sync.servers import PostgresServer
from tests.sync.slow_clients import free_port

MB = 1024 * 1024


def _cluster(root: Path, postgres: PostgresServer, seaweed: SeaweedServer,
             workers: tuple[int, ...] = (1, 1)) -> PlatformCluster:
    if nginx_binary() is None:
        pytest.fail("nginx is missing: ./dev.sh setup installs it (Debian package nginx)")
    return PlatformCluster(root, postgres.new_database(), seaweed.new_bucket(), workers)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, postgres: PostgresServer,
            seaweed: SeaweedServer) -> Iterator[PlatformCluster]:
    """Shared by the tests that kill nothing. The second instance runs two worker processes
    (`serve --workers 2`): the requests sent to it meet either."""
    cluster = _cluster(tmp_path_factory.mktemp("cluster"), postgres, seaweed, workers=(1, 2))
    yield cluster
    cluster.stop()


@pytest.fixture
def own_cluster(tmp_path: Path, postgres: PostgresServer, seaweed: SeaweedServer) -> Iterator[PlatformCluster]:
    """A cluster of its own, for a test that kills an instance."""
    cluster = _cluster(tmp_path / "cluster", postgres, seaweed)
    yield cluster
    cluster.stop()


def _application(cluster: PlatformCluster, path: Path, *, pages: int, page_kb: int, seed: int,
                 name: str) -> tuple[Terminal, dict[str, Any], str, dict[str, bytes]]:
    """A terminal enrolled through nginx with one application pushed (to the first instance): its
    credential's answer, the application id, and the files the platform now waits for."""
    terminal = make_terminal(path)
    enrolled = cluster.enroll(name)
    save_enrollment(terminal.store, credential_from_enrollment(enrolled, cluster.url(), cluster.ca))
    app = _submit(terminal, pages, page_kb, seed)
    result = push(cluster.instances[0].url(""), enrolled["token"], pushed_document(terminal, app.id))
    files = {sha: terminal.attachments.get(sha) for sha in result["missing"]}
    assert files, result
    return terminal, enrolled, app.id, files


def _submit(terminal: Terminal, pages: int, page_kb: int, seed: int) -> SubmittedApplication:
    """An application of an item that asks for one material, with `pages` files of `page_kb` each."""
    item = next(i for i in terminal.catalog.items if sum(m.required for m in i.materials) == 1)
    return terminal.submit(make_draft(item, pages, page_kb, random.Random(seed)), channel="cli", actor="test")


def _check_stored(cluster: PlatformCluster, token: str, files: dict[str, bytes]) -> None:
    """Each file whole and right through every instance, once, in the bucket and on no instance's disk."""
    for sha, data in files.items():
        assert hashlib.sha256(data).hexdigest() == sha
        for instance in cluster.instances:
            assert download(instance.url(""), token, sha) == data, f"{sha[:12]} differs on {instance.address}"
        _locator, size = cluster.stored_object(sha)
        assert size >= len(data)  # sealed: the plaintext plus the segments' tags
        assert cluster.scalar("SELECT count(*) FROM blobs WHERE sha256 = :s", s=sha) == 1
    assert cluster.local_blob_files() == []


def test_an_uploads_chunks_alternate_between_the_instances(cluster: PlatformCluster, tmp_path: Path) -> None:
    """Chunk n to instance n % 2, each talked to directly: the offset is the database's, not an instance's,
    so each instance takes the chunk the other's answer announced; the file spans several 5 MB parts."""
    terminal, enrolled, app_id, files = _application(cluster, tmp_path / "t", pages=1, page_kb=11 * 1024, seed=1,
                                                     name="alternating")
    token = enrolled["token"]
    ((sha, data),) = [(s, d) for s, d in files.items() if len(d) > 10 * MB]
    a, b = (i.url("") for i in cluster.instances)
    created = create_upload(a, token, sha, len(data))
    assert created.status_code == 201, created.text
    location = created.headers["Location"]
    offset, n, chunk_bytes = 0, 0, 1 * MB + 12345  # parts never line up with the chunks
    while offset < len(data):
        here, there = (a, b) if n % 2 == 0 else (b, a)
        answer = patch(here, token, location, offset, data[offset: offset + chunk_bytes])
        assert answer.status_code == 204, (n, answer.status_code, answer.text[:300])
        offset = int(answer.headers["Upload-Offset"])
        assert offset == min(len(data), (n + 1) * chunk_bytes)
        if offset < len(data):
            assert offset_of(there, token, location) == offset  # the other instance knows it at once
        n += 1
    assert answer.headers.get(UPLOAD_COMPLETE_HEADER) == "1"
    assert n >= 9
    _check_stored(cluster, token, {sha: data})
    terminal.close()


def test_creation_with_upload_on_one_instance_and_the_rest_on_the_other(cluster: PlatformCluster,
                                                                        tmp_path: Path) -> None:
    terminal, enrolled, app_id, files = _application(cluster, tmp_path / "t", pages=2, page_kb=700, seed=2,
                                                     name="creation")
    token = enrolled["token"]
    (big, small) = sorted(files, key=lambda s: -len(files[s]))
    a, b = (i.url("") for i in cluster.instances)
    # a whole small file in the POST: stored at once, nothing left to send
    whole = create_upload(b, token, small, len(files[small]), first=files[small])
    assert whole.status_code == 200 and whole.headers.get(UPLOAD_COMPLETE_HEADER) == "1", whole.text
    # the first chunk in the POST to one instance, the rest to the other
    data = files[big]
    first = create_upload(a, token, big, len(data), first=data[: 256 * 1024])
    assert first.status_code == 201 and first.headers["Upload-Offset"] == str(256 * 1024), first.text
    rest = patch(b, token, first.headers["Location"], 256 * 1024, data[256 * 1024:])
    assert rest.status_code == 204 and rest.headers.get(UPLOAD_COMPLETE_HEADER) == "1", rest.text
    _check_stored(cluster, token, files)
    summary = requests.get(cluster.url("/api/v1/summary"), headers={"Authorization": f"Bearer {token}"},
                           verify=cluster.ca, timeout=30).json()
    assert summary["device_cases"] == 1 and summary["device_complete"] == 1, summary
    terminal.close()


def test_the_same_chunk_raced_on_both_instances_is_committed_once(cluster: PlatformCluster, tmp_path: Path) -> None:
    """Each chunk PATCHed to both instances at the same moment (both hold the whole chunk before either can
    commit): exactly one 204, the other 409, and the file is right. Every third race sends the second
    instance a shorter chunk at the same offset, as a terminal that shrank its chunk after a cut would."""
    terminal, enrolled, app_id, files = _application(cluster, tmp_path / "t", pages=1, page_kb=6 * 1024, seed=3,
                                                     name="racing")
    token = enrolled["token"]
    ((sha, data),) = [(s, d) for s, d in files.items() if len(d) > 5 * MB]
    a, b = cluster.instances
    created = create_upload(a.url(""), token, sha, len(data))
    assert created.status_code == 201, created.text
    location = created.headers["Location"]
    offset, races, chunk_bytes = 0, 0, 400 * 1024
    while offset < len(data):
        long = data[offset: offset + chunk_bytes]
        short = long[: len(long) // 2] if races % 3 == 2 and len(long) > 1 else long
        statuses = race([(a.port, long), (b.port, short)], token, location, offset)
        # the loser of the last race may find the upload already finished and gone (404: the file is stored)
        refused = {409, 404} if offset + len(long) >= len(data) else {409}
        assert statuses.count(204) == 1 and set(statuses) - {204} <= refused, (races, offset, statuses)
        committed = len(long) if statuses[0] == 204 else len(short)
        offset += committed
        for instance in (a, b):
            assert offset_of(instance.url(""), token, location) == offset if offset < len(data) else True
        races += 1
    assert races >= 15
    _check_stored(cluster, token, {sha: data})
    terminal.close()


def test_a_revoked_token_is_refused_by_every_instance_within_seconds(cluster: PlatformCluster) -> None:
    enrolled = cluster.enroll("to-revoke")
    headers = {"Authorization": f"Bearer {enrolled['token']}"}
    for instance in cluster.instances:  # each has just seen the token (and may hold it in a cache)
        for _ in range(4):  # (on new connections: every worker of an instance may meet it)
            assert requests.get(instance.url("/api/v1/summary"), headers=headers, timeout=10).status_code == 200
    cluster.revoke(enrolled["device_id"])
    revoked_at = time.monotonic()
    took = {}
    for instance in cluster.instances:
        wait_for(lambda: requests.get(instance.url("/api/v1/summary"), headers=headers, timeout=10).status_code == 401,
                 timeout=15, interval=0.1)
        took[instance.address] = time.monotonic() - revoked_at
    print(f"\nrevoked token refused by every instance: {', '.join(f'{a} after {t:.2f}s' for a, t in took.items())}")
    assert max(took.values()) < 10.0, took
    # each worker process asks about revocations every `DEFAULT_TTL` seconds: after that, none takes the token
    time.sleep(max(0.0, revoked_at + token_cache.DEFAULT_TTL + 0.5 - time.monotonic()))
    for instance in cluster.instances:
        for _ in range(4):
            assert requests.get(instance.url("/api/v1/summary"), headers=headers, timeout=10).status_code == 401
    r = requests.get(cluster.url("/api/v1/summary"), headers=headers, verify=cluster.ca, timeout=10)
    assert r.status_code == 401 and r.headers["OneWindow-Protocol"] == "1"


def test_nginx_keeps_a_devices_uploads_on_one_instance_and_spreads_the_rest(cluster: PlatformCluster,
                                                                            tmp_path: Path) -> None:
    terminal, enrolled, app_id, files = _application(cluster, tmp_path / "t", pages=3, page_kb=300, seed=4,
                                                     name="routing")
    token = enrolled["token"]
    seen = len(cluster.routed())
    for _ in range(6):
        r = requests.get(cluster.url("/api/v1/summary"), headers={"Authorization": f"Bearer {token}"},
                         verify=cluster.ca, timeout=30)
        assert r.status_code == 200
    patches = 0
    for sha, data in files.items():
        created = create_upload(cluster.url(""), token, sha, len(data), verify=cluster.ca)
        assert created.status_code == 201, created.text
        offset = 0
        while offset < len(data):
            answer = patch(cluster.url(""), token, created.headers["Location"], offset,
                           data[offset: offset + 128 * 1024], verify=cluster.ca)
            assert answer.status_code == 204, answer.text
            offset = int(answer.headers["Upload-Offset"])
            patches += 1
    assert patches >= 9
    # nginx logs a request once its answer is out: the last line may come a moment after the answer
    wait_for(lambda: len([r for r in cluster.routed()[seen:] if r.method == "PATCH"]) == patches, timeout=10)
    routed = cluster.routed()[seen:]
    uploads = {r.upstream for r in routed if r.uri.startswith("/api/v1/uploads")}
    others = {r.upstream for r in routed if r.uri == "/api/v1/summary"}
    assert len(uploads) == 1, uploads  # POST, PATCH: one instance, so its running hash stays warm
    assert others == {i.address for i in cluster.instances}, others
    _check_stored(cluster, token, files)
    terminal.close()


class _ChunkGate:
    """Holds the terminal's uploader after its first committed chunk until the test has acted."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.release = threading.Event()
        self.fired = False
        self.lock = threading.Lock()

    def passed(self) -> None:
        with self.lock:
            if self.fired:
                return
            self.fired = True
        self.reached.set()
        if not self.release.wait(60):
            raise RuntimeError("the test never released the upload")


class _GatedClient(PlatformClient):
    """The terminal's own client, which stops at the gate once a chunk is committed (and so do its clones,
    which the engine makes per upload)."""

    gate: _ChunkGate

    def clone(self) -> "_GatedClient":
        twin = _GatedClient(self.base_url, self._token, verify=self.verify, timeouts=self.timeouts)
        twin.gate = self.gate
        return twin

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        resp = super().request(method, path, **kwargs)
        if method == "PATCH" and resp.status_code == 204 and not resp.headers.get(UPLOAD_COMPLETE_HEADER):
            self.gate.passed()
        return resp


def test_an_instance_killed_mid_upload_the_terminal_finishes_on_the_other(own_cluster: PlatformCluster,
                                                                          tmp_path: Path) -> None:
    cluster = own_cluster
    terminal = make_terminal(tmp_path / "t")
    enrolled = cluster.enroll("killed-mid-upload")
    credential = credential_from_enrollment(enrolled, cluster.url(), cluster.ca)
    save_enrollment(terminal.store, credential)
    app = _submit(terminal, 1, 12 * 1024, seed=6)
    gate = _ChunkGate()
    client = _GatedClient(credential.platform_url, credential.token, verify=credential.verify,
                          timeouts=Timeouts(connect=2.0, read=30.0))
    client.gate = gate
    engine = SyncEngine(terminal, client, chunk_bytes=512 * 1024, retry=RetryPolicy(base=0.05, cap=0.2),
                        upload_policy=UploadPolicy(max_failures_without_progress=8, retry=RetryPolicy(0.05, 0.3)))
    reports: list[Any] = []
    failures: list[BaseException] = []

    def sync() -> None:
        try:
            reports.append(engine.run_pass())
        except BaseException as exc:  # reported by the test thread
            failures.append(exc)

    worker = threading.Thread(target=sync)
    worker.start()
    try:
        assert gate.reached.wait(120), "no chunk was committed"
        # nginx logs a request once its answer is out: the terminal may have read it a moment before
        wait_for(lambda: any(r.method == "PATCH" and r.status == 204 for r in cluster.routed()), timeout=10)
        (last_patch,) = [r for r in cluster.routed() if r.method == "PATCH" and r.status == 204][-1:]
        victim = cluster.instance_at(last_patch.upstream or "")
        survivor = next(i for i in cluster.instances if i is not victim)
        location = last_patch.uri
        offset_before = offset_of(survivor.url(""), credential.token, location)
        length = int(cluster.scalar("SELECT length FROM uploads WHERE id = :id", id=location.rsplit("/", 1)[1]))
        assert 0 < offset_before < length  # mid-upload
        victim.kill()
    finally:
        gate.release.set()
        worker.join(300)
    assert not failures, failures
    passes = 1
    while reports[-1].pending and passes < 4:  # a pass that met the dead instance ends early; the next resumes
        reports.append(engine.run_pass())
        passes += 1
    assert reports[-1].pending == 0, [r.as_dict() for r in reports]
    after_kill = [r for r in cluster.routed() if r.method == "PATCH" and r.uri == location and r.status == 204]
    assert after_kill[-1].upstream == survivor.address  # the same upload finished on the other instance
    assert {r.upstream for r in after_kill} == {victim.address, survivor.address}
    # nothing lost, nothing twice
    assert cluster.scalar("SELECT count(*) FROM cases WHERE uuid = :id", id=app.id) == 1
    token = credential.token
    summary = requests.get(cluster.url("/api/v1/summary"), headers={"Authorization": f"Bearer {token}"},
                           verify=cluster.ca, timeout=30).json()
    assert summary["device_cases"] == 1 and summary["device_complete"] == 1, summary
    shas = _terminal_files(terminal, app.id)
    assert any(len(terminal.attachments.get(s)) > 10 * MB for s in shas)
    for s in shas:
        assert download(cluster.url(""), token, s, verify=cluster.ca) == terminal.attachments.get(s)
        cluster.stored_object(s)
    print(f"\nkilled {victim.address} at offset {offset_before} of {length}; finished on {survivor.address} "
          f"in {passes} pass(es)")
    terminal.close()


def test_a_chunk_cut_short_by_a_killed_instance_is_sent_again_to_the_other(own_cluster: PlatformCluster,
                                                                         tmp_path: Path) -> None:
    """The instance dies while half a chunk is in: the offset has not moved, the other instance takes the
    chunk, and the file is right."""
    cluster = own_cluster
    terminal, enrolled, app_id, files = _application(cluster, tmp_path / "t", pages=1, page_kb=7 * 1024, seed=7,
                                                     name="cut-short")
    token = enrolled["token"]
    ((sha, data),) = [(s, d) for s, d in files.items() if len(d) > 5 * MB]
    a, b = cluster.instances
    created = create_upload(a.url(""), token, sha, len(data))
    location = created.headers["Location"]
    step = 3 * MB
    assert patch(a.url(""), token, location, 0, data[:step]).status_code == 204
    cut = half_sent_patch(a.port, token, location, step, data[step: 2 * step])
    try:
        a.kill()
    finally:
        cut.close()
    assert offset_of(b.url(""), token, location) == step
    offset = step
    while offset < len(data):
        answer = patch(b.url(""), token, location, offset, data[offset: offset + step])
        assert answer.status_code == 204, answer.text
        offset = int(answer.headers["Upload-Offset"])
    assert answer.headers.get(UPLOAD_COMPLETE_HEADER) == "1"
    cluster.instances = [b]  # the dead one serves nothing any more
    _check_stored(cluster, token, {sha: data})
    terminal.close()


def test_instances_starting_together_on_a_new_database_all_come_up(tmp_path: Path, postgres: PostgresServer) -> None:
    """A first deployment starts every instance at once: they make the schema one after the other."""
    url = postgres.new_database()
    key = tmp_path / "keys" / "blob.key"
    load_or_create_key(tmp_path / "elsewhere", key)
    instances = [Instance(tmp_path / f"home-{n}", ["--db", url, "--blob-key-file", str(key)], dict(os.environ))
                 for n in range(3)]
    try:
        for instance in instances:
            instance.wait_ready()
        enrolled = requests.post(instances[2].url("/api/v1/enroll"), timeout=30, json={"code": subprocess.run(
            [sys.executable, "-m", "kiosk", "platform", "enroll-code", "--home", str(instances[0].home), "--hall",
             "330106001", "--device-name", "n", "--role", "kiosk"], capture_output=True, text=True, check=True,
            timeout=60).stdout.strip()})
        assert enrolled.status_code == 200, enrolled.text
    finally:
        for instance in instances:
            instance.stop()


def _terminal_files(terminal: Terminal, application_id: str) -> list[str]:
    from sqlalchemy import select

    from kiosk.store.models import ApplicationMaterial, MaterialFile

    with terminal.store.transaction() as s:
        return sorted(set(s.scalars(select(MaterialFile.attachment_sha256).join(ApplicationMaterial)
                                    .where(ApplicationMaterial.application_id == application_id))))


# --- platform serve --workers N ---------------------------------------------------------------

def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _is_worker(pid: int) -> bool:
    try:
        return b"multiprocessing.spawn" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def test_workers_serve_a_terminal_and_die_with_their_supervisor(tmp_path: Path) -> None:
    home = tmp_path / "platform"
    port = free_port()
    log = tmp_path / "serve.log"
    process = subprocess.Popen([sys.executable, "-m", "kiosk", "platform", "serve", "--home", str(home), "--port",
                                str(port), "--workers", "2"], stdout=log.open("wb"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            return requests.get(f"{base}/api/v1/openapi.json", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    try:
        wait_for(lambda: answers() or process.poll() is not None, timeout=60)
        assert process.poll() is None, log.read_text(errors="replace")
        workers = [pid for pid in _children(process.pid) if _is_worker(pid)]
        assert len(workers) == 2, workers
        wait_for(lambda: all(Path(f"/proc/{pid}/fd").exists() for pid in workers), timeout=5)
        code = subprocess.run([sys.executable, "-m", "kiosk", "platform", "enroll-code", "--home", str(home),
                               "--hall", "330106001", "--device-name", "w", "--role", "counter"],
                              capture_output=True, text=True, check=True, timeout=60).stdout.strip()
        terminal = make_terminal(tmp_path / "t")
        answer = PlatformClient(f"{base}/api/v1").json("POST", "enroll", json_body={"code": code})
        credential = credential_from_enrollment(answer, f"{base}/api/v1", None)
        save_enrollment(terminal.store, credential)
        submit_demo(terminal, 3, pages=2, page_kb=400, seed=8)
        engine = SyncEngine(terminal, PlatformClient.for_credential(credential, Timeouts(connect=2.0, read=30.0)),
                            chunk_bytes=128 * 1024, retry=RetryPolicy(base=0.01, cap=0.05),
                            upload_policy=UploadPolicy(max_failures_without_progress=8, retry=RetryPolicy(0.01, 0.05)))
        report = engine.run_pass()
        assert report.pending == 0 and report.errors == [], report.as_dict()
        summary = requests.get(f"{base}/api/v1/summary", headers={"Authorization": f"Bearer {credential.token}"},
                               timeout=10).json()
        assert summary["device_complete"] == 3, summary
        terminal.close()
        process.kill()  # SIGKILL the supervisor: its workers must not keep the port
        process.wait(10)
        took = wait_for(lambda: not answers() and not any(Path(f"/proc/{pid}").exists() for pid in workers),
                        timeout=45)
        print(f"\nsupervisor SIGKILLed: both workers gone and the port closed {took:.2f}s later")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        for pid in _children(process.pid):
            if _is_worker(pid):
                os.kill(pid, 9)


@pytest.mark.parametrize("workers", ["0", "-3", "65"])
def test_a_bad_worker_count_is_refused_bilingually_and_starts_nothing(tmp_path: Path, workers: str) -> None:
    home = tmp_path / "platform"
    done = subprocess.run([sys.executable, "-m", "kiosk", "platform", "serve", "--home", str(home), "--port",
                           str(free_port()), "--workers", workers], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "--workers 须在 1 到 64 之间" in done.stderr and "--workers must be between 1 and 64" in done.stderr
    assert not home.exists()
