"""The hall's bookings from a real platform into the terminal's store, check-in with the link down, and
check-ins and no-shows reaching the platform exactly once (SQLite and PostgreSQL platforms; the hall hub
stands in as `FakeHall` at the edge)."""
from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select, update

from kiosk.catalog import demo_catalog_path
from kiosk.cli import main
from kiosk.errors import Message
from kiosk.queue.model import Category
from kiosk.store.models import Appointment, AppointmentEvent
from kiosk.usecases.appointments import (AppointmentState, NoBooking, appointments_for_day, check_in_by_code,
                                         check_in_by_id_number, mark_no_shows)
from kiosk.submission import local_today
from sync import appointments as terminal_appointments
from sync.appointments import owed_events, pull_window, window
from sync.client import PlatformClient
from sync.server import appointments as platform_appointments
from sync.server.appointments_models import AppointmentBooking, AppointmentEventRow
from tests.conftest import ID_CARD_ITEM
from tests.helpers.fake_hall import FakeHall
from tests.sync.conftest import engine_for, enroll, make_terminal
from tests.sync.servers import PlatformServer
from tests.sync.test_appointments_platform import id_number

HALL = "330106001"


def at(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm)).astimezone()


def hall() -> FakeHall:
    return FakeHall(counter_no=None, categories=(Category("B", Message("户政", "Household"), ("public_security",)),))


@pytest.fixture(autouse=True)
def _pull_every_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests change bookings between passes a moment apart; the throttle has its own test."""
    monkeypatch.setattr(terminal_appointments, "PULL_EVERY_SECONDS", 0.0)


@pytest.fixture
def booked(platform: PlatformServer, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    """Four bookings of the hall: tomorrow 09:00 and 10:00, in three days, and in eight (outside the window)."""
    assert main(["platform", "publish-catalog", "--home", str(platform.home), str(demo_catalog_path())]) == 0
    assert main(["platform", "slots", "--home", str(platform.home), "--hall", HALL, "--every-day"]) == 0
    capsys.readouterr()
    codes = {}
    with platform.store.transaction() as s:
        for key, n, offset, slot in (("a", 1, 1, "09:00"), ("b", 2, 1, "10:00"), ("c", 3, 3, "09:00"),
                                     ("d", 4, 8, "09:00")):
            row = platform_appointments.book(s, hall=HALL, service_item=ID_CARD_ITEM,
                                             day=local_today() + timedelta(days=offset), slot_start=slot,
                                             id_number=id_number(n), name=f"市民{n}", by="test")
            codes[key] = row.booking_code
    return codes


def platform_state(platform: PlatformServer, code: str) -> AppointmentBooking:
    with platform.store.transaction() as s:
        row = s.scalars(select(AppointmentBooking).where(AppointmentBooking.booking_code == code)).one()
        s.expunge(row)
        return row


def platform_events(platform: PlatformServer, kind: str) -> int:
    with platform.store.transaction() as s:
        return int(s.scalar(select(func.count()).select_from(AppointmentEventRow)
                            .where(AppointmentEventRow.kind == kind)) or 0)


def local(terminal) -> dict[str, str]:
    with terminal.store.transaction() as s:
        return {a.booking_code: a.state for a in s.scalars(select(Appointment))}


def test_the_window_comes_down_check_in_works_offline_and_reaches_the_platform_once(
        platform: PlatformServer, booked: dict[str, str], tmp_path) -> None:
    terminal = make_terminal(tmp_path / "kiosk")
    terminal.hall = hall()
    credential = enroll(terminal, platform, name="kiosk-1", role="kiosk")
    engine = engine_for(terminal, credential)
    report = engine.run_pass()
    assert report.online and report.appointments == 3, report.errors
    assert local(terminal) == {booked["a"]: "booked", booked["b"]: "booked", booked["c"]: "booked"}
    assert window(terminal.store) == (local_today(), 7)
    tomorrow = appointments_for_day(terminal, local_today() + timedelta(days=1))
    assert [(v.booking_code, v.holder_name, v.id_masked) for v in tomorrow] == [
        (booked["a"], "市民1", id_number(1)[:4] + "*" * 10 + id_number(1)[-4:]),
        (booked["b"], "市民2", id_number(2)[:4] + "*" * 10 + id_number(2)[-4:])]

    with platform.store.transaction() as s:  # cancelled on the platform: the next pass says so
        platform_appointments.cancel(s, booked["b"])
    engine.run_pass()
    assert local(terminal)[booked["b"]] == "cancelled"
    with pytest.raises(NoBooking) as caught:
        check_in_by_id_number(terminal, id_number(2), now=at(local_today() + timedelta(days=1), "10:00"))
    assert caught.value.code == "cancelled"

    # the link goes down: check-in works from the store, and the events wait
    dead = engine_for(terminal, dataclasses.replace(credential, platform_url="http://127.0.0.1:9/api/v1"))
    done = check_in_by_id_number(terminal, id_number(1), now=at(local_today() + timedelta(days=1), "08:45"))
    assert done.ticket is not None and done.ticket.ticket.category == "B"
    assert not dead.run_pass().online
    assert owed_events(terminal.store) == 1
    # a pull before the event went up does not undo the check-in
    pull_window(terminal.store, PlatformClient.for_credential(credential))
    assert local(terminal)[booked["a"]] == "checked_in"

    report = engine.run_pass()  # the link is back
    assert report.appointment_events_sent == 1, report.errors
    row = platform_state(platform, booked["a"])
    assert row.state == "checked_in" and row.ticket_number == done.ticket.ticket.number
    assert engine.run_pass().appointment_events_sent == 0  # nothing owed: nothing sent again
    with terminal.store.transaction() as s:  # the answer to a send was lost: the event goes again
        s.execute(update(AppointmentEvent).values(state="pending", sent_at=None))
    assert engine.run_pass().appointment_events_sent == 1  # a duplicate for the platform, sent for us
    assert platform_events(platform, "check_in") == 1 and owed_events(terminal.store) == 0

    # no-shows: after the slot's end plus the grace, once
    assert mark_no_shows(terminal, now=at(local_today() + timedelta(days=3), "10:29")) == 0
    assert mark_no_shows(terminal, now=at(local_today() + timedelta(days=3), "10:31")) == 1
    assert mark_no_shows(terminal, now=at(local_today() + timedelta(days=3), "18:00")) == 0
    engine.run_pass()
    engine.run_pass()
    assert platform_state(platform, booked["c"]).state == "no_show"
    assert platform_events(platform, "no_show") == 1
    assert local(terminal) == {booked["a"]: "checked_in", booked["b"]: "cancelled", booked["c"]: "no_show"}


def test_a_second_kiosk_sees_the_check_in_and_gives_no_second_ticket(
        platform: PlatformServer, booked: dict[str, str], tmp_path) -> None:
    first, second = make_terminal(tmp_path / "k1", 1), make_terminal(tmp_path / "k2", 2)
    first.hall, second.hall = hall(), hall()
    engines = [engine_for(t, enroll(t, platform, name=f"kiosk-{n}", role="kiosk"))
               for n, t in ((1, first), (2, second))]
    for engine in engines:
        engine.run_pass()
    done = check_in_by_code(first, booked["a"], now=at(local_today() + timedelta(days=1), "09:20"))
    assert done.ticket is not None
    engines[0].run_pass()
    engines[1].run_pass()
    again = check_in_by_id_number(second, id_number(1), now=at(local_today() + timedelta(days=1), "09:25"))
    assert again.already and again.ticket is None and not second.hall.tickets
    assert again.note is not None and done.ticket.ticket.number in again.note.zh
    assert again.appointment.state == AppointmentState.CHECKED_IN
    engines[1].run_pass()
    assert platform_events(platform, "check_in") == 1


def test_a_kiosk_may_not_book_but_reads_only_its_own_halls_feed(platform: PlatformServer, booked, tmp_path) -> None:
    other = make_terminal(tmp_path / "other")
    credential = enroll(other, platform, name="kiosk-x", role="kiosk")
    client = PlatformClient.for_credential(credential)
    feed = client.json("GET", "appointments", params={"days": 2})
    assert feed["hall_code"] == HALL and {a["booking_code"] for a in feed["appointments"]} == {booked["a"],
                                                                                               booked["b"]}
    with platform.store.transaction() as s:
        s.execute(update(AppointmentBooking).values(hall_code="330106002"))
    feed = client.json("GET", "appointments", params={"days": 7})
    assert feed["appointments"] == []
    answer = client.json("POST", "appointments/events", json_body={"events": [{
        "id": "5a1e4c2e-8f0a-4a57-9a57-1c1c1c1c1c1c", "appointment_id": platform_state(platform, booked["a"]).id,
        "kind": "check_in", "at": at(local_today(), "09:00").isoformat(), "actor": "kiosk"}]})
    assert answer["results"][0]["result"] == "refused" and answer["results"][0]["reason"]["en"]
    assert platform_events(platform, "check_in") == 0


def test_the_window_is_pulled_again_only_when_due(sqlite_platform: PlatformServer, tmp_path, monkeypatch,
                                                   capsys) -> None:
    monkeypatch.setattr(terminal_appointments, "PULL_EVERY_SECONDS", 120.0)
    assert main(["platform", "publish-catalog", "--home", str(sqlite_platform.home), str(demo_catalog_path())]) == 0
    assert main(["platform", "slots", "--home", str(sqlite_platform.home), "--hall", HALL, "--every-day"]) == 0
    capsys.readouterr()

    def book(n: int) -> str:
        with sqlite_platform.store.transaction() as s:
            return platform_appointments.book(s, hall=HALL, service_item=ID_CARD_ITEM,
                                              day=local_today() + timedelta(days=1), slot_start="09:00",
                                              id_number=id_number(n), name=f"市民{n}", by="test").booking_code

    first = book(1)
    terminal = make_terminal(tmp_path / "kiosk")
    engine = engine_for(terminal, enroll(terminal, sqlite_platform, role="kiosk"))
    assert engine.run_pass().appointments == 1
    second = book(2)
    assert engine.run_pass().appointments == 0 and set(local(terminal)) == {first}  # pulled a moment ago
    assert not terminal_appointments.pull_due(terminal.store)
    assert terminal_appointments.pull_due(terminal.store, datetime.now().astimezone() + timedelta(seconds=121))
    check_in_by_code(terminal, first, now=at(local_today() + timedelta(days=1), "09:00"))
    report = engine.run_pass()  # an event went up: the window comes down with it
    assert report.appointment_events_sent == 1 and report.appointments == 2
    assert local(terminal) == {first: "checked_in", second: "booked"}
