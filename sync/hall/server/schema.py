"""The hub's tables. Times are stored as naive UTC (`UtcDateTime` converts), so they sort as text.

Tokens and pairing codes are stored as SHA-256 digests only: a copy of the database pairs nobody.
The event log's `seq` is an AUTOINCREMENT key written in the transaction of the change it describes.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (Boolean, DateTime, ForeignKey, Index, Integer, String, Text, TypeDecorator,
                        UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UtcDateTime(TypeDecorator[datetime]):
    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the hub's store")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=timezone.utc)


class Base(DeclarativeBase):
    pass


class DeviceRow(Base):
    __tablename__ = "devices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    counter_no: Mapped[int | None] = mapped_column(Integer)
    kiosk_slot: Mapped[int | None] = mapped_column(Integer)
    paired_at: Mapped[datetime] = mapped_column(UtcDateTime)
    unpaired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class PairingCodeRow(Base):
    __tablename__ = "pairing_codes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    counter_no: Mapped[int | None] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    used_by: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))


class TicketRow(Base):
    __tablename__ = "tickets"
    __table_args__ = (UniqueConstraint("service_day", "category", "number_value", name="uq_ticket_number"),
                      Index("ix_tickets_line", "service_day", "state", "category"))
    ticket_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    number: Mapped[str] = mapped_column(String(16))
    number_value: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(8))
    priority: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    service_day: Mapped[str] = mapped_column(String(10))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    issued_by: Mapped[str] = mapped_column(String(64))
    appointment_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    called_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    counter_no: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    no_show_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    calls: Mapped[int] = mapped_column(Integer, default=0)
    issued_offline: Mapped[bool] = mapped_column(Boolean, default=False)
    application_ref: Mapped[str | None] = mapped_column(String(128))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)  # when the hub learnt of it (handover: later)


class CounterRow(Base):
    __tablename__ = "counters"
    counter_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    is_open: Mapped[bool] = mapped_column(Boolean, default=False)
    categories: Mapped[str] = mapped_column(String(200), default="")  # "A,B"
    priority_run: Mapped[int] = mapped_column(Integer, default=0)  # priority tickets called in a row


class CounterSessionRow(Base):
    __tablename__ = "counter_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    counter_no: Mapped[int] = mapped_column(Integer, index=True)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class HelpRow(Base):
    __tablename__ = "help_requests"
    help_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kiosk: Mapped[str] = mapped_column(String(64))
    step: Mapped[str] = mapped_column(String(64))
    label_zh: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(80))
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)


class SequenceRow(Base):
    """The last number the hub issued or set aside for one line on one day."""

    __tablename__ = "number_sequences"
    service_day: Mapped[str] = mapped_column(String(10), primary_key=True)
    category: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class BlockRow(Base):
    __tablename__ = "kiosk_blocks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    service_day: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(8))
    first: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer)


class EventRow(Base):
    __tablename__ = "events"
    __table_args__ = {"sqlite_autoincrement": True}
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    counter_no: Mapped[int | None] = mapped_column(Integer)
    ticket_id: Mapped[str | None] = mapped_column(String(36))
    payload: Mapped[str] = mapped_column(Text)  # the QueueEvent's JSON without its seq


class SettingRow(Base):
    __tablename__ = "hub_settings"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


__all__ = ["Base", "BlockRow", "CounterRow", "CounterSessionRow", "DeviceRow", "EventRow", "HelpRow",
           "PairingCodeRow", "SequenceRow", "SettingRow", "TicketRow"]
