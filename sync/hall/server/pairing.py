"""Pairing: a one-time code printed by `onewindow hall pair-code` becomes a device's token.

Codes and tokens are kept as SHA-256 digests. A code names the role (and a counter's number); a kiosk
is given the lowest free slot 1..9, which fixes its emergency number range (`kiosk.queue.numbering`).
Pairing again under the same name and role (a terminal reinstalled) replaces that device's token and
keeps its counter number or slot; a name or counter number held by another device is refused.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from kiosk.queue.model import Category, Pairing, Role
from kiosk.queue.numbering import MAX_SLOTS
from sync.hall.server import clock
from sync.hall.server.errors import HubError, conflict
from sync.hall.server.schema import DeviceRow, PairingCodeRow
from sync.hall.server.store import HubStore, log
from kiosk.errors import Message

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed at a kiosk
CODE_TTL = timedelta(hours=24)
MAX_COUNTER_NO = 999


@dataclass(frozen=True)
class Device:
    id: int
    name: str
    role: Role
    counter_no: int | None
    kiosk_slot: int | None


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normalize_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def valid_name(name: str) -> bool:
    return 0 < len(name) <= 64 and name.isprintable() and name.strip() == name


def create_code(store: HubStore, role: Role, *, counter_no: int | None = None, name: str | None = None,
                ttl: timedelta = CODE_TTL) -> str:
    if role is Role.COUNTER and not (counter_no and 1 <= counter_no <= MAX_COUNTER_NO):
        raise HubError(422, "counter_no", Message(f"窗口须有编号（1-{MAX_COUNTER_NO}）。",
                                                  f"A counter needs its number (1-{MAX_COUNTER_NO})."))
    if role is not Role.COUNTER and counter_no is not None:
        raise HubError(422, "counter_no", Message("只有窗口才有窗口编号。", "Only a counter has a counter number."))
    if name is not None and not valid_name(name):
        raise HubError(422, "device_name", Message("设备名称须为 1-64 个可见字符。",
                                                   "A device name is 1-64 printable characters."))
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
    now = clock.now()
    with store.write() as s:
        s.add(PairingCodeRow(code_hash=digest(raw), role=role.value, counter_no=counter_no, name=name,
                             created_at=now, expires_at=now + ttl))
    return f"{raw[:5]}-{raw[5:]}"


def _bad_code() -> HubError:
    return HubError(401, "pairing_code", Message("配对码无效、已使用或已过期，请向管理员索取新的配对码。",
                                                 "The pairing code is wrong, used or expired; ask the "
                                                 "administrator for a new one."))


def pair(store: HubStore, code: str, device_name: str, categories: tuple[Category, ...]) -> Pairing:
    if not valid_name(device_name):
        raise HubError(422, "device_name", Message("设备名称须为 1-64 个可见字符。",
                                                   "A device name is 1-64 printable characters."))
    now = clock.now()
    token = secrets.token_urlsafe(32)
    with store.write() as s:
        row = s.scalar(select(PairingCodeRow).where(PairingCodeRow.code_hash == digest(normalize_code(code))))
        if row is None or row.used_at is not None or row.expires_at <= now:
            log.warning("pairing refused: %s code", "unknown" if row is None else
                        "used" if row.used_at else "expired")
            raise _bad_code()
        role = Role(row.role)
        name = row.name or device_name
        active = list(s.scalars(select(DeviceRow).where(DeviceRow.unpaired_at.is_(None))))
        same = next((d for d in active if d.name == name), None)
        if same is not None and (same.role != role.value or same.counter_no != row.counter_no):
            raise conflict("device_name_taken", f"名称“{name}”已被另一台设备使用，请先解除它的配对。",
                           f"The name “{name}” belongs to another device; unpair it first.")
        if role is Role.COUNTER and any(d.counter_no == row.counter_no and d is not same for d in active):
            raise conflict("counter_taken", f"{row.counter_no} 号窗口已配对另一台设备，请先解除它的配对。",
                           f"Counter {row.counter_no} is paired with another device; unpair it first.")
        slot: int | None = None
        if role is Role.KIOSK:
            if same is not None:
                slot = same.kiosk_slot
            else:
                held = {d.kiosk_slot for d in active}
                ever = set(s.scalars(select(DeviceRow.kiosk_slot).where(DeviceRow.kiosk_slot.is_not(None))))
                free = [n for n in range(1, MAX_SLOTS + 1) if n not in held]
                if not free:
                    raise conflict("no_kiosk_slot", f"最多可配对 {MAX_SLOTS} 台取号机，请先解除一台的配对。",
                                   f"At most {MAX_SLOTS} kiosks can be paired; unpair one first.")
                slot = next((n for n in free if n not in ever), free[0])  # an unused slot's numbers first
        if same is not None:
            same.token_hash = digest(token)
            same.paired_at = now
            device_id = same.id
        else:
            device = DeviceRow(name=name, role=role.value, token_hash=digest(token), counter_no=row.counter_no,
                               kiosk_slot=slot, paired_at=now)
            s.add(device)
            s.flush()
            device_id = device.id
        row.used_at = now
        row.used_by = device_id
    log.info("paired %s as %s (counter %s, slot %s)", name, role.value, row.counter_no, slot)
    return Pairing(store.hub_id, name, role, token, row.counter_no, slot, categories)


def authenticate(store: HubStore, token: str | None) -> Device | None:
    if not token or len(token) > 200:
        return None
    with store.read() as s:
        row = s.scalar(select(DeviceRow).where(DeviceRow.token_hash == digest(token),
                                               DeviceRow.unpaired_at.is_(None)))
        if row is None:
            return None
        return Device(row.id, row.name, Role(row.role), row.counter_no, row.kiosk_slot)


def devices(store: HubStore) -> list[dict[str, object]]:
    with store.read() as s:
        return [{"name": d.name, "role": d.role, "counter_no": d.counter_no, "kiosk_slot": d.kiosk_slot,
                 "paired_at": d.paired_at.isoformat()}
                for d in s.scalars(select(DeviceRow).where(DeviceRow.unpaired_at.is_(None)).order_by(DeviceRow.id))]


def unpair(store: HubStore, name: str) -> bool:
    with store.write() as s:
        row = s.scalar(select(DeviceRow).where(DeviceRow.name == name, DeviceRow.unpaired_at.is_(None)))
        if row is None:
            return False
        row.unpaired_at = clock.now()
    log.info("unpaired %s", name)
    return True
