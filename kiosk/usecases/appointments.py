"""Appointments as the kiosk, the counter and the CLI use them (A1 implements; A2's screens call these).

The hall's bookings for the next 7 days are copied into the store on every sync pass, so checking in works
with the link down: by the ID card the citizen places on the reader, or by the booking QR code (its text is
`booking_code`). A check-in issues a priority ticket (`Priority.APPOINTMENT`) in the line of the booked
item's department; a booking not checked in by its slot's end plus the grace period becomes a no-show. Both
are reported to the platform by the outbox, exactly once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from kiosk.catalog import Text
from kiosk.errors import Message, UserFacingError
from kiosk.queue.model import IssuedTicket
from kiosk.terminal import Terminal

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
    holder_name: str  # shown masked on a kiosk screen (`kiosk.identity.mask_name`), whole at a counter
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
    says which, and what to do."""


def appointments_for_day(t: Terminal, day: date | None = None) -> list[AppointmentView]:
    """The hall's bookings of a day (today by default), by slot: who is booked and who has arrived."""
    raise NotImplementedError


def check_in_by_id_number(t: Terminal, id_number: str, *, now: datetime | None = None,
                          actor: str = "kiosk") -> CheckIn:
    raise NotImplementedError


def check_in_by_code(t: Terminal, code: str, *, now: datetime | None = None, actor: str = "kiosk") -> CheckIn:
    raise NotImplementedError


def mark_no_shows(t: Terminal, *, now: datetime | None = None) -> int:
    """Bookings past their slot's end plus `GRACE_MINUTES` become no-shows (queued for the platform)."""
    raise NotImplementedError
