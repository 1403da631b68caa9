"""Reviewing a case: pages and zoom, checks with reasons, and each decision with its notice and audit trail."""
from __future__ import annotations

from sqlalchemy import select

from kiosk.store.models import AuditEntry, OutboxItem, PrintJob
from tests.ui.counter.conftest import case_application, click, log_in, open_review, pdf_text, select_material
from ui.counter.dialogs import ReasonDialog
from ui.dialogs import ConfirmDialog




def test_pages_of_pdf_and_g4_tiff_one_at_a_time_with_zoom(qtbot, hall, make_window):
    window = make_window()
    log_in(qtbot, window, "clerk1")
    review = open_review(qtbot, window, hall.case_id)
    select_material(qtbot, review, "household_register")
    viewer = review.viewer
    assert len(viewer.pages) == 4  # a 2-page PDF and a 2-page G4 TIFF
    assert "第1页" in viewer.page_label.text().replace(" ", "") or "1" in viewer.page_label.text()
    assert not viewer.prev_button.isEnabled()
    click(qtbot, viewer.next_button)
    click(qtbot, viewer.next_button)
    assert viewer.index == 2 and "2" in viewer.caption.text()  # the TIFF's first page, the second file
    fitted = viewer.effective_zoom()
    click(qtbot, viewer.zoom_in)
    assert viewer.mode == "fixed" and viewer.effective_zoom() > fitted
    bigger = viewer.picture.pixmap().width()
    click(qtbot, viewer.zoom_out)
    click(qtbot, viewer.zoom_out)
    assert viewer.picture.pixmap().width() < bigger
    click(qtbot, viewer.fit_width)
    assert abs(viewer.picture.pixmap().width() - (viewer.area.viewport().width() - 24)) <= 2
    click(qtbot, viewer.next_button)
    assert viewer.index == 3 and not viewer.next_button.isEnabled()
    select_material(qtbot, review, "photo_receipt")  # optional, not provided
    assert viewer.pages == [] and viewer.picture.text()


def test_missing_material_prints_a_supplement_notice_naming_it(qtbot, hall, make_window, lp, monkeypatch):
    monkeypatch.setattr(ConfirmDialog, "ask", classmethod(lambda cls, *a, **k: True))
    window = make_window()
    log_in(qtbot, window, "clerk1")
    review = open_review(qtbot, window, hall.case_id)
    click(qtbot, review.supplement_button)  # nothing marked missing yet
    assert "缺少" in review.message.text() or "missing" in review.message.text()
    click(qtbot, review.valid_button)  # id_card
    qtbot.waitUntil(lambda: review.current_code == "household_register", timeout=10_000)  # moves to the next one
    review.reason.setPlainText("")
    click(qtbot, review.missing_button)  # a reason is required
    assert review.check_error.isVisible() and review.current_material().review_state == "unchecked"
    review.reason.setPlainText("户口簿首页缺失，请补交首页原件")
    click(qtbot, review.missing_button)
    qtbot.waitUntil(lambda: review.detail.material("household_register").review_state == "missing", timeout=10_000)
    assert review.material_list.item(1).text().startswith("✖")  # words and a mark in the list
    click(qtbot, review.supplement_button)
    qtbot.waitUntil(lambda: review.last_outcome is not None, timeout=30_000)
    outcome = review.last_outcome
    assert outcome.printed is True and "✔" in review.print_status.text()
    assert "需补正材料" in review.info_labels["status"][1].text()  # the header shows the new status
    app = case_application(hall)
    assert app.status == "needs_supplement"
    with hall.terminal.store.transaction() as s:
        decision = s.scalars(select(OutboxItem).where(OutboxItem.kind == "decision")).one()
        assert decision.payload["missing"] == ["household_register"]
        assert decision.payload["decided_by"] == "clerk1"  # the platform knows staff by user name
        job = s.scalars(select(PrintJob).where(PrintJob.kind == "supplement")).one()
        assert job.state == "printed" and job.printer == "cups:Counter"
        rows = {(e.action, e.actor) for e in s.scalars(select(AuditEntry).where(AuditEntry.subject == hall.case_id))}
    actor = f"staff:{hall.clerk_id}"
    assert {("material_checked", actor), ("status:needs_supplement", actor)} <= rows
    printed = sorted(lp.glob("*.pdf"))
    assert len(printed) == 1 and "-d Counter" in printed[0].with_suffix(".args").read_text()
    text = pdf_text(printed[0])
    assert "补正材料通知书" in text and "居民户口簿" in text and "户口簿首页缺失" in text
    assert "居民身份证" not in text.split("需补正的材料")[1].split("申请信息")[0]  # only what is missing


def test_accept_needs_every_required_material_checked(qtbot, hall, make_window, lp, monkeypatch):
    monkeypatch.setattr(ConfirmDialog, "ask", classmethod(lambda cls, *a, **k: True))
    window = make_window()
    log_in(qtbot, window, "clerk1")
    review = open_review(qtbot, window, hall.case_id)
    assert not review.accept_button.isEnabled() and "必交材料" in review.accept_why.text()  # says why, in words
    review.accept()  # past the disabled button: the use case refuses too
    qtbot.waitUntil(lambda: review.message.isVisible(), timeout=10_000)
    assert "尚未核验通过" in review.message.text() and case_application(hall).status == "submitted"
    for code in ("id_card", "household_register"):
        select_material(qtbot, review, code)
        click(qtbot, review.valid_button)
        qtbot.waitUntil(lambda c=code: review.detail.material(c).review_state == "valid", timeout=10_000)
    click(qtbot, review.accept_button)
    qtbot.waitUntil(lambda: review.last_outcome is not None, timeout=30_000)
    assert case_application(hall).status == "accepted"
    assert "受理通知书" in pdf_text(sorted(lp.glob("*.pdf"))[0])


def test_reject_requires_a_reason(qtbot, hall, make_window, monkeypatch):
    window = make_window()
    log_in(qtbot, window, "clerk1")
    review = open_review(qtbot, window, hall.case_id)
    dialog = ReasonDialog(review, "t", "p", "ok")
    assert not dialog.ok_button.isEnabled()
    dialog.edit.setPlainText("   ")
    assert not dialog.ok_button.isEnabled()
    dialog.edit.setPlainText("材料系他人证件")
    assert dialog.ok_button.isEnabled()
    dialog.edit.setPlainText("长" * 301)
    assert not dialog.ok_button.isEnabled()
    dialog.deleteLater()
    monkeypatch.setattr(ReasonDialog, "ask", classmethod(lambda cls, *a, **k: None))  # cancelled
    click(qtbot, review.reject_button)
    assert case_application(hall).status == "submitted" and review.last_outcome is None
    monkeypatch.setattr(ReasonDialog, "ask", classmethod(lambda cls, *a, **k: "所交身份证系他人证件"))
    click(qtbot, review.reject_button)
    qtbot.waitUntil(lambda: review.last_outcome is not None, timeout=30_000)
    app = case_application(hall)
    assert app.status == "rejected" and app.status_note == "所交身份证系他人证件"
    assert review.last_outcome.printed is None  # no notice for a rejection here; the decision still syncs
    with hall.terminal.store.transaction() as s:
        item = s.scalars(select(OutboxItem).where(OutboxItem.kind == "decision")).one()
        assert item.payload["to"] == "rejected" and item.payload["note"] == "所交身份证系他人证件"
