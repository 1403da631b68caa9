"""Device enrollment: a one-time, expiring code becomes a device credential.

Codes and tokens are stored only as SHA-256 hashes: both are long random
secrets, so a fast hash is enough, and a copy of the database does not let
anyone act as a device.

Enrollment also gives the device its number in the hall, the middle part of
its receipt numbers: the lowest number no device of the hall holds, revoked
ones included (their receipts still exist, so their numbers are never handed
out again). A unique constraint on (hall, number) settles two enrollments
racing for the same number: the loser takes the next one.

The code also carries the device's role (`DEVICE_ROLES`): a lobby kiosk
pushes applications and reads back only its own, a counter works its hall's
cases and posts decisions. The enrolled device gets the role of its code and
the enrollment answer tells the terminal which it is.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.device_identity import MAX_DEVICE_NO
from kiosk.errors import Message, UserFacingError
from sync.server import platform_audit
from sync.server.db import PlatformStore
from sync.server.models import DEVICE_ROLES, Device, EnrollmentCode, utcnow

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read aloud over the phone
CODE_GROUPS, CODE_GROUP_LEN = 4, 4


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


class EnrollmentRefused(UserFacingError):
    def __init__(self) -> None:
        super().__init__(Message("注册码无效、已使用或已过期。", "The enrollment code is invalid, used or expired."),
                         code="enrollment_refused")


class HallFull(UserFacingError):
    def __init__(self, hall_code: str) -> None:
        super().__init__(Message(f"大厅 {hall_code} 的{MAX_DEVICE_NO}个设备编号已全部分配（已停用设备的编号不再使用），不能再注册设备。",
                                 f"All {MAX_DEVICE_NO} device numbers of hall {hall_code} are taken (a revoked device's "
                                 "number is never reused); no more devices can be enrolled."),
                         code="hall_full")


class WrongHall(EnrollmentRefused):
    """The code is good but made for another hall than the terminal was set up for; it stays unused."""

    def __init__(self, code_hall: str, expected_hall: str) -> None:
        UserFacingError.__init__(self, Message(
            f"此注册码属于大厅 {code_hall}，而本终端设置的大厅编码为 {expected_hall}。注册码未被使用；请核对大厅编码，"
            "或向平台管理员索取本大厅的注册码。",
            f"This enrollment code is for hall {code_hall}, but this terminal is being set up for hall {expected_hall}. "
            "The code was not used; check the hall code, or ask the platform's administrator for a code of this hall."),
            code="enrollment_hall")


@dataclass(frozen=True)
class NewDevice:
    device_id: int
    hall_code: str
    device_name: str
    token: str
    device_no: int
    role: str


def check_role(role: str) -> str:
    if role not in DEVICE_ROLES:
        raise UserFacingError(Message("设备角色只能是自助终端或窗口终端。",
                                      "The device role must be kiosk or counter."), code="device_role")
    return role


def create_code(store: PlatformStore, hall_code: str, device_name: str, ttl_minutes: int = 30, *,
                role: str = "counter") -> str:
    """A one-time code for a device of `role` (the CLI makes the operator name it; `counter` is what every
    device was before roles existed)."""
    check_role(role)
    if not (hall_code.isdigit() and 6 <= len(hall_code) <= 12):
        raise UserFacingError(Message("大厅编码应为6到12位数字。", "The hall code must be 6 to 12 digits."), code="hall")
    if not device_name.strip() or len(device_name) > 100:
        raise UserFacingError(Message("设备名称应为1到100个字符。", "The device name must be 1 to 100 characters."),
                              code="device_name")
    if not 1 <= ttl_minutes <= 7 * 24 * 60:
        raise UserFacingError(Message("有效期应在1分钟到7天之间。", "The validity must be 1 minute to 7 days."), code="ttl")
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUPS * CODE_GROUP_LEN))
    code = "-".join(raw[i:i + CODE_GROUP_LEN] for i in range(0, len(raw), CODE_GROUP_LEN))
    with store.transaction() as session:
        session.add(EnrollmentCode(code_hash=secret_hash(raw), hall_code=hall_code, device_name=device_name.strip(),
                                   expires_at=utcnow() + timedelta(minutes=ttl_minutes), role=role))
        platform_audit.record(session, actor="platform:operator", action="enrollment_code.created", subject=hall_code,
                              details={"device_name": device_name.strip(), "ttl_minutes": ttl_minutes, "role": role})
    return code


def redeem(session: Session, code: str, *, expected_hall: str | None = None) -> NewDevice:
    """Use the code once; a second use, an expired or an unknown code are refused alike. With `expected_hall`,
    a valid code of another hall is refused by name (`WrongHall`) and left unused."""
    row = session.scalar(select(EnrollmentCode).where(EnrollmentCode.code_hash == secret_hash(normalise_code(code)))
                         .with_for_update())
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        raise EnrollmentRefused()
    if expected_hall is not None and expected_hall != row.hall_code:
        raise WrongHall(row.hall_code, expected_hall)
    token = secrets.token_urlsafe(32)
    for _attempt in range(20):
        device = Device(hall_code=row.hall_code, name=row.device_name, token_hash=secret_hash(token),
                        device_no=lowest_free_device_no(session, row.hall_code), role=row.role)
        try:
            with session.begin_nested():
                session.add(device)
                session.flush()
        except IntegrityError:  # another enrollment of this hall took the number first: look again
            continue
        break
    else:
        raise RuntimeError(f"no device number could be taken in hall {row.hall_code} after 20 attempts")
    row.used_at = utcnow()
    row.device_id = device.id
    assert device.device_no is not None
    platform_audit.record(session, actor=f"device:{device.id}", action="device.enrolled", subject=str(device.id),
                          details={"hall_code": device.hall_code, "device_no": device.device_no, "name": device.name,
                                   "role": device.role})
    return NewDevice(device.id, device.hall_code, device.name, token, device.device_no, device.role)


def lowest_free_device_no(session: Session, hall_code: str) -> int:
    used = set(session.scalars(select(Device.device_no).where(Device.hall_code == hall_code,
                                                              Device.device_no.is_not(None))))
    for n in range(1, MAX_DEVICE_NO + 1):
        if n not in used:
            return n
    raise HallFull(hall_code)


def authenticate(session: Session, token: str) -> Device | None:
    device = session.scalar(select(Device).where(Device.token_hash == secret_hash(token)))
    if device is None or device.revoked_at is not None:
        return None
    return device


def authenticate_cached(store: PlatformStore, token: str) -> Device | None:
    """The device this token authenticates, as this process's cache knows it (`sync.server.token_cache`):
    read from the database once in a long while, revocations checked every few seconds."""

    def load(token_hash: str) -> Any:
        with store.reading() as conn:  # Core: the row's columns, which the cache copies (no ORM object to build)
            return conn.execute(_DEVICE_BY_TOKEN, {"token_hash": token_hash}).first()

    def revoked_since(since: datetime) -> list[int]:
        with store.reading() as conn:
            return list(conn.scalars(_REVOKED_SINCE, {"since": since}))

    return store.tokens.device(secret_hash(token), load, revoked_since)


_DEVICE_BY_TOKEN = select(*Device.__table__.columns).where(Device.__table__.c.token_hash == bindparam("token_hash"))
_REVOKED_SINCE = select(Device.__table__.c.id).where(Device.__table__.c.revoked_at >= bindparam("since"))


def revoke(store: PlatformStore, device_id: int) -> bool:
    """Revoke a device: refused at once by this process, by every other instance at its next revocation check
    (within `token_cache.DEFAULT_TTL` seconds)."""
    with store.transaction() as session:
        device = session.get(Device, device_id)
        if device is None:
            return False
        platform_audit.record(session, actor="platform:operator", action="device.revoked", subject=str(device.id),
                              details={"hall_code": device.hall_code, "already": device.revoked_at is not None})
        device.revoked_at = device.revoked_at or utcnow()
    store.tokens.forget_device(device_id)
    return True
