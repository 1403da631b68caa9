"""Booking on a real platform over HTTP (SQLite and PostgreSQL): capacity, the last place raced for, bad input
refused bilingually with nothing stored, and `onewindow platform book|slots|appointments|cancel-booking`."""
from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

import pytest
import requests
from sqlalchemy import func, select

from kiosk import booking_code
from kiosk.catalog import demo_catalog_path
from kiosk.cli import main
from kiosk.identity import resident_id_check_char
from kiosk.workdays import default_calendar
from sync.client import PlatformClient
from sync.server.appointments_models import AppointmentBooking, AppointmentSlotCount
from sync.server.models import PlatformAuditEntry
from tests.conftest import ID_CARD_ITEM
from tests.sync.servers import PlatformServer

HALL = "330106001"


def id_number(n: int) -> str:
    body = f"11010519800101{n:03d}"
    return body + resident_id_check_char(body)


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def token_for(platform: PlatformServer, role: str, name: str) -> dict[str, str]:
    answer = PlatformClient(platform.url()).json("POST", "enroll", json_body={
        "code": platform.enroll_code(HALL, name, role)})
    return {"Authorization": f"Bearer {answer['token']}"}


def next_working_day(after: int = 1) -> date:
    day = datetime.now().astimezone().date() + timedelta(days=after)
    calendar = default_calendar()
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def next_closed_day() -> date:
    day = datetime.now().astimezone().date() + timedelta(days=1)
    while default_calendar().is_working_day(day):
        day += timedelta(days=1)
    return day


@pytest.fixture
def ready(platform: PlatformServer, capsys: pytest.CaptureFixture[str]) -> PlatformServer:
    rc, _, err = cli(capsys, "platform", "publish-catalog", "--home", str(platform.home), str(demo_catalog_path()))
    assert rc == 0, err
    return platform


def booking(day: date, n: int, slot: str = "09:00", item: str = ID_CARD_ITEM) -> dict[str, str]:
    return {"service_item": item, "day": day.isoformat(), "slot_start": slot, "id_number": id_number(n),
            "name": f"市民{n}"}


def count(platform: PlatformServer) -> int:
    with platform.store.transaction() as s:
        return int(s.scalar(select(func.count()).select_from(AppointmentBooking)) or 0)


def test_booking_fills_a_slot_up_to_its_capacity_and_no_further(ready: PlatformServer, capsys) -> None:
    rc, out, err = cli(capsys, "platform", "slots", "--home", str(ready.home), "--hall", HALL, "--capacity", "2")
    assert rc == 0, err
    assert '"capacity": 2' in out
    counter = token_for(ready, "counter", "counter-1")
    url = ready.url("/api/v1/appointments")
    day = next_working_day()
    first = requests.post(url, json=booking(day, 1), headers=counter, timeout=10)
    assert first.status_code == 201, first.text
    doc = first.json()
    assert booking_code.problem(doc["booking_code"]) is None
    assert (doc["slot_start"], doc["slot_end"], doc["state"]) == ("09:00", "10:00", "booked")
    assert doc["department_code"] == "public_security" and doc["item_name"]["zh"] == "居民身份证换领"
    assert requests.post(url, json=booking(day, 2), headers=counter, timeout=10).status_code == 201
    full = requests.post(url, json=booking(day, 3), headers=counter, timeout=10)
    assert full.status_code == 409 and full.json()["code"] == "slot_full"
    assert "约满" in full.json()["reason"]["zh"] and "fully booked" in full.json()["reason"]["en"]
    other_slot = requests.post(url, json=booking(day, 3, "10:00"), headers=counter, timeout=10)
    assert other_slot.status_code == 201
    assert count(ready) == 3
    with ready.store.transaction() as s:
        assert s.get(AppointmentSlotCount, (HALL, day, "09:00")).booked == 2
        assert s.scalar(select(func.count()).select_from(PlatformAuditEntry)
                        .where(PlatformAuditEntry.action == "appointment_booked")) == 3

    kiosk = token_for(ready, "kiosk", "kiosk-1")
    refused = requests.post(url, json=booking(day, 4, "11:00"), headers=kiosk, timeout=10)
    assert refused.status_code == 403 and count(ready) == 3
    assert requests.post(url, json=booking(day, 4, "11:00"), timeout=10).status_code == 401

    rc, out, err = cli(capsys, "platform", "appointments", "--home", str(ready.home), "--hall", HALL,
                       "--day", day.isoformat(), "--days", "1")
    assert rc == 0, err
    assert out.count("booked") == 3 and doc["booking_code"] in out and id_number(1) not in out  # masked
    rc, out, _ = cli(capsys, "platform", "cancel-booking", "--home", str(ready.home), doc["booking_code"])
    assert rc == 0 and "cancelled" in out
    again = requests.post(url, json=booking(day, 5), headers=counter, timeout=10)  # the place came back
    assert again.status_code == 201, again.text


def test_two_bookings_racing_for_the_last_place_one_wins(ready: PlatformServer, capsys) -> None:
    rc, _, err = cli(capsys, "platform", "slots", "--home", str(ready.home), "--hall", HALL, "--capacity", "3")
    assert rc == 0, err
    counter = token_for(ready, "counter", "counter-1")
    url = ready.url("/api/v1/appointments")
    day = next_working_day(2)
    assert requests.post(url, json=booking(day, 1, "14:00"), headers=counter, timeout=10).status_code == 201
    assert requests.post(url, json=booking(day, 2, "14:00"), headers=counter, timeout=10).status_code == 201
    start = threading.Barrier(8)
    answers: list[int] = []
    lock = threading.Lock()

    def race(n: int) -> None:
        start.wait()
        r = requests.post(url, json=booking(day, 100 + n, "14:00"), headers=counter, timeout=30)
        with lock:
            answers.append(r.status_code)

    threads = [threading.Thread(target=race, args=(n,)) for n in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(answers) == [201] + [409] * 7
    with ready.store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(AppointmentBooking)
                        .where(AppointmentBooking.day == day)) == 3
        assert s.get(AppointmentSlotCount, (HALL, day, "14:00")).booked == 3


def test_bad_bookings_are_refused_bilingually_and_store_nothing(ready: PlatformServer, capsys) -> None:
    counter = token_for(ready, "counter", "counter-1")
    url = ready.url("/api/v1/appointments")
    day = next_working_day()
    assert requests.post(url, json=booking(day, 1), headers=counter, timeout=10).status_code == 201
    bad_check = id_number(7)[:-1] + ("0" if id_number(7)[-1] != "0" else "1")
    today = datetime.now().astimezone().date()
    cases = [
        ({**booking(day, 7), "id_number": bad_check}, 400, "id_number", "校验位"),
        ({**booking(day, 7), "id_number": "12345"}, 400, "id_number", "18位"),
        (booking(today - timedelta(days=1), 7), 400, "past_day", "过去"),
        (booking(today + timedelta(days=60), 7), 400, "too_far", "30"),
        (booking(next_closed_day(), 7), 400, "closed_day", "工作日"),
        (booking(day, 7, item="999999999999999999"), 400, "unknown_item", "999999999999999999"),
        (booking(day, 7, slot="08:00"), 400, "no_slot", "08:00"),
        (booking(day, 7, slot="12:00"), 400, "no_slot", "12:00"),
        ({**booking(day, 7), "name": "   "}, 400, "name", "姓名"),
        (booking(day, 1), 409, "already_booked", "已预约"),
        ({**booking(day, 7), "slot_start": "9am"}, 422, "invalid", "slot_start"),
        ({**booking(day, 7), "day": "2026-02-30"}, 422, "invalid", "day"),
    ]
    for body, status, code, words in cases:
        r = requests.post(url, json=body, headers=counter, timeout=10)
        assert r.status_code == status, (body, r.text)
        answer = r.json()
        assert answer["code"] == code, (body, answer)
        assert words in answer["reason"]["zh"] + answer["reason"]["en"], (body, answer)
        assert answer["reason"]["zh"] and answer["reason"]["en"]
    assert count(ready) == 1
    with ready.store.transaction() as s:
        assert s.get(AppointmentSlotCount, (HALL, day, "09:00")).booked == 1


def test_the_cli_prints_the_code_and_refuses_bad_input_with_exit_2(sqlite_platform: PlatformServer, capsys) -> None:
    home = str(sqlite_platform.home)
    day = next_working_day().isoformat()
    rc, _, err = cli(capsys, "platform", "book", "--home", home, "--hall", HALL, "--item", ID_CARD_ITEM,
                     "--day", day, "--slot", "09:00", "--id-number", id_number(1), "--name", "张三")
    assert rc == 2 and "服务目录" in err and "catalog" in err  # nothing published yet
    rc, _, err = cli(capsys, "platform", "publish-catalog", "--home", home, str(demo_catalog_path()))
    assert rc == 0, err
    rc, out, err = cli(capsys, "platform", "book", "--home", home, "--hall", HALL, "--item", ID_CARD_ITEM,
                       "--day", day, "--slot", "09:00", "--id-number", id_number(1), "--name", "张三")
    assert rc == 0, err
    assert booking_code.problem(out.strip()) is None
    rc, _, err = cli(capsys, "platform", "book", "--home", home, "--hall", HALL, "--item", ID_CARD_ITEM,
                     "--day", day, "--slot", "09:00", "--id-number", "11010519800101", "--name", "李四")
    assert rc == 2 and "身份证号码" in err and "ID number" in err
    for bad in (["--capacity", "-1"], ["--capacity", "4", "--starts", "9:00"], ["--starts", "10:00,10:00"],
                ["--starts", "09:00,23:00"]):  # a 23:00 slot would end at "00:00", on the next day
        rc, _, err = cli(capsys, "platform", "slots", "--home", home, "--hall", HALL, *bad)
        assert rc == 2 and err.strip(), bad
    assert "最晚 22:00" in err and "22:00 at the latest" in err
    rc, out, _ = cli(capsys, "platform", "slots", "--home", home, "--hall", HALL, "--day", day)
    assert rc == 0 and '"09:00": 1' in out and '"capacity": 4' in out  # the default plan, unchanged
    rc, _, err = cli(capsys, "platform", "cancel-booking", "--home", home, "ABCDEFGH")
    assert rc == 2 and "预约码" in err
    assert count(sqlite_platform) == 1
