"""A check-in at a kiosk paired with a real hub process: the appointment ticket is the hub's, in the line of
the booked item's department, called before the regular tickets; the hub away, the kiosk's own numbers."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from kiosk import booking_code
from kiosk.identity import mask_id
from kiosk.queue.model import Priority
from kiosk.store.models import Appointment
from kiosk.usecases.appointments import check_in_by_code, check_in_by_id_number
from kiosk.usecases.queue import queue_categories, take_ticket
from tests.conftest import ID_CARD_ITEM
from tests.hall.hub_process import hub  # noqa: F401 - the fixture
from tests.hall.link_devices import paired_terminal

HOLDER = "11010519491231002X"


def book(t, id_number: str = HOLDER) -> str:
    now = datetime.now().astimezone()
    code = booking_code.new_code()
    with t.store.transaction() as s:
        s.add(Appointment(id=str(uuid.uuid4()), booking_code=code, service_item=ID_CARD_ITEM,
                          item_name_zh="居民身份证换领", item_name_en="ID card renewal",
                          department_code="public_security", day=now.date(),
                          slot_start=now.strftime("%H:%M"), slot_end=now.strftime("%H:%M"),
                          holder_name="张三", holder_id_index=id_number, id_masked=mask_id(id_number), state="booked"))
    return code


def test_the_check_in_ticket_comes_from_the_hub_in_the_departments_line(hub, tmp_path) -> None:  # noqa: F811
    kiosk = paired_terminal(hub, tmp_path / "k1", "kiosk", "kiosk-1")
    counter = paired_terminal(hub, tmp_path / "c1", "counter", "counter-1", counter_no=1)
    line = next(c for c in queue_categories(kiosk) if "public_security" in c.departments)
    regular = take_ticket(kiosk, line.code, Priority.NORMAL)
    book(kiosk)
    done = check_in_by_id_number(kiosk, HOLDER, now=datetime.now().astimezone() + timedelta(seconds=1))
    assert done.ticket is not None and not done.ticket.offline
    assert done.ticket.ticket.category == line.code and done.ticket.ticket.priority == Priority.APPOINTMENT
    again = check_in_by_id_number(kiosk, HOLDER)
    assert again.already and again.ticket == done.ticket
    assert counter.hall is not None
    counter.hall.open_counter((line.code,))
    called = counter.hall.call_next()
    assert called is not None and called.ticket_id == done.ticket.ticket.ticket_id  # before the earlier regular
    assert regular.ticket.ticket_id != called.ticket_id
    kiosk.close()
    counter.close()


def test_with_the_hub_away_the_ticket_is_from_the_kiosks_own_numbers(hub, tmp_path) -> None:  # noqa: F811
    kiosk = paired_terminal(hub, tmp_path / "k1", "kiosk", "kiosk-1")
    line = next(c.code for c in queue_categories(kiosk) if "public_security" in c.departments)
    take_ticket(kiosk, line, Priority.NORMAL)  # the lines are remembered and number blocks set aside
    code = book(kiosk)
    hub.stop()
    done = check_in_by_code(kiosk, code)
    assert done.appointment.state == "checked_in"
    assert done.ticket is not None and done.ticket.offline and done.ticket.ticket.issued_offline
    assert done.ticket.ticket.priority == Priority.APPOINTMENT and done.ticket.ticket.category == line
    assert check_in_by_code(kiosk, code).ticket == done.ticket
    kiosk.close()
