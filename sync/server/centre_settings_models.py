"""The platform's tables for settings from the centre (new tables only: `create_all` makes them)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.store.types import UTCDateTime, utcnow
from sync.server.models import PlatformBase


def settings_scope(hall_code: str, device_id: int | None) -> str:
    """A layer's `scope`: a hall's, or one terminal's."""
    return f"device:{device_id}" if device_id is not None else f"hall:{hall_code}"


class CentreSettingsLayer(PlatformBase):
    """The settings the centre set for a hall (`device_id` None) or for one terminal of it.

    Versions come from one sequence over every layer (unique), so a change to either of a terminal's two
    layers gives its document a newer version than any it had: terminals refuse an older one as a rollback.
    Clearing keeps the row with fewer values and a new version, for the same reason."""

    __tablename__ = "centre_settings_layers"
    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(40), unique=True)  # "hall:<code>" or "device:<id>"
    hall_code: Mapped[str] = mapped_column(String(12), index=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    version: Mapped[int] = mapped_column(Integer, unique=True)
    values: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100))


class CentreSettingsReport(PlatformBase):
    """What a terminal said became of a version: applied (started well with it), rolled back (its window
    failed to start with it) or refused (bad signature, older version, invalid values)."""

    __tablename__ = "centre_settings_reports"
    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[dict[str, Any]] = mapped_column(JSON)
    at: Mapped[str] = mapped_column(String(40))  # when the terminal noted it (its clock, as it said)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
