"""The platform's TUF repository of OneWindow packages (python-tuf's Metadata API).

Terminals trust a package only through The Update Framework: root names the keys of each role, targets
lists each package with its length, SHA-256 and version, snapshot pins the targets version and timestamp
pins the snapshot version. Every role is signed, versioned and expires, so a mirror or proxy that serves a
changed package (tampering), older metadata (rollback) or stale metadata forever (freeze) is refused by
`tuf.ngclient` on the terminal.

Layout under `<platform home>/updates/`:
- `keys/{root,targets,snapshot,timestamp}.pem` — Ed25519 private keys, 0600. In production the root key
  (and preferably the targets key) belongs offline, on a machine or token that signs only when the root is
  rotated or a release is published; only snapshot and timestamp need to stay on the platform, since they
  are re-signed whenever metadata changes or the timestamp nears expiry. This reference platform keeps all
  four in its home so a county can run it on one machine.
- `repository/metadata/` — `N.root.json`, `N.targets.json`, `N.snapshot.json` (consistent snapshots) and
  `timestamp.json`, as the terminal's `Updater` asks for them.
- `repository/targets/<sha256>.<name>` — the packages, named by content so a file never changes under a
  download that resumes with a Range request.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import (
    TOP_LEVEL_ROLE_NAMES,
    MetaFile,
    Metadata,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

from kiosk.errors import Message, UserFacingError
from sync.server.licence_signing import ed25519_key_file

ROOT_DAYS = 365
TARGETS_DAYS = 90
SNAPSHOT_DAYS = 30
TIMESTAMP_DAYS = 7  # a terminal offline for longer fetches a fresh timestamp when its link returns
VERSION_RE = re.compile(r"[0-9][A-Za-z0-9.+~-]{0,63}")
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+~-]{0,127}\.deb")
_lock = threading.Lock()


class PublishRefused(UserFacingError):
    pass


@dataclass(frozen=True)
class Published:
    name: str
    version: str
    arch: str
    sha256: str
    length: int
    targets_version: int


def updates_dir(home: Path) -> Path:
    return home / "updates"


def metadata_dir(home: Path) -> Path:
    return updates_dir(home) / "repository" / "metadata"


def targets_dir(home: Path) -> Path:
    return updates_dir(home) / "repository" / "targets"


def _signer(home: Path, role: str) -> CryptoSigner:
    """The role's key, made 0600 on first use (never overwritten: a second process links, not replaces)."""
    path = updates_dir(home) / "keys" / f"{role}.pem"
    if not path.parent.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
    return CryptoSigner(ed25519_key_file(path))


def _expiry(now: datetime, days: int) -> datetime:
    return (now + timedelta(days=days)).replace(microsecond=0)


def _write(path: Path, md: Metadata) -> None:
    data = md.to_bytes(JSONSerializer(compact=False))
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _latest(home: Path, role: str) -> Metadata | None:
    versions = [int(p.name.split(".", 1)[0]) for p in metadata_dir(home).glob(f"*.{role}.json")
                if p.name.split(".", 1)[0].isdigit()]
    if not versions:
        return None
    return Metadata.from_file(str(metadata_dir(home) / f"{max(versions)}.{role}.json"))


def ensure_repository(home: Path, now: datetime | None = None) -> None:
    """Creates keys, root v1 and an empty targets/snapshot/timestamp the first time; harmless afterwards."""
    with _lock:
        if (metadata_dir(home) / "1.root.json").exists():
            return
        now = now or datetime.now(timezone.utc)
        metadata_dir(home).mkdir(parents=True, exist_ok=True)
        targets_dir(home).mkdir(parents=True, exist_ok=True)
        root = Root(expires=_expiry(now, ROOT_DAYS), consistent_snapshot=True)
        signers = {role: _signer(home, role) for role in TOP_LEVEL_ROLE_NAMES}
        for role, signer in signers.items():
            root.add_key(signer.public_key, role)
        md = Metadata(root)
        md.sign(signers[Root.type])
        _write(metadata_dir(home) / "1.root.json", md)
        _sign_chain(home, Targets(expires=_expiry(now, TARGETS_DAYS)), now)


def _sign_chain(home: Path, targets: Targets, now: datetime) -> None:
    """Signs `targets` (its version already set) and a new snapshot and timestamp that pin it."""
    t_md = Metadata(targets)
    t_md.sign(_signer(home, Targets.type))
    _write(metadata_dir(home) / f"{targets.version}.targets.json", t_md)
    _sign_snapshot(home, targets.version, now)


def _sign_snapshot(home: Path, targets_version: int, now: datetime) -> None:
    prior_snap = _latest(home, Snapshot.type)
    snapshot = Snapshot(version=prior_snap.signed.version + 1 if prior_snap else 1, expires=_expiry(now, SNAPSHOT_DAYS),
                        meta={"targets.json": MetaFile(version=targets_version)})
    s_md = Metadata(snapshot)
    s_md.sign(_signer(home, Snapshot.type))
    _write(metadata_dir(home) / f"{snapshot.version}.snapshot.json", s_md)
    sign_timestamp(home, now, snapshot_version=snapshot.version)


def sign_timestamp(home: Path, now: datetime | None = None, *, snapshot_version: int | None = None) -> int:
    """A new timestamp (version bumped, expiry renewed) for the latest snapshot; what a platform's timer
    runs before the last one expires, so terminals never see a frozen repository. Returns its version."""
    now = now or datetime.now(timezone.utc)
    path = metadata_dir(home) / "timestamp.json"
    prior = Metadata.from_file(str(path)).signed.version if path.exists() else 0
    if snapshot_version is None:
        snap = _latest(home, Snapshot.type)
        if snap is None:
            raise FileNotFoundError("no snapshot yet: the repository was never created")
        snapshot_version = snap.signed.version
    ts = Metadata(Timestamp(version=prior + 1, expires=_expiry(now, TIMESTAMP_DAYS),
                            snapshot_meta=MetaFile(version=snapshot_version)))
    ts.sign(_signer(home, Timestamp.type))
    _write(path, ts)
    return prior + 1


def renew(home: Path, now: datetime | None = None) -> dict[str, int]:
    """What the platform's daily timer runs: a new timestamp always; snapshot, targets and root re-signed
    (versions bumped, expiry renewed) when they would expire within a third of their lifetime, so a
    repository nobody publishes to never freezes terminals out. With the root and targets keys offline
    (production), those two are renewed on the offline machine instead. Returns the versions signed."""
    now = now or datetime.now(timezone.utc)
    ensure_repository(home, now)
    signed: dict[str, int] = {}
    with _lock:
        root_md = _latest(home, Root.type)
        assert root_md is not None
        if root_md.signed.expires - now < timedelta(days=ROOT_DAYS // 3):
            root_md.signed.version += 1
            root_md.signed.expires = _expiry(now, ROOT_DAYS)
            root_md.signatures.clear()
            root_md.sign(_signer(home, Root.type))
            _write(metadata_dir(home) / f"{root_md.signed.version}.root.json", root_md)
            signed["root"] = root_md.signed.version
        targets_md = _latest(home, Targets.type)
        snapshot_md = _latest(home, Snapshot.type)
        assert targets_md is not None and snapshot_md is not None
        if targets_md.signed.expires - now < timedelta(days=TARGETS_DAYS // 3) or \
                snapshot_md.signed.expires - now < timedelta(days=SNAPSHOT_DAYS // 3):
            targets: Targets = targets_md.signed  # type: ignore[assignment]
            if targets.expires - now < timedelta(days=TARGETS_DAYS // 3):
                targets.version += 1
                targets.expires = _expiry(now, TARGETS_DAYS)
                signed["targets"] = targets.version
                _sign_chain(home, targets, now)
            else:
                _sign_snapshot(home, targets.version, now)
            snapshot_after = _latest(home, Snapshot.type)
            assert snapshot_after is not None
            signed["snapshot"] = snapshot_after.signed.version
            signed["timestamp"] = Metadata.from_file(str(metadata_dir(home) / "timestamp.json")).signed.version
            return signed
    signed["timestamp"] = sign_timestamp(home, now)
    return signed


def _deb_field(path: Path, name: str) -> str | None:
    try:
        out = subprocess.run(["dpkg-deb", "-f", str(path), name], capture_output=True, text=True, timeout=60)
    except FileNotFoundError:  # a platform on a machine without dpkg: the operator's --version is taken as is
        return None
    if out.returncode != 0:
        raise PublishRefused(Message(f"{path.name} 不是有效的 Debian 软件包：{out.stderr.strip()[:200]}",
                                     f"{path.name} is not a valid Debian package: {out.stderr.strip()[:200]}"),
                             code="not_a_package")
    return out.stdout.strip()


def publish(home: Path, package: Path, version: str, now: datetime | None = None) -> Published:
    """Adds `package` as a target and re-signs targets, snapshot and timestamp (each version bumped).

    Refuses a version that does not match the package's own, one already published, and anything that
    is not a readable .deb, changing nothing."""
    if not VERSION_RE.fullmatch(version):
        raise PublishRefused(Message(f"版本号“{version}”无效：须以数字开头，只含字母、数字和 . + ~ -。",
                                     f"The version '{version}' is invalid: it must start with a digit and hold only "
                                     "letters, digits and . + ~ -."), code="bad_version")
    if not package.is_file():
        raise PublishRefused(Message(f"找不到软件包文件 {package}。", f"The package file {package} does not exist."),
                             code="no_file")
    if not NAME_RE.fullmatch(package.name):
        raise PublishRefused(Message(f"软件包文件名 {package.name} 无效：须为字母数字组成、以 .deb 结尾。",
                                     f"The package file name {package.name} is invalid: letters and digits ending "
                                     "in .deb."), code="bad_name")
    declared = _deb_field(package, "Version")
    if declared is not None and declared != version:
        raise PublishRefused(Message(f"软件包自身的版本为 {declared}，与 --version {version} 不符。",
                                     f"The package says it is version {declared}, not --version {version}."),
                             code="version_mismatch")
    arch = _deb_field(package, "Architecture") or "all"
    now = now or datetime.now(timezone.utc)
    ensure_repository(home, now)
    with _lock:
        prior = _latest(home, Targets.type)
        assert prior is not None  # ensure_repository made version 1
        targets: Targets = prior.signed  # type: ignore[assignment]
        for existing in targets.targets.values():
            if existing.unrecognized_fields.get("custom", {}).get("version") == version and \
                    existing.unrecognized_fields.get("custom", {}).get("arch") == arch:
                raise PublishRefused(Message(f"版本 {version}（{arch}）已经发布过，不能再次发布。",
                                             f"Version {version} ({arch}) is already published; it cannot be "
                                             "published again."), code="already_published")
        info = TargetFile.from_file(package.name, str(package), ["sha256"])
        info.unrecognized_fields["custom"] = {"version": version, "arch": arch}
        sha256 = info.hashes["sha256"]
        stored = targets_dir(home) / f"{sha256}.{package.name}"
        if not stored.exists():
            tmp = stored.with_name(f".{stored.name}.tmp")
            shutil.copyfile(package, tmp)
            os.replace(tmp, stored)
        targets.targets[package.name] = info
        targets.version += 1
        targets.expires = _expiry(now, TARGETS_DAYS)
        _sign_chain(home, targets, now)
        return Published(package.name, version, arch, sha256, info.length, targets.version)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for piece in iter(lambda: fh.read(1 << 20), b""):
            h.update(piece)
    return h.hexdigest()
