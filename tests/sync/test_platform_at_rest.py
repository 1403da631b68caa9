"""The platform at rest: its home, database and files are its user's only, and the files are encrypted with a
key kept outside the home, so a copy of the home gives no citizen's scan away."""
from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
import requests

from kiosk.cli import main
from kiosk.errors import UserFacingError
from sync.credentials import credential_from_enrollment, save_enrollment
from sync.demo_data import submit_demo
from sync.embedded import LocalPlatform, start_platform
from sync.server.db import open_platform
from sync.server.enrollment import create_code
from tests.sync.conftest import engine_for, enroll, make_terminal
from tests.free_ports import free_port

HALL = "330106001"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def platform_cli(capsys: pytest.CaptureFixture[str], action: str, home: Path, *extra: str) -> tuple[int, dict]:
    rc = main(["platform", action, "--home", str(home), "--json", *extra])
    return rc, json.loads(capsys.readouterr().out)


def all_files(home: Path) -> list[Path]:
    return sorted(p for p in home.rglob("*") if p.is_file())


def test_platform_serve_keeps_its_home_private_and_its_files_encrypted(tmp_path: Path) -> None:
    """A real `platform serve` (started with the usual umask 022) and a terminal syncing real scans to it."""
    home = tmp_path / "platform"
    port = free_port()
    url = f"http://127.0.0.1:{port}/api/v1"
    previous = os.umask(0o022)
    try:
        process = start_platform(home, "127.0.0.1", port)
    finally:
        os.umask(previous)
    try:
        store = open_platform(home)
        code = create_code(store, HALL, "kiosk")
        store.close()
        terminal = make_terminal(tmp_path / "t")
        apps = submit_demo(terminal, 2, pages=2, page_kb=30, seed=21)
        answer = requests.post(f"{url}/enroll", json={"code": code}, timeout=10).json()
        credential = credential_from_enrollment(answer, url, None)
        save_enrollment(terminal.store, credential)
        assert engine_for(terminal, credential).run_pass().sent == 2
        shas = {f.attachment_sha256 for app in terminal.applications() for m in app.materials for f in m.files}
        assert shas and len(apps) == 2
        # downloads decrypt
        for sha in shas:
            got = requests.get(f"{url}/attachments/{sha}", headers={"Authorization": f"Bearer {credential.token}"},
                               timeout=10)
            assert got.status_code == 200 and got.content == terminal.attachments.get(sha)
            assert got.headers["Content-Length"] == str(len(got.content))
    finally:
        LocalPlatform(url, home, process).stop()

    assert mode(home) == 0o700
    for path in [home / "blobs", home / "uploads"] + [p for p in (home / "blobs").rglob("*") if p.is_dir()]:
        assert mode(path) == 0o700, path
    files = all_files(home)
    assert home / "platform.sqlite3" in files
    for path in files:
        assert mode(path) & 0o077 == 0, f"{path} is {oct(mode(path))}"
    blobs = [p for p in files if p.parent.parent == home / "blobs"]
    assert sorted(p.name for p in blobs) == sorted(f"{sha}.enc" for sha in shas)
    on_disk = b"".join(p.read_bytes() for p in files)
    for sha in shas:
        data = terminal.attachments.get(sha)
        for start in range(0, len(data) - 64, max(1, len(data) // 8)):
            assert data[start:start + 64] not in on_disk  # no 64-byte stretch of any scan is stored in clear
    key = Path(os.environ["ONEWINDOW_PLATFORM_BLOB_KEY_FILE"])
    assert key.is_file() and mode(key) == 0o600 and not key.resolve().is_relative_to(home.resolve())
    assert mode(key.parent) == 0o700


def test_an_older_home_is_made_private_and_its_plaintext_files_still_serve_until_purge_encrypts_them(
        tmp_path: Path, sqlite_platform, capsys: pytest.CaptureFixture[str]) -> None:
    platform = sqlite_platform
    terminal = make_terminal(tmp_path / "t")
    submit_demo(terminal, 1, pages=2, page_kb=20, seed=22)
    credential = enroll(terminal, platform)
    assert engine_for(terminal, credential).run_pass().sent == 1
    shas = sorted({f.attachment_sha256 for app in terminal.applications() for m in app.materials for f in m.files})
    # as an older platform left it: plaintext files named by their hash, everything readable by others
    store = platform.store
    for sha in shas:
        store.blob_path(sha).write_bytes(terminal.attachments.get(sha))
        store.encrypted_blob_path(sha).unlink()
    for path in [platform.home, *platform.home.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)

    def download(sha: str) -> requests.Response:
        return requests.get(platform.url(f"/api/v1/attachments/{sha}"),
                            headers={"Authorization": f"Bearer {credential.token}"}, timeout=10)

    for sha in shas:
        assert download(sha).content == terminal.attachments.get(sha)  # old plaintext files still serve
    rc, report = platform_cli(capsys, "doctor", platform.home)  # opening the home makes it private again
    assert rc == 0
    assert report["at_rest"]["plaintext"] == len(shas) and report["at_rest"]["encrypted"] == 0
    assert report["at_rest"]["blob_key_file"] == os.environ["ONEWINDOW_PLATFORM_BLOB_KEY_FILE"]
    assert report["at_rest"]["not_private"] == []
    assert mode(platform.home) == 0o700 and mode(platform.home / "platform.sqlite3") == 0o600
    assert all(mode(store.blob_path(sha)) == 0o600 for sha in shas)

    # one plaintext file is damaged: purge seals the others and leaves that one as it was
    damaged = shas[0]
    store.blob_path(damaged).write_bytes(b"not the scan at all")
    rc, purged = platform_cli(capsys, "purge", platform.home)
    assert rc == 1 and purged["encrypted"] == len(shas) - 1 and purged["damaged_plaintext"] == [damaged]
    assert store.blob_path(damaged).read_bytes() == b"not the scan at all"
    store.blob_path(damaged).write_bytes(terminal.attachments.get(damaged))
    rc, purged = platform_cli(capsys, "purge", platform.home)
    assert rc == 0 and purged["encrypted"] == 1
    rc, report = platform_cli(capsys, "doctor", platform.home)
    assert report["at_rest"]["plaintext"] == 0 and report["at_rest"]["encrypted"] == len(shas)
    for sha in shas:
        assert not store.blob_path(sha).exists()
        assert terminal.attachments.get(sha)[:64] not in store.encrypted_blob_path(sha).read_bytes()
        assert download(sha).content == terminal.attachments.get(sha)


def test_the_key_is_never_kept_inside_the_home(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "platform"
    inside = home / "blob.key"
    rc = main(["platform", "doctor", "--home", str(home), "--blob-key-file", str(inside)])
    err = capsys.readouterr().err
    assert rc == 2 and "数据目录" in err and "inside its data directory" in err and not inside.exists()
    # the default place is the user's configuration directory, created private
    monkeypatch.delenv("ONEWINDOW_PLATFORM_BLOB_KEY_FILE")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    store = open_platform(home)
    store.close()
    key = tmp_path / "config" / "onewindow-platform" / "blob.key"
    assert store.key.path == key and store.key.source == "config-dir"
    assert mode(key) == 0o600 and mode(key.parent) == 0o700 and len(bytes.fromhex(key.read_text())) == 32
    # a systemd credential wins over the default
    creds = tmp_path / "credentials"
    creds.mkdir()
    (creds / "onewindow-platform-blob-key").write_text(os.urandom(32).hex())
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    store = open_platform(home)
    store.close()
    assert store.key.source == "systemd-credential" and store.key.key != bytes.fromhex(key.read_text())
    # the embedded local platform refuses a key that would sit in the terminal's data dir
    from sync.embedded import local_key_file

    monkeypatch.delenv("CREDENTIALS_DIRECTORY")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "terminal" / "config"))
    with pytest.raises(UserFacingError) as refused:
        local_key_file(tmp_path / "terminal")
    assert "data directory" in refused.value.message.en and "数据目录" in refused.value.message.zh


def test_a_file_sealed_with_another_key_is_a_clear_error_not_garbage(tmp_path: Path, sqlite_platform,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    platform = sqlite_platform
    terminal = make_terminal(tmp_path / "t")
    submit_demo(terminal, 1, pages=1, page_kb=20, seed=23)
    credential = enroll(terminal, platform)
    assert engine_for(terminal, credential).run_pass().sent == 1
    sha = next(f.attachment_sha256 for app in terminal.applications() for m in app.materials for f in m.files)
    sealed = platform.store.encrypted_blob_path(sha)
    body = bytearray(sealed.read_bytes())
    body[-1] ^= 0x01  # one bit of the last segment's tag
    sealed.write_bytes(bytes(body))
    got = requests.get(platform.url(f"/api/v1/attachments/{sha}"),
                       headers={"Authorization": f"Bearer {credential.token}"}, timeout=10)
    assert got.status_code == 500 and got.json()["code"] == "blob_damaged" and "损坏" in got.json()["reason"]["zh"]
    other_key = tmp_path / "other" / "blob.key"
    rc, report = platform_cli(capsys, "doctor", platform.home, "--blob-key-file", str(other_key))
    assert rc == 0 and report["at_rest"]["other_key"] == report["at_rest"]["encrypted"] > 0
