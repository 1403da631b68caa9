"""Check-in and no-shows against the bookings copied into the store (kiosk.usecases.appointments), offline.

The hub stands at the edge as the in-memory `FakeHall` (the real hub and the real platform are in
tests/sync/test_appointments_*.py)."""
from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from kiosk import booking_code
from kiosk.errors import Message
from kiosk.identity import mask_id, resident_id_check_char
from kiosk.queue.model import Category, Priority
from kiosk.store.models import Appointment, AppointmentEvent, AuditEntry
from kiosk.usecases.appointments import (GRACE_MINUTES, NO_HUB_NOTE, AppointmentState, NoBooking,
                                         appointments_for_day, check_in_by_code, check_in_by_id_number,
                                         mark_no_shows)
from kiosk.submission import local_today
from tests.conftest import ID_CARD_ITEM
from tests.helpers.fake_hall import FakeHall

HOLDER = "11010519491231002X"
OTHER = "110105194912310" + "03" + resident_id_check_char("11010519491231003")


def at(hhmm: str, day: date | None = None) -> datetime:
    return datetime.combine(day or local_today(), time.fromisoformat(hhmm)).astimezone()


def book(t, *, id_number: str = HOLDER, day: date | None = None, start: str = "09:00", end: str = "10:00",
         state: str = "booked", code: str | None = None) -> str:
    code = code or booking_code.new_code()
    with t.store.transaction() as s:
        s.add(Appointment(id=str(uuid.uuid4()), booking_code=code, service_item=ID_CARD_ITEM,
                          item_name_zh="居民身份证换领", item_name_en="ID card renewal",
                          department_code="public_security", day=day or local_today(), slot_start=start, slot_end=end,
                          holder_name="张三", holder_id_index=id_number, id_masked=mask_id(id_number), state=state))
    return code


def hall() -> FakeHall:
    return FakeHall(counter_no=None, categories=(
        Category("A", Message("社会保障", "Social security"), ("hrss",)),
        Category("B", Message("户政", "Household registration"), ("public_security",))))


def events(t) -> list[tuple[str, str]]:
    with t.store.transaction() as s:
        return [(e.kind, e.state) for e in s.scalars(select(AppointmentEvent).order_by(AppointmentEvent.at))]


def states(t) -> list[str]:
    with t.store.transaction() as s:
        return [a.state for a in s.scalars(select(Appointment).order_by(Appointment.slot_start))]


def test_the_card_checks_in_with_a_priority_ticket_in_the_departments_line(terminal):
    terminal.hall = hall()
    book(terminal)
    done = check_in_by_id_number(terminal, HOLDER, now=at("09:10"))
    assert done.ticket is not None and not done.already and done.note is None
    assert done.ticket.ticket.category == "B" and done.ticket.ticket.priority == Priority.APPOINTMENT
    assert done.appointment.state == AppointmentState.CHECKED_IN
    assert done.appointment.ticket_number == done.ticket.ticket.number
    assert done.appointment.id_masked == mask_id(HOLDER) and done.appointment.item_name.zh == "居民身份证换领"
    assert events(terminal) == [("check_in", "pending")]
    with terminal.store.transaction() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "appointment_check_in")).one()
        assert entry.details["ticket"] == done.ticket.ticket.number


def test_the_same_card_twice_gives_the_same_ticket_not_a_second_one(terminal):
    terminal.hall = hall()
    code = book(terminal)
    first = check_in_by_id_number(terminal, HOLDER, now=at("08:30"))
    again = check_in_by_id_number(terminal, HOLDER, now=at("09:40"))
    by_code = check_in_by_code(terminal, code, now=at("09:41"))
    assert again.already and by_code.already
    assert first.ticket is not None
    assert again.ticket == first.ticket and by_code.ticket == first.ticket
    assert len(terminal.hall.tickets) == 1
    assert events(terminal) == [("check_in", "pending")]


def test_the_code_as_a_scanner_types_it_checks_in(terminal):
    terminal.hall = hall()
    code = book(terminal)
    done = check_in_by_code(terminal, f" {code[:4].lower()}-{code[4:]}\n", now=at("10:29"))  # within the grace
    assert done.appointment.booking_code == code and done.ticket is not None


def test_without_a_hub_the_check_in_stands_and_the_note_says_where_to_go(terminal):
    assert terminal.hall is None
    book(terminal)
    done = check_in_by_id_number(terminal, HOLDER, now=at("09:00"))
    assert done.ticket is None and done.note == NO_HUB_NOTE
    assert states(terminal) == ["checked_in"]
    again = check_in_by_id_number(terminal, HOLDER, now=at("09:05"))
    assert again.already and again.ticket is None and again.note is not None and "已签到" in again.note.zh


def test_a_hub_without_a_line_for_the_department_still_checks_in(terminal):
    terminal.hall = FakeHall(counter_no=None, categories=(Category("A", Message("社保", "Social"), ("hrss",)),))
    book(terminal)
    done = check_in_by_id_number(terminal, HOLDER, now=at("09:00"))
    assert done.ticket is None and done.note == NO_HUB_NOTE and not terminal.hall.tickets


@pytest.mark.parametrize(("now", "code", "words"), [
    ("07:59", "too_early", ("太早", "08:00")),
    ("10:31", "too_late", ("已过签到时间", "30")),
])
def test_too_early_or_too_late_is_refused_and_changes_nothing(terminal, now, code, words):
    terminal.hall = hall()
    book(terminal)
    with pytest.raises(NoBooking) as caught:
        check_in_by_id_number(terminal, HOLDER, now=at(now))
    assert caught.value.code == code
    for word in words:
        assert word in caught.value.message.zh
    assert caught.value.message.en
    assert states(terminal) == ["booked"] and events(terminal) == [] and not terminal.hall.tickets


def test_cancelled_other_day_and_unknown_card_each_say_why(terminal):
    book(terminal, state="cancelled")
    book(terminal, id_number=OTHER, day=local_today() + timedelta(days=2), start="14:00", end="15:00")
    with pytest.raises(NoBooking) as cancelled:
        check_in_by_id_number(terminal, HOLDER, now=at("09:00"))
    assert cancelled.value.code == "cancelled" and "取消" in cancelled.value.message.zh
    with pytest.raises(NoBooking) as other_day:
        check_in_by_id_number(terminal, OTHER, now=at("14:00"))
    assert other_day.value.code == "other_day" and "不是今天" in other_day.value.message.zh
    assert (local_today() + timedelta(days=2)).isoformat() in other_day.value.message.en
    stranger = "110105194912310" + "11" + resident_id_check_char("11010519491231011")
    with pytest.raises(NoBooking) as none:
        check_in_by_id_number(terminal, stranger, now=at("09:00"))
    assert none.value.code == "none" and "没有查到" in none.value.message.zh
    assert sorted(states(terminal)) == ["booked", "cancelled"] and events(terminal) == []


@pytest.mark.parametrize("bad", ["", "12345", "11010519491231002Y", "110105194912310021", None])
def test_a_bad_id_number_is_refused_bilingually(terminal, bad):
    book(terminal)
    with pytest.raises(NoBooking) as caught:
        check_in_by_id_number(terminal, bad, now=at("09:00"))  # type: ignore[arg-type]
    assert caught.value.code == "id_number" and caught.value.message.zh and caught.value.message.en
    assert states(terminal) == ["booked"]


def test_bad_codes_are_told_apart_from_unknown_ones(terminal):
    code = book(terminal)
    wrong_char = code[:-1] + next(c for c in booking_code.ALPHABET if c != code[-1])
    for bad, why in [("", "booking_code"), ("ABC", "booking_code"), ("ABCDEFG0", "booking_code"),
                     (wrong_char, "booking_code"), (booking_code.new_code(), "none")]:
        if bad == code:
            continue
        with pytest.raises(NoBooking) as caught:
            check_in_by_code(terminal, bad, now=at("09:00"))
        assert caught.value.code == why, bad
    assert states(terminal) == ["booked"]


def test_every_single_wrong_character_of_a_code_is_caught():
    code = booking_code.new_code()
    assert booking_code.problem(code) is None
    for i in range(len(code)):
        for c in booking_code.ALPHABET:
            if c != code[i]:
                assert booking_code.problem(code[:i] + c + code[i + 1:]) is not None


def test_no_shows_after_the_slot_end_plus_grace_once(terminal):
    terminal.hall = hall()
    book(terminal, start="09:00", end="10:00")
    book(terminal, id_number=OTHER, start="09:00", end="10:00")
    book(terminal, id_number=OTHER, day=local_today() - timedelta(days=1), start="15:00", end="16:00")
    check_in_by_id_number(terminal, OTHER, now=at("09:30"))
    edge = at("10:00") + timedelta(minutes=GRACE_MINUTES)
    assert mark_no_shows(terminal, now=edge) == 1  # yesterday's; today's is still inside its grace
    assert mark_no_shows(terminal, now=edge + timedelta(seconds=1)) == 1
    assert mark_no_shows(terminal, now=edge + timedelta(hours=3)) == 0
    with terminal.store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(AppointmentEvent)
                        .where(AppointmentEvent.kind == "no_show")) == 2
    with pytest.raises(NoBooking) as caught:
        check_in_by_id_number(terminal, HOLDER, now=edge + timedelta(minutes=5))
    assert caught.value.code == "too_late"


def test_the_days_list_is_by_slot_and_shows_who_arrived(terminal):
    terminal.hall = hall()
    book(terminal, id_number=OTHER, start="14:00", end="15:00")
    book(terminal, start="09:00", end="10:00")
    book(terminal, day=local_today() + timedelta(days=1))
    check_in_by_id_number(terminal, HOLDER, now=at("09:05"))
    views = appointments_for_day(terminal, local_today())
    assert [(v.slot_start, v.state) for v in views] == [(time(9), AppointmentState.CHECKED_IN),
                                                         (time(14), AppointmentState.BOOKED)]
    assert views[0].ticket_number and views[0].checked_in_at is not None
    assert views[1].holder_name == "张三"
    assert len(appointments_for_day(terminal, local_today() + timedelta(days=1))) == 1


def test_slots_from_the_same_minute_are_listed_by_their_end_whatever_their_booking_codes(terminal):
    first, second = sorted(booking_code.new_code() for _ in range(2))
    book(terminal, id_number=OTHER, start="09:00", end="09:50", code=first)  # the lower code, the later end
    book(terminal, start="09:00", end="09:01", code=second)
    views = appointments_for_day(terminal, local_today())
    assert [(v.slot_start, v.slot_end) for v in views] == [(time(9), time(9, 1)), (time(9), time(9, 50))]
