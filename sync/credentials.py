"""The device credential: written once at enrollment, readable only by the terminal's user.

The token never goes to a log or to stdout; `repr` hides it.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kiosk.errors import Message, UserFacingError
from kiosk.fsutil import write_atomic
from kiosk.settings import Settings


@dataclass(frozen=True)
class Credential:
    platform_url: str
    device_id: int
    hall_code: str
    device_name: str
    token: str = field(repr=False)
    ca_file: str | None = None

    @property
    def verify(self) -> bool | str:
        return self.ca_file or True


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
                          token=str(raw["token"]), ca_file=raw.get("ca_file"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        raise UserFacingError(Message(f"设备凭据文件 {path} 已损坏，请重新注册。",
                                      f"The device credential file {path} is damaged; enroll again."),
                              code="credential_damaged") from None


def require_credential(settings: Settings) -> Credential:
    credential = load_credential(settings)
    if credential is None:
        raise EnrollmentRequired()
    return credential


def forget_credential(settings: Settings) -> None:
    credential_path(settings).unlink(missing_ok=True)
