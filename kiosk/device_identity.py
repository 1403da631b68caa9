"""This terminal's device number in its hall: the middle part of every receipt number.

Two terminals of one hall with the same number would hand out the same
receipt numbers, so the number is not something to guess: the platform
assigns it at enrollment (lowest free number in the hall, never reused) and
the terminal keeps it in its own store, next to the receipt sequences it
numbers. A hall that runs without a platform sets `device_no` in the
settings by hand, one distinct number per terminal; the platform's number,
when there is one, wins over the setting.

The domain reads the number from here and never from `sync`: enrollment (in
`sync`) writes it with `set_assigned_device_no`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy.orm import Session

from kiosk.errors import Message, UserFacingError
from kiosk.settings import Settings
from kiosk.store.key_values import get_value, put_value
from kiosk.store.models import KeyValue

ASSIGNED_KEY = "device.assigned_no"
MAX_DEVICE_NO = 999


@dataclass(frozen=True)
class Assignment:
    """The number the platform gave this terminal, and the hall it is a number in."""

    device_no: int
    hall_code: str | None


@dataclass(frozen=True)
class DeviceNumber:
    """What this terminal numbers its receipts with, and where that number comes from.

    `source` is "platform" (assigned at enrollment), "settings" (set by the
    operator of a hall without a platform) or "none".
    """

    device_no: int | None
    source: str
    assignment: Assignment | None
    settings_no: int | None
    problem: UserFacingError | None = None


class NoDeviceNumber(UserFacingError):
    def __init__(self) -> None:
        super().__init__(Message(
            "本终端还没有设备编号，不能生成回执编号，申请未保存。请管理员注册本终端（onewindow enroll），"
            "平台会分配设备编号；没有平台的大厅请在配置中为每台终端设置不同的 device_no。",
            "This terminal has no device number yet, so it cannot issue receipt numbers; nothing was saved. "
            "Ask the administrator to enroll it (onewindow enroll), which assigns the number; a hall without "
            "a platform sets a different device_no for each terminal in the settings."), code="device_no")


class HallMismatch(UserFacingError):
    def __init__(self, enrolled_hall: str, configured_hall: str) -> None:
        super().__init__(Message(
            f"本终端在平台注册的大厅为 {enrolled_hall}，配置的大厅为 {configured_hall}；设备编号只在注册的大厅内唯一，"
            "不能生成回执编号，申请未保存。请修改 hall_code 或重新注册。",
            f"This terminal is enrolled for hall {enrolled_hall} but configured for hall {configured_hall}; its "
            "device number is unique only in the hall it was enrolled for, so it cannot issue receipt numbers and "
            "nothing was saved. Change hall_code or enroll again."), code="device_no_hall")


def _valid(n: object) -> bool:
    return isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= MAX_DEVICE_NO


def assignment(session: Session) -> Assignment | None:
    value = get_value(session, ASSIGNED_KEY)
    if value is None:
        return None
    try:
        raw = json.loads(value)
    except ValueError:
        return None
    if not isinstance(raw, dict) or not _valid(raw.get("device_no")):
        return None
    hall = raw.get("hall_code")
    return Assignment(int(raw["device_no"]), hall if isinstance(hall, str) else None)


def assigned_device_no(session: Session) -> int | None:
    """The number the platform assigned at enrollment, or None."""
    found = assignment(session)
    return found.device_no if found else None


def set_assigned_device_no(session: Session, n: int, hall_code: str | None = None) -> None:
    """Record the platform's number (inside the caller's transaction); a new enrollment replaces the old one."""
    if not _valid(n):
        raise ValueError(f"device number {n!r} is not 1..{MAX_DEVICE_NO}")
    put_value(session, ASSIGNED_KEY, json.dumps({"device_no": n, "hall_code": hall_code}))
    session.flush()


def forget_assigned_device_no(session: Session) -> None:
    """An enrollment that brought no number (an older platform): the previous enrollment's number is void."""
    row = session.get(KeyValue, ASSIGNED_KEY)
    if row is not None:
        session.delete(row)
        session.flush()


def device_number(session: Session, settings: Settings) -> DeviceNumber:
    """The number to use and its source, without raising (for the doctor and for drafts)."""
    found = assignment(session)
    settings_no = settings.device_no if _valid(settings.device_no) else None
    if found is not None:
        if found.hall_code is not None and found.hall_code != settings.hall_code:
            return DeviceNumber(None, "platform", found, settings_no, HallMismatch(found.hall_code, settings.hall_code))
        return DeviceNumber(found.device_no, "platform", found, settings_no)
    if settings_no is not None:
        return DeviceNumber(settings_no, "settings", None, settings_no)
    return DeviceNumber(None, "none", None, None, NoDeviceNumber())


def device_no_for_receipts(session: Session, settings: Settings) -> int:
    """The platform's number, else the operator's explicit setting; never a default two terminals share."""
    number = device_number(session, settings)
    if number.problem is not None:
        raise number.problem
    assert number.device_no is not None
    return number.device_no
