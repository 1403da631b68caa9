"""Checking in at the kiosk for a booked appointment, driven like a citizen: a card laid down, a QR code shown.

Real parts: the ID card reader is the serial simulator on a pseudo-terminal, the QR code a real image made
by the qrcode library and fed to the kiosk's camera frame source as a camera would, the check-in the real
use cases against the store (offline: no platform is needed), the ticket printed down to the ESC/POS bytes
the fake printer driver records. The hall hub is the in-memory FakeHall (the test's edge). Nobody types.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import qrcode
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from kiosk.devices.camera import FrameSource
from kiosk.devices.idcard.serial_reader import SerialIdCardReader
from kiosk.devices.idcard.simulator import ReaderSimulator
from kiosk.queue.model import Priority
from kiosk.terminal import Devices
from kiosk.usecases.appointments import NO_HUB_NOTE
from tests.helpers.fake_hall import FakeHall
from tests.printing.escpos_decoder import decode
from tests.ui.checkin_helpers import HOLDER, NOBODY, book, states
from tests.ui.kiosk_helpers import make_terminal, make_window, screen, tap
from ui.kiosk import checkin_flow
from ui.kiosk.voice import RecordingVoice


@pytest.fixture
def sim() -> Iterator[ReaderSimulator]:
    with ReaderSimulator() as s:
        yield s


def _printer(name: str) -> Any:
    from printing.drivers.fake import FakePrinter

    return FakePrinter.named(name)


def kiosk(qtbot: Any, tmp_path: Any, *, sim: ReaderSimulator | None = None, hub: bool = True,
          camera: bool = False, printer: str = "", language: str = "zh",
          bookings: tuple[dict[str, Any], ...] = ({},)) -> tuple[Any, FakeHall | None, RecordingVoice, list[str]]:
    """The kiosk window on a store holding `bookings` (each `book`'s keywords) as a sync pass left them;
    also returns their booking codes."""
    terminal = make_terminal(tmp_path / "home", printer=printer)
    codes = [book(terminal, **b) for b in bookings]
    hall = FakeHall(counter_no=None, device_name="kiosk-1") if hub else None
    terminal.hall = hall
    reader = SerialIdCardReader(sim.path, timeout=1.0, read_timeout=1.0) if sim is not None else None
    window = make_window(qtbot, terminal, language=language, devices={"id_reader": reader} if reader else {})
    if camera:
        terminal.devices.camera = FrameSource("kiosk camera")
    voice = RecordingVoice()
    window.voice.voice = voice
    return window, hall, voice, codes


def close_reader(window: Any) -> None:
    reader = window.terminal.devices.id_reader
    if reader is not None:
        reader.close().result(5)


def on(window: Any, name: str) -> bool:
    current = window.nav.current()
    return current is not None and current.name == name


def qr_frame(text: str) -> np.ndarray:
    """What the kiosk's camera sees: a phone showing the booking's QR code on the desk."""
    code = qrcode.make(text, box_size=8).convert("RGB")
    frame = Image.new("RGB", (1280, 960), (90, 96, 104))
    frame.paste(code, (420, 220))
    return np.asarray(frame, dtype=np.uint8).copy()


def scan(qtbot: Any, window: Any, text: str, enter: Qt.Key = Qt.Key.Key_Return) -> None:
    """A hand-held scanner: its keys as one burst, then Enter, where the system sends keys (the focus)."""
    target = QApplication.focusWidget() or window
    qtbot.keyClicks(target, text)
    qtbot.keyClick(target, enter)


def test_a_card_laid_on_the_welcome_screen_checks_in_shows_says_and_prints_the_number(qtbot, tmp_path, sim):
    printer = _printer("checkin-card")
    window, hall, voice, [code] = kiosk(qtbot, tmp_path, sim=sim, printer="fake:checkin-card")
    welcome = screen(window, "welcome")
    qtbot.waitUntil(lambda: welcome.checkin_button.isVisible(), timeout=10_000)  # bookings today: offered
    assert "预约签到" in welcome.checkin_button.text()
    qtbot.waitUntil(lambda: welcome.card_watch is not None and welcome.card_watch.looks >= 2, timeout=10_000)
    sim.place("resident")  # no tap, no typing
    qtbot.waitUntil(lambda: on(window, "checkin_result"), timeout=10_000)
    result = screen(window, "checkin_result")
    assert hall.calls_made.count(("issue", ("B", Priority.APPOINTMENT))) == 1  # the department's line, first
    assert result.number.text() == "B001" and result.number.isVisible()
    assert "签到成功" in result.checked.text() and "居民身份证换领" in result.booked.text()
    assert "张*" in result.booked.text() and "张三" not in result.booked.text()  # masked on a kiosk screen
    assert "预约" in result.line.text()  # "优先类别：预约" under the line
    assert voice.texts()[0].startswith("签到成功") and "您的号码是 B001" in voice.texts()[0]
    qtbot.waitUntil(lambda: result.printed is not None, timeout=10_000)
    assert result.printed is True and "请取走号票" in result.print_status.text()
    [data] = printer.jobs
    decoded = decode(data)
    assert "B001" in decoded.text_lines and "排队号票" in decoded.text
    assert states(window.terminal) == {code: "checked_in"}
    tap(qtbot, result.next_button)  # Done
    screen(window, "welcome")
    assert set(window.nav.screens) <= {"welcome", "browser"}
    # the same card laid down again (lost the ticket?): the same number, not a second ticket
    sim.lift()
    looks = welcome.card_watch.looks
    qtbot.waitUntil(lambda: welcome.card_watch.looks > looks + 1, timeout=10_000)  # it has seen the empty field
    sim.place("resident")
    qtbot.waitUntil(lambda: on(window, "checkin_result"), timeout=10_000)
    again = screen(window, "checkin_result")
    assert again.number.text() == "B001" and "已经签到过" in again.checked.text()
    assert [c for c in hall.calls_made if c[0] == "issue"] == [("issue", ("B", Priority.APPOINTMENT))]
    qtbot.waitUntil(lambda: again.printed is not None, timeout=10_000)
    assert len(printer.jobs) == 2  # printed again: the same number
    close_reader(window)


def test_a_card_without_a_booking_on_the_welcome_screen_gets_a_calm_note_and_nothing_else(qtbot, tmp_path, sim):
    window, hall, voice, _ = kiosk(qtbot, tmp_path, sim=sim, bookings=({"id_number": NOBODY},))  # another's
    welcome = screen(window, "welcome")
    qtbot.waitUntil(lambda: welcome.card_watch is not None and welcome.card_watch.looks >= 1, timeout=10_000)
    sim.place("resident")
    qtbot.waitUntil(lambda: welcome.checkin_note.isVisible(), timeout=10_000)
    assert "没有查到这张身份证今天的预约" in welcome.checkin_note.text()
    assert "请点下方的按钮" in welcome.checkin_note.text()  # the citizen may have come to apply
    assert welcome.checkin_note.property("role") == "hint"  # a note, not an error
    assert any("没有查到这张身份证今天的预约" in said for said in voice.texts())
    assert on(window, "welcome") and not any(c[0] == "issue" for c in hall.calls_made)
    assert set(states(window.terminal).values()) == {"booked"}
    # booked, but for tomorrow: the note says so (the card's holder does have a booking)
    from datetime import date, timedelta

    book(window.terminal, day=date.today() + timedelta(days=1))
    sim.lift()
    looks = welcome.card_watch.looks
    qtbot.waitUntil(lambda: welcome.card_watch.looks > looks + 1, timeout=10_000)
    sim.place("resident")
    qtbot.waitUntil(lambda: "不是今天" in welcome.checkin_note.text(), timeout=10_000)
    assert on(window, "welcome") and not any(c[0] == "issue" for c in hall.calls_made)
    tap(qtbot, welcome.apply_button)  # the citizen came to apply: the note goes with the next step
    assert not welcome.checkin_note.isVisible()
    close_reader(window)


def test_a_booking_qr_code_shown_to_the_camera_checks_in(qtbot, tmp_path):
    printer = _printer("checkin-qr")
    window, hall, voice, [code] = kiosk(qtbot, tmp_path, camera=True, printer="fake:checkin-qr",
                                        bookings=({"id_number": NOBODY, "name": "李四"},))
    tap(qtbot, screen(window, "welcome").checkin_button)
    checkin = screen(window, "checkin")
    assert checkin.preview.isVisible() and "二维码" in checkin.code_way.text()
    assert not [e for e in checkin.findChildren(QLineEdit) if e.isVisible()]  # nothing to type into
    camera = window.terminal.devices.camera
    camera.push_array(np.full((960, 1280, 3), 120, dtype=np.uint8))  # the empty desk first
    qtbot.waitUntil(lambda: checkin.qr.looks >= 1, timeout=10_000)
    assert on(window, "checkin")
    camera.push_array(qr_frame(f"https://gov.example.cn/b/{code}"))
    qtbot.waitUntil(lambda: on(window, "checkin_result"), timeout=10_000)
    result = screen(window, "checkin_result")
    assert result.number.text() == "B001" and "李*" in result.booked.text()
    assert states(window.terminal) == {code: "checked_in"}
    qtbot.waitUntil(lambda: result.printed is not None, timeout=10_000)
    assert result.printed is True and len(printer.jobs) == 1
    assert "checkin" not in window.nav.screens  # Back cannot check in again from here


def test_a_hand_held_scanner_typing_the_code_checks_in_and_a_wrong_scan_is_explained(qtbot, tmp_path):
    window, hall, voice, [code] = kiosk(qtbot, tmp_path)
    tap(qtbot, screen(window, "welcome").checkin_button)
    checkin = screen(window, "checkin")
    assert not checkin.preview.isVisible()  # no camera here: the scanner way only
    scan(qtbot, window, "PARCEL-12345")  # a burst, as a scanner types: not a booking code
    qtbot.waitUntil(lambda: checkin.problem is not None, timeout=10_000)
    assert "预约码应为8位字母和数字" in checkin.status.text() and checkin.status.property("role") == "error"
    assert on(window, "checkin") and not any(c[0] == "issue" for c in hall.calls_made)
    scan(qtbot, window, code.lower(), Qt.Key.Key_Enter)
    qtbot.waitUntil(lambda: on(window, "checkin_result"), timeout=10_000)
    assert screen(window, "checkin_result").number.text() == "B001"


def test_no_booking_is_said_clearly_and_the_kiosk_goes_back_to_the_start(qtbot, tmp_path, sim):
    window, hall, voice, _ = kiosk(qtbot, tmp_path, sim=sim, language="en", bookings=({"id_number": NOBODY},))
    tap(qtbot, screen(window, "welcome").checkin_button)
    checkin = screen(window, "checkin")
    assert "ID card" in checkin.card_way.text() and checkin.read_button.isHidden()  # laid down, read by itself
    qtbot.waitUntil(lambda: checkin.watch.looks >= 1, timeout=10_000)
    sim.place("resident")
    qtbot.waitUntil(lambda: checkin.problem is not None, timeout=10_000)
    assert "No appointment was found for you today" in checkin.status.text()
    assert any("No appointment was found for you today" in said for said in voice.texts())  # said aloud too
    assert checkin.status.property("role") == "error" and on(window, "checkin")
    assert window.idle.timeout_ms == checkin_flow.REFUSED_SECONDS * 1000  # back to the start soon by itself
    assert not any(c[0] == "issue" for c in hall.calls_made)
    window.idle.expired.emit()  # nobody touched the screen: the idle end comes (as the watcher emits it)
    screen(window, "welcome")
    assert "checkin" not in window.nav.screens
    assert not window.nav.screens["welcome"].farewell.isVisible()  # not "your session ended": nothing was lost
    tap(qtbot, screen(window, "welcome").checkin_button)  # and "Back to the start" does the same at once
    tap(qtbot, screen(window, "checkin").back_button)
    screen(window, "welcome")
    close_reader(window)


def test_a_booking_for_another_day_is_refused_with_its_day_and_changes_nothing(qtbot, tmp_path):
    from datetime import date, timedelta

    window, hall, voice, [code, other] = kiosk(  # another citizen is booked today: the button is offered
        qtbot, tmp_path, bookings=({"day": date.today() + timedelta(days=1)}, {"id_number": NOBODY}))
    tap(qtbot, screen(window, "welcome").checkin_button)
    checkin = screen(window, "checkin")
    scan(qtbot, window, code)
    qtbot.waitUntil(lambda: checkin.problem is not None, timeout=10_000)
    assert "不是今天" in checkin.status.text() and "请在预约当天来签到" in checkin.status.text()
    assert any("不是今天" in said for said in voice.texts())
    assert states(window.terminal) == {code: "booked", other: "booked"}
    assert not any(c[0] == "issue" for c in hall.calls_made)


def test_without_bookings_today_the_welcome_screen_offers_no_check_in_and_shows_it_once_they_come(qtbot, tmp_path):
    from datetime import date, timedelta

    window, hall, voice, _ = kiosk(qtbot, tmp_path, bookings=({"day": date.today() + timedelta(days=2)},))
    welcome = screen(window, "welcome")
    qtbot.waitUntil(lambda: not welcome._asking, timeout=10_000)
    assert not welcome.checkin_button.isVisible() and "预约签到" not in welcome.speech_text()
    book(window.terminal, id_number=NOBODY)  # a sync pass brought today's bookings
    welcome.refresh_bookings()  # as its timer does while it shows
    qtbot.waitUntil(lambda: welcome.checkin_button.isVisible(), timeout=10_000)
    assert "预约签到" in welcome.speech_text()


def test_without_a_hall_hub_the_check_in_stands_and_says_where_to_go(qtbot, tmp_path):
    window, _hall, voice, [code] = kiosk(qtbot, tmp_path, hub=False)
    welcome = screen(window, "welcome")
    qtbot.waitUntil(lambda: welcome.checkin_button.isVisible(), timeout=10_000)
    assert not welcome.ticket_button.isVisible()
    tap(qtbot, welcome.checkin_button)
    checkin = screen(window, "checkin")
    scan(qtbot, window, code)
    qtbot.waitUntil(lambda: on(window, "checkin_result"), timeout=10_000)
    result = screen(window, "checkin_result")
    assert "签到成功" in result.checked.text() and NO_HUB_NOTE.zh in result.note.text()
    assert voice.texts() and NO_HUB_NOTE.zh in voice.texts()[-1]  # said for everyone
    assert states(window.terminal) == {code: "checked_in"}
    tap(qtbot, result.next_button)
    screen(window, "welcome")
