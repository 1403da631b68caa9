"""Appointments on the platform: a hall's bookable slots, booking under a capacity, the hall's feed, and the
check-ins and no-shows its terminals report.

Booking is a counter's act (or `onewindow platform book`); every refusal says why in both languages and
changes nothing. A place is taken by a conditional UPDATE of the slot's counter row (`booked < capacity`),
atomic in SQLite and PostgreSQL alike (PostgreSQL re-checks the condition on the locked row after a rival
commits), so of two bookings racing for the last place exactly one wins; the booking and its place are one
transaction. Times are the hall's local wall-clock ("HH:MM"), days its local days.
"""
from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk import booking_code
from kiosk.errors import Message, UserFacingError
from kiosk.identity import InvalidIdentity, parse_resident_id
from kiosk.workdays import default_calendar
from sync.server import platform_audit
from sync.server.appointments_models import (AppointmentBooking, AppointmentEventRow, AppointmentSlotCount,
                                             AppointmentSlotPlan)
from sync.server.models import Device, utcnow
from sync.server.online import published_catalog

DEFAULT_STARTS = ("09:00", "10:00", "11:00", "14:00", "15:00", "16:00")  # 09–12 and 14–17, one hour each
DEFAULT_CAPACITY = 4
MAX_CAPACITY = 500
MAX_DAYS_AHEAD = 30
HALL = re.compile(r"[0-9]{6,12}")
HHMM = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
LAST_SLOT_START = "22:00"  # a slot lasts an hour and must end on its own day (a 23:00 slot would end at "00:00")


class SlotFull(UserFacingError):
    """The slot has no place left (HTTP 409)."""


class AlreadyBooked(UserFacingError):
    """This person already holds a booking in this slot (HTTP 409)."""


@dataclass(frozen=True)
class SlotPlan:
    hall_code: str
    capacity: int
    starts: tuple[str, ...]
    working_days_only: bool = True

    def end_of(self, start: str) -> str:
        return (datetime.combine(date.min, time.fromisoformat(start)) + timedelta(hours=1)).strftime("%H:%M")

    def as_dict(self) -> dict[str, Any]:
        return {"hall_code": self.hall_code, "capacity": self.capacity, "starts": list(self.starts),
                "working_days_only": self.working_days_only}


def _refuse(zh: str, en: str, code: str, cls: type[UserFacingError] = UserFacingError) -> UserFacingError:
    return cls(Message(zh, en), code=code)


def _check_hall(hall: str) -> str:
    if not isinstance(hall, str) or not HALL.fullmatch(hall):
        raise _refuse("大厅编码应为6到12位数字。", "A hall code has 6 to 12 digits.", "hall")
    return hall


def plan_of(session: Session, hall: str) -> SlotPlan:
    row = session.get(AppointmentSlotPlan, _check_hall(hall))
    if row is None:
        return SlotPlan(hall, DEFAULT_CAPACITY, DEFAULT_STARTS)
    return SlotPlan(hall, row.capacity, tuple(row.starts), row.working_days_only)


def set_plan(session: Session, hall: str, *, capacity: int, starts: Sequence[str] | None = None,
             working_days_only: bool = True, actor: str = "cli") -> SlotPlan:
    """A hall's slots from now on; bookings already made keep their places."""
    _check_hall(hall)
    if not isinstance(capacity, int) or not 0 <= capacity <= MAX_CAPACITY:
        raise _refuse(f"每个时段的预约名额应在 0 到 {MAX_CAPACITY} 之间。",
                      f"The places per slot must be 0 to {MAX_CAPACITY}.", "capacity")
    chosen = tuple(starts) if starts is not None else DEFAULT_STARTS
    bad = [s for s in chosen if not isinstance(s, str) or not HHMM.fullmatch(s) or s > LAST_SLOT_START]
    if bad or not chosen or len(set(chosen)) != len(chosen):
        raise _refuse(f"时段起点应为不重复的 HH:MM（最晚 {LAST_SLOT_START}），例如 09:00,10:00。",
                      f"Slot starts are distinct HH:MM times ({LAST_SLOT_START} at the latest), e.g. 09:00,10:00.", "slots")
    row = session.get(AppointmentSlotPlan, hall)
    if row is None:
        row = AppointmentSlotPlan(hall_code=hall)
        session.add(row)
    row.capacity, row.starts, row.working_days_only = capacity, sorted(chosen), working_days_only
    platform_audit.record(session, actor=actor, action="appointment_slots_set", subject=hall,
                          details={"capacity": capacity, "starts": sorted(chosen),
                                   "working_days_only": working_days_only})
    return SlotPlan(hall, capacity, tuple(sorted(chosen)), working_days_only)


def _local_now() -> datetime:
    return datetime.now().astimezone()


def _check_name(name: str) -> str:
    clean = " ".join(name.split()) if isinstance(name, str) else ""
    if not clean or len(clean) > 50 or not clean.isprintable():
        raise _refuse("请填写预约人姓名（不超过50个字）。", "Please give the name of the person booking (50 "
                      "characters at most).", "name")
    return clean


def _take_place(session: Session, hall: str, day: date, start: str, capacity: int) -> None:
    taken = update(AppointmentSlotCount).where(
        AppointmentSlotCount.hall_code == hall, AppointmentSlotCount.day == day,
        AppointmentSlotCount.slot_start == start, AppointmentSlotCount.booked < capacity,
    ).values(booked=AppointmentSlotCount.booked + 1)
    for _ in range(3):
        if session.execute(taken).rowcount == 1:  # type: ignore[attr-defined]
            return
        if session.get(AppointmentSlotCount, (hall, day, start)) is not None:
            break  # the row exists and is full
        if capacity <= 0:
            break
        try:
            with session.begin_nested():  # the first booking of the slot; a rival may insert it at once
                session.add(AppointmentSlotCount(hall_code=hall, day=day, slot_start=start, booked=1))
            return
        except IntegrityError:
            continue  # the rival's row is there now: take a place in it
    raise _refuse(f"{day.month}月{day.day}日 {start} 时段已约满，请选择其他时段。",
                  f"The {start} slot on {day.isoformat()} is fully booked; please choose another slot.",
                  "slot_full", SlotFull)


def book(session: Session, *, hall: str, service_item: str, day: date, slot_start: str, id_number: str, name: str,
         by: str, now: datetime | None = None) -> AppointmentBooking:
    """Book a place; every refusal is a `UserFacingError` naming what is wrong, and nothing is stored."""
    _check_hall(hall)
    now = (now or _local_now()).astimezone()
    today = now.date()
    try:
        number = parse_resident_id(id_number if isinstance(id_number, str) else "", today=today).number
    except InvalidIdentity as exc:
        raise UserFacingError(exc.message, code="id_number") from None
    holder = _check_name(name)
    catalog = published_catalog(session)
    item = catalog.item(service_item) if isinstance(service_item, str) else None
    if item is None:
        raise _refuse(f"服务目录中没有事项编码 {service_item}。", f"The catalog has no service item {service_item}.",
                      "unknown_item")
    if not isinstance(day, date):
        raise _refuse("预约日期无效。", "The day is not a date.", "day")
    if day < today:
        raise _refuse("不能预约已经过去的日期。", "A day that has passed cannot be booked.", "past_day")
    if day > today + timedelta(days=MAX_DAYS_AHEAD):
        raise _refuse(f"只能预约 {MAX_DAYS_AHEAD} 天以内的日期。",
                      f"Only the next {MAX_DAYS_AHEAD} days can be booked.", "too_far")
    plan = plan_of(session, hall)
    if plan.working_days_only and not default_calendar().is_working_day(day):
        raise _refuse(f"{day.month}月{day.day}日不是工作日，大厅不办理预约业务。",
                      f"{day.isoformat()} is not a working day; the hall takes no appointments then.", "closed_day")
    if slot_start not in plan.starts:
        raise _refuse(f"没有 {slot_start} 这个预约时段。可选：{'、'.join(plan.starts)}。",
                      f"There is no {slot_start} slot. Slots: {', '.join(plan.starts)}.", "no_slot")
    slot_end = plan.end_of(slot_start)
    if day == today and now.strftime("%H:%M") >= slot_end:
        raise _refuse(f"今天 {slot_start} 时段已经结束。", f"Today's {slot_start} slot is over.", "past_slot")
    rival = session.scalar(select(AppointmentBooking.id).where(
        AppointmentBooking.hall_code == hall, AppointmentBooking.day == day,
        AppointmentBooking.slot_start == slot_start, AppointmentBooking.holder_id_number == number,
        AppointmentBooking.state != "cancelled"))
    if rival is not None:
        raise _refuse("该身份证号已预约这一时段。", "This ID number already holds a booking in this slot.",
                      "already_booked", AlreadyBooked)
    _take_place(session, hall, day, slot_start, plan.capacity)
    while True:
        code = booking_code.new_code()
        if session.scalar(select(AppointmentBooking.id).where(AppointmentBooking.booking_code == code)) is None:
            break
    row = AppointmentBooking(id=str(uuid.uuid4()), booking_code=code, hall_code=hall, service_item=item.code,
                             item_name_zh=item.name.zh, item_name_en=item.name.en,
                             department_code=item.department.code, day=day, slot_start=slot_start,
                             slot_end=slot_end, holder_id_number=number, holder_name=holder, state="booked",
                             created_by=by)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # a rival booked the same person into this slot a moment ago
        raise _refuse("该身份证号已预约这一时段。", "This ID number already holds a booking in this slot.",
                      "already_booked", AlreadyBooked) from None
    platform_audit.record(session, actor=by, action="appointment_booked", subject=row.id,
                          details={"hall": hall, "service_item": item.code, "day": day.isoformat(),
                                   "slot": slot_start, "booking_code": code})
    return row


def cancel(session: Session, code: str, *, actor: str = "cli") -> AppointmentBooking:
    """Cancel a booking that has not been used; its place goes back to the slot."""
    normal = booking_code.normalise(code if isinstance(code, str) else "")
    wrong = booking_code.problem(normal)
    if wrong is not None:
        raise UserFacingError(wrong, code="booking_code")
    row = session.scalar(select(AppointmentBooking).where(AppointmentBooking.booking_code == normal))
    if row is None:
        raise _refuse(f"没有预约码为 {normal} 的预约。", f"No booking has the code {normal}.", "unknown_booking")
    if row.state != "booked":
        raise _refuse("该预约已签到、已爽约或已取消，不能再取消。",
                      "This booking was checked in, missed or cancelled already; it cannot be cancelled.", "state")
    row.state = "cancelled"
    session.execute(update(AppointmentSlotCount).where(
        AppointmentSlotCount.hall_code == row.hall_code, AppointmentSlotCount.day == row.day,
        AppointmentSlotCount.slot_start == row.slot_start, AppointmentSlotCount.booked > 0,
    ).values(booked=AppointmentSlotCount.booked - 1))
    platform_audit.record(session, actor=actor, action="appointment_cancelled", subject=row.id,
                          details={"booking_code": normal})
    return row


def hall_bookings(session: Session, hall: str, first: date, days: int) -> list[AppointmentBooking]:
    return list(session.scalars(select(AppointmentBooking).where(
        AppointmentBooking.hall_code == _check_hall(hall), AppointmentBooking.day >= first,
        AppointmentBooking.day < first + timedelta(days=days))
        .order_by(AppointmentBooking.day, AppointmentBooking.slot_start, AppointmentBooking.booking_code)))


def slot_use(session: Session, hall: str, day: date) -> dict[str, int]:
    return {row.slot_start: row.booked for row in session.scalars(select(AppointmentSlotCount).where(
        AppointmentSlotCount.hall_code == hall, AppointmentSlotCount.day == day))}


def document(row: AppointmentBooking) -> dict[str, Any]:
    """The booking as `sync.wire_appointments.AppointmentDoc`."""
    return {"id": row.id, "booking_code": row.booking_code, "service_item": row.service_item,
            "item_name": {"zh": row.item_name_zh, "en": row.item_name_en}, "department_code": row.department_code,
            "day": row.day.isoformat(), "slot_start": row.slot_start, "slot_end": row.slot_end,
            "holder_name": row.holder_name, "id_number": row.holder_id_number, "state": row.state,
            "checked_in_at": row.checked_in_at.isoformat() if row.checked_in_at else None,
            "ticket_number": row.ticket_number,
            "no_show_at": row.no_show_at.isoformat() if row.no_show_at else None}


def record_event(session: Session, device: Device, *, event_id: str, appointment_id: str, kind: str, at: datetime,
                 actor: str, ticket_number: str | None) -> tuple[str, Message | None]:
    """One reported event: ("recorded" | "duplicate" | "refused", why). A re-send of an event, or a second
    terminal's report of the same kind for the same booking, is a duplicate and changes nothing; a check-in
    wins over a no-show (the citizen did come)."""
    seen = session.get(AppointmentEventRow, event_id)
    if seen is not None:
        if seen.appointment_id == appointment_id and seen.kind == kind:
            return "duplicate", None
        return "refused", Message("事件编号已被另一事件使用。", "The event id is taken by another event.")
    row = session.get(AppointmentBooking, appointment_id)
    if row is None or row.hall_code != device.hall_code:
        return "refused", Message("本大厅没有这个预约。", "This hall has no such booking.")
    if session.scalar(select(AppointmentEventRow.id).where(AppointmentEventRow.appointment_id == appointment_id,
                                                           AppointmentEventRow.kind == kind)) is not None:
        return "duplicate", None
    try:
        with session.begin_nested():
            session.add(AppointmentEventRow(id=event_id, appointment_id=appointment_id, kind=kind, at=at, actor=actor,
                                            device_id=device.id, ticket_number=ticket_number))
    except IntegrityError:  # a rival report of the same event landed first
        return "duplicate", None
    if kind == "check_in":
        row.state, row.checked_in_at, row.checked_in_device = "checked_in", at, device.id
        row.ticket_number = ticket_number
    elif row.state == "booked":
        row.state, row.no_show_at = "no_show", at
    return "recorded", None
