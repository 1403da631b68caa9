"""Appointments as the kiosk, the counter and the CLI use them (A1 implements; A2's screens call these).

The hall's bookings for the next 7 days are copied into the store on every sync pass, so checking in works
with the link down: by the ID card the citizen places on the reader, or by the booking QR code (its text is
`booking_code`). A check-in issues a priority ticket (`Priority.APPOINTMENT`) in the line of the booked
item's department; a booking not checked in by its slot's end plus the grace period becomes a no-show. Both
are reported to the platform by the outbox, exactly once.
"""
from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import audit, booking_code
from kiosk.catalog import Text
from kiosk.errors import Message, UserFacingError
from kiosk.identity import InvalidIdentity, parse_resident_id
from kiosk.queue.model import Category, HallUnavailable, IssuedTicket, Priority, Ticket, TicketState
from kiosk.store.models import Appointment, AppointmentEvent, utcnow
from kiosk.terminal import Terminal
from kiosk.usecases.queue import queue_categories, take_ticket

log = logging.getLogger("onewindow.appointments")

GRACE_MINUTES = 30  # after a slot's end, before its unchecked bookings become no-shows
EARLY_MINUTES = 60  # how long before its slot a booking may check in


class AppointmentState(StrEnum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class AppointmentView:
    id: str  # the platform's UUID of the booking
    booking_code: str  # what the booking's QR code holds
    service_item: str
    item_name: Text
    day: date
    slot_start: time
    slot_end: time
    holder_name: str  # masked on a kiosk screen (ui/kiosk/screens/checkin_result.py), whole at a counter
    id_masked: str
    state: AppointmentState
    checked_in_at: datetime | None = None
    ticket_number: str | None = None


@dataclass(frozen=True)
class CheckIn:
    appointment: AppointmentView
    ticket: IssuedTicket | None  # None: no hall hub here; `note` tells the citizen where to go instead
    already: bool = False  # checked in before (the same card placed again): the same ticket, not a second one
    note: Message | None = None


class NoBooking(UserFacingError):
    """Nothing booked for this card or code today (or it is too early, too late, cancelled); the message
    says which, and what to do. `code` tells a screen which: "none" (nothing found: a card placed on the
    welcome screen just goes on to the usual flow), "other_day", "too_early", "too_late", "cancelled",
    "id_number" (not a valid ID number) or "booking_code" (not a valid booking code)."""


# --- implementation ---------------------------------------------------------------------------------------

CHECK_IN, NO_SHOW = "check_in", "no_show"
_check_in_lock = threading.Lock()  # one check-in at a time on this terminal: a card placed twice in a row


def _now(now: datetime | None) -> datetime:
    moment = now or utcnow()
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is needed")
    return moment


def _local_day(now: datetime) -> date:
    return now.astimezone().date()


def _at(day: date, hhmm: str) -> datetime:
    """A slot's local wall-clock time as an aware moment (the hall's clock is this machine's)."""
    return datetime.combine(day, time.fromisoformat(hhmm)).astimezone()


def _item_name(t: Terminal, row: Appointment) -> Text:
    item = t.catalog.item(row.service_item)
    return item.name if item is not None else Text(row.item_name_zh, row.item_name_en)


def _view(t: Terminal, row: Appointment) -> AppointmentView:
    return AppointmentView(id=row.id, booking_code=row.booking_code, service_item=row.service_item,
                           item_name=_item_name(t, row), day=row.day, slot_start=time.fromisoformat(row.slot_start),
                           slot_end=time.fromisoformat(row.slot_end), holder_name=row.holder_name,
                           id_masked=row.id_masked, state=AppointmentState(row.state),
                           checked_in_at=row.checked_in_at, ticket_number=row.ticket_number)


def _ticket_document(issued: IssuedTicket) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    return plain(dataclasses.asdict(issued))  # type: ignore[no-any-return]


def _ticket_from_document(doc: dict[str, Any]) -> IssuedTicket:
    names = {f.name for f in dataclasses.fields(Ticket)}
    raw = {k: v for k, v in doc["ticket"].items() if k in names}
    for key, value in raw.items():
        if key.endswith("_at") and isinstance(value, str):
            raw[key] = datetime.fromisoformat(value)
    raw["priority"] = Priority(raw["priority"])
    raw["state"] = TicketState(raw["state"])
    return IssuedTicket(ticket=Ticket(**raw), people_ahead=int(doc["people_ahead"]),
                        estimated_wait_minutes=int(doc["estimated_wait_minutes"]), status_url=str(doc["status_url"]),
                        offline=bool(doc.get("offline", False)))


def _when(row: Appointment) -> Message:
    return Message(f"{row.day.month}月{row.day.day}日 {row.slot_start}–{row.slot_end}",
                   f"{row.day.isoformat()} {row.slot_start}–{row.slot_end}")


def _refusal(t: Terminal, rows: list[Appointment], now: datetime) -> NoBooking:
    """Why none of `rows` (this person's or this code's bookings) can check in now: the most useful reason."""
    today = _local_day(now)
    todays = [r for r in rows if r.day == today]
    booked_today = [r for r in todays if r.state == AppointmentState.BOOKED]
    early = [r for r in booked_today if now < _at(r.day, r.slot_start) - timedelta(minutes=EARLY_MINUTES)]
    if early:
        r = min(early, key=lambda r: r.slot_start)
        opens = (_at(r.day, r.slot_start) - timedelta(minutes=EARLY_MINUTES)).strftime("%H:%M")
        name = _item_name(t, r)
        return NoBooking(Message(f"您预约的“{name.zh}”在今天 {r.slot_start}–{r.slot_end}，现在签到还太早。请于 {opens} 以后再来签到。",
                                 f"Your appointment for \"{name.en}\" is today {r.slot_start}–{r.slot_end}; it is too "
                                 f"early to check in. Please check in from {opens}."), code="too_early")
    late = [r for r in todays if r.state in (AppointmentState.BOOKED, AppointmentState.NO_SHOW)]
    if late:
        r = max(late, key=lambda r: r.slot_start)
        return NoBooking(Message(f"您今天 {r.slot_start}–{r.slot_end} 的预约已过签到时间（时段结束后{GRACE_MINUTES}分钟内可签到）。"
                                 "请取普通号排队，或重新预约。",
                                 f"Your appointment today {r.slot_start}–{r.slot_end} can no longer be checked in "
                                 f"(check-in closes {GRACE_MINUTES} minutes after the slot ends). Please take a "
                                 "regular number, or book again."), code="too_late")
    if any(r.state == AppointmentState.CANCELLED for r in todays):
        return NoBooking(Message("您今天的预约已取消。请取普通号排队，或重新预约。",
                                 "Your appointment for today was cancelled. Please take a regular number, or book "
                                 "again."), code="cancelled")
    later = sorted((r for r in rows if r.day > today and r.state == AppointmentState.BOOKED),
                   key=lambda r: (r.day, r.slot_start))
    if later:
        when = _when(later[0])
        return NoBooking(Message(f"您的预约在 {when.zh}，不是今天。请在预约当天来签到。",
                                 f"Your appointment is on {when.en}, not today. Please check in on that day."),
                         code="other_day")
    earlier = sorted((r for r in rows if r.day < today), key=lambda r: (r.day, r.slot_start))
    if earlier:
        when = _when(earlier[-1])
        return NoBooking(Message(f"该预约的时间（{when.zh}）已过。请取普通号排队，或重新预约。",
                                 f"That appointment ({when.en}) has passed. Please take a regular number, or book "
                                 "again."), code="too_late")
    return NoBooking(NOT_FOUND, code="none")


NOT_FOUND = Message("没有查到您今天的预约。请取普通号排队，或到咨询台询问。",
                    "No appointment was found for you today. Please take a regular number, or ask at the "
                    "information desk.")
NO_HUB_NOTE = Message("您已签到。本机未连接叫号系统，请到咨询台出示预约码，工作人员会为您优先安排。",
                      "You are checked in. This kiosk has no queue system; please show your booking code at the "
                      "information desk and staff will serve you first.")


def _line_for(categories: tuple[Category, ...], department: str) -> Category | None:
    """The queue line serving the item's department; a hall whose lines name no departments has one for all."""
    for c in categories:
        if department in c.departments:
            return c
    general = [c for c in categories if not c.departments]
    return general[0] if general else None


def _issue(t: Terminal, row: Appointment) -> tuple[IssuedTicket | None, Message | None]:
    """The priority ticket, or why there is none; the check-in stands either way (the citizen is here)."""
    if t.hall is None:
        return None, NO_HUB_NOTE
    try:
        line = _line_for(queue_categories(t), row.department_code)
        if line is None:
            return None, NO_HUB_NOTE
        return take_ticket(t, line.code, Priority.APPOINTMENT), None
    except HallUnavailable as exc:
        log.info("appointment %s checked in without a ticket: %s", row.id, exc.message.en)
        return None, NO_HUB_NOTE
    except UserFacingError as exc:
        return None, Message(f"您已签到，但未能取号：{exc.message.zh} 请到咨询台出示预约码。",
                             f"You are checked in, but no number could be issued: {exc.message.en} Please show your "
                             "booking code at the information desk.")


def _already(t: Terminal, row: Appointment) -> CheckIn:
    ticket = _ticket_from_document(row.ticket) if row.ticket else None
    note = None
    if ticket is None:
        note = (Message(f"您已签到，您的号码是 {row.ticket_number}，请留意叫号。",
                        f"You are already checked in; your number is {row.ticket_number}. Please wait for your call.")
                if row.ticket_number else
                Message("您已签到，请留意叫号，或到咨询台出示预约码。",
                        "You are already checked in. Please wait for your call, or show your booking code at the "
                        "information desk."))
    return CheckIn(appointment=_view(t, row), ticket=ticket, already=True, note=note)


def _check_in(t: Terminal, pick: Callable[[Session], Appointment | NoBooking], now: datetime, actor: str) -> CheckIn:
    with _check_in_lock:
        with t.store.transaction() as session:
            chosen = pick(session)
            if isinstance(chosen, NoBooking):
                raise chosen
            if chosen.state == AppointmentState.CHECKED_IN:
                return _already(t, chosen)
            row_id = chosen.id
            session.expunge(chosen)
        ticket, note = _issue(t, chosen)  # the hub is asked outside any transaction
        with t.store.transaction() as session:
            row = session.get(Appointment, row_id)
            if row is None:  # a sync pass removed it meanwhile (cancelled on the platform)
                raise NoBooking(NOT_FOUND, code="none")
            row.state = AppointmentState.CHECKED_IN.value
            row.checked_in_at = now
            row.checked_in_by = actor
            row.ticket_number = ticket.ticket.number if ticket else None
            row.ticket = _ticket_document(ticket) if ticket else None
            session.add(AppointmentEvent(appointment_id=row.id, kind=CHECK_IN, at=now, actor=actor,
                                         ticket_number=row.ticket_number, state="pending", attempts=0))
            audit.record(session, actor=actor, action="appointment_check_in", subject=row.id,
                         details={"booking_code": row.booking_code, "service_item": row.service_item,
                                  "ticket": row.ticket_number})
            return CheckIn(appointment=_view(t, row), ticket=ticket, note=note)


def _choose(t: Terminal, rows: list[Appointment], now: datetime) -> Appointment | NoBooking:
    today = _local_day(now)
    open_now = sorted((r for r in rows if r.day == today and r.state == AppointmentState.BOOKED
                       and _at(r.day, r.slot_start) - timedelta(minutes=EARLY_MINUTES) <= now
                       <= _at(r.day, r.slot_end) + timedelta(minutes=GRACE_MINUTES)), key=lambda r: r.slot_start)
    if open_now:
        return open_now[0]
    done = sorted((r for r in rows if r.day == today and r.state == AppointmentState.CHECKED_IN),
                  key=lambda r: r.slot_start)
    if done:
        return done[-1]
    return _refusal(t, rows, now)


def appointments_for_day(t: Terminal, day: date | None = None) -> list[AppointmentView]:
    """The hall's bookings of a day (today by default), by slot: who is booked and who has arrived.

    By slot means by its start, then its end: two slots from the same minute in the order of their booking
    codes (random) came out either way round (a test caught it in the minutes after midnight)."""
    day = day or _local_day(utcnow())
    with t.store.transaction() as session:
        rows = session.scalars(select(Appointment).where(Appointment.day == day)
                               .order_by(Appointment.slot_start, Appointment.slot_end, Appointment.booking_code))
        return [_view(t, r) for r in rows]


def check_in_by_id_number(t: Terminal, id_number: str, *, now: datetime | None = None,
                          actor: str = "kiosk") -> CheckIn:
    """The card placed on the reader (or the number typed at a counter), against the bookings copied here."""
    moment = _now(now)
    try:
        number = parse_resident_id(id_number if isinstance(id_number, str) else "").number
    except InvalidIdentity as exc:
        raise NoBooking(exc.message, code="id_number") from None

    def pick(session: Session) -> Appointment | NoBooking:
        rows = list(session.scalars(select(Appointment).where(Appointment.holder_id_index == number)))
        return _choose(t, rows, moment)

    return _check_in(t, pick, moment, actor)


def check_in_by_code(t: Terminal, code: str, *, now: datetime | None = None, actor: str = "kiosk") -> CheckIn:
    """The booking QR code shown to the camera or the scanner, or the code typed at a counter."""
    moment = _now(now)
    normal = booking_code.normalise(code if isinstance(code, str) else "")
    wrong = booking_code.problem(normal)
    if wrong is not None:
        raise NoBooking(wrong, code="booking_code")

    def pick(session: Session) -> Appointment | NoBooking:
        row = session.scalar(select(Appointment).where(Appointment.booking_code == normal))
        if row is None:
            return NoBooking(Message(f"没有查到预约码 {normal} 的预约。请核对预约码，或到咨询台询问。",
                                     f"No appointment has the booking code {normal}. Please check the code, or ask "
                                     "at the information desk."), code="none")
        return _choose(t, [row], moment)

    return _check_in(t, pick, moment, actor)


def mark_no_shows(t: Terminal, *, now: datetime | None = None) -> int:
    """Bookings past their slot's end plus `GRACE_MINUTES` become no-shows (queued for the platform)."""
    moment = _now(now)
    marked = 0
    with t.store.transaction() as session:
        rows = session.scalars(select(Appointment).where(Appointment.state == AppointmentState.BOOKED.value,
                                                         Appointment.day <= _local_day(moment)))
        for row in rows:
            if moment <= _at(row.day, row.slot_end) + timedelta(minutes=GRACE_MINUTES):
                continue
            row.state = AppointmentState.NO_SHOW.value
            row.no_show_at = moment
            session.add(AppointmentEvent(appointment_id=row.id, kind=NO_SHOW, at=moment, actor="system",
                                         state="pending", attempts=0))
            audit.record(session, actor="system", action="appointment_no_show", subject=row.id,
                         details={"booking_code": row.booking_code, "day": row.day.isoformat(),
                                  "slot": row.slot_start})
            marked += 1
    return marked
