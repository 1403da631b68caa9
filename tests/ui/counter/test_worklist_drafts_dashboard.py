"""Finding cases (typed, scanned, filtered), finishing or discarding drafts, and the supervisor's dashboard."""
from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import select

from kiosk.drafts import list_drafts
from kiosk.store.models import Application, AuditEntry
from tests.ui.counter.conftest import click, log_in
from kiosk import demo_hall as demo
from ui.dialogs import ConfirmDialog, ImportFileDialog


def _wait_review(qtbot, window, application_id: str):
    review = window.screens["review"]
    qtbot.waitUntil(lambda: window.current_name == "review" and review.detail is not None
                    and review.detail.row.id == application_id, timeout=10_000)
    return review


def test_search_by_receipt_number_and_id_number(qtbot, hall, make_window):
    other = demo.submit_at(hall.terminal, demo.id_card_draft(2))
    window = make_window()
    log_in(qtbot, window, "clerk1")
    worklist = window.screens["worklist"]
    assert {r.id for r in worklist.rows} == {hall.case_id, other.id}
    worklist.search_box.setText(other.receipt_no.replace("-", ""))  # as typed, without the dashes
    click(qtbot, worklist.search_button)
    _wait_review(qtbot, window, other.id)
    window.show_screen("worklist", refresh=False)
    loads = worklist.loads
    worklist.search_box.setText("110105194912310000")  # a well-formed number nobody here has
    click(qtbot, worklist.search_button)
    qtbot.waitUntil(lambda: worklist.loads > loads, timeout=10_000)
    assert worklist.rows == [] and worklist.message.isVisible() and window.current_name == "worklist"
    loads = worklist.loads
    worklist.search_box.setText(demo.applicant(1)["id_number"].lower())  # the x typed in lower case
    click(qtbot, worklist.search_button)
    _wait_review(qtbot, window, hall.case_id)


def test_a_qr_scanner_burst_opens_the_receipt_from_any_field(qtbot, hall, make_window):
    window = make_window()
    log_in(qtbot, window, "clerk1")
    window.open_case(hall.case_id)
    review = _wait_review(qtbot, window, hall.case_id)
    other = demo.submit_at(hall.terminal, demo.id_card_draft(2))
    qr = hall.terminal.settings.status_url(other.receipt_no)  # what the receipt's QR code holds
    review.reason.setFocus()
    qtbot.keyClicks(review.reason, qr)  # the scanner "types" the whole code at once ...
    qtbot.keyClick(review.reason, Qt.Key.Key_Return)  # ... and presses Enter
    _wait_review(qtbot, window, other.id)
    assert qr not in review.reason.toPlainText()  # the burst was taken back out of the field it landed in
    assert window.screens["worklist"].search_box.text() == qr
    # a short burst (a person's Enter after a few keys) is left alone
    line = window.screens["worklist"].search_box
    window.show_screen("worklist", refresh=False)
    line.clear()
    with qtbot.assertNotEmitted(window.scanner.scanned):
        qtbot.keyClicks(line, "abc")
        qtbot.keyClick(line, Qt.Key.Key_Return)


def test_filters_show_online_cases_assigned_to_this_hall(qtbot, hall, make_window):
    online = demo.add_online_case(hall.terminal, 5, "ZJ3301062026000999")
    window = make_window()
    log_in(qtbot, window, "clerk1")
    worklist = window.screens["worklist"]
    assert {r.id for r in worklist.rows} == {hall.case_id, online}
    loads = worklist.loads
    click(qtbot, worklist.source_buttons["online"])
    qtbot.waitUntil(lambda: worklist.loads > loads, timeout=10_000)
    assert [r.id for r in worklist.rows] == [online]
    assert worklist.table.model().index(0, 2).data() == "ZJ3301062026000999"
    loads = worklist.loads
    click(qtbot, worklist.source_buttons["kiosk"])
    qtbot.waitUntil(lambda: worklist.loads > loads, timeout=10_000)
    assert [r.id for r in worklist.rows] == [hall.case_id]
    click(qtbot, worklist.source_buttons["all"])
    worklist.search_box.setText("ZJ3301062026000999")  # by case number
    click(qtbot, worklist.search_button)
    _wait_review(qtbot, window, online)


def test_drafts_are_discarded_or_resumed_and_submitted_as_walk_ins(qtbot, hall, make_window, tmp_path, monkeypatch):
    first = demo.add_draft(hall.terminal, 7)
    second = demo.add_draft(hall.terminal, 8)
    monkeypatch.setattr(ConfirmDialog, "ask", classmethod(lambda cls, *a, **k: True))
    window = make_window()
    log_in(qtbot, window, "clerk1")
    click(qtbot, window.nav_buttons["drafts"])
    drafts = window.screens["drafts"]
    qtbot.waitUntil(lambda: len(drafts.rows) == 2, timeout=10_000)
    row = next(i for i, d in enumerate(drafts.rows) if d.id == first)
    drafts.table.selectRow(row)
    loads = drafts.loads
    click(qtbot, drafts.discard_button)
    qtbot.waitUntil(lambda: drafts.loads > loads and len(drafts.rows) == 1, timeout=10_000)
    assert [d.draft_id for d in list_drafts(hall.terminal.store)] == [second]
    click(qtbot, drafts.resume_button)
    walkin = window.screens["walkin"]
    qtbot.waitUntil(lambda: window.current_name == "walkin" and walkin.draft_id == second, timeout=10_000)
    assert walkin.name_field.raw() == demo.applicant(8)["name"]
    assert len(walkin.materials["id_card"]) == 1 and walkin.rows["id_card"].done
    click(qtbot, walkin.submit_button)  # the household register is still missing
    assert walkin.rows["household_register"].message.isVisible() and walkin.submitted is None
    page = tmp_path / "register.jpg"
    page.write_bytes(demo.jpeg_file(4).data)
    monkeypatch.setattr(ImportFileDialog, "ask", classmethod(lambda cls, parent, start=None: page))
    click(qtbot, walkin.rows["household_register"].import_button)
    qtbot.waitUntil(lambda: walkin.rows["household_register"].done and not walkin.materials_busy, timeout=20_000)
    click(qtbot, walkin.submit_button)
    qtbot.waitUntil(lambda: walkin.submitted is not None, timeout=20_000)
    assert walkin.receipt.isVisible() and walkin.receipt.text() == walkin.submitted.receipt_no
    assert list_drafts(hall.terminal.store) == []
    with hall.terminal.store.transaction() as s:
        app = s.get(Application, walkin.submitted.id)
        assert app.channel == "counter" and app.applicant_name == demo.applicant(8)["name"]
        actors = {(e.action, e.actor) for e in s.scalars(select(AuditEntry))}
    staff = f"staff:{hall.clerk_id}"
    assert {("submitted", staff), ("draft_resumed", staff), ("draft_closed", staff)} <= actors
    click(qtbot, walkin.review_button)
    _wait_review(qtbot, window, walkin.submitted.id)


def test_walk_in_form_uses_the_shared_checks(qtbot, hall, make_window):
    window = make_window()
    log_in(qtbot, window, "clerk1")
    click(qtbot, window.nav_buttons["walkin"])
    walkin = window.screens["walkin"]
    walkin.name_field.set_raw("张三")
    walkin.id_field.set_raw("110105194912310021")  # wrong check character
    click(qtbot, walkin.submit_button)
    assert "校验位" in walkin.id_field.error_label.text() and walkin.submitted is None


def test_dashboard_draws_the_hall_figures(qtbot, hall, make_window):
    from kiosk.ratings import record_rating

    with hall.terminal.store.transaction() as s:
        for score, reason in ((5, None), (4, None), (1, "waiting_time")):
            record_rating(s, score, reason_code=reason)
    window = make_window()
    log_in(qtbot, window, "lead1")
    click(qtbot, window.nav_buttons["dashboard"])
    dashboard = window.screens["dashboard"]
    qtbot.waitUntil(lambda: dashboard.loads > 0, timeout=20_000)
    assert dashboard.figures["applications"][0].text() == "1"
    assert dashboard.figures["satisfaction_rate"][0].text() == "67 %"
    charts = dashboard.charts()
    per_day = charts["per_day"].series()[0]
    assert sum(v for bar in per_day.barSets() for v in (bar.at(i) for i in range(bar.count()))) == 1
    ratings = charts["ratings"].series()[0].barSets()[0]
    assert [ratings.at(i) for i in range(5)] == [1, 1, 0, 0, 1]
    assert charts["on_time"].series()[0].count() >= 1
    assert not dashboard.grab().isNull()
    dashboard.date_from.setDate(dashboard.date_to.date().addDays(1))  # an impossible period is explained
    loads = dashboard.loads
    click(qtbot, dashboard.show_button)
    qtbot.waitUntil(lambda: dashboard.loads > loads, timeout=10_000)
    assert dashboard.message.isVisible() and "结束日期" in dashboard.message.text()
