"""The platform's tables for appointments (A1): booking, slots, the hall's 7-day feed, check-ins and no-shows reported (new tables only, schema 7: `create_all` makes them).

Capacity is enforced by a counter row per (hall, day, slot) raised with a conditional UPDATE
(`booked < capacity`), which the database applies atomically: of two bookings racing for the last place,
exactly one raises it. Booking codes, and one event per booking and kind, are unique by constraint.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sync.server.models import PlatformBase, utcnow  # noqa: F401 - the tables below share the platform's metadata


class AppointmentSlotPlan(PlatformBase):
    """A hall's bookable hours (each slot one hour from each start) and the places per slot; a hall without
    a row has the default plan (`sync.server.appointments.DEFAULT_PLAN`)."""

    __tablename__ = "appointment_slot_plans"
    hall_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    capacity: Mapped[int] = mapped_column(Integer)
    starts: Mapped[list[Any]]  # ["09:00", "10:00", ...]
    working_days_only: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AppointmentSlotCount(PlatformBase):
    """Places taken in one slot of one day of a hall (cancellations give theirs back)."""

    __tablename__ = "appointment_slot_counts"
    hall_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    slot_start: Mapped[str] = mapped_column(String(5), primary_key=True)
    booked: Mapped[int] = mapped_column(Integer, default=0)


class AppointmentBooking(PlatformBase):
    __tablename__ = "appointments"
    __table_args__ = (Index("ix_appointments_hall_day", "hall_code", "day"),
                      UniqueConstraint("hall_code", "day", "slot_start", "holder_id_number",
                                       name="uq_appointments_hall_day_slot_holder"))
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    booking_code: Mapped[str] = mapped_column(String(8), unique=True)
    hall_code: Mapped[str] = mapped_column(String(12))
    service_item: Mapped[str] = mapped_column(String(64))
    item_name_zh: Mapped[str] = mapped_column(String(200))
    item_name_en: Mapped[str] = mapped_column(String(300))
    department_code: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    slot_start: Mapped[str] = mapped_column(String(5))
    slot_end: Mapped[str] = mapped_column(String(5))
    holder_id_number: Mapped[str] = mapped_column(String(18), index=True)
    holder_name: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(16), default="booked")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))  # "device:<id>" or "cli"
    checked_in_at: Mapped[datetime | None]
    checked_in_device: Mapped[int | None] = mapped_column(Integer)
    ticket_number: Mapped[str | None] = mapped_column(String(16))
    no_show_at: Mapped[datetime | None]


class AppointmentEventRow(PlatformBase):
    """A check-in or no-show a terminal reported; its id is the terminal's, so a re-send is recognised."""

    __tablename__ = "appointment_events"
    __table_args__ = (UniqueConstraint("appointment_id", "kind", name="uq_appointment_events_appointment_kind"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    appointment_id: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    device_id: Mapped[int] = mapped_column(Integer)
    ticket_number: Mapped[str | None] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
