"""Settings from the centre on the platform: a hall's and a terminal's layers, the signed document a
terminal pulls, and what terminals report back.

A terminal's document is its hall's layer with its own laid over it, addressed to it (hall code and
device id) and versioned with the newer of the two layers' versions. Both layers draw their versions from
one sequence, so any change to either gives every terminal concerned a newer version (see
`centre_settings_models`). Values are judged by the terminal's own rules (`kiosk.centre_settings`) before
they are stored, so the platform never signs what a terminal would refuse.

The document is signed with the platform's settings key (Ed25519, `<home>/settings-signing.key`, made as
the licence key is: `sync.server.licence_signing`); its public half goes to a terminal at enrollment.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.centre_settings import CentreSettingsInvalid, check_values
from kiosk.errors import Message, UserFacingError
from sync.server import platform_audit
from sync.server.centre_settings_models import CentreSettingsLayer, CentreSettingsReport, settings_scope
from sync.server.db import PlatformStore
from sync.server.licence_signing import SigningKey, signing_key
from sync.server.models import Device, utcnow
from sync.wire_centre_settings import DOCUMENT_KIND, SettingsReports

SETTINGS_KEY_NAME = "settings-signing.key"


def settings_key(store: PlatformStore) -> SigningKey:
    return signing_key(store.home, SETTINGS_KEY_NAME)


class NoSuchDevice(UserFacingError):
    def __init__(self, hall_code: str, device_id: int) -> None:
        super().__init__(Message(f"大厅 {hall_code} 没有编号为 {device_id} 的在用设备（见 onewindow platform doctor）。",
                                 f"Hall {hall_code} has no active device with id {device_id} (see onewindow "
                                 "platform doctor)."), code="no_such_device")


def _check_hall(hall_code: str) -> None:
    if not (hall_code.isdigit() and 6 <= len(hall_code) <= 12):
        raise UserFacingError(Message("大厅编码应为6到12位数字。", "The hall code must be 6 to 12 digits."), code="hall")


def _check_device(session: Session, hall_code: str, device_id: int | None) -> None:
    if device_id is None:
        return
    device = session.get(Device, device_id)
    if device is None or device.hall_code != hall_code or device.revoked_at is not None:
        raise NoSuchDevice(hall_code, device_id)


@dataclass(frozen=True)
class LayerChange:
    scope: str
    version: int
    values: dict[str, Any]


def _write_layer(store: PlatformStore, hall_code: str, device_id: int | None, by: str,
                 change: "Any") -> LayerChange:
    """Apply `change(old values) -> new values` to a layer under a new version; a concurrent change that
    took the same version makes this one take the next."""
    _check_hall(hall_code)
    for _attempt in range(10):
        try:
            with store.transaction() as session:
                _check_device(session, hall_code, device_id)
                scope = settings_scope(hall_code, device_id)
                row = session.scalar(select(CentreSettingsLayer).where(CentreSettingsLayer.scope == scope))
                values = check_values(change(dict(row.values) if row else {}))
                version = (session.scalar(select(func.max(CentreSettingsLayer.version))) or 0) + 1
                if row is None:
                    row = CentreSettingsLayer(scope=scope, hall_code=hall_code, device_id=device_id, version=version,
                                              values=values, updated_by=by)
                    session.add(row)
                else:
                    row.version, row.values, row.updated_by, row.updated_at = version, values, by, utcnow()
                platform_audit.record(session, actor="platform:operator", action="centre_settings.changed",
                                      subject=scope, details={"version": version, "values": values, "by": by})
                session.flush()
                return LayerChange(scope, version, values)
        except IntegrityError:
            continue
    raise RuntimeError("no settings version could be taken after 10 attempts")


def set_values(store: PlatformStore, hall_code: str, device_id: int | None, values: dict[str, Any],
               by: str) -> LayerChange:
    """Add or replace keys of the hall's (or one terminal's) layer; the whole change is refused, naming
    every problem, if any key or value is not one the centre may set."""
    if not values:
        raise CentreSettingsInvalid([("没有给出任何设置", "no settings were given")])
    check_values(values)
    return _write_layer(store, hall_code, device_id, by, lambda old: {**old, **values})


def clear_values(store: PlatformStore, hall_code: str, device_id: int | None, keys: list[str],
                 by: str) -> LayerChange:
    """Remove keys from a layer (all of them when `keys` is empty); a key the layer does not hold is
    refused, so a typo never reads as done."""

    def change(old: dict[str, Any]) -> dict[str, Any]:
        missing = [k for k in keys if k not in old]
        if missing:
            raise CentreSettingsInvalid([(f"该层未设置 {k}", f"{k} is not set in this layer") for k in missing])
        return {k: v for k, v in old.items() if keys and k not in keys}

    return _write_layer(store, hall_code, device_id, by, change)


def _layers(session: Session, hall_code: str, device_id: int) -> list[CentreSettingsLayer]:
    rows = session.scalars(select(CentreSettingsLayer).where(
        CentreSettingsLayer.scope.in_([settings_scope(hall_code, None), settings_scope(hall_code, device_id)]))).all()
    return sorted(rows, key=lambda r: r.device_id is not None)  # the hall's first, the terminal's over it


def document_for(store: PlatformStore, device: Device) -> dict[str, Any] | None:
    """The signed envelope for this terminal, or None when the centre never set anything for it."""
    with store.read() as session:
        layers = _layers(session, device.hall_code, device.id)
        if not layers:
            return None
        values: dict[str, Any] = {}
        for row in layers:
            values.update(row.values)
        version = max(row.version for row in layers)
    text = json.dumps({"kind": DOCUMENT_KIND, "version": version, "hall_code": device.hall_code,
                       "device_id": device.id, "issued_at": utcnow().isoformat(timespec="seconds"),
                       "values": values}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    key = settings_key(store)
    signature = base64.b64encode(key.private.sign(text.encode("utf-8"))).decode("ascii")
    return {"document": text, "signature": signature, "key_id": key.key_id}


def store_reports(store: PlatformStore, device: Device, body: SettingsReports) -> int:
    with store.transaction() as session:
        for report in body.reports:
            session.add(CentreSettingsReport(device_id=device.id, version=report.version, outcome=report.outcome,
                                             reason=report.reason.model_dump() if report.reason else {},
                                             at=report.at))
    return len(body.reports)


def show(store: PlatformStore, hall_code: str, device_id: int | None = None) -> dict[str, Any]:
    """The hall's layer, each terminal's own, what each terminal runs on, and its latest report."""
    _check_hall(hall_code)
    with store.read() as session:
        _check_device(session, hall_code, device_id)
        hall = session.scalar(select(CentreSettingsLayer)
                              .where(CentreSettingsLayer.scope == settings_scope(hall_code, None)))
        devices = session.scalars(select(Device).where(Device.hall_code == hall_code, Device.revoked_at.is_(None))
                                  .order_by(Device.id)).all()
        terminals = []
        for device in devices:
            if device_id is not None and device.id != device_id:
                continue
            layers = _layers(session, hall_code, device.id)
            own = next((r for r in layers if r.device_id is not None), None)
            effective: dict[str, Any] = {}
            for row in layers:
                effective.update(row.values)
            last = session.scalar(select(CentreSettingsReport).where(CentreSettingsReport.device_id == device.id)
                                  .order_by(CentreSettingsReport.id.desc()).limit(1))
            terminals.append({
                "device_id": device.id, "device_no": device.device_no, "name": device.name,
                "own": {"version": own.version, "values": own.values} if own else None,
                "version": max((r.version for r in layers), default=0), "effective": effective,
                "last_report": {"version": last.version, "outcome": last.outcome, "reason": last.reason,
                                "at": last.at} if last else None})
    return {"hall_code": hall_code,
            "hall": {"version": hall.version, "values": hall.values, "updated_by": hall.updated_by} if hall else None,
            "terminals": terminals}
