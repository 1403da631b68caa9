"""The root helper (sync.update_install) for real: packages published on a real platform, fetched and staged
by the terminal, then installed by the helper as a subprocess into a throw-away dpkg root. A healthy
update stays; one that fails its health check is rolled back to the previous package; nothing is
installed during opening hours, from a package swapped in the data dir, or without a way back."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from kiosk.terminal import Terminal
from sync.credentials import Credential
from sync.server import update_repo
from sync.updates import UpdatePaths, check_for_update, pin_root
from tests.sync.conftest import enroll
from tests.sync.servers import PlatformServer
from tests.sync.update_debs import DpkgRoot, build_deb

NIGHT = "2026-03-02T22:30:00"  # a Monday evening, after closing
MORNING = "2026-03-02T10:00:00"


def _config(tmp_path: Path, terminal: Terminal, root: DpkgRoot) -> Path:
    config = {
        "staging_dirs": [str(UpdatePaths.of(terminal.settings).root)],
        "state_dir": str(tmp_path / "helper-state"),
        "opening_hours": "08:30-17:30",
        "open_weekdays": [1, 2, 3, 4, 5],
        "install_command": root.install_command(),
        "installed_version_command": root.version_command(),
        "restart_command": [],
        "health_commands": [[str(root.health)]],
        "health_timeout": 1.0,
        "health_interval": 0.2,
    }
    path = tmp_path / "update.toml"
    path.write_text("\n".join(f"{k} = {json.dumps(v)}" for k, v in config.items()) + "\n", "utf-8")
    return path


def _helper(config: Path, now: str = NIGHT) -> tuple[int, dict]:
    done = subprocess.run([sys.executable, "-m", "sync.update_install", "--config", str(config), "--now", now],
                          capture_output=True, text=True, timeout=120)
    return done.returncode, json.loads(done.stdout)


def _staged(terminal: Terminal, credential: Credential, current: str) -> str | None:
    check = check_for_update(terminal.settings, credential.platform_url, credential.token, current=current,
                             arch="amd64")
    assert check.state == "staged", check
    return check.previous


def _ready(terminal: Terminal, platform: PlatformServer, tmp_path: Path) -> tuple[Credential, DpkgRoot, Path]:
    """Version 1.0 installed by the technician, published on the platform together with 1.1."""
    root = DpkgRoot(tmp_path / "sysroot")
    first = build_deb(tmp_path, "1.0")
    root.install(first)
    update_repo.publish(platform.home, first, "1.0")
    update_repo.publish(platform.home, build_deb(tmp_path, "1.1"), "1.1")
    credential = enroll(terminal, platform)
    pin_root(terminal.settings, credential.platform_url, credential.token)
    return credential, root, _config(tmp_path, terminal, root)


def test_a_healthy_update_is_installed_and_a_failing_one_rolled_back(terminal: Terminal,
                                                                     sqlite_platform: PlatformServer,
                                                                     tmp_path: Path) -> None:
    credential, root, config = _ready(terminal, sqlite_platform, tmp_path)
    assert _staged(terminal, credential, current="1.0") == "1.0"  # the way back is fetched with the update

    code, outcome = _helper(config)
    assert (code, outcome["state"]) == (0, "installed"), outcome
    assert root.version() == "1.1"
    assert (root.path / "opt/onewindow/VERSION").read_text().strip() == "1.1"
    check = check_for_update(terminal.settings, credential.platform_url, credential.token, current="1.1",
                             arch="amd64")  # the terminal's next look: up to date, the staged files go
    assert check.state == "current" and not list(UpdatePaths.of(terminal.settings).staged.iterdir())

    update_repo.publish(sqlite_platform.home, build_deb(tmp_path, "1.2", healthy=False), "1.2")
    _staged(terminal, credential, current="1.1")
    code, outcome = _helper(config)
    assert (code, outcome["state"]) == (1, "rolled_back"), outcome
    assert outcome["version"] == "1.2" and outcome["previous"] == "1.1"
    assert root.version() == "1.1"  # dpkg's own database says the previous package is back
    assert (root.path / "opt/onewindow/VERSION").read_text().strip() == "1.1"
    assert subprocess.run([str(root.health)]).returncode == 0

    code, outcome = _helper(config)  # the next night: the version that failed here is not tried again
    assert (code, outcome["state"]) == (0, "skipped") and "failed its health check" in outcome["detail"]
    assert root.version() == "1.1"
    state = json.loads((tmp_path / "helper-state/state.json").read_text())
    assert state["failed_versions"] == ["1.2"] and state["last"]["state"] == "rolled_back"


def test_nothing_is_installed_during_opening_hours(terminal: Terminal, sqlite_platform: PlatformServer,
                                                   tmp_path: Path) -> None:
    credential, root, config = _ready(terminal, sqlite_platform, tmp_path)
    _staged(terminal, credential, current="1.0")
    code, outcome = _helper(config, now=MORNING)
    assert (code, outcome["state"]) == (0, "waiting") and "08:30-17:30" in outcome["detail"]
    assert root.version() == "1.0"
    code, outcome = _helper(config, now="2026-03-07T10:00:00")  # Saturday: the hall is closed
    assert (code, outcome["state"]) == (0, "installed")
    assert root.version() == "1.1"


def test_a_package_swapped_in_the_data_dir_after_staging_is_refused(terminal: Terminal,
                                                                    sqlite_platform: PlatformServer,
                                                                    tmp_path: Path) -> None:
    credential, root, config = _ready(terminal, sqlite_platform, tmp_path)
    _staged(terminal, credential, current="1.0")
    paths = UpdatePaths.of(terminal.settings)
    record = json.loads(paths.record.read_text())
    (tmp_path / "evil").mkdir()
    evil = build_deb(tmp_path / "evil", "1.1")  # same name and version, other content
    shutil.copyfile(evil, paths.staged / record["file"])  # the unprivileged user (or malware as it) swaps it
    code, outcome = _helper(config)
    assert (code, outcome["state"]) == (3, "refused") and "LengthOrHashMismatch" in outcome["detail"]
    assert root.version() == "1.0"
    assert not list((tmp_path / "helper-state/packages").glob("*1.1*"))


def test_no_update_without_a_package_to_roll_back_to(terminal: Terminal, sqlite_platform: PlatformServer,
                                                     tmp_path: Path) -> None:
    root = DpkgRoot(tmp_path / "sysroot")
    root.install(build_deb(tmp_path, "1.0"))  # installed, but never published: no way back
    update_repo.publish(sqlite_platform.home, build_deb(tmp_path, "1.1"), "1.1")
    credential = enroll(terminal, sqlite_platform)
    pin_root(terminal.settings, credential.platform_url, credential.token)
    assert _staged(terminal, credential, current="1.0") is None
    code, outcome = _helper(_config(tmp_path, terminal, root))
    assert (code, outcome["state"]) == (3, "refused") and "roll back" in outcome["detail"]
    assert root.version() == "1.0"


def test_a_malformed_helper_configuration_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "update.toml"
    config.write_text('opening_hours = "8 till late"\n', "utf-8")
    done = subprocess.run([sys.executable, "-m", "sync.update_install", "--config", str(config)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "update.toml" in done.stderr
    config.write_text('install_comand = ["dpkg"]\n', "utf-8")
    done = subprocess.run([sys.executable, "-m", "sync.update_install", "--config", str(config)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "install_comand" in done.stderr


def test_the_readme_shows_the_helper_defaults() -> None:
    import tomllib
    from dataclasses import asdict

    from sync.update_install import HelperConfig

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    example = tomllib.loads(readme.split("## Updates", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0])
    defaults = asdict(HelperConfig())
    assert example and {k: defaults[k] for k in example} == example
