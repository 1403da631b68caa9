"""Updates, the terminal's side, against a real platform: a package cut at 50% and resumed by the next sync
pass with few bytes sent again; a tampered package, older metadata (rollback) and an expired timestamp
(freeze) refused by tuf.ngclient with nothing staged; bad input to `platform publish-update` refused with a
bilingual message and the repository unchanged."""
from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.terminal import Terminal
from sync.credentials import Credential
from sync.linksim import BadLink
from sync.server import update_repo
from sync.updates import UpdatePaths, check_for_update, installed_version, pin_root
from tests.sync.conftest import engine_for, enroll
from tests.sync.servers import PlatformServer
from tests.sync.update_debs import build_deb

MB = 1024 * 1024


def _pinned(terminal: Terminal, platform: PlatformServer, url: str | None = None) -> Credential:
    credential = enroll(terminal, platform, url=url)
    assert pin_root(terminal.settings, credential.platform_url, credential.token) is True
    return credential


def _check(terminal: Terminal, credential: Credential, current: str = "1.0", **kwargs: object):
    return check_for_update(terminal.settings, credential.platform_url, credential.token, current=current,
                            arch="amd64", **kwargs)  # type: ignore[arg-type]


def _snapshot_of(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_a_package_cut_at_half_is_resumed_by_the_next_sync_pass(terminal: Terminal, sqlite_platform: PlatformServer,
                                                                  tmp_path: Path) -> None:
    current = installed_version()
    new = f"{current}+upd1"
    deb = build_deb(tmp_path, new, payload_bytes=2 * MB)
    size = deb.stat().st_size
    update_repo.publish(sqlite_platform.home, deb, new)
    link = BadLink(sqlite_platform.port)
    try:
        credential = _pinned(terminal, sqlite_platform, url=link.url())
        # cut in the proxy, half a package from now (the metadata before it is a few KB): a cut made when the
        # terminal had read half landed after whatever the proxy had already written to its socket, and once,
        # on a loaded machine, that was the whole package
        link.cut_downstream_after(size // 2)
        first = _check(terminal, credential, current=current)
        assert first.state == "offline", first
        assert link.stats.cuts == 1
        paths = UpdatePaths.of(terminal.settings)
        kept = [p.stat().st_size for p in paths.partial.iterdir()]
        assert len(kept) == 1 and size * 0.45 <= kept[0] < size, (kept, size)
        assert not paths.record.exists()  # nothing staged from half a package

        link.stats.downstream_bytes = 0
        engine = engine_for(terminal, credential)
        report = engine.run_pass()  # the background step of the next sync pass
        assert report.update is not None and report.update["state"] == "staged", report.update
        assert report.update["resumed_from"] == kept[0]
        assert report.update["version"] == new
        resent = link.stats.downstream_bytes
        assert resent < size - kept[0] + 32 * 1024, (resent, size, kept[0])  # the rest, and metadata of a few KB
        assert engine.run_pass().update is None  # nothing unfinished: the next look is minutes away
    finally:
        link.close()
    staged = json.loads(paths.record.read_text("utf-8"))
    assert staged["version"] == new and staged["sha256"] == update_repo.sha256_file(deb)
    assert (paths.staged / staged["file"]).read_bytes() == deb.read_bytes()
    assert list(paths.partial.iterdir()) == []


def test_a_tampered_package_is_refused_and_nothing_is_staged(terminal: Terminal, sqlite_platform: PlatformServer,
                                                             tmp_path: Path) -> None:
    deb = build_deb(tmp_path, "1.1", payload_bytes=64 * 1024)
    done = update_repo.publish(sqlite_platform.home, deb, "1.1")
    stored = update_repo.targets_dir(sqlite_platform.home) / f"{done.sha256}.{deb.name}"
    data = bytearray(stored.read_bytes())
    data[len(data) // 2] ^= 0xFF  # the platform's disk, a mirror or a proxy changed one byte
    stored.write_bytes(bytes(data))
    credential = _pinned(terminal, sqlite_platform)
    check = _check(terminal, credential)
    assert check.state == "refused"
    assert "篡改" in check.message["zh"] and "tampered" in check.message["en"]
    paths = UpdatePaths.of(terminal.settings)
    assert not paths.record.exists() and not (paths.staged / deb.name).exists()
    assert list(paths.partial.iterdir()) == []  # the bad bytes are not kept to be "resumed"


def test_older_metadata_is_refused_as_a_rollback(terminal: Terminal, sqlite_platform: PlatformServer,
                                                 tmp_path: Path) -> None:
    home = sqlite_platform.home
    update_repo.publish(home, build_deb(tmp_path, "1.1"), "1.1")
    old_timestamp = (update_repo.metadata_dir(home) / "timestamp.json").read_bytes()
    update_repo.publish(home, build_deb(tmp_path, "1.2"), "1.2")
    credential = _pinned(terminal, sqlite_platform)
    assert _check(terminal, credential).version == "1.2"  # the terminal has seen the newer metadata
    (update_repo.metadata_dir(home) / "timestamp.json").write_bytes(old_timestamp)  # an attacker replays the old
    check = _check(terminal, credential)
    assert check.state == "refused"
    assert "回滚" in check.message["zh"] and "rollback" in check.message["en"]


def test_an_expired_timestamp_is_refused_as_a_freeze_until_the_platform_renews_it(
        terminal: Terminal, sqlite_platform: PlatformServer, tmp_path: Path) -> None:
    home = sqlite_platform.home
    long_ago = datetime.now(timezone.utc) - timedelta(days=update_repo.TIMESTAMP_DAYS + 1)
    update_repo.publish(home, build_deb(tmp_path, "1.1"), "1.1", now=long_ago)
    credential = _pinned(terminal, sqlite_platform)
    check = _check(terminal, credential)
    assert check.state == "refused"
    assert "过期" in check.message["zh"] and "expired" in check.message["en"]
    assert not UpdatePaths.of(terminal.settings).record.exists()
    assert main(["platform", "renew-update-timestamp", "--home", str(home)]) == 0
    assert _check(terminal, credential).state == "staged"


def test_publish_refuses_bad_input_and_changes_nothing(sqlite_platform: PlatformServer, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    home = sqlite_platform.home
    deb = build_deb(tmp_path, "1.1")
    assert main(["platform", "publish-update", "--home", str(home), str(deb), "--version", "1.1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["targets_version"] == 2
    before = _snapshot_of(update_repo.updates_dir(home))
    not_a_deb = tmp_path / "onewindow_9.9_all.deb"
    not_a_deb.write_bytes(b"<html>login</html>")
    renamed = tmp_path / "other_1.1_all.deb"
    shutil.copyfile(deb, renamed)
    cases = [
        ([str(build_deb(tmp_path, "1.3")), "--version", "1.4"], "1.3", "version_mismatch"),
        ([str(tmp_path / "missing.deb"), "--version", "1.5"], "missing.deb", "no_file"),
        ([str(not_a_deb), "--version", "9.9"], "Debian", "not_a_package"),
        ([str(renamed), "--version", "1.1"], "already published", "already_published"),
        ([str(deb), "--version", "../1"], "invalid", "bad_version"),
    ]
    for args, said, _code in cases:
        assert main(["platform", "publish-update", "--home", str(home), *args]) == 2
        err = capsys.readouterr().err
        assert said in err and any("\u4e00" <= c <= "\u9fff" for c in err), err
    assert _snapshot_of(update_repo.updates_dir(home)) == before


def test_metadata_and_packages_are_for_enrolled_devices_and_ranges_are_honoured(
        terminal: Terminal, sqlite_platform: PlatformServer, tmp_path: Path) -> None:
    import requests

    deb = build_deb(tmp_path, "1.1", payload_bytes=10_000)
    done = update_repo.publish(sqlite_platform.home, deb, "1.1")
    url = sqlite_platform.url(f"/api/v1/updates/targets/{done.sha256}.{deb.name}")
    assert requests.get(url, timeout=5).status_code == 401
    credential = enroll(terminal, sqlite_platform)
    auth = {"Authorization": f"Bearer {credential.token}"}
    part = requests.get(url, headers={**auth, "Range": "bytes=100-"}, timeout=5)
    assert part.status_code == 206 and part.content == deb.read_bytes()[100:]
    assert requests.get(sqlite_platform.url("/api/v1/updates/targets/..%2Fkeys%2Froot.pem"), headers=auth,
                        timeout=5).status_code == 404
    assert requests.get(sqlite_platform.url("/api/v1/updates/metadata/root.pem"), headers=auth,
                        timeout=5).status_code == 404


def test_a_repository_nobody_publishes_to_is_renewed_and_terminals_follow_the_new_root(
        terminal: Terminal, sqlite_platform: PlatformServer, tmp_path: Path) -> None:
    home = sqlite_platform.home
    update_repo.publish(home, build_deb(tmp_path, "1.1"), "1.1")
    credential = _pinned(terminal, sqlite_platform)
    assert _check(terminal, credential).state == "staged"
    # the daily timer, run eleven months on: root and targets near their expiry are re-signed as well
    later = datetime.now(timezone.utc) + timedelta(days=update_repo.ROOT_DAYS - 30)
    signed = update_repo.renew(home, now=later)
    assert signed == {"root": 2, "targets": 3, "snapshot": 3, "timestamp": 3}, signed
    assert update_repo.renew(home, now=later) == {"timestamp": 4}  # nothing else near expiry any more
    assert _check(terminal, credential).state == "staged"
    history = UpdatePaths.of(terminal.settings).metadata / "root_history"
    assert (history / "2.root.json").read_bytes() == (update_repo.metadata_dir(home) / "2.root.json").read_bytes()


def test_enrollment_pins_the_update_root_and_the_commands_fetch_by_hand(
        tmp_path: Path, sqlite_platform: PlatformServer, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "terminal"
    home.mkdir()
    code = sqlite_platform.enroll_code()
    assert main(["--home", str(home), "enroll", "--platform", sqlite_platform.url(), "--code", code]) == 0
    capsys.readouterr()
    from kiosk.settings import load_settings

    paths = UpdatePaths.of(load_settings(home))
    assert paths.trusted_root.read_bytes() == (update_repo.metadata_dir(sqlite_platform.home) / "1.root.json").read_bytes()
    assert main(["update", "pin", "--home", str(home)]) == 0  # never replaced: a new root comes as a rotation
    assert "Already pinned" in capsys.readouterr().out
    current = installed_version()
    update_repo.publish(sqlite_platform.home, build_deb(tmp_path, f"{current}+upd2"), f"{current}+upd2")
    assert main(["update", "check", "--json", "--home", str(home)]) == 0
    check = json.loads(capsys.readouterr().out)
    assert check["state"] == "staged" and check["version"] == f"{current}+upd2"
    assert json.loads(paths.record.read_text())["version"] == f"{current}+upd2"
