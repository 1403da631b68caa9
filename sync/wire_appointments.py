"""The appointment routes' documents (`/api/v1/appointments...`), typed once for the platform and the terminal.

A counter books for a citizen (`BookingRequest`, the platform enforcing each slot's capacity); every device
of the hall pulls the next days' bookings (`AppointmentFeed`), so check-in works with the link down; the
terminal reports what happened (`EventsPush`: check-ins and no-shows, idempotent by the event's id and
one per booking and kind).
"""
from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field

from sync.wire import Bilingual, Code, HallCode, Reason, ShortText, Uuid, Wire

HHMM = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
BookingCode = Annotated[str, Field(pattern=r"^[2-9A-HJ-NP-Z]{8}$")]
State = Literal["booked", "checked_in", "no_show", "cancelled"]
EventKind = Literal["check_in", "no_show"]
FEED_DAYS = 7


class BookingRequest(BaseModel):
    """What a counter sends; the ID number and the day are judged by the platform with a message for people."""

    service_item: Code
    day: date
    slot_start: HHMM
    id_number: Annotated[str, Field(min_length=1, max_length=32)]
    name: Annotated[ShortText, Field(min_length=1, max_length=100)]


class AppointmentDoc(Wire):
    id: Uuid
    booking_code: BookingCode
    service_item: Code
    item_name: Bilingual
    department_code: Code
    day: date
    slot_start: HHMM
    slot_end: HHMM
    holder_name: Annotated[ShortText, Field(max_length=100)]
    id_number: Annotated[str, Field(pattern=r"^[0-9]{17}[0-9X]$")]
    state: State
    checked_in_at: AwareDatetime | None = None
    ticket_number: Annotated[str, Field(max_length=16)] | None = None
    no_show_at: AwareDatetime | None = None


class AppointmentFeed(Wire):
    hall_code: HallCode
    from_day: date  # the platform's today: the window is [from_day, from_day + days)
    days: int = Field(ge=1, le=31)
    appointments: list[AppointmentDoc] = Field(max_length=20_000)


class AppointmentEventDoc(BaseModel):
    id: Uuid  # made by the terminal; the same event sent again is recorded once
    appointment_id: Uuid
    kind: EventKind
    at: AwareDatetime
    actor: Annotated[str, Field(min_length=1, max_length=100)]
    ticket_number: Annotated[str, Field(max_length=16)] | None = None


class EventsPush(BaseModel):
    events: list[AppointmentEventDoc] = Field(min_length=1, max_length=200)


class EventResult(Wire):
    id: Uuid
    result: Literal["recorded", "duplicate", "refused"]
    reason: Reason | None = None


class EventsAnswer(Wire):
    results: list[EventResult]
