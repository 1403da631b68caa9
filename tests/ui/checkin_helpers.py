"""Bookings in a terminal's store, as a sync pass leaves them (sync/appointments.py), for the check-in screens.

A slot around the present moment (so the real clock finds it open for check-in), or any other state.
The rows are the ones `sync.appointments.apply_feed` writes; the windows reach them only through
`kiosk.usecases.appointments`.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from kiosk import booking_code
from kiosk.identity import mask_id, resident_id_check_char
from kiosk.store.models import Appointment
from kiosk.terminal import Terminal

ID_CARD_ITEM = "330106000173002001"  # 居民身份证换领, department "police": line B of the FakeHall
HOLDER = "11010519491231002" + resident_id_check_char("11010519491231002")  # the reader simulator's card
NOBODY = "11010519800101001" + resident_id_check_char("11010519800101001")  # a valid number with no booking


def open_slot() -> tuple[str, str]:
    """A slot of today that is open for check-in now, within today's hours whatever the time."""
    now = datetime.now().astimezone()
    midnight = datetime.combine(now.date(), time(0, 0)).astimezone()
    start = max(midnight, now - timedelta(minutes=10))
    end = min(datetime.combine(now.date(), time(23, 59)).astimezone(), now + timedelta(minutes=50))
    return start.strftime("%H:%M"), end.strftime("%H:%M")


def book(t: Terminal, *, id_number: str = HOLDER, name: str = "张三", state: str = "booked",
         slot: tuple[str, str] | None = None, code: str | None = None, department: str = "police",
         day: date | None = None) -> str:
    """One booking (today, in a slot open now, by default); returns its booking code."""
    code = code or booking_code.new_code()
    start, end = slot or open_slot()
    with t.store.transaction() as s:
        s.add(Appointment(id=str(uuid.uuid4()), booking_code=code, service_item=ID_CARD_ITEM,
                          item_name_zh="居民身份证换领", item_name_en="ID card renewal", department_code=department,
                          day=day or datetime.now().astimezone().date(), slot_start=start, slot_end=end, holder_name=name,
                          holder_id_index=id_number, id_masked=mask_id(id_number), state=state))
    return code


def states(t: Terminal) -> dict[str, str]:
    """booking code -> state, as the store holds them."""
    from sqlalchemy import select

    with t.store.transaction() as s:
        return {a.booking_code: a.state for a in s.scalars(select(Appointment))}
