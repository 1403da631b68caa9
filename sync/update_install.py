"""The root helper that installs a staged update: `python -m sync.update_install [--config FILE]`.

Run by `onewindow-update.service` from its timer. The terminal (an unprivileged user) only fetches and
stages; this program alone, as root, changes the system, so it trusts nothing the terminal wrote:
1. it does nothing during opening hours (a citizen may be at the kiosk);
2. it copies the staged packages into its own root-owned directory and verifies those copies with TUF
   against its own trust anchor (the terminal's pinned root, adopted on the helper's first run, advanced
   only by rotations signed by the root before it), so a package swapped in the data dir is refused;
3. it keeps the installed version's package (from its last install, or the verified package of that
   version the terminal fetched) and refuses to start without one: there must be a way back;
4. it installs, restarts the service, and runs the health check until it passes or the time limit runs
   out; on failure it reinstalls the previous package, and remembers the version as bad so the next night
   does not try it again.
Every step is a configured command, so tests run it for real on throw-away packages in a scratch dpkg root.

Exit codes: 0 nothing to do or installed, 1 the update failed and was rolled back (or could not be), 2 the
configuration is unusable, 3 refused (verification failed, or no package to roll back to).
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, time as dtime
from pathlib import Path
from typing import Any

from tuf.api import exceptions
from tuf.ngclient._internal.trusted_metadata_set import TrustedMetadataSet
from tuf.ngclient.config import EnvelopeType

from sync.deb_version import compare

log = logging.getLogger("onewindow.update.install")
DEFAULT_CONFIG = Path("/etc/onewindow/update.toml")
EXIT_OK, EXIT_FAILED, EXIT_CONFIG, EXIT_REFUSED = 0, 1, 2, 3


@dataclass
class HelperConfig:
    """The helper's settings (`/etc/onewindow/update.toml`); every command is a list of arguments where
    `{package}` is the .deb to install and `{home}` the terminal's data dir."""
    staging_dirs: list[str] = field(default_factory=lambda: [
        "/var/lib/onewindow/kiosk/updates", "/var/lib/onewindow/counter/updates"])
    state_dir: str = "/var/lib/onewindow-update"
    opening_hours: str = "08:00-18:00"  # local time; "" for none
    open_weekdays: list[int] = field(default_factory=lambda: [1, 2, 3, 4, 5, 6, 7])  # ISO: 1 Monday
    install_command: list[str] = field(default_factory=lambda: [
        "dpkg", "--force-confold", "--force-downgrade", "-i", "{package}"])
    installed_version_command: list[str] = field(default_factory=lambda: [
        "dpkg-query", "-W", "-f=${Version}", "onewindow"])
    restart_command: list[str] = field(default_factory=lambda: [
        "systemctl", "try-restart", "onewindow-kiosk.service", "onewindow-hub.service"])
    health_commands: list[list[str]] = field(default_factory=lambda: [
        ["runuser", "-u", "onewindow", "--", "env", "QT_QPA_PLATFORM=offscreen", "/opt/onewindow/bin/onewindow",
         "--home", "{home}", "doctor", "--json"]])
    health_timeout: float = 180.0  # seconds the new version has to pass every health command
    health_interval: float = 5.0  # between attempts: a service coming back takes a few seconds
    command_timeout: float = 600.0

    @classmethod
    def load(cls, path: Path) -> "HelperConfig":
        if not path.exists():
            return cls()
        raw = tomllib.loads(path.read_text("utf-8"))
        known = set(cls.__dataclass_fields__)
        unknown = set(raw) - known
        if unknown:
            raise ValueError(f"{path}: unknown settings {', '.join(sorted(unknown))}")
        config = cls(**raw)
        config.opening_window()  # refuse a malformed window now, not at night
        return config

    def opening_window(self) -> tuple[dtime, dtime] | None:
        if not self.opening_hours.strip():
            return None
        start, _, end = self.opening_hours.partition("-")
        return dtime.fromisoformat(start.strip()), dtime.fromisoformat(end.strip())


@dataclass
class Outcome:
    state: str  # nothing, waiting, current, skipped, refused, installed, rolled_back, rollback_failed
    detail: str = ""
    version: str | None = None
    previous: str | None = None
    log: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"state": self.state, "detail": self.detail, "version": self.version, "previous": self.previous,
                "log": self.log}


def is_open(config: HelperConfig, now: datetime) -> bool:
    window = config.opening_window()
    if window is None or now.isoweekday() not in config.open_weekdays:
        return False
    start, end = window
    t = now.time()
    return start <= t < end if start <= end else (t >= start or t < end)


def _fill(cmd: list[str], **values: str) -> list[str]:
    return [arg.format(**values) if "{" in arg else arg for arg in cmd]


def _run(cmd: list[str], timeout: float, out: Outcome) -> bool:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        out.log.append(f"{cmd[0]}: {type(exc).__name__}: {exc}")
        return False
    tail = (done.stdout + done.stderr).strip().splitlines()[-3:]
    out.log.append(f"{' '.join(cmd[:3])}... -> {done.returncode}" + (f": {' | '.join(tail)}" if tail else ""))
    return done.returncode == 0


def verify_staged(anchor: Path, metadata: Path, files: dict[str, tuple[Path, str]]) -> None:
    """Checks each file against the targets that `metadata` (ngclient's cache, written by the terminal)
    proves from `anchor`: root chain, timestamp, snapshot, targets, then length and SHA-256, and the
    version the targets entry names. Raises tuf's RepositoryError when anything does not hold; on
    success the anchor is advanced to the newest root verified."""
    trusted = TrustedMetadataSet(anchor.read_bytes(), EnvelopeType.METADATA)
    newest_root: bytes | None = None
    version = trusted.root.version + 1
    while (metadata / "root_history" / f"{version}.root.json").is_file():
        newest_root = (metadata / "root_history" / f"{version}.root.json").read_bytes()
        trusted.update_root(newest_root)
        version += 1
    trusted.update_timestamp((metadata / "timestamp.json").read_bytes())
    trusted.update_snapshot((metadata / "snapshot.json").read_bytes())
    trusted.update_targets((metadata / "targets.json").read_bytes())
    for target, (path, expected_version) in files.items():
        info = trusted.targets.targets.get(target)
        if info is None:
            raise exceptions.RepositoryError(f"{target} is not among the signed targets")
        custom = info.unrecognized_fields.get("custom") or {}
        if custom.get("version") != expected_version:
            raise exceptions.RepositoryError(f"{target} is signed as version {custom.get('version')}, "
                                             f"not {expected_version}")
        with open(path, "rb") as fh:
            info.verify_length_and_hashes(fh)
    if newest_root is not None:
        _write_root(anchor, newest_root)


def _write_root(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


class Helper:
    def __init__(self, config: HelperConfig) -> None:
        self.config = config
        self.state_dir = Path(config.state_dir)
        self.packages = self.state_dir / "packages"
        self.anchor = self.state_dir / "trusted-root.json"
        self.state_file = self.state_dir / "state.json"

    def _state(self) -> dict[str, Any]:
        try:
            data = json.loads(self.state_file.read_text("utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def _save_state(self, **changes: Any) -> None:
        state = {**self._state(), **changes}
        tmp = self.state_file.with_name("state.json.tmp")
        tmp.write_text(json.dumps(state, indent=2, ensure_ascii=False), "utf-8")
        os.replace(tmp, self.state_file)

    def _staging(self) -> tuple[Path, dict[str, Any]] | None:
        for d in self.config.staging_dirs:
            record = Path(d) / "staged" / "staged.json"
            try:
                data = json.loads(record.read_text("utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(data, dict) and isinstance(data.get("version"), str):
                return Path(d), data
        return None

    def installed_version(self, out: Outcome) -> str | None:
        try:
            done = subprocess.run(self.config.installed_version_command, capture_output=True, text=True,
                                  timeout=self.config.command_timeout)
        except (OSError, subprocess.TimeoutExpired) as exc:
            out.log.append(f"installed version unknown: {exc}")
            return None
        return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None

    def healthy(self, home: str, out: Outcome) -> bool:
        """Every health command passes, retried until the time limit: the service takes a moment to return."""
        deadline = time.monotonic() + self.config.health_timeout
        while True:
            if all(_run(_fill(cmd, home=home), self.config.command_timeout, out)
                   for cmd in self.config.health_commands):
                return True
            if time.monotonic() + self.config.health_interval > deadline:
                return False
            time.sleep(self.config.health_interval)

    def _install(self, package: Path, home: str, out: Outcome) -> bool:
        ok = _run(_fill(self.config.install_command, package=str(package), home=home), self.config.command_timeout, out)
        if ok and self.config.restart_command:
            _run(_fill(self.config.restart_command, home=home), self.config.command_timeout, out)
        return ok

    def run(self, now: datetime | None = None) -> Outcome:
        now = now or datetime.now()
        staging = self._staging()
        if staging is None:
            return Outcome("nothing", "no update is staged")
        updates_dir, record = staging
        new_version = record["version"]
        out = Outcome("waiting", version=new_version)
        if is_open(self.config, now):
            out.detail = f"opening hours ({self.config.opening_hours}): the update waits until the hall closes"
            return out
        installed = self.installed_version(out)
        out.previous = installed
        if installed is not None and compare(new_version, installed) <= 0:
            return Outcome("current", f"version {installed} is installed; {new_version} is not newer",
                           version=new_version, previous=installed)
        if new_version in self._state().get("failed_versions", []):
            return Outcome("skipped", f"version {new_version} failed its health check here before; waiting for a "
                                      "newer one", version=new_version, previous=installed)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.state_dir, 0o700)
        self.packages.mkdir(exist_ok=True)
        if not self.anchor.exists():
            pinned = updates_dir / "trusted-root.json"
            if not pinned.is_file():
                return Outcome("refused", f"no trusted root: {pinned} is missing", new_version, installed)
            _write_root(self.anchor, pinned.read_bytes())
            out.log.append(f"adopted the terminal's pinned update root from {pinned}")
        # copies first, then verify the copies: what is installed is exactly what was verified
        new_copy = self.packages / Path(record["file"]).name
        to_verify = {record["target"]: (new_copy, new_version)}
        shutil.copyfile(updates_dir / "staged" / Path(record["file"]).name, new_copy)
        previous_copy = self.packages / f"installed-{installed}.deb" if installed else None
        prev = record.get("previous") or {}
        if previous_copy is not None and not previous_copy.exists() and prev.get("version") == installed:
            staged_prev = updates_dir / "staged" / Path(str(prev.get("file"))).name
            if staged_prev.is_file():
                tmp = previous_copy.with_name(previous_copy.name + ".tmp")
                shutil.copyfile(staged_prev, tmp)
                to_verify[str(prev["target"])] = (tmp, installed or "")
        try:
            verify_staged(self.anchor, updates_dir / "metadata", to_verify)
        except (exceptions.RepositoryError, OSError, ValueError) as exc:
            for path, _v in to_verify.values():
                path.unlink(missing_ok=True)
            return Outcome("refused", f"the staged update did not verify: {type(exc).__name__}: {exc}",
                           new_version, installed, out.log)
        if previous_copy is not None and previous_copy.with_name(previous_copy.name + ".tmp").exists():
            os.replace(previous_copy.with_name(previous_copy.name + ".tmp"), previous_copy)
        if previous_copy is None or not previous_copy.exists():
            new_copy.unlink(missing_ok=True)
            return Outcome("refused", f"no package of the installed version {installed} to roll back to: publish "
                                      "it on the platform (publish-update) so terminals fetch it with the update",
                           new_version, installed, out.log)
        home = str(updates_dir.parent)
        if self._install(new_copy, home, out) and self.healthy(home, out):
            kept = self.packages / f"installed-{new_version}.deb"
            os.replace(new_copy, kept)
            for p in self.packages.glob("installed-*.deb"):
                if p not in (kept, previous_copy):
                    p.unlink(missing_ok=True)  # the one installed and the one before it are enough
            out.state, out.detail = "installed", f"{new_version} installed and healthy"
        else:
            failed = self._state().get("failed_versions", [])
            self._save_state(failed_versions=sorted(set(failed) | {new_version}))
            new_copy.unlink(missing_ok=True)
            if self._install(previous_copy, home, out) and self.healthy(home, out):
                out.state, out.detail = "rolled_back", f"{new_version} failed its health check; {installed} reinstalled"
            else:
                out.state, out.detail = "rollback_failed", (f"{new_version} failed and {installed} could not be "
                                                            "brought back healthy: a technician is needed")
        return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="onewindow-update", description="install a verified staged OneWindow "
                                                                         "update outside opening hours (as root)")
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--now", default=None, help="the local time to judge opening hours by (ISO; for tests)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    try:
        config = HelperConfig.load(args.config)
        now = datetime.fromisoformat(args.now) if args.now else None
    except (OSError, ValueError, TypeError, tomllib.TOMLDecodeError) as exc:
        print(json.dumps({"state": "config", "detail": f"{args.config}: {exc}"}), file=sys.stderr)
        return EXIT_CONFIG
    helper = Helper(config)
    outcome = helper.run(now)
    if outcome.state not in ("nothing", "waiting", "current", "skipped"):
        helper.state_dir.mkdir(parents=True, exist_ok=True)
        helper._save_state(last=outcome.as_dict() | {"at": datetime.now().isoformat(timespec="seconds")})
    print(json.dumps(outcome.as_dict(), ensure_ascii=False))
    return {"refused": EXIT_REFUSED, "rolled_back": EXIT_FAILED, "rollback_failed": EXIT_FAILED}.get(
        outcome.state, EXIT_OK)


if __name__ == "__main__":
    sys.exit(main())
