"""The counter's appointments page: today's bookings by slot, who is booked, who has arrived, who did not come.

First a one-PC hall (kiosk check-ins land in the same store), then a hall with a kiosk and a counter on
separate terminals and the real platform between them (uvicorn on loopback): the booking comes down to
both with a sync pass, the kiosk checks the citizen in offline, and after the next passes the counter's
page says the citizen has arrived.
"""
from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from kiosk.identity import resident_id_check_char
from kiosk.usecases.appointments import AppointmentState, check_in_by_id_number
from tests.ui.checkin_helpers import HOLDER, ID_CARD_ITEM, NOBODY, book, open_slot
from tests.ui.counter.conftest import click, log_in


def page(qtbot: Any, window: Any) -> Any:
    click(qtbot, window.nav_buttons["appointments"])
    screen = window.screens["appointments"]
    qtbot.waitUntil(lambda: screen.loads > 0, timeout=10_000)
    return screen


def figures(screen: Any) -> dict[str, str]:
    return {state.value: number.text() for state, (number, _words) in screen.figures.items()}


def row_texts(screen: Any) -> list[list[str]]:
    table = screen.table
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def test_the_page_shows_booked_arrived_and_no_shows_and_refreshes_by_itself(qtbot, hall, make_window):
    t = hall.terminal
    book(t, id_number=HOLDER, name="张三")
    second = book(t, id_number=NOBODY, name="李四")
    late = "11010519700101002"
    book(t, id_number=late + resident_id_check_char(late), name="王五", state="no_show", slot=("00:00", "00:01"))
    check_in_by_id_number(t, HOLDER, actor="kiosk:1")  # no hub on this PC: checked in, no ticket
    window = make_window()
    log_in(qtbot, window, "clerk1")
    screen = page(qtbot, window)
    assert screen.title.text().startswith("今日预约")
    assert figures(screen) == {"booked": "1", "checked_in": "1", "no_show": "1"}
    rows = row_texts(screen)
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)  # by slot
    by_name = {r[2]: r for r in rows}
    assert by_name["张三"][1] == "✔ 已到（已签到）" and by_name["张三"][5][:2].isdigit()  # "09:12": when
    assert by_name["李四"][1] == "◷ 已预约，未到" and by_name["李四"][5] == "—" and by_name["李四"][6] == second
    assert by_name["王五"][1] == "✖ 爽约（未到）"
    assert "*" in by_name["李四"][3] and NOBODY not in " ".join(by_name["李四"])  # the ID number masked
    assert all("居民身份证换领" in r[4] for r in rows)
    assert screen.table.item(0, 1).text()[0] in "◷✔✖"  # a symbol with the words, never a colour alone
    # a kiosk checks the second citizen in meanwhile: the page shows it without anyone touching it
    screen.timer.setInterval(100)
    screen.timer.start()
    check_in_by_id_number(t, NOBODY, actor="kiosk:1")
    qtbot.waitUntil(lambda: figures(screen)["checked_in"] == "2", timeout=10_000)
    assert figures(screen)["booked"] == "0"
    click(qtbot, window.language_button)
    assert screen.title.text().startswith("Today's appointments") and "Arrived" in row_texts(screen)[0][1] + \
        row_texts(screen)[1][1] + row_texts(screen)[2][1]
    window.resize(1080, 1920)  # a portrait screen: the booking code gives the service item its room
    qtbot.waitUntil(lambda: screen.table.isColumnHidden(6), timeout=5_000)
    window.resize(1920, 1080)
    qtbot.waitUntil(lambda: not screen.table.isColumnHidden(6), timeout=5_000)
    click(qtbot, window.nav_buttons["worklist"])
    assert not screen.timer.isActive()  # nobody looks at it: no polling the store


def test_slots_from_the_same_minute_are_listed_shortest_first_whatever_the_names(qtbot, hall, make_window):
    """The slots of the first test start at the same minute only just after midnight; these do at any hour."""
    t = hall.terminal
    book(t, id_number=HOLDER, name="张三", slot=("08:00", "09:00"))
    book(t, id_number=NOBODY, name="李四", slot=("08:00", "08:30"))  # 李 sorts after 张: the slot comes first
    window = make_window()
    log_in(qtbot, window, "clerk1")
    screen = page(qtbot, window)
    assert [(r[0], r[2]) for r in row_texts(screen)] == [("08:00–08:30", "李四"), ("08:00–09:00", "张三")]


def test_no_bookings_today_says_so(qtbot, hall, make_window):
    window = make_window()
    log_in(qtbot, window, "clerk1")
    screen = page(qtbot, window)
    assert screen.table.rowCount() == 0 and screen.empty.isVisible() and "今天没有预约" in screen.empty.text()
    assert figures(screen) == {"booked": "0", "checked_in": "0", "no_show": "0"}


def test_a_kiosk_check_in_reaches_the_counters_page_through_the_real_platform(qtbot, hall, make_window, tmp_path,
                                                                             monkeypatch):
    from kiosk.settings import load_settings
    from kiosk.terminal import Terminal
    from sync.server.appointments_models import AppointmentBooking
    from tests.sync.conftest import engine_for, enroll
    from tests.sync.servers import PlatformServer

    platform = PlatformServer(tmp_path / "platform")
    try:
        counter = hall.terminal
        kiosk = Terminal.open(load_settings(tmp_path / "kiosk-home", hall_code=counter.settings.hall_code))
        counter_sync = engine_for(counter, enroll(counter, platform, name="counter-1", role="counter"))
        kiosk_sync = engine_for(kiosk, enroll(kiosk, platform, name="kiosk-1", role="kiosk"))
        start, end = open_slot()
        with platform.store.transaction() as s:  # booked online (what `onewindow platform book` stores)
            s.add(AppointmentBooking(id=str(uuid.uuid4()), booking_code="BK7Q2M9V",
                                     hall_code=counter.settings.hall_code, service_item=ID_CARD_ITEM,
                                     item_name_zh="居民身份证换领", item_name_en="ID card renewal",
                                     department_code="police", day=date.today(), slot_start=start, slot_end=end,
                                     holder_id_number=HOLDER, holder_name="张三", state="booked", created_by="cli"))
        assert counter_sync.run_pass().appointments == 1
        assert kiosk_sync.run_pass().appointments == 1
        window = make_window()
        log_in(qtbot, window, "clerk1")
        screen = page(qtbot, window)
        assert figures(screen) == {"booked": "1", "checked_in": "0", "no_show": "0"}
        done = check_in_by_id_number(kiosk, HOLDER, actor="kiosk:2")  # at the kiosk, from its own store
        assert done.appointment.state is AppointmentState.CHECKED_IN
        kiosk_sync.run_pass()  # the check-in goes up...
        with platform.store.transaction() as s:
            assert s.query(AppointmentBooking).one().state == "checked_in"
        # ...and comes down to the counter with its next pull of the window (due every PULL_EVERY_SECONDS; the
        # test does not wait two minutes for it)
        monkeypatch.setattr("sync.appointments.PULL_EVERY_SECONDS", 0.0)
        assert counter_sync.run_pass().appointments == 1
        screen.refresh()
        qtbot.waitUntil(lambda: figures(screen)["checked_in"] == "1", timeout=10_000)
        assert figures(screen)["booked"] == "0"
        [row] = row_texts(screen)
        assert row[1] == "✔ 已到（已签到）" and row[2] == "张三" and row[6] == "BK7Q2M9V"
        kiosk.close()
    finally:
        platform.stop()
