"""Attachment files in object storage: a real S3 server (SeaweedFS), real multipart with its 5 MB minimum part,
the platform over HTTP on SQLite and PostgreSQL, the real CLI."""
from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from kiosk.catalog import demo_catalog_path
from kiosk.cli import main
from sync.credentials import load_credential
from sync.server import s3_settings
from sync.server.blob_crypto import MAGIC, BlobDamaged, BlobKey, decrypt_segments
from sync.server.blob_maintenance import object_leftovers
from sync.server.blobstore import AssemblyMismatch
from sync.server.db import open_platform
from sync.server.models import Blob, HallBlob
from sync.server.s3_settings import S3Settings, S3SettingsError
from sync.server.s3store import INLINE_STAGED, PART, S3BlobStore
from tests.sync.conftest import engine_for, enroll, make_terminal
from tests.sync.seaweed import S3Endpoint
from tests.sync.servers import PlatformServer
from tests.sync.test_counter_sync import online_application

HALL = "330106001"


def settings_of(endpoint: S3Endpoint) -> S3Settings:
    return S3Settings(endpoint.url, endpoint.bucket, endpoint.region, endpoint.access_key, endpoint.secret_key)


@pytest.fixture
def key(tmp_path: Path) -> BlobKey:
    return BlobKey(os.urandom(32), tmp_path / "blob.key", "option")


@pytest.fixture
def store(s3_bucket: S3Endpoint, key: BlobKey) -> S3BlobStore:
    return S3BlobStore(settings_of(s3_bucket), key)


def keys_in(endpoint: S3Endpoint) -> list[str]:
    return sorted(o["Key"] for o in endpoint.client().list_objects_v2(Bucket=endpoint.bucket).get("Contents", []))


def multipart_uploads(endpoint: S3Endpoint) -> list[str]:
    return [u["UploadId"] for u in endpoint.client().list_multipart_uploads(Bucket=endpoint.bucket).get("Uploads", [])]


def raw(endpoint: S3Endpoint, locator: str) -> bytes:
    return endpoint.client().get_object(Bucket=endpoint.bucket, Key=locator.removeprefix("s3:"))["Body"].read()


def read(store: S3BlobStore, sha: str, locator: str | None) -> bytes:
    return b"".join(store.open(sha, locator))


def assemble(store: S3BlobStore, upload_id: str, data: bytes, sizes: list[int]) -> tuple[dict[str, Any], list[dict]]:
    """Append `data` in chunks of the given sizes (the rest in one last chunk); every state along the way."""
    state = store.assembly.start(upload_id, hashlib.sha256(data).hexdigest(), len(data))
    states = [state]
    offset = 0
    for size in sizes + [len(data)]:
        chunk = data[offset:offset + size]
        if not chunk:
            break
        state = store.assembly.append(state, offset, chunk)
        states.append(state)
        offset += len(chunk)
    return state, states


# --- the store on its own ---------------------------------------------------------------------------

def test_a_file_stored_whole_is_sealed_in_the_bucket_and_reads_back(s3_bucket: S3Endpoint, store: S3BlobStore,
                                                                   tmp_path: Path, key: BlobKey) -> None:
    data = os.urandom(150_000)
    sha = hashlib.sha256(data).hexdigest()
    locator = store.put_bytes(sha, data)
    assert locator == f"s3:blobs/{sha[:2]}/{sha}/whole"
    assert store.exists(sha, locator) and store.size(sha, locator) == len(data) and read(store, sha, locator) == data
    sealed = raw(s3_bucket, locator)
    assert sealed.startswith(MAGIC) and data[:64] not in sealed and data[-64:] not in sealed
    # the same format as a sealed file on disk: the local store's reader opens the object's bytes
    (tmp_path / "copy.enc").write_bytes(sealed)
    assert b"".join(decrypt_segments(tmp_path / "copy.enc", key, sha)) == data
    # storing it again writes nothing new; bytes that are not their name are never stored under it
    etag = s3_bucket.client().head_object(Bucket=s3_bucket.bucket, Key=locator[3:])["ETag"]
    assert store.put_bytes(sha, data) == locator
    assert s3_bucket.client().head_object(Bucket=s3_bucket.bucket, Key=locator[3:])["ETag"] == etag
    with pytest.raises(ValueError):
        store.put_bytes(sha, data + b"x")
    store.delete(sha, locator)
    assert not store.exists(sha, locator) and store.size(sha, locator) is None
    with pytest.raises(FileNotFoundError):
        read(store, sha, locator)
    assert keys_in(s3_bucket) == []


@pytest.mark.parametrize("inline", [0, 100_000, INLINE_STAGED])
def test_a_small_upload_in_pieces_is_written_once_with_one_put(s3_bucket: S3Endpoint, store: S3BlobStore,
                                                               inline: int) -> None:
    """Staged bytes go into the state (the upload's row) up to the assembly's `inline` bytes, then to the
    bucket; sealed either way. 0: every staged chunk an object; 100 KB: two chunks in the state, the third an
    object; the default: all three in the state, so the object store sees one PUT for the whole file."""
    store.assembly.inline = inline
    data = os.urandom(300_000)
    sha = hashlib.sha256(data).hexdigest()
    state, states = assemble(store, "a" * 32, data, [70_000, 1, 100_000])
    final = f"blobs/{sha[:2]}/{sha}/{'a' * 32}"
    assert state["done"] and state["mpu"] is None and not state["parts"]
    # before the last chunk only staged bytes (sealed too) are in the bucket or the state; the file is one PUT at
    # the end
    assert [len(s["staged"]) for s in states] == [0, 1, 2, 3, 0]
    in_state = {0: 0, 100_000: 2, INLINE_STAGED: 3}[inline]
    assert ["inline" in s for s in states[3]["staged"]] == [True] * in_state + [False] * (3 - in_state)
    assert final in keys_in(s3_bucket) and len(keys_in(s3_bucket)) == 1 + 3 - in_state
    assert all(data[s["offset"]:s["offset"] + 64] not in
               (base64.b64decode(s["inline"]) if "inline" in s else raw(s3_bucket, "s3:" + s["key"]))
               for s in states[3]["staged"])
    assert all(len(json.dumps(s)) < 2 * inline + 10_000 for s in states)  # the state holds what it may, no more
    locator = store.assembly.complete(state, sha, verified=True)
    assert locator == "s3:" + final and keys_in(s3_bucket) == [final]  # the staged bytes are gone
    etag = s3_bucket.client().head_object(Bucket=s3_bucket.bucket, Key=final)["ETag"]
    assert "-" not in etag  # a single PUT, not a multipart object
    assert read(store, sha, locator) == data


def test_a_large_upload_goes_in_parts_and_a_chunk_repeated_after_a_dead_request_is_harmless(
        s3_bucket: S3Endpoint, store: S3BlobStore) -> None:
    data = os.urandom(2 * PART + 1_234_567)
    sha = hashlib.sha256(data).hexdigest()
    a = store.assembly
    state = a.start("b" * 32, sha, len(data))
    offset = 0
    for size in [3_000_000, 4_000_000, 1, 4_000_000, 3_000_000]:
        chunk = data[offset:offset + size]
        before = state
        state = a.append(before, offset, chunk)
        if offset == 7_000_001:  # this request "died" before its commit: the next one sends the chunk again
            state = a.append(before, offset, chunk)
        offset += len(chunk)
    assert state["done"] and len(state["parts"]) == 3 and not state["staged"]
    locator = a.complete(state, sha, verified=False)  # no one process saw every byte: read back once
    head = s3_bucket.client().head_object(Bucket=s3_bucket.bucket, Key=locator[3:])
    assert head["ETag"].strip('"').endswith("-3")  # three parts, the first two of 5 MiB
    assert store.size(sha, locator) == len(data)
    assert hashlib.sha256(read(store, sha, locator)).hexdigest() == sha
    assert [k for k in keys_in(s3_bucket) if k.startswith("blobs/")] == [locator[3:]]
    assert multipart_uploads(s3_bucket) == []
    # what the "dead" request staged is nobody's: the sweep of `platform purge` finds it once the upload is over
    left = store.leftovers(lambda ids: set(), lambda shas: {locator}, older_than=-1)
    assert [item.key for item in left] == [k for k in keys_in(s3_bucket) if k.startswith("uploads/")] != []
    store.remove(left)
    assert keys_in(s3_bucket) == [locator[3:]]


def test_other_bytes_where_a_part_was_already_sent_are_refused_not_sealed(s3_bucket: S3Endpoint,
                                                                         store: S3BlobStore) -> None:
    """Sealing other bytes under the nonces of a part already sent would reuse AES-GCM nonces."""
    data = os.urandom(3 * PART)
    sha = hashlib.sha256(data).hexdigest()
    a = store.assembly
    state = a.start("c" * 32, sha, len(data))
    states = [state]
    for offset in range(0, 12_000_000, 3_000_000):
        state = a.append(state, offset, data[offset:offset + 3_000_000])
        states.append(state)
    assert [len(s["parts"]) for s in states] == [0, 0, 1, 1, 2]  # the last append sent part 2 ...
    other = bytes(b ^ 0x5A for b in data[9_000_000:12_000_000])  # ... and its commit "failed"
    with pytest.raises(AssemblyMismatch):
        a.append(states[3], 9_000_000, other)
    again = a.append(states[3], 9_000_000, data[9_000_000:12_000_000])  # the same bytes again are harmless
    assert again["parts"] == states[4]["parts"]
    a.abort(again)
    a.abort(states[4])  # (what the "dead" request staged is a key of its own)
    assert keys_in(s3_bucket) == [] and multipart_uploads(s3_bucket) == []


def test_an_assembly_that_is_not_its_file_is_refused_and_nothing_is_kept(s3_bucket: S3Endpoint,
                                                                        store: S3BlobStore) -> None:
    data = os.urandom(200_000)
    claimed = hashlib.sha256(b"something else").hexdigest()
    state = store.assembly.start("d" * 32, claimed, len(data))
    state = store.assembly.append(state, 0, data)
    with pytest.raises(AssemblyMismatch):
        store.assembly.complete(state, claimed, verified=False)
    assert keys_in(s3_bucket) == []


def test_an_assembly_finished_by_a_request_whose_commit_failed_is_recognised_and_checked(
        s3_bucket: S3Endpoint, store: S3BlobStore) -> None:
    data = os.urandom(PART + 500_000)
    sha = hashlib.sha256(data).hexdigest()
    a = store.assembly
    before_last = a.append(a.start("e" * 32, sha, len(data)), 0, data[:4_000_000])
    done = a.append(before_last, 4_000_000, data[4_000_000:])
    first = a.complete(done, sha, verified=True)  # ... and then the transaction did not commit
    again = a.append(before_last, 4_000_000, data[4_000_000:])
    assert again["recovered"]
    assert a.complete(again, sha, verified=True) == first  # read back although the caller says verified
    assert read(store, sha, first) == data and keys_in(s3_bucket) == [first[3:]]


def test_a_damaged_object_another_files_object_and_another_key_are_refused(
        s3_bucket: S3Endpoint, store: S3BlobStore, tmp_path: Path) -> None:
    data, other = os.urandom(200_000), os.urandom(1000)
    sha, other_sha = hashlib.sha256(data).hexdigest(), hashlib.sha256(other).hexdigest()
    locator, other_locator = store.put_bytes(sha, data), store.put_bytes(other_sha, other)
    client = s3_bucket.client()
    with pytest.raises(BlobDamaged):  # another file's object named as this one
        read(store, sha, other_locator)
    stranger = S3BlobStore(settings_of(s3_bucket), BlobKey(os.urandom(32), tmp_path / "other.key", "option"))
    with pytest.raises(BlobDamaged, match="another key"):
        read(stranger, sha, locator)
    body = bytearray(raw(s3_bucket, locator))
    body[-1] ^= 0x01  # one bit of the last segment's tag
    client.put_object(Bucket=s3_bucket.bucket, Key=locator[3:], Body=bytes(body))
    with pytest.raises(BlobDamaged, match="segment 3"):
        read(store, sha, locator)
    client.put_object(Bucket=s3_bucket.bucket, Key=locator[3:], Body=bytes(body[:-5000]))  # cut short
    with pytest.raises(BlobDamaged):
        read(store, sha, locator)


def test_leftovers_of_abandoned_uploads_are_found_and_removed(tmp_path: Path, s3_bucket: S3Endpoint,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    platform = open_platform(tmp_path / "platform", objects=settings_of(s3_bucket))
    try:
        a = platform.blobs.assembly
        a.inline = 0  # staged bytes as objects (bytes staged in an upload's row go with the row: never left over)
        data = os.urandom(PART + 100)
        sha = hashlib.sha256(data).hexdigest()
        staged = a.append(a.start("f" * 32, sha, len(data)), 0, data[:1000])  # no upload row names it
        a.append(staged, 1000, data[1000:PART + 10])  # a multipart upload begun, then abandoned
        kept = platform.blobs.put_bytes(hashlib.sha256(b"kept").hexdigest(), b"kept")
        assert object_leftovers(platform, dry_run=True) == []  # everything is younger than an hour
        found = object_leftovers(platform, dry_run=True, older_than=-1)
        # the row-less whole file is a leftover too: no `blobs` row names it
        assert {f["kind"] for f in found} == {"object", "multipart"} and len(keys_in(s3_bucket)) == 3
        assert any(f["path"] == kept for f in found)
        object_leftovers(platform, older_than=-1)
        assert keys_in(s3_bucket) == [] and multipart_uploads(s3_bucket) == []
    finally:
        platform.close()


# --- settings -------------------------------------------------------------------------------------------

CREDS = {s3_settings.ACCESS_KEY_ENV: "id", s3_settings.SECRET_KEY_ENV: "secret"}


@pytest.mark.parametrize("endpoint, bucket, region, environ, words", [
    ("http://s3.local:9000", None, None, CREDS, ("--s3-bucket", "同时")),
    (None, "onewindow", None, CREDS, ("--s3-endpoint", "同时")),
    (None, None, "eu-west-1", CREDS, ("--s3-region", "--s3-endpoint")),
    ("ftp://s3.local", "onewindow", None, CREDS, ("http://", "地址")),
    ("http://s3.local:port", "onewindow", None, CREDS, ("port", "端口")),
    ("http://s3.local:9000", "Bad_Bucket", None, CREDS, ("bucket name", "存储桶")),
    ("http://s3.local:9000", "192.168.1.10", None, CREDS, ("bucket name", "存储桶")),
    ("http://s3.local:9000", "onewindow", "Europe West", CREDS, ("region", "区域")),
    ("http://s3.local:9000", "onewindow", None, {}, (s3_settings.ACCESS_KEY_ENV, "凭据")),
    ("http://s3.local:9000", "onewindow", None, {s3_settings.ACCESS_KEY_ENV: "id"},
     (s3_settings.SECRET_KEY_ENV, "环境变量")),
])
def test_bad_object_storage_settings_are_refused_with_a_message_in_both_languages(
        endpoint: str | None, bucket: str | None, region: str | None, environ: dict[str, str],
        words: tuple[str, str]) -> None:
    with pytest.raises(S3SettingsError) as refused:
        s3_settings.resolve(endpoint, bucket, region, environ=environ)
    assert words[0] in refused.value.message.en and words[1] in refused.value.message.zh
    assert "secret" not in refused.value.message.en.replace("SECRET", "")


def test_settings_come_from_flags_or_the_home_and_secrets_only_from_the_environment(tmp_path: Path) -> None:
    assert s3_settings.resolve(None, None, None, home=tmp_path, environ=CREDS) is None  # the local store
    got = s3_settings.resolve("https://s3.example:9000/", "ow-files", None, environ=CREDS)
    assert got == S3Settings("https://s3.example:9000", "ow-files", "us-east-1", "id", "secret")
    assert "secret" not in repr(got)
    (tmp_path / "platform.json").write_text(json.dumps({"db_url": "postgresql+psycopg://u:p@h/db"}))
    s3_settings.record(tmp_path, got)
    saved = json.loads((tmp_path / "platform.json").read_text())
    assert saved == {"db_url": "postgresql+psycopg://u:p@h/db", "s3_endpoint": "https://s3.example:9000",
                     "s3_bucket": "ow-files", "s3_region": "us-east-1"}
    assert "secret" not in (tmp_path / "platform.json").read_text()
    assert s3_settings.resolve(None, None, None, home=tmp_path, environ=CREDS) == got
    with pytest.raises(S3SettingsError):  # recorded, but this process was not given the credentials
        s3_settings.resolve(None, None, None, home=tmp_path, environ={})


def test_serve_refuses_a_bucket_it_cannot_use_and_names_the_problem(tmp_path: Path, s3_bucket: S3Endpoint) -> None:
    base = [sys.executable, "-m", "kiosk", "platform", "serve", "--home", str(tmp_path / "platform"),
            "--blob-key-file", str(tmp_path / "blob.key"), "--port", "1", "--s3-endpoint", s3_bucket.url]
    env = {**os.environ, **s3_bucket.env()}
    env.pop("ONEWINDOW_PARENT_PID", None)
    wrong_secret = {**env, s3_settings.SECRET_KEY_ENV: "not-the-secret"}
    for argv, environ, zh, en in [
            (base + ["--s3-bucket", s3_bucket.bucket], wrong_secret, "凭据", "refused the credentials"),
            (base + ["--s3-bucket", "no-such-bucket"], env, "没有存储桶", "has no bucket no-such-bucket"),
            (base + ["--s3-bucket", s3_bucket.bucket], {k: v for k, v in env.items() if not k.startswith("ONEWINDOW_S3")},
             "环境变量", "ONEWINDOW_S3_ACCESS_KEY_ID"),
            ([*base[:-1], "http://127.0.0.1:1", "--s3-bucket", s3_bucket.bucket], env, "无法连接", "Cannot reach")]:
        done = subprocess.run(argv, env=environ, capture_output=True, text=True, timeout=120)
        assert done.returncode == 2 and zh in done.stderr and en in done.stderr, done.stderr
        assert "not-the-secret" not in done.stderr and s3_bucket.secret_key not in done.stderr
    config = tmp_path / "platform" / "platform.json"
    assert not config.exists() or "s3_bucket" not in config.read_text()  # a refused store is not recorded


# --- the platform over HTTP -------------------------------------------------------------------------

def test_online_files_are_stored_in_the_bucket_and_a_counter_downloads_them_streamed(
        tmp_path: Path, s3_bucket: S3Endpoint, db_url: str | None, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """`platform submit-online` (the real CLI, finding the bucket in platform.json) stores the scans as objects;
    a counter's sync downloads each through the platform, decrypted as it is streamed."""
    for name, value in s3_bucket.env().items():
        monkeypatch.setenv(name, value)
    platform = PlatformServer(tmp_path / "platform", db_url, objects=settings_of(s3_bucket))
    try:
        s3_settings.record(platform.store.home, settings_of(s3_bucket))  # as `serve --s3-*` does
        terminal = make_terminal(tmp_path / "counter")
        engine = engine_for(terminal, enroll(terminal, platform, name="counter-1"))
        path = online_application(tmp_path, capsys, tmp_path / "counter")
        home = str(platform.home)
        assert main(["platform", "publish-catalog", "--home", home, str(demo_catalog_path())]) == 0
        assert main(["platform", "submit-online", "--home", home, "--hall", HALL, str(path)]) == 0
        capsys.readouterr()
        keys = keys_in(s3_bucket)
        assert len(keys) == 4 and all(k.startswith("blobs/") and k.endswith("/whole") for k in keys)
        assert not any(p.is_file() for p in (platform.home / "blobs").rglob("*"))  # nothing on the local disk
        with platform.store.transaction() as s:
            locators = dict(s.execute(select(Blob.sha256, Blob.locator)).all())
        assert sorted(v[3:] for v in locators.values()) == keys
        downloaded = 0
        for _ in range(5):
            report = engine.run_pass()
            downloaded += report.downloaded_files
            if report.downloads_pending == 0 and downloaded:
                break
        assert downloaded == 4 and report.downloads_pending == 0, report
        for sha, locator in locators.items():
            assert terminal.attachments.get(sha) == read(platform.store.blobs, sha, locator)  # type: ignore[arg-type]

        # an object damaged in its first segment: a clear 500, not a download cut short
        credential = load_credential(terminal.settings)
        assert credential is not None
        sha, locator = next(iter(locators.items()))
        body = bytearray(raw(s3_bucket, locator))
        body[40] ^= 0x01
        s3_bucket.client().put_object(Bucket=s3_bucket.bucket, Key=locator[3:], Body=bytes(body))
        got = requests.get(platform.url(f"/api/v1/attachments/{sha}"),
                           headers={"Authorization": f"Bearer {credential.token}"}, timeout=10)
        assert got.status_code == 500 and got.json()["code"] == "blob_damaged" and "损坏" in got.json()["reason"]["zh"]
        # a file of many segments, streamed; damaged past its first segment, the answer ends short of its length
        big = os.urandom(900_000)
        big_sha = hashlib.sha256(big).hexdigest()
        big_locator = platform.store.blobs.put_bytes(big_sha, big)
        with platform.store.transaction() as s:
            s.add(Blob(sha256=big_sha, size=len(big), locator=big_locator))
            s.add(HallBlob(hall_code=HALL, sha256=big_sha, size=len(big), media_type="application/pdf"))
        url = platform.url(f"/api/v1/attachments/{big_sha}")
        auth = {"Authorization": f"Bearer {credential.token}"}
        with requests.get(url, headers=auth, timeout=10, stream=True) as got:
            assert got.status_code == 200 and got.headers["Content-Length"] == str(len(big))
            assert got.content == big
        body = bytearray(raw(s3_bucket, big_locator))
        body[-1] ^= 0x01
        s3_bucket.client().put_object(Bucket=s3_bucket.bucket, Key=big_locator[3:], Body=bytes(body))
        with requests.get(url, headers=auth, timeout=10, stream=True) as got:  # streamed: the answer began ...
            assert got.status_code == 200
            with pytest.raises(requests.exceptions.ChunkedEncodingError):  # ... before the last segment was read
                got.content  # noqa: B018
        # the doctor names the store, never its credentials
        assert main(["platform", "doctor", "--home", home, "--json"]) == 0
        report_text = capsys.readouterr().out
        at_rest = json.loads(report_text)["at_rest"]
        assert (at_rest["store"], at_rest["s3_bucket"]) == ("s3", s3_bucket.bucket)
        assert s3_bucket.secret_key not in report_text
        # purge looks through the bucket too: everything there is in use (or younger than an hour)
        assert main(["platform", "purge", "--home", home, "--json", "--dry-run"]) == 0
        assert json.loads(capsys.readouterr().out)["would_remove"] == []
    finally:
        platform.stop()


def test_a_terminals_uploads_are_served_back_from_the_platform_with_object_storage(
        tmp_path: Path, s3_bucket: S3Endpoint, db_url: str | None) -> None:
    """Whatever the upload path stores (objects, or files on disk from before object storage was turned on), each
    file reads back through the store and the download route, byte for byte."""
    from sync.demo_data import submit_demo

    platform = PlatformServer(tmp_path / "platform", db_url, objects=settings_of(s3_bucket))
    try:
        terminal = make_terminal(tmp_path / "t")
        submit_demo(terminal, 2, pages=2, page_kb=300, seed=5)
        credential = enroll(terminal, platform)
        engine = engine_for(terminal, credential, chunk_bytes=256 * 1024)
        for _ in range(5):
            if engine.run_pass().pending == 0:
                break
        shas = {f.attachment_sha256 for app in terminal.applications() for m in app.materials for f in m.files}
        with platform.store.transaction() as s:
            locators = dict(s.execute(select(Blob.sha256, Blob.locator).where(Blob.sha256.in_(list(shas)))).all())
        assert set(locators) == shas
        for sha, locator in locators.items():
            data = terminal.attachments.get(sha)
            assert read(platform.store.blobs, sha, locator) == data  # type: ignore[arg-type]
            got = requests.get(platform.url(f"/api/v1/attachments/{sha}"),
                               headers={"Authorization": f"Bearer {credential.token}"}, timeout=10)
            assert got.status_code == 200 and got.content == data
    finally:
        platform.stop()
