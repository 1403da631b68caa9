"""The kiosk with a real serial ID card reader (the simulator on a pseudo-terminal) and a QR wedge scanner."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from kiosk.demo_hall import id_card_draft, submit_at
from kiosk.devices.idcard.serial_reader import SerialIdCardReader
from kiosk.devices.idcard.simulator import RESIDENT_FIELDS, ReaderSimulator
from tests.ui.kiosk_helpers import ID_CARD, choose_item, make_terminal, make_window, screen, tap


@pytest.fixture
def sim() -> Iterator[ReaderSimulator]:
    with ReaderSimulator() as s:
        yield s


def reader_for(sim: ReaderSimulator) -> SerialIdCardReader:
    return SerialIdCardReader(sim.path, timeout=1.0, read_timeout=1.0)


def test_laying_the_card_fills_the_identity_screen_once_without_a_key(qtbot, tmp_path, sim):
    terminal = make_terminal(tmp_path / "home")
    window = make_window(qtbot, terminal, devices={"id_reader": reader_for(sim)})
    choose_item(qtbot, window, ID_CARD)
    ident = screen(window, "identity")
    assert not ident.read_button.isVisible() and ident.reader_status.isVisible()  # nothing to tap
    assert "放在阅读器上" in ident.reader_status.text() or "感应区" in ident.reader_status.text() \
        or "reader" in ident.reader_status.text()
    qtbot.waitUntil(lambda: ident.watch.looks >= 2, timeout=5_000)  # it is watching an empty reader
    assert ident.id_field.raw() == ""
    sim.place("resident")
    qtbot.waitUntil(lambda: ident.id_field.raw() == RESIDENT_FIELDS["id_number"], timeout=10_000)
    assert ident.name_field.raw() == "张三" and ident.id_field.error is None
    assert "已读取身份证" in ident.reader_status.text()
    ident.name_field.set_raw("张三丰")  # the citizen corrects something; the card lying there must not undo it
    looks = ident.watch.looks
    qtbot.waitUntil(lambda: ident.watch.looks >= looks + 3, timeout=10_000)
    assert ident.name_field.raw() == "张三丰" and sim.reads == 1
    terminal.devices.id_reader.close().result(5)


def test_a_card_pulled_away_says_so_and_the_next_placement_reads(qtbot, tmp_path, sim):
    terminal = make_terminal(tmp_path / "home")
    window = make_window(qtbot, terminal, devices={"id_reader": reader_for(sim)})
    choose_item(qtbot, window, ID_CARD)
    ident = screen(window, "identity")
    sim.place("pulled")
    qtbot.waitUntil(lambda: "读取身份证失败" in ident.reader_status.text(), timeout=10_000)
    assert ident.id_field.raw() == "" and ident.name_field.raw() == ""  # nothing half-read was filled in
    assert not window.notice.isVisible()  # said in place, no pop-up
    seen = len(sim.commands)
    qtbot.waitUntil(lambda: (0x20, 0x01) in sim.commands[seen:], timeout=5_000)  # it has seen the empty field
    sim.place("resident")
    qtbot.waitUntil(lambda: ident.id_field.raw() == RESIDENT_FIELDS["id_number"], timeout=10_000)
    terminal.devices.id_reader.close().result(5)


@pytest.mark.parametrize(("language", "words"), [("zh", "未通过校验"), ("en", "fails its check")])
def test_a_card_with_an_invalid_number_is_refused_in_the_citizens_language(qtbot, tmp_path, sim, language, words):
    terminal = make_terminal(tmp_path / "home")
    window = make_window(qtbot, terminal, language=language, devices={"id_reader": reader_for(sim)})
    choose_item(qtbot, window, ID_CARD)
    ident = screen(window, "identity")
    sim.place("invalid_number")
    qtbot.waitUntil(lambda: words in ident.reader_status.text(), timeout=10_000)
    assert ident.id_field.raw() == "" and ident.name_field.raw() == ""
    terminal.devices.id_reader.close().result(5)


def test_a_foreigners_card_is_not_taken_for_a_resident_one(qtbot, tmp_path, sim):
    terminal = make_terminal(tmp_path / "home")
    window = make_window(qtbot, terminal, language="en", devices={"id_reader": reader_for(sim)})
    choose_item(qtbot, window, ID_CARD)
    ident = screen(window, "identity")
    sim.place("foreigner")
    qtbot.waitUntil(lambda: "permanent residence card" in ident.reader_status.text(), timeout=10_000)
    assert "SMITH, JOHN" in ident.reader_status.text() and ident.id_field.raw() == ""
    terminal.devices.id_reader.close().result(5)


def test_the_watch_stops_when_the_screen_is_left(qtbot, tmp_path, sim):
    terminal = make_terminal(tmp_path / "home")
    window = make_window(qtbot, terminal, devices={"id_reader": reader_for(sim)})
    choose_item(qtbot, window, ID_CARD)
    ident = screen(window, "identity")
    qtbot.waitUntil(lambda: ident.watch.looks >= 1, timeout=5_000)
    tap(qtbot, ident.back_button)
    assert not ident.watch.active
    qtbot.waitUntil(lambda: not ident.watch._busy, timeout=5_000)
    looks = len(sim.commands)
    qtbot.wait(600)  # longer than one polling interval: no look may happen meanwhile
    assert len(sim.commands) == looks
    terminal.devices.id_reader.close().result(5)


def test_laying_the_card_on_the_progress_screen_lists_the_citizens_applications(qtbot, tmp_path, sim):
    terminal = make_terminal(tmp_path / "home")
    draft = id_card_draft(1)
    mine = submit_at(terminal, dataclasses.replace(
        draft, applicant=dict(draft.applicant, name="张三", id_number=RESIDENT_FIELDS["id_number"])))
    other = submit_at(terminal, id_card_draft(2))
    window = make_window(qtbot, terminal, devices={"id_reader": reader_for(sim)})
    tap(qtbot, window.nav.screens["welcome"].progress_button)
    progress = screen(window, "progress")
    sim.place("resident")
    qtbot.waitUntil(lambda: progress.results != [], timeout=20_000)
    assert [r.receipt_no for r in progress.results] == [mine.receipt_no]
    assert mine.receipt_no in progress.answer.text() and other.receipt_no not in progress.answer.text()
    terminal.devices.id_reader.close().result(5)


def test_a_card_with_no_applications_here_says_so(qtbot, tmp_path, sim):
    terminal = make_terminal(tmp_path / "home")
    window = make_window(qtbot, terminal, devices={"id_reader": reader_for(sim)})
    tap(qtbot, window.nav.screens["welcome"].progress_button)
    progress = screen(window, "progress")
    sim.place("resident")
    qtbot.waitUntil(lambda: "没有这张身份证持有人的申请记录" in progress.reader_status.text(), timeout=20_000)
    assert not progress.card.isVisible()
    terminal.devices.id_reader.close().result(5)


def test_a_wedge_scanner_typing_the_receipt_qr_looks_it_up(qtbot, tmp_path):
    terminal = make_terminal(tmp_path / "home")
    submitted = submit_at(terminal, id_card_draft(1))
    window = make_window(qtbot, terminal)
    tap(qtbot, window.nav.screens["welcome"].progress_button)
    progress = screen(window, "progress")
    assert not progress.field.edit.hasFocus()
    qr = terminal.settings.progress_url + submitted.receipt_no
    qtbot.keyClicks(progress, qr)  # the scanner's burst, wherever the focus is on the screen
    qtbot.keyClick(progress, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: progress.result is not None, timeout=20_000)
    assert progress.result.receipt_no == submitted.receipt_no and progress.result.found
    assert progress.field.raw() == submitted.receipt_no


def test_a_wedge_scan_into_the_focused_field_is_understood_too(qtbot, tmp_path):
    terminal = make_terminal(tmp_path / "home")
    submitted = submit_at(terminal, id_card_draft(1))
    window = make_window(qtbot, terminal)
    tap(qtbot, window.nav.screens["welcome"].progress_button)
    progress = screen(window, "progress")
    progress.field.edit.setFocus()
    qtbot.keyClicks(progress.field.edit, terminal.settings.progress_url + submitted.receipt_no)
    qtbot.keyClick(progress.field.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: progress.result is not None, timeout=20_000)
    assert progress.result.receipt_no == submitted.receipt_no


def test_a_scanned_code_that_is_no_receipt_changes_nothing_and_says_why(qtbot, tmp_path):
    terminal = make_terminal(tmp_path / "home")
    window = make_window(qtbot, terminal)
    tap(qtbot, window.nav.screens["welcome"].progress_button)
    progress = screen(window, "progress")
    qtbot.keyClicks(progress, "https://example.com/somebody-elses-code")
    qtbot.keyClick(progress, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: progress.field.error is not None, timeout=5_000)
    assert progress.result is None and not progress.looking


def test_a_receipt_held_under_the_document_camera_is_looked_up_once(qtbot, tmp_path):
    from kiosk.devices.camera import FrameSource
    from tests.devices.test_receipt_qr import camera_frame, qr_image

    class CountingCamera(FrameSource):
        looks = 0

        def _scan(self, settings):  # noqa: ANN001, ANN202
            self.looks += 1
            return super()._scan(settings)

    terminal = make_terminal(tmp_path / "home")
    submitted = submit_at(terminal, id_card_draft(1))
    window = make_window(qtbot, terminal)
    camera = CountingCamera("document camera")
    terminal.devices.camera = camera
    camera.push_array(camera_frame(qr_image("https://example.com/not-a-receipt")))
    tap(qtbot, window.nav.screens["welcome"].progress_button)
    progress = screen(window, "progress")
    qtbot.waitUntil(lambda: camera.looks >= 2, timeout=10_000)
    assert progress.result is None and progress.field.raw() == ""  # someone else's code is not a receipt
    camera.push_array(camera_frame(qr_image(terminal.settings.progress_url + submitted.receipt_no)))
    qtbot.waitUntil(lambda: progress.result is not None, timeout=20_000)
    assert progress.result.receipt_no == submitted.receipt_no and progress.field.raw() == submitted.receipt_no
    first = progress.result
    looks = camera.looks
    qtbot.waitUntil(lambda: camera.looks >= looks + 2, timeout=10_000)  # still under the camera
    assert progress.result is first  # not looked up again
    tap(qtbot, progress.back_button)
    assert not progress.camera_timer.isActive()
