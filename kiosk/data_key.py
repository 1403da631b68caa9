"""The terminal's secret keys, kept away from the data dir they protect.

A copied data dir must decrypt nothing: neither the sealed personal fields of
the database nor the attachment files. So the two keys (the attachment key,
32 bytes, and the database's data key, 32 bytes) live together in one secret
outside the data dir, in the key dir (setting `key_dir`; by default the user's
config dir, `~/.config/onewindow/keys`). The data dir holds only `key-id`, a
random name (no secret) that says which secret of the key dir is its own.

The secret is sealed by the machine where it can be: `systemd-creds encrypt`
binds it to the TPM2 when there is one, else to the host key
`/var/lib/systemd/credential.secret` (root only). Where neither works (no
systemd-creds, or a terminal running as an ordinary user who cannot read the
host key) it is a 0600 file in the key dir. `onewindow doctor` says which.

An installation from before this module has its attachment key at
`<data dir>/keys/device.key`. It is moved on start: the new secret is
written, fsynced, read back and compared, and only then is the old file
removed; a crash at any point leaves a key that opens the files.
"""
from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from kiosk.errors import Message, UserFacingError
from kiosk.fsutil import fsync_dir, write_atomic

APP_NAME = "onewindow"
KEY_ID_FILE = "key-id"
CREDENTIAL_NAME = "onewindow-keys"
KEY_BYTES = 32
SECRET_BYTES = 2 * KEY_BYTES  # attachment key, then the database's data key
SYSTEMD_CREDS_TIMEOUT = 60

TOOL = "systemd-creds"
HOST_KEY_PATH = "/var/lib/systemd/credential.secret"
#: how a secret is kept, strongest first: (file suffix, systemd-creds --with-key)
SEALED = (("tpm2", "host+tpm2"), ("host", "host"))
KEY_FILE_SUFFIX = "key"


@dataclass(frozen=True)
class DataKeys:
    attachments: bytes
    database: bytes
    protection: str  # "tpm2" | "host" | "key_file"
    location: Path


class KeyUnavailable(UserFacingError):
    """The data dir names a key this machine does not hold: a copied data dir, or a key dir not mounted."""

    def __init__(self, key_dir: Path, key_id: str, why: Message) -> None:
        super().__init__(Message(
            f"无法打开本机数据：数据目录要求的密钥 {key_id}（在 {key_dir} 中找 {key_id}.*）{why.zh}"
            "个人信息和附件都无法解密。请在原机器上运行，或把密钥目录（设置 key_dir）恢复到位。",
            f"Cannot open this terminal's data: the key {key_id} the data dir needs (looked for {key_id}.* in "
            f"{key_dir}) {why.en} Personal data and attachments cannot be decrypted. Run on the original machine, "
            "or restore its key directory (setting key_dir)."), code="data_key_missing")
        self.key_dir = key_dir
        self.key_id = key_id


def default_key_dir() -> Path:
    explicit = os.environ.get("ONEWINDOW_KEY_DIR")
    if explicit:
        return Path(explicit)
    return Path(platformdirs.user_config_dir(APP_NAME)) / "keys"


def legacy_key_path(home: Path) -> Path:
    """Where the attachment key lived before it moved out of the data dir."""
    return home / "keys" / "device.key"


def read_key_id(home: Path) -> str | None:
    try:
        text = (home / KEY_ID_FILE).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    return str(uuid.UUID(text))


def secret_paths(key_dir: Path, key_id: str) -> list[tuple[str, Path]]:
    """Where the secret of `key_id` may be, strongest protection first."""
    return [(label, key_dir / f"{key_id}.{label}.cred") for label, _ in SEALED] + \
        [("key_file", key_dir / f"{key_id}.{KEY_FILE_SUFFIX}")]


def find_secret(key_dir: Path, key_id: str) -> tuple[str, Path] | None:
    for label, path in secret_paths(key_dir, key_id):
        if path.is_file():
            return label, path
    return None


def _systemd_creds() -> str | None:
    return shutil.which(TOOL)


def _has_tpm2(tool: str) -> bool:
    try:
        return subprocess.run([tool, "has-tpm2"], capture_output=True, timeout=SYSTEMD_CREDS_TIMEOUT).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _seal(secret: bytes, key_dir: Path, key_id: str) -> tuple[str, Path]:
    """Write the secret as strongly as this machine allows; returns (protection, path)."""
    key_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(key_dir, 0o700)
    tool = _systemd_creds()
    if tool is not None and os.environ.get("ONEWINDOW_KEY_SEALING", "auto") != "file":
        for label, with_key in SEALED:
            if label == "tpm2" and not _has_tpm2(tool):
                continue
            path = key_dir / f"{key_id}.{label}.cred"
            tmp = path.with_name(path.name + ".tmp")
            try:
                done = subprocess.run([tool, "encrypt", f"--name={CREDENTIAL_NAME}", f"--with-key={with_key}", "-",
                                       str(tmp)], input=secret, capture_output=True, timeout=SYSTEMD_CREDS_TIMEOUT)
            except (OSError, subprocess.TimeoutExpired):
                continue
            if done.returncode != 0 or not tmp.is_file():
                tmp.unlink(missing_ok=True)
                continue
            os.chmod(tmp, 0o600)
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, path)
            fsync_dir(key_dir)
            return label, path
    path = key_dir / f"{key_id}.{KEY_FILE_SUFFIX}"
    write_atomic(path, secret, mode=0o600)
    return "key_file", path


def _unseal(label: str, path: Path, key_dir: Path, key_id: str) -> bytes:
    if label == "key_file":
        secret = path.read_bytes()
    else:
        tool = _systemd_creds()
        if tool is None:
            raise KeyUnavailable(key_dir, key_id, Message(f"已加密保存，但本机没有 {TOOL}。",
                                                          f"is sealed, but this machine has no {TOOL}."))
        try:
            done = subprocess.run([tool, "decrypt", f"--name={CREDENTIAL_NAME}", str(path), "-"],
                                  capture_output=True, timeout=SYSTEMD_CREDS_TIMEOUT)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise KeyUnavailable(key_dir, key_id, Message(f"无法解封（{exc}）。", f"could not be unsealed ({exc}).")) \
                from None
        if done.returncode != 0:
            why = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["?"]
            raise KeyUnavailable(key_dir, key_id, Message(
                f"无法用本机的{'可信平台模块芯片' if label == 'tpm2' else '主机密钥'}解封（{why[0]}）。",
                f"could not be unsealed with this machine's {'TPM' if label == 'tpm2' else 'host key'} ({why[0]})."))
        secret = done.stdout
    if len(secret) != SECRET_BYTES:
        raise KeyUnavailable(key_dir, key_id, Message("已损坏（长度不对）。", "is damaged (wrong length)."))
    return secret


def _keys(secret: bytes, label: str, path: Path) -> DataKeys:
    return DataKeys(attachments=secret[:KEY_BYTES], database=secret[KEY_BYTES:], protection=label, location=path)


def _retire_legacy(home: Path, keys: DataKeys) -> None:
    """Remove the old in-data-dir attachment key, but only when the new secret holds the same key."""
    legacy = legacy_key_path(home)
    if not legacy.is_file():
        return
    if legacy.read_bytes() != keys.attachments:
        raise UserFacingError(Message(
            f"数据目录中的旧附件密钥 {legacy} 与密钥目录中的不一致，为免丢失数据未做任何改动。请联系技术支持。",
            f"The old attachment key {legacy} in the data dir differs from the one in the key directory; nothing "
            "was changed so that no data is lost. Please contact IT support."), code="data_key_conflict")
    legacy.unlink()
    fsync_dir(legacy.parent)
    try:
        legacy.parent.rmdir()
    except OSError:
        pass  # something else lives there: leave the folder


_cache: dict[tuple[Path, Path], DataKeys] = {}


def load_data_keys(home: Path, key_dir: Path | None = None) -> DataKeys:
    """The keys of the data dir `home`: found in the key dir, or made (moving a legacy key) on first use.

    Never makes a new key for a data dir that names one (`key-id`): that data dir's rows and files were
    sealed under the named key, and a fresh one would only hide that it is missing.
    """
    key_dir = (key_dir or default_key_dir()).absolute()
    home = home.absolute()
    cached = _cache.get((home, key_dir))
    if cached is not None and (home / KEY_ID_FILE).is_file():
        return cached
    key_id = read_key_id(home)
    if key_id is not None:
        found = find_secret(key_dir, key_id)
        if found is None:
            raise KeyUnavailable(key_dir, key_id, Message("不在本机。", "is not on this machine."))
        keys = _keys(_unseal(*found, key_dir, key_id), *found)
        _retire_legacy(home, keys)
        _cache[(home, key_dir)] = keys
        return keys
    legacy = legacy_key_path(home)
    attachments = legacy.read_bytes() if legacy.is_file() else secrets.token_bytes(KEY_BYTES)
    if len(attachments) != KEY_BYTES:
        raise UserFacingError(Message(f"设备密钥文件 {legacy} 已损坏。", f"The device key file {legacy} is damaged."),
                              code="device_key")
    secret = attachments + secrets.token_bytes(KEY_BYTES)
    key_id = str(uuid.uuid4())
    label, path = _seal(secret, key_dir, key_id)
    if _unseal(label, path, key_dir, key_id) != secret:  # read back before anything depends on it
        raise UserFacingError(Message(f"密钥写入 {path} 后读回不一致，未做任何改动。",
                                      f"The key written to {path} read back differently; nothing was changed."),
                              code="data_key_write")
    home.mkdir(parents=True, exist_ok=True)
    write_atomic(home / KEY_ID_FILE, (key_id + "\n").encode("ascii"), mode=0o600)
    keys = _keys(secret, label, path)
    _retire_legacy(home, keys)
    _cache[(home, key_dir)] = keys
    return keys


@dataclass(frozen=True)
class KeyProtection:
    """What `onewindow doctor` reports, read from the files alone (no unsealing)."""

    status: str  # ok | warn | fail
    protection: str  # tpm2 | host | key_file | key_file_in_data_dir | legacy_in_data_dir | missing | not_created
    message: Message
    path: Path | None


def describe_protection(home: Path, key_dir: Path | None = None) -> KeyProtection:
    key_dir = (key_dir or default_key_dir()).absolute()
    home = home.absolute()
    key_id = read_key_id(home)
    legacy = legacy_key_path(home)
    if key_id is None:
        if legacy.is_file():
            return KeyProtection("warn", "legacy_in_data_dir", Message(
                f"附件密钥仍在数据目录中（{legacy}），复制数据目录即可解密；下次启动时会移到 {key_dir}。",
                f"The attachment key is still inside the data dir ({legacy}): a copy of the data dir decrypts "
                f"everything; it moves to {key_dir} at the next start."), legacy)
        return KeyProtection("warn", "not_created", Message("密钥尚未生成（首次打开数据库时生成）。",
                                                            "No key yet (made when the store is first opened)."), None)
    found = find_secret(key_dir, key_id)
    if found is None:
        return KeyProtection("fail", "missing", Message(
            f"数据目录要求的密钥 {key_id} 不在 {key_dir} 中：个人信息和附件无法解密。",
            f"The key {key_id} the data dir needs is not in {key_dir}: personal data and attachments cannot be "
            "decrypted."), None)
    label, path = found
    inside = path.is_relative_to(home)
    if label == "tpm2":
        return KeyProtection("ok", label, Message(f"密钥由本机的可信平台模块芯片封存（{TOOL}，{path}）。",
                                                  f"The key is sealed by this machine's TPM2 ({TOOL}, {path})."),
                             path)
    if label == "host":
        return KeyProtection("ok", label, Message(
            f"密钥用本机主机密钥 {HOST_KEY_PATH} 封存（{TOOL}，{path}）；本机没有可信平台模块芯片。",
            f"The key is sealed with this machine's host key {HOST_KEY_PATH} ({TOOL}, {path}); no TPM2 here."),
            path)
    if inside:
        return KeyProtection("warn", "key_file_in_data_dir", Message(
            f"密钥是数据目录内的普通文件（{path}）：复制数据目录即可解密。请把设置 key_dir 指向数据目录之外。",
            f"The key is a plain file inside the data dir ({path}): a copy of the data dir decrypts everything. "
            "Point the key_dir setting outside the data dir."), path)
    mode = path.stat().st_mode & 0o777
    status = "ok" if mode == 0o600 else "warn"
    return KeyProtection(status, label, Message(
        f"密钥是数据目录之外的文件（{path}，权限 {mode:o}），未由本机封存（无法使用 {TOOL}）。",
        f"The key is a file outside the data dir ({path}, mode {mode:o}), not sealed by the machine "
        f"({TOOL} unavailable)."), path)
