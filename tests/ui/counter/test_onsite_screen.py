"""The counter's 网办件核验 page: the card placed, the pre-review shown, the originals ticked, the case completed."""
from __future__ import annotations

from sqlalchemy import select

from kiosk import demo_hall as demo
from kiosk.devices.id_card_reader import FakeIdCardReader, IdCardData
from kiosk.store.models import Application, OutboxItem, Visit
from kiosk.terminal import Devices
from tests.ui.counter.conftest import click, log_in, open_review, pdf_text, select_material

CASE_NO = "SJ330106001-20261130-000042"


def test_the_card_placed_finds_the_online_case_and_completing_it_counts_one_visit(qtbot, hall, make_window, lp):
    app_id = demo.add_online_case(hall.terminal, 6, CASE_NO)
    citizen = demo.applicant(6)
    hall.terminal.devices = Devices(id_reader=FakeIdCardReader([IdCardData(citizen["name"], citizen["id_number"])]))
    window = make_window()
    log_in(qtbot, window, "clerk1")
    assert "onsite" in window.nav_buttons and window.nav_buttons["onsite"].text() == "网办件核验"
    window.show_screen("onsite")
    page = window.screens["onsite"]
    click(qtbot, page.read_card_button)  # the ID card placed on the reader: no typing
    qtbot.waitUntil(lambda: page.loads == 1 and page.current is not None, timeout=10_000)
    assert page.current.id == app_id and page.number.text() == citizen["id_number"]
    assert "王芳" in page.prereview.text() and "户口簿请核验原件" in page.prereview.text()
    rows = {row.material.code: row for row in page.rows}
    assert not rows["id_card"].check.isVisibleTo(page) and "通过" in rows["id_card"].state.text()
    assert rows["household_register"].check.isVisibleTo(page) and "核验原件" in rows["household_register"].state.text()
    assert not page.complete_button.isEnabled() and "1" in page.left.text()

    rows["household_register"].check.setChecked(True)  # the clerk has seen the household register
    qtbot.waitUntil(lambda: not page.busy and page.current.ready, timeout=10_000)
    assert page.complete_button.isEnabled()
    click(qtbot, page.complete_button)
    qtbot.waitUntil(lambda: page.last_completion is not None, timeout=20_000)
    assert page.last_completion.case.visits == 1 and page.message.isVisible()
    assert CASE_NO in page.message.text() and page.current is None and not page.complete_button.isVisible()
    with hall.terminal.store.transaction() as s:
        assert s.get(Application, app_id).status == "accepted"
        assert list(s.scalars(select(Visit.kind).where(Visit.application_id == app_id))) == ["onsite"]
        assert s.scalars(select(OutboxItem).where(OutboxItem.kind == "decision")).one().payload["visits"] == 1
    qtbot.waitUntil(lambda: len(list(lp.glob("*.pdf"))) == 1, timeout=20_000)
    assert "受理通知书" in pdf_text(sorted(lp.glob("*.pdf"))[0])


def test_a_number_of_another_hall_or_nothing_waiting_says_so_and_changes_nothing(qtbot, hall, make_window):
    other = demo.add_online_case(hall.terminal, 7, "SJ330106002-20261130-000001")
    with hall.terminal.store.transaction() as s:
        s.get(Application, other).hall_code = "330106002"
    window = make_window(language="en")
    log_in(qtbot, window, "clerk1")
    window.show_screen("onsite")
    page = window.screens["onsite"]
    page.number.setText("SJ330106002-20261130-000001")
    click(qtbot, page.find_button)
    qtbot.waitUntil(lambda: page.loads == 1, timeout=10_000)
    assert page.message.isVisible() and "another hall" in page.message.text() and page.current is None
    page.number.setText(demo.applicant(1)["id_number"])  # a citizen whose only case came from the kiosk
    qtbot.keyClick(page.number, "\r")
    qtbot.waitUntil(lambda: page.loads == 2, timeout=10_000)
    assert not page.message.isVisible() and "No online application" in page.found.text()
    page.number.setText("")
    click(qtbot, page.find_button)
    qtbot.waitUntil(lambda: page.loads == 3, timeout=10_000)
    assert "Place the ID card" in page.message.text()
    with hall.terminal.store.transaction() as s:
        assert s.scalar(select(Visit.id).where(Visit.kind == "onsite")) is None


def test_the_review_of_a_pre_reviewed_online_case_shows_each_verdict(qtbot, hall, make_window):
    app_id = demo.add_online_case(hall.terminal, 6, CASE_NO)
    window = make_window()
    log_in(qtbot, window, "clerk1")
    review = open_review(qtbot, window, app_id)
    select_material(qtbot, review, "id_card")
    assert "网上预审已通过" in review.check_state.text() and "须在窗口核验原件" not in review.check_state.text()
    select_material(qtbot, review, "household_register")
    assert "须在窗口核验原件" in review.check_state.text() and "网上预审已通过" not in review.check_state.text()
