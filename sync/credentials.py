"""The device credential: written once at enrollment, readable only by the terminal's user.

The token never goes to a log or to stdout; `repr` hides it. The credential
also carries the device number the platform assigned; the number the domain
uses for receipts lives in the terminal's store (`kiosk.device_identity`),
written by `save_enrollment` together with this file.
"""
from __future__ import annotations

import base64
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from typing import Any

from kiosk.device_identity import MAX_DEVICE_NO, forget_assigned_device_no, set_assigned_device_no
from kiosk.errors import Message, UserFacingError
from kiosk.fsutil import write_atomic
from kiosk.settings import Settings
from kiosk.store import Store


@dataclass(frozen=True)
class Credential:
    platform_url: str
    device_id: int
    hall_code: str
    device_name: str
    token: str = field(repr=False)
    ca_file: str | None = None
    device_no: int | None = None  # assigned by the platform; None from a platform older than device numbers
    role: str | None = None  # "kiosk" or "counter", as enrolled; None from a platform older than roles (a counter)
    # the platform's Ed25519 public key (base64) that signs settings from the centre (sync.centre_settings);
    # None from a platform older than centre settings: such a terminal takes no settings from the centre
    settings_key: str | None = None

    @property
    def is_counter(self) -> bool:
        """A platform older than roles let every device do what a counter does, and upgraded them to counters."""
        return self.role != "kiosk"

    @property
    def verify(self) -> bool | str:
        return self.ca_file or True


class CaFileUnusable(UserFacingError):
    """The CA certificate the terminal was told to trust is gone or unreadable: say which file, not "SSL error"."""

    def __init__(self, path: str, missing: bool) -> None:
        if missing:
            message = Message(f"找不到平台证书文件 {path}（注册时用 --ca 指定）。请恢复该文件，或用新的证书重新注册（onewindow enroll --ca）。",
                              f"The platform's CA certificate file {path} (given with --ca at enrollment) is missing. "
                              "Restore it, or enroll again with the new certificate (onewindow enroll --ca).")
        else:
            message = Message(f"无法读取平台证书文件 {path}，请检查该文件及其权限。",
                              f"The platform's CA certificate file {path} cannot be read; check the file and its "
                              "permissions.")
        super().__init__(message, code="ca_file")
        self.path = path


def check_ca_file(path: str) -> None:
    """Raise `CaFileUnusable` unless `path` is a file this process can read."""
    try:
        with open(path, "rb") as fh:
            fh.read(1)
    except FileNotFoundError:
        raise CaFileUnusable(path, missing=True) from None
    except OSError:  # a directory, no permission, an I/O error
        raise CaFileUnusable(path, missing=False) from None


class EnrollmentRequired(UserFacingError):
    def __init__(self) -> None:
        super().__init__(Message("本终端尚未注册到平台或注册已失效，请联系管理员重新注册（onewindow enroll）。",
                                 "This terminal is not enrolled with the platform or its enrollment was revoked; "
                                 "ask the administrator to enroll it again (onewindow enroll)."),
                         code="enrollment_required")


def credential_path(settings: Settings) -> Path:
    return settings.home / "sync" / "credential.json"


def save_credential(settings: Settings, credential: Credential) -> Path:
    path = credential_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    write_atomic(path, json.dumps(asdict(credential)).encode("utf-8"), mode=0o600)
    return path


def load_credential(settings: Settings) -> Credential | None:
    path = credential_path(settings)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return Credential(platform_url=str(raw["platform_url"]), device_id=int(raw["device_id"]),
                          hall_code=str(raw["hall_code"]), device_name=str(raw["device_name"]),
                          token=str(raw["token"]), ca_file=raw.get("ca_file"),
                          device_no=int(raw["device_no"]) if raw.get("device_no") is not None else None,
                          role=_role(raw.get("role")), settings_key=_public_key(raw.get("settings_key")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        raise UserFacingError(Message(f"设备凭据文件 {path} 已损坏，请重新注册。",
                                      f"The device credential file {path} is damaged; enroll again."),
                              code="credential_damaged") from None


def _role(value: Any) -> str | None:
    if value is None:
        return None
    if value not in ("kiosk", "counter"):
        raise ValueError(value)
    return str(value)


def _public_key(value: Any) -> str | None:
    """A raw Ed25519 public key in base64 (32 bytes), or None."""
    if value is None:
        return None
    if not isinstance(value, str) or len(base64.b64decode(value, validate=True)) != 32:
        raise ValueError("settings_key")
    return value


def require_credential(settings: Settings) -> Credential:
    credential = load_credential(settings)
    if credential is None:
        raise EnrollmentRequired()
    return credential


def forget_credential(settings: Settings) -> None:
    credential_path(settings).unlink(missing_ok=True)


def credential_from_enrollment(answer: Any, platform_url: str, ca_file: str | None) -> Credential:
    """The platform's answer to `POST /enroll` as a credential; a malformed answer is refused, not half-used."""
    try:
        device_no = answer.get("device_no")
        if device_no is not None and (isinstance(device_no, bool) or not isinstance(device_no, int)
                                      or not 1 <= device_no <= MAX_DEVICE_NO):
            raise ValueError(device_no)
        return Credential(platform_url=platform_url, device_id=int(answer["device_id"]),
                          hall_code=str(answer["hall_code"]), device_name=str(answer["device_name"]),
                          token=str(answer["token"]), ca_file=ca_file, device_no=device_no,
                          role=_role(answer.get("role")), settings_key=_public_key(answer.get("settings_key")))
    except (AttributeError, KeyError, TypeError, ValueError):
        raise UserFacingError(Message("平台的注册应答无效，本终端未注册。",
                                      "The platform's enrollment answer is malformed; this terminal was not enrolled."),
                              code="enrollment_answer") from None


def save_enrollment(store: Store, credential: Credential) -> Path:
    """Keep the device number in the store first, then the credential file.

    In that order a crash in between leaves a terminal that numbers its
    receipts with the platform's number and asks to be enrolled again, never
    one that syncs under a credential while numbering with a number of its own.
    """
    with store.transaction() as session:
        if credential.device_no is not None:
            set_assigned_device_no(session, credential.device_no, credential.hall_code)
        else:
            forget_assigned_device_no(session)
    return save_credential(store.settings, credential)
