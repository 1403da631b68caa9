"""Taking a number at the kiosk, tapped through offscreen: line, priority, the number on screen, spoken and printed.

The hall hub is the in-memory `FakeHall` (the test's edge); the print path
is real down to the bytes the fake printer driver records.
"""
from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from kiosk.queue.model import Priority
from kiosk.store.models import PrintJob
from tests.helpers.fake_hall import FakeHall
from tests.printing.escpos_decoder import decode
from tests.ui.kiosk_helpers import screen, tap
from tests.ui.kiosk_ticket_helpers import hall_window, take_number
from ui.kiosk.voice import RecordingVoice



def _voice(window: Any) -> RecordingVoice:
    voice = RecordingVoice()
    window.voice.voice = voice
    return voice


def _ticket_jobs(window: Any) -> list[PrintJob]:
    with window.terminal.store.transaction() as session:
        jobs = list(session.query(PrintJob).filter_by(kind="ticket"))
        for job in jobs:
            session.expunge(job)
        return jobs


def _printer(name: str) -> Any:
    from printing.drivers.fake import FakePrinter

    return FakePrinter.named(name)


def test_a_number_by_taps_is_shown_large_spoken_printed_and_the_kiosk_starts_clean(qtbot, tmp_path) -> None:
    printer = _printer("ticket-flow")
    window, hall = hall_window(qtbot, tmp_path / "home", printer="fake:ticket-flow")
    voice = _voice(window)
    hall.issue("A", Priority.NORMAL)
    hall.issue("A", Priority.NORMAL)  # two people already waiting in line A
    welcome = screen(window, "welcome")
    assert welcome.ticket_button.isVisible() and welcome.ticket_button.text().endswith("取号")
    result = take_number(qtbot, window, "A", Priority.ELDERLY)
    assert ("issue", ("A", Priority.ELDERLY)) in hall.calls_made
    assert result.number.text() == "A003"
    assert result.number.font().pixelSize() >= 3 * result.title.font().pixelSize()  # very large
    assert "业务：社会保障" in result.line.text()  # in the screen's language: the citizen has just chosen it
    assert "老年人" in result.line.text()
    assert "前面还有 2 人" in result.ahead.text()
    assert f"约 {result.issued.estimated_wait_minutes} 分钟" in result.wait.text()
    assert not result.offline_note.isVisible()
    assert not result.qr.pixmap().isNull()  # the ticket's own page, for a phone
    assert voice.texts()[0].startswith("您的号码是 A003，前面还有 2 人。")  # said aloud outside read-aloud mode too
    qtbot.waitUntil(lambda: result.printed is not None, timeout=10_000)
    assert result.printed is True and "请取走号票" in result.print_status.text()
    [job] = _ticket_jobs(window)
    assert job.state == "printed" and job.application_id is None
    assert job.payload["ticket"]["number"] == "A003" and job.payload["ticket"]["priority"] == "elderly"
    assert job.payload["ticket"]["category_zh"] == "社会保障" and job.payload["lang"] == "zh"
    [data] = printer.jobs
    decoded = decode(data)
    assert decoded.line_sizes[decoded.text_lines.index("A003")] == 0x77
    for expected in ("排队号票", "社会保障", "号票类型：老年人优先", "前面等候：2 人", "扫码查看排队进度"):
        assert expected in decoded.text, expected
    assert decoded.qr[0].payload.decode() == result.issued.status_url
    tap(qtbot, result.next_button)  # Done
    screen(window, "welcome")
    assert set(window.nav.screens) <= {"welcome", "browser"}


def test_every_priority_reaches_the_hub_and_back_goes_back(qtbot, tmp_path) -> None:
    window, hall = hall_window(qtbot, tmp_path / "home")
    for n, priority in enumerate((Priority.NORMAL, Priority.DISABLED, Priority.APPOINTMENT), 1):
        result = take_number(qtbot, window, "B", priority)
        assert result.number.text() == f"B00{n}"
        assert ("priority" in result.line.text().lower() or "优先" in result.line.text()
                or "预约" in result.line.text()) == (priority is not Priority.NORMAL)
        tap(qtbot, result.next_button)
    assert [args for name, args in hall.calls_made if name == "issue"] == [
        ("B", Priority.NORMAL), ("B", Priority.DISABLED), ("B", Priority.APPOINTMENT)]
    tap(qtbot, screen(window, "welcome").ticket_button)  # Back from the priority step: the lines again
    lines = screen(window, "ticket_line")
    qtbot.waitUntil(lambda: "C" in lines.line_buttons)
    assert lines.line_buttons["C"].text() == "不动产与公积金\nProperty and housing fund"
    tap(qtbot, lines.line_buttons["C"])
    tap(qtbot, screen(window, "ticket_priority").back_button)
    screen(window, "ticket_line")
    tap(qtbot, lines.back_button)
    screen(window, "welcome")
    assert len([c for c in hall.calls_made if c[0] == "issue"]) == 3  # looking costs no ticket


def test_a_second_tap_while_the_number_is_issued_takes_no_second_ticket(qtbot, tmp_path) -> None:
    window, hall = hall_window(qtbot, tmp_path / "home")
    tap(qtbot, screen(window, "welcome").ticket_button)
    lines = screen(window, "ticket_line")
    qtbot.waitUntil(lambda: "A" in lines.line_buttons)
    tap(qtbot, lines.line_buttons["A"])
    choose = screen(window, "ticket_priority")
    button = choose.buttons[Priority.NORMAL]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert not button.isEnabled() and not choose.buttons[Priority.ELDERLY].isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(choose.buttons[Priority.ELDERLY], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.nav.current().name == "ticket_result", timeout=10_000)
    assert [c for c in hall.calls_made if c[0] == "issue"] == [("issue", ("A", Priority.NORMAL))]


def test_in_english_the_lines_stay_chinese_first_and_the_number_is_said_in_english(qtbot, tmp_path) -> None:
    window, hall = hall_window(qtbot, tmp_path / "home", language="en")
    voice = _voice(window)
    assert screen(window, "welcome").ticket_button.text().endswith("Take a number")
    tap(qtbot, screen(window, "welcome").ticket_button)
    lines = screen(window, "ticket_line")
    qtbot.waitUntil(lambda: "C" in lines.line_buttons)
    assert lines.line_buttons["C"].text() == "不动产与公积金\nProperty and housing fund"  # Chinese first, always
    tap(qtbot, lines.back_button)
    result = take_number(qtbot, window, "C", Priority.APPOINTMENT)
    assert "Service: Property and housing fund" in result.line.text()
    assert "Booked appointment" in result.line.text()
    assert "People ahead of you: 0" in result.ahead.text() and "soon" in result.wait.text()
    assert voice.said[0][1] == "en"
    assert voice.texts()[0].startswith("Your number is C001. People ahead of you: 0. You will be called soon.")


def test_an_offline_ticket_reads_the_same_with_a_calm_note(qtbot, tmp_path) -> None:
    window, hall = hall_window(qtbot, tmp_path / "home", printer="fake:ticket-offline")
    _printer("ticket-offline")
    hall.reachable = False  # the hub is away: the lines are the last ones it gave, the ticket comes from our block
    result = take_number(qtbot, window, "A")
    assert result.issued.offline and result.number.text() == "A001"
    assert result.offline_note.isVisible()
    assert "连接不上" in result.offline_note.text() and "照常有效" in result.offline_note.text()
    assert "⚠" not in result.offline_note.text()  # calm: a note, not an error
    qtbot.waitUntil(lambda: result.printed is not None, timeout=10_000)
    assert result.printed is True
    [job] = _ticket_jobs(window)
    assert job.payload["ticket"]["offline"] is True
    assert "照常有效" in result.speech_text()


def test_out_of_paper_says_so_and_keeps_the_number_in_front_of_the_citizen(qtbot, tmp_path) -> None:
    printer = _printer("ticket-paper")
    printer.set_paper_out()
    window, hall = hall_window(qtbot, tmp_path / "home", printer="fake:ticket-paper")
    voice = _voice(window)
    result = take_number(qtbot, window, "B")
    qtbot.waitUntil(lambda: result.printed is not None, timeout=10_000)
    assert result.printed is False
    status = result.print_status.text()
    assert "打印不出来" in status and "B001" in status and "不会丢失" in status
    assert result.print_status.property("role") == "error"
    assert result.number.text() == "B001" and result.number.isVisible()
    assert result.issued.ticket.ticket_id in hall.tickets  # issued all the same
    assert printer.jobs == []
    [job] = _ticket_jobs(window)
    assert job.state == "pending"  # printed by the worker if the paper comes back within minutes
    assert any("打印不出来" in said and "B001" in said for said in voice.texts())


def test_a_kiosk_without_a_printer_says_to_remember_the_number(qtbot, tmp_path) -> None:
    window, _hall = hall_window(qtbot, tmp_path / "home", printer="")
    result = take_number(qtbot, window, "A")
    qtbot.waitUntil(lambda: result.printed is not None, timeout=10_000)
    assert result.printed is False and "没有号票打印机" in result.print_status.text()
    assert "A001" in result.print_status.text()
    assert _ticket_jobs(window) == []


def test_no_take_a_number_without_a_hall_hub(qtbot, tmp_path) -> None:
    from tests.ui.kiosk_helpers import make_terminal, make_window

    window = make_window(qtbot, make_terminal(tmp_path / "home"))
    welcome = screen(window, "welcome")
    assert window.terminal.hall is None
    assert not welcome.ticket_button.isVisible() and welcome.apply_button.isVisible()
    assert "取号" not in welcome.speech_text()


def test_no_lines_from_the_hub_sends_the_citizen_to_the_service_desk(qtbot, tmp_path) -> None:
    hall = FakeHall(counter_no=None)
    hall.categories = lambda: ()  # type: ignore[method-assign]  # a hub never reached since pairing
    window, _ = hall_window(qtbot, tmp_path / "home", hall=hall)
    tap(qtbot, screen(window, "welcome").ticket_button)
    lines = screen(window, "ticket_line")
    qtbot.waitUntil(lambda: lines.categories is not None)
    assert lines.line_buttons == {}
    assert "服务台" in lines.status.text() and lines.status.property("role") == "error"
    assert not any(c[0] == "issue" for c in hall.calls_made)


def test_a_refused_ticket_is_explained_and_the_buttons_come_back(qtbot, tmp_path) -> None:
    from kiosk.errors import Message, UserFacingError

    hall = FakeHall(counter_no=None)

    def refuse(category: str, priority: Priority) -> Any:
        raise UserFacingError(Message("今日号码已发完。", "No more numbers today."), code="no_numbers")

    hall.issue = refuse  # type: ignore[method-assign]
    window, _ = hall_window(qtbot, tmp_path / "home", hall=hall)
    tap(qtbot, screen(window, "welcome").ticket_button)
    lines = screen(window, "ticket_line")
    qtbot.waitUntil(lambda: "A" in lines.line_buttons)
    tap(qtbot, lines.line_buttons["A"])
    choose = screen(window, "ticket_priority")
    tap(qtbot, choose.buttons[Priority.NORMAL])
    qtbot.waitUntil(lambda: window.notice.isVisible(), timeout=10_000)
    assert "今日号码已发完" in window.notice.label.text()
    screen(window, "ticket_priority")
    assert choose.buttons[Priority.NORMAL].isEnabled() and not choose.busy


def test_the_number_screen_goes_back_to_the_welcome_screen_by_itself(qtbot, tmp_path, monkeypatch) -> None:
    import ui.kiosk.ticket_flow as flow

    monkeypatch.setattr(flow, "RESULT_SECONDS", 3)
    window, _hall = hall_window(qtbot, tmp_path / "home")
    take_number(qtbot, window, "A")
    assert window.idle.timeout_ms == 3000 and window.idle.active
    qtbot.waitUntil(lambda: window.overlay.isVisible(), timeout=10_000)  # the countdown first, as always
    qtbot.waitUntil(lambda: window.nav.current().name == "welcome", timeout=10_000)
    assert "ticket_result" not in window.nav.screens
    assert not window.nav.screens["welcome"].farewell.isVisible()  # no "your session ended" after a ticket
    window.nav.show_browser()  # the next citizen's session has the configured time again
    assert window.idle.timeout_ms == 600_000


def test_in_read_aloud_mode_the_number_is_said_once(qtbot, tmp_path) -> None:
    window, _hall = hall_window(qtbot, tmp_path / "home", large_text=True)  # large text: read-aloud mode
    voice = _voice(window)
    result = take_number(qtbot, window, "A")
    qtbot.waitUntil(lambda: result.printed is not None, timeout=10_000)
    assert len([t for t in voice.texts() if "您的号码是 A001" in t]) == 1
