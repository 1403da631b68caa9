"""`onewindow appointment list|check-in|no-shows` on a terminal whose bookings came with an earlier sync."""
from __future__ import annotations

import json
import uuid
from datetime import date, datetime, time, timedelta

import pytest

from kiosk import booking_code
from kiosk.cli import main
from kiosk.identity import mask_id
from kiosk.store.models import Appointment
from kiosk.terminal import Terminal
from tests.conftest import ID_CARD_ITEM

HOLDER = "11010519491231002X"


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def book(t: Terminal, day: date, start: str, end: str) -> str:
    code = booking_code.new_code()
    with t.store.transaction() as s:
        s.add(Appointment(id=str(uuid.uuid4()), booking_code=code, service_item=ID_CARD_ITEM,
                          item_name_zh="居民身份证换领", item_name_en="ID card renewal",
                          department_code="public_security", day=day, slot_start=start, slot_end=end,
                          holder_name="张三", holder_id_index=HOLDER, id_masked=mask_id(HOLDER), state="booked"))
    return code


def test_list_check_in_twice_and_no_shows(capsys, home, terminal) -> None:
    now = datetime.now().astimezone()
    today = now.date()
    start = (now - timedelta(minutes=10)).strftime("%H:%M")
    end = (now + timedelta(minutes=50)).strftime("%H:%M")
    if end <= start:  # just before midnight: a slot that ends at 23:59 still covers now
        start, end = now.strftime("%H:%M"), "23:59"
    code = book(terminal, today, start, end)
    book(terminal, today - timedelta(days=1), "09:00", "10:00")
    rc, out, err = cli(capsys, "--home", str(home), "appointment", "list", "--json")
    assert rc == 0, err
    [listed] = json.loads(out)
    assert listed["booking_code"] == code and listed["state"] == "booked" and listed["id_masked"] == mask_id(HOLDER)

    rc, out, err = cli(capsys, "--home", str(home), "appointment", "check-in", "--code", code.lower(), "--json")
    assert rc == 0, err
    done = json.loads(out)
    assert done["already"] is False and done["ticket"] is None  # no hall hub here
    assert "咨询台" in done["note"]["zh"] and done["note"]["en"]
    rc, out, err = cli(capsys, "--home", str(home), "appointment", "check-in", "--id-number", HOLDER)
    assert rc == 0 and "Already checked in" in out

    rc, out, _ = cli(capsys, "--home", str(home), "appointment", "no-shows", "--json")
    assert rc == 0 and json.loads(out) == {"no_shows": 1}  # yesterday's
    rc, out, _ = cli(capsys, "--home", str(home), "appointment", "list", "--day",
                     (today - timedelta(days=1)).isoformat())
    assert "no_show" in out


@pytest.mark.parametrize(("args", "words"), [
    (["--id-number", "110105194912310021"], "校验位"),
    (["--code", "ABC"], "8位"),
    (["--id-number", HOLDER], "没有查到"),
])
def test_refusals_exit_2_with_both_languages(capsys, home, terminal, args, words) -> None:
    rc, out, err = cli(capsys, "--home", str(home), "appointment", "check-in", *args)
    assert rc == 2 and out == ""
    assert words in err and " / " in err
