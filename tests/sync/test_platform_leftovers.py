"""Files a killed platform left behind mid-upload: `onewindow platform doctor` reports them, `platform purge`
and the next `platform serve` start-up remove them; an upload still resumable and young files are kept.
A chunk in flight when the platform dies leaves nothing (it was only in memory)."""
from __future__ import annotations

import base64
import hashlib
import json
import os
import socket
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from kiosk.cli import main
from sync.credentials import credential_from_enrollment, save_enrollment
from sync.demo_data import submit_demo
from sync.embedded import LocalPlatform, start_platform
from sync.protocol import TUS_VERSION, UPLOAD_CONTENT_TYPE
from sync.server.db import open_platform
from sync.server.enrollment import create_code
from sync.server.models import Case
from tests.sync.conftest import engine_for, make_terminal, pushed_document
from tests.free_ports import free_port

TWO_HOURS_AGO = time.time() - 2 * 3600


def age(path: Path) -> None:
    os.utime(path, (TWO_HOURS_AGO, TWO_HOURS_AGO))


def unread_by_server(port: int, client_port: int) -> int | None:
    """Bytes the platform's end of this loopback connection has received but not yet read (/proc/net/tcp)."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, queues = fields[1], fields[2], fields[4]
        if int(local.split(":")[1], 16) == port and int(remote.split(":")[1], 16) == client_port:
            return int(queues.split(":")[1], 16)
    return None


def platform_cli(capsys: pytest.CaptureFixture[str], action: str, home: Path, *extra: str) -> dict:
    assert main(["platform", action, "--home", str(home), "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def wait_for(predicate, seconds: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_chunks_of_a_killed_platform_are_reported_and_removed(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "platform"
    port = free_port()
    url = f"http://127.0.0.1:{port}/api/v1"
    process = start_platform(home, "127.0.0.1", port)
    try:
        store = open_platform(home)
        code = create_code(store, "330106001", "kiosk")
        store.close()
        terminal = make_terminal(tmp_path / "t")
        (app,) = submit_demo(terminal, 1, pages=1, page_kb=200, seed=3)
        answer = requests.post(f"{url}/enroll", json={"code": code}, timeout=10).json()
        credential = credential_from_enrollment(answer, url, None)
        save_enrollment(terminal.store, credential)
        auth = {"Authorization": f"Bearer {credential.token}"}
        doc = pushed_document(terminal, app.id)
        pushed = requests.post(f"{url}/applications", json={"applications": [doc]}, headers=auth, timeout=10).json()
        sha = pushed["results"][0]["missing"][0]
        data = terminal.attachments.get(sha)
        created = requests.post(f"{url}/uploads", headers={**auth, "Tus-Resumable": TUS_VERSION,
                                                           "Upload-Length": str(len(data)),
                                                           "Upload-Metadata": "sha256 " + base64.b64encode(
                                                               sha.encode()).decode()}, timeout=10)
        assert created.status_code == 201
        upload_path = created.headers["Location"]
        first, second = data[:64 * 1024], data[64 * 1024:128 * 1024]
        committed = requests.patch(f"http://127.0.0.1:{port}{upload_path}", data=first, timeout=10, headers={
            **auth, "Tus-Resumable": TUS_VERSION, "Content-Type": UPLOAD_CONTENT_TYPE, "Upload-Offset": "0",
            "Upload-Checksum": f"sha256 {base64.b64encode(hashlib.sha256(first).digest()).decode()}"})
        assert committed.status_code == 204 and committed.headers["Upload-Offset"] == str(len(first))
        head = (f"PATCH {upload_path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Authorization: Bearer {credential.token}\r\nTus-Resumable: {TUS_VERSION}\r\n"
                f"Content-Type: {UPLOAD_CONTENT_TYPE}\r\nUpload-Offset: {len(first)}\r\n"
                f"Upload-Checksum: sha256 {base64.b64encode(hashlib.sha256(second).digest()).decode()}\r\n"
                f"Content-Length: {len(second)}\r\n\r\n").encode()
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(head + second[: len(second) // 2])  # half a chunk, then the platform dies
            wait_for(lambda: unread_by_server(port, sock.getsockname()[1]) == 0)  # it holds the half chunk
            process.kill()  # SIGKILL: no `finally` runs
            process.wait(10)
    finally:
        LocalPlatform(url, home, process).stop()
    # the half chunk died with the process (a chunk is held in memory until it is committed): nothing of it is
    # on disk, and the upload holds exactly the chunk it committed
    assert list((home / "uploads").glob("*.chunk")) == []
    (live_part,) = list((home / "uploads").glob("*.part"))  # the upload itself: resumable, its row exists
    assert live_part.read_bytes() == first
    report = platform_cli(capsys, "doctor", home)
    assert report["leftover_files"] == [] and report["young_files_kept"] == 0
    age(live_part)
    left = home / "uploads" / f"{'12' * 16}.a1b2c3d4e5f6.chunk"  # what a platform before schema 8 left mid-chunk
    left.write_bytes(b"z" * 30)
    age(left)
    orphan_part = home / "uploads" / ("ab" * 16 + ".part")  # an upload whose row is gone
    orphan_part.write_bytes(b"x" * 10)
    age(orphan_part)
    blob_tmp = home / "blobs" / "cd" / f".{'cd' * 32}.0123abcd.tmp"  # an online submission cut short
    blob_tmp.parent.mkdir(parents=True, exist_ok=True)
    blob_tmp.write_bytes(b"y" * 20)
    age(blob_tmp)
    young_chunk = home / "uploads" / f"{'ef' * 16}.0a0b0c0d0e0f.chunk"
    young_chunk.write_bytes(b"arriving")

    stale = {(f["kind"], Path(f["path"]).name) for f in platform_cli(capsys, "doctor", home)["leftover_files"]}
    assert stale == {("chunk", left.name), ("part", orphan_part.name), ("blob_tmp", blob_tmp.name)}
    dry = platform_cli(capsys, "purge", home, "--dry-run")
    assert {Path(f["path"]).name for f in dry["would_remove"]} == {n for _, n in stale}
    assert left.exists() and orphan_part.exists() and blob_tmp.exists()
    done = platform_cli(capsys, "purge", home)
    assert {Path(f["path"]).name for f in done["removed"]} == {n for _, n in stale}
    assert done["young_files_kept"] == 1
    assert not left.exists() and not orphan_part.exists() and not blob_tmp.exists()
    assert live_part.exists() and young_chunk.exists()

    # the next start-up of the platform removes what a crash left, by itself
    age(young_chunk)
    process = start_platform(home, "127.0.0.1", port)
    try:
        assert not young_chunk.exists() and live_part.exists()
        # and the kept upload finishes: the terminal's sync resumes it and the case completes
        report = engine_for(terminal, credential).run_pass()
        assert report.errors == [] and report.sent == 1
    finally:
        LocalPlatform(url, home, process).stop()
    store = open_platform(home)
    with store.transaction() as s:
        assert s.scalar(select(Case.complete).where(Case.uuid == app.id)) is True
    store.close()
