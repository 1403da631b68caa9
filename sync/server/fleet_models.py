"""The platform's tables for the fleet view (new tables only: `create_all` makes them, no schema bump).

`fleet_reports` keeps each terminal's heartbeats by the terminal's own report id (unique by primary key, so
a re-sent report is a duplicate, never a second row) for `sync.server.fleet.REPORT_DAYS` (a report is about
1 KB and comes every minute or so: some 3 MB per terminal for two days); `fleet_terminals` holds each
terminal's newest report, which is what the fleet page and `onewindow platform devices` read. A report made
earlier than the one held (delivered late, after a night offline) is kept in the history but never replaces
the newer state. `fleet_viewers` are the accounts that may open the fleet page.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from sync.server.models import PlatformBase, utcnow


class FleetReport(PlatformBase):
    __tablename__ = "fleet_reports"
    __table_args__ = (Index("ix_fleet_reports_device_id_made_at", "device_id", "made_at"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    made_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    body: Mapped[dict[str, Any]]


class FleetTerminal(PlatformBase):
    __tablename__ = "fleet_terminals"
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), primary_key=True)
    hall_code: Mapped[str] = mapped_column(String(12), index=True)
    report_id: Mapped[str] = mapped_column(String(36))
    made_at: Mapped[datetime]  # of the report held
    last_heard_at: Mapped[datetime]  # the last time any report of this terminal arrived
    body: Mapped[dict[str, Any]]


class FleetViewer(PlatformBase):
    """Who may open the fleet page: a hall's IT staff (`hall_code`) or the province's (None: every hall)."""

    __tablename__ = "fleet_viewers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    hall_code: Mapped[str | None] = mapped_column(String(12))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
