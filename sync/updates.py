"""Fetching a new OneWindow version in the background, verified with The Update Framework (tuf.ngclient).

Trust starts from the platform's root metadata, pinned when the terminal enrolls (`pin_root`): each
province runs its own platform with its own keys, so one package built for every province cannot carry
them. The pin is made over the enrollment's authenticated link (TLS to the platform the technician
named, with the device's fresh credential); a terminal enrolled before updates existed pins on its first
`onewindow update pin` instead (trust on first use, over the same authenticated link). Until it is
pinned, the sync pass skips updates. From then on ngclient refuses packages whose hash or length
differ from the signed targets (tampering), metadata older than what the terminal has seen (rollback),
and an expired timestamp (freeze), and follows root rotations signed by the previous root.

Files under `<data dir>/updates/`: `trusted-root.json` (the pin), `metadata/` (ngclient's cache of
trusted metadata), `partial/` (packages being fetched, resumed with Range after a cut), `staged/` (verified
packages) and `staged/staged.json` (what the root helper, sync.update_install, reads: the new version and
the installed version's package to roll back to). The helper verifies the staged files again itself.
"""
from __future__ import annotations

import json
import logging
import os
import re
import subprocess
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version as dist_version
from pathlib import Path
from typing import Any

from tuf.api import exceptions
from tuf.api.metadata import Metadata, Root, TargetFile
from tuf.ngclient import Updater

from kiosk.errors import Message
from kiosk.fsutil import write_atomic
from kiosk.settings import Settings
from sync.client import Timeouts
from sync.deb_version import compare
from sync.update_fetcher import Progress, ResumableFetcher

log = logging.getLogger("onewindow.update")
PACKAGE = "onewindow"
STAGED_RECORD = "staged.json"
TARGET_PATH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+~-]{0,127}\.deb")  # a file name in staged/, never a path


@dataclass(frozen=True)
class UpdatePaths:
    root: Path

    @classmethod
    def of(cls, settings: Settings) -> "UpdatePaths":
        return cls(settings.home / "updates")

    @property
    def trusted_root(self) -> Path:
        return self.root / "trusted-root.json"

    @property
    def metadata(self) -> Path:
        return self.root / "metadata"

    @property
    def partial(self) -> Path:
        return self.root / "partial"

    @property
    def staged(self) -> Path:
        return self.root / "staged"

    @property
    def record(self) -> Path:
        return self.staged / STAGED_RECORD


@dataclass
class UpdateCheck:
    """What one check did; `state` is current, staged, refused, offline or unpinned."""
    state: str
    version: str | None = None
    previous: str | None = None
    downloaded_bytes: int = 0
    resumed_from: int = 0
    message: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def installed_version() -> str:
    """The version dpkg installed (what the root helper compares with), else the Python package's."""
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", PACKAGE], capture_output=True, text=True,
                             timeout=10)
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        return dist_version(PACKAGE)
    except PackageNotFoundError:
        return "0"


def machine_arch() -> str:
    try:
        out = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, timeout=10)
        if out.returncode == 0:
            return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return {"x86_64": "amd64", "aarch64": "arm64"}.get(os.uname().machine, os.uname().machine)


def _urls(platform_url: str) -> tuple[str, str]:
    base = platform_url.rstrip("/")
    return f"{base}/updates/metadata/", f"{base}/updates/targets/"


def pin_root(settings: Settings, platform_url: str, token: str | None, *, verify: bool | str = True,
             timeouts: Timeouts = Timeouts()) -> bool:
    """Pins the platform's first root metadata (1.root.json) as this terminal's trust anchor; never
    replaces a pin (a new root reaches the terminal only as a rotation signed by the old one). True when
    it pinned now. Raises tuf's DownloadError when the platform cannot be asked."""
    paths = UpdatePaths.of(settings)
    if paths.trusted_root.exists():
        return False
    fetcher = ResumableFetcher(paths.partial, token, verify=verify, timeouts=timeouts)
    data = fetcher.download_bytes(_urls(platform_url)[0] + "1.root.json", 512_000)
    md = Metadata.from_bytes(data)
    if not isinstance(md.signed, Root) or md.signed.version != 1:
        raise exceptions.RepositoryError("the platform's 1.root.json is not root metadata of version 1")
    md.signed.verify_delegate(Root.type, md.signed_bytes, md.signatures)  # self-signed by its threshold
    paths.root.mkdir(parents=True, exist_ok=True)
    write_atomic(paths.trusted_root, data)
    log.info("pinned the platform's update root (keys %s)", ", ".join(sorted(md.signed.keys))[:200])
    return True


def _custom(info: TargetFile) -> dict[str, str]:
    custom = info.unrecognized_fields.get("custom")
    return custom if isinstance(custom, dict) else {}


def _choose(updater: Updater, paths: UpdatePaths, current: str, arch: str) -> tuple[TargetFile | None, TargetFile | None]:
    """The newest package for this machine newer than `current`, and the package of `current` itself."""
    # the names listed by the top-level targets ngclient has just verified and cached (nothing is delegated)
    targets = Metadata.from_file(str(paths.metadata / "targets.json")).signed.targets  # type: ignore[attr-defined]
    newest: TargetFile | None = None
    same: TargetFile | None = None
    for path in sorted(targets):
        if not TARGET_PATH.fullmatch(path):
            continue
        info = updater.get_targetinfo(path)  # through ngclient, so delegation rules would apply
        if info is None:
            continue
        custom = _custom(info)
        v, a = str(custom.get("version", "")), str(custom.get("arch", ""))
        if not v or a not in (arch, "all"):
            continue
        if compare(v, current) == 0:
            same = info
        elif compare(v, current) > 0 and (newest is None or compare(v, str(_custom(newest)["version"])) > 0):
            newest = info
    return newest, same


def check_for_update(settings: Settings, platform_url: str, token: str | None, *, verify: bool | str = True,
                     timeouts: Timeouts = Timeouts(), current: str | None = None, arch: str | None = None,
                     on_progress: Progress | None = None) -> UpdateCheck:
    """Refreshes the TUF metadata and, when a newer version is published, fetches and stages it with the
    installed version's package (the way back). Nothing is staged unless everything verified."""
    paths = UpdatePaths.of(settings)
    current = current or installed_version()
    arch = arch or machine_arch()
    if not paths.trusted_root.exists():
        return UpdateCheck("unpinned", message=asdict(Message(
            "本终端尚未信任平台的更新根密钥（注册时获取）；请运行 onewindow update pin。",
            "This terminal does not trust the platform's update root yet (it is pinned at enrollment); run "
            "onewindow update pin.")))
    for d in (paths.metadata, paths.partial, paths.staged):
        d.mkdir(parents=True, exist_ok=True)
    fetcher = ResumableFetcher(paths.partial, token, verify=verify, timeouts=timeouts, on_progress=on_progress)
    meta_url, target_url = _urls(platform_url)
    try:
        updater = Updater(str(paths.metadata), meta_url, str(paths.staged), target_url, fetcher=fetcher,
                          bootstrap=paths.trusted_root.read_bytes())
        updater.refresh()
        newest, same = _choose(updater, paths, current, arch)
        if newest is None:
            paths.record.unlink(missing_ok=True)  # installed by the helper (or withdrawn): the disk is freed
            _drop_unlisted(paths, set())
            return UpdateCheck("current", version=current)
        staged = _read_record(paths)
        if staged and staged.get("version") == _custom(newest)["version"] and \
                updater.find_cached_target(newest, str(paths.staged / newest.path)):
            return UpdateCheck("staged", version=staged["version"], previous=(staged.get("previous") or {}).get("version"))
        check = UpdateCheck("staged", version=str(_custom(newest)["version"]))
        wanted = [newest] + ([same] if same is not None else [])
        for info in wanted:
            target = paths.staged / info.path
            if updater.find_cached_target(info, str(target)):
                continue
            incoming = paths.staged / f".{info.path}.incoming"  # the helper never sees a half-written package
            try:
                updater.download_target(info, str(incoming))
            except exceptions.LengthOrHashMismatchError:
                (paths.partial / f"{info.hashes['sha256']}.{info.path}").unlink(missing_ok=True)
                raise
            os.replace(incoming, target)  # ngclient writes a target only after it verified length and hash
            check.downloaded_bytes += info.length - fetcher.resumed_from
            check.resumed_from = max(check.resumed_from, fetcher.resumed_from)
            (paths.partial / f"{info.hashes['sha256']}.{info.path}").unlink(missing_ok=True)
        check.previous = str(_custom(same)["version"]) if same is not None else None
        _write_record(paths, newest, same)
        _drop_unlisted(paths, {newest.path} | ({same.path} if same is not None else set()))
        return check
    except exceptions.DownloadError as exc:
        log.info("update check ended early, link trouble: %s", exc)
        return UpdateCheck("offline", message=_offline(exc))
    except exceptions.RepositoryError as exc:
        log.error("update refused: %s: %s", type(exc).__name__, exc)
        return UpdateCheck("refused", message=_refused(exc))


def _offline(exc: Exception) -> dict[str, str]:
    return asdict(Message(f"无法下载更新（网络中断），下次同步时从中断处继续：{exc}",
                          f"The update could not be fetched (link trouble); the next sync resumes where it stopped: "
                          f"{exc}"))


def _refused(exc: Exception) -> dict[str, str]:
    kind = {
        exceptions.LengthOrHashMismatchError: ("更新包与平台签名的内容不符（可能被篡改），已拒绝并删除。",
                                               "the package does not match what the platform signed (tampered?); "
                                               "it was refused and deleted"),
        exceptions.BadVersionNumberError: ("平台的更新元数据比本机已见过的旧（回滚攻击？），已拒绝。",
                                           "the platform's update metadata is older than what this terminal has "
                                           "already seen (a rollback attack?); refused"),
        exceptions.ExpiredMetadataError: ("平台的更新元数据已过期（冻结攻击，或平台未续签时间戳），已拒绝。",
                                          "the platform's update metadata has expired (a freeze attack, or the "
                                          "platform did not renew its timestamp); refused"),
        exceptions.UnsignedMetadataError: ("更新元数据的签名无效，已拒绝。", "the update metadata is not properly "
                                                                          "signed; refused"),
    }
    for cls, (zh, en) in kind.items():
        if isinstance(exc, cls):
            return {"zh": f"{zh}（{exc}）", "en": f"{en} ({exc})"}
    return {"zh": f"更新元数据无法验证，已拒绝：{exc}", "en": f"The update metadata could not be verified; refused: {exc}"}


def _read_record(paths: UpdatePaths) -> dict[str, Any] | None:
    try:
        data = json.loads(paths.record.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _entry(info: TargetFile) -> dict[str, Any]:
    return {"version": _custom(info)["version"], "target": info.path, "file": info.path,
            "sha256": info.hashes["sha256"], "length": info.length}


def _write_record(paths: UpdatePaths, newest: TargetFile, same: TargetFile | None) -> None:
    record = {"package": PACKAGE, **_entry(newest), "previous": _entry(same) if same is not None else None,
              "staged_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    write_atomic(paths.record, json.dumps(record, indent=2).encode("utf-8"))


def _drop_unlisted(paths: UpdatePaths, keep: set[str]) -> None:
    """Older staged packages go once a newer version is staged: a kiosk's disk is small."""
    for p in paths.staged.iterdir():
        if p.name != STAGED_RECORD and p.name not in keep and p.suffix == ".deb":
            p.unlink(missing_ok=True)
