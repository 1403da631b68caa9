"""The whole citizen flow, tapped through offscreen: three services, bad input, and the hard cases."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from kiosk.drafts import list_drafts, load_draft
from kiosk.errors import SOMETHING_WENT_WRONG
from kiosk.lifecycle import Status
from kiosk.store.models import Application, PrintJob
from tests.ui.kiosk_helpers import (
    ID_CARD, MARRIAGE, SOCIAL_CARD, choose_item, fill_form, fill_identity, make_terminal, make_window,
    provide_materials, screen, submit, tap, visible_texts,
)
from tests.helpers.media import fake_stick
from tests.ui.test_kiosk_materials import pick_from_stick
from ui.kiosk.usb_picker import UsbPicker
from kiosk.demo import APPLICANT, sample_page_png


@pytest.mark.parametrize("code", [ID_CARD, SOCIAL_CARD, MARRIAGE])
def test_whole_flow_submits_prints_and_starts_clean(qtbot, tmp_path, code):
    from printing.drivers.fake import FakePrinter

    printer = FakePrinter.named(f"flow-{code}")
    terminal = make_terminal(tmp_path / "home", printer=f"fake:flow-{code}")
    window = make_window(qtbot, terminal)
    choose_item(qtbot, window, code)
    fill_identity(qtbot, window)
    # The draft is in the store as soon as the identity step is done.
    qtbot.waitUntil(lambda: any(d.applicant_name == APPLICANT["name"] for d in list_drafts(terminal.store)))
    fill_form(qtbot, window, code)
    provide_materials(qtbot, window)
    review = screen(window, "review")
    assert "1101****" in " ".join(l.text() for l in review.findChildren(type(review.title)))  # ID masked on screen
    result = submit(qtbot, window)
    qtbot.waitUntil(lambda: result.print_message is not None, timeout=20_000)
    assert result.printed is True and "打印" in result.print_status.text()
    assert printer.jobs, "the receipt bytes reached the printer"
    apps = terminal.applications()
    assert len(apps) == 1 and apps[0].status == Status.SUBMITTED.value and apps[0].channel == "kiosk"
    assert result.receipt.text() == apps[0].receipt_no
    assert list_drafts(terminal.store) == []  # the draft was closed by the submission
    assert window.ctx.session.applicant == {} and window.ctx.session.form == {}
    tap(qtbot, result.next_button)
    screen(window, "welcome")
    assert APPLICANT["name"] not in visible_texts(window)
    assert set(window.nav.screens) <= {"welcome", "browser"}  # screens that hold nothing of the citizen
    assert "browser" not in window.nav.screens or window.nav.screens["browser"].search.text() == ""


def test_the_submission_starts_once_the_button_says_submitting(qtbot, tmp_path):
    """The job starts in a turn after the tap, so its Python does not take turns with the button's repaint."""
    from ui.jobs import running_job_names

    terminal = make_terminal(tmp_path / "home")
    window = make_window(qtbot, terminal)
    choose_item(qtbot, window, ID_CARD)
    fill_identity(qtbot, window)
    fill_form(qtbot, window, ID_CARD)
    provide_materials(qtbot, window)
    review = screen(window, "review")
    qtbot.waitUntil(lambda: not window.ctx.saver.busy, timeout=10_000)  # else the job waits for the save anyway
    tap(qtbot, review.next_button)
    assert review.submitting and not review.next_button.isEnabled() and "提交" in review.next_button.text()
    assert "submit" not in running_job_names()  # not in the tap's own turn
    qtbot.waitUntil(lambda: "submit" in running_job_names() or "result" in window.nav.screens, timeout=5_000)
    qtbot.waitUntil(lambda: window.nav.current().name == "result", timeout=20_000)
    assert len(terminal.applications()) == 1


def test_wrong_id_numbers_are_explained_and_block_next(qtbot, tmp_path):
    window = make_window(qtbot, make_terminal(tmp_path / "home"))
    choose_item(qtbot, window, ID_CARD)
    ident = screen(window, "identity")
    cases = {
        "11010519491231": "18位",  # too short
        "110105194912310021": "校验位",  # wrong check character
        "110105194913310027": "出生日期",  # month 13
        "99010519491231002X": "地区码",  # no such province
    }
    ident.name_field.edit.setText(APPLICANT["name"])
    ident.phone_field.edit.setText(APPLICANT["phone"])
    for number, words in cases.items():
        ident.id_field.edit.clear()
        qtbot.keyClicks(ident.id_field.edit, number)
        tap(qtbot, ident.next_button)
        screen(window, "identity")
        assert ident.id_field.error_label.isVisible()
        assert words in ident.id_field.error_label.text()
        assert "✖" in ident.id_field.error_label.text()  # a mark and words, not colour alone
    ident.phone_field.edit.setText("12345")
    ident.id_field.edit.setText(APPLICANT["id_number"])
    tap(qtbot, ident.next_button)
    assert "手机" in ident.phone_field.error_label.text()
    ident.phone_field.edit.setText(APPLICANT["phone"])
    tap(qtbot, ident.next_button)
    screen(window, "form")


def test_form_validates_inline_and_keeps_typing(qtbot, tmp_path):
    window = make_window(qtbot, make_terminal(tmp_path / "home"))
    choose_item(qtbot, window, ID_CARD)
    fill_identity(qtbot, window)
    form = screen(window, "form")
    tap(qtbot, form.next_button)  # nothing chosen yet
    screen(window, "form")
    assert form.view.field("renewal_reason").error is not None
    expiry = form.view.field("old_card_expiry")
    qtbot.keyClicks(expiry.edit, "2025-02-30")
    expiry.edit.editingFinished.emit()
    assert "不是一个存在的日期" in expiry.error_label.text()


def test_refused_file_is_explained_on_its_row(qtbot, tmp_path, monkeypatch):
    root, stick = fake_stick(tmp_path)
    monkeypatch.setattr(UsbPicker, "media_root", root)
    window = make_window(qtbot, make_terminal(tmp_path / "home"))
    choose_item(qtbot, window, ID_CARD)
    fill_identity(qtbot, window)
    fill_form(qtbot, window, ID_CARD)
    materials = screen(window, "materials")
    fake = stick / "photo.jpg"
    fake.write_bytes(b"MZ\x90\x00 this is an executable, not a photo")
    row = materials.rows["household_register"]
    pick_from_stick(qtbot, window, row.import_button, fake)
    qtbot.waitUntil(lambda: row.message.isVisible() and not row.busy, timeout=10_000)
    assert "photo.jpg" in row.message.text() and "JPEG" in row.message.text()
    assert not row.done and window.ctx.session.materials.get("household_register", []) == []
    # A good file for the same material is then accepted, with a thumbnail, and can be deleted.
    good = sample_page_png(stick, "register.png")
    pick_from_stick(qtbot, window, row.import_button, good)
    qtbot.waitUntil(lambda: row.done and not row.busy, timeout=20_000)
    assert not row.message.isVisible() and "✔" in row.status.text()
    tap(qtbot, row._page_widgets[0].delete_button)
    assert not row.done and "✖" in row.status.text()
    # Next refuses while required materials are missing.
    tap(qtbot, materials.next_button)
    screen(window, "materials")
    assert materials.rows["id_card"].message.isVisible()


def test_idle_timeout_mid_form_wipes_screen_and_memory_but_keeps_draft_for_staff(qtbot, tmp_path):
    terminal = make_terminal(tmp_path / "home", idle_timeout_seconds=3)
    window = make_window(qtbot, terminal)
    choose_item(qtbot, window, MARRIAGE)
    fill_identity(qtbot, window)
    form = screen(window, "form")
    form.view.field("partner_name").edit.setText("王芳")
    form.view.field("partner_name").edit.editingFinished.emit()
    with qtbot.waitSignal(window.idle.warning, timeout=5_000):
        pass
    assert window.overlay.isVisible() and window.overlay.countdown.text()
    with qtbot.waitSignal(window.session_ended, timeout=6_000) as ended:
        pass
    assert ended.args == ["idle"]
    screen(window, "welcome")
    assert not window.overlay.isVisible()
    texts = visible_texts(window)
    assert APPLICANT["name"] not in texts and "王芳" not in texts
    assert set(window.nav.screens) <= {"welcome", "browser"}  # screens that hold nothing of the citizen
    assert "browser" not in window.nav.screens or window.nav.screens["browser"].search.text() == ""
    session = window.ctx.session
    assert session.item is None and not session.has_personal_data
    qtbot.waitUntil(lambda: any(d.applicant_name == APPLICANT["name"] for d in list_drafts(terminal.store)),
                    timeout=5_000)
    draft_id = list_drafts(terminal.store)[0].draft_id
    draft = load_draft(terminal.store, terminal.attachments, draft_id)
    assert draft is not None and draft.form.get("partner_name") == "王芳"  # staff can resume it at the counter


def test_i_need_more_time_keeps_the_session(qtbot, tmp_path):
    window = make_window(qtbot, make_terminal(tmp_path / "home", idle_timeout_seconds=3))
    choose_item(qtbot, window, ID_CARD)
    screen(window, "identity").name_field.edit.setText("李四")
    with qtbot.waitSignal(window.idle.warning, timeout=5_000):
        pass
    tap(qtbot, window.overlay.button)
    assert not window.overlay.isVisible()
    screen(window, "identity")
    assert screen(window, "identity").name_field.raw() == "李四"


def test_language_switch_mid_form_keeps_what_was_typed(qtbot, tmp_path):
    window = make_window(qtbot, make_terminal(tmp_path / "home"))
    assert window.nav.screens["welcome"].apply_button.text().endswith("我要办事")  # Chinese by default
    choose_item(qtbot, window, MARRIAGE)
    fill_identity(qtbot, window)
    form = screen(window, "form")
    form.view.field("partner_name").edit.setText("王芳")
    tap(qtbot, form.view.field("appointment_slot").buttons["afternoon"])
    date_field = form.view.field("appointment_date")
    date_field.edit.setText("not a date")
    date_field.validate()
    assert "年-月-日" in date_field.error_label.text()
    tap(qtbot, window.top.language_button)
    assert "Partner" in form.view.field("partner_name").label.text() or "partner" in form.view.field(
        "partner_name").label.text().lower()
    assert form.view.field("partner_name").raw() == "王芳"
    assert form.view.field("appointment_slot").raw() == "afternoon"
    assert "year-month-day" in date_field.error_label.text()  # the shown problem follows the language
    assert form.next_button.text().startswith("Next")
    assert "Step 2 of 5" in window.top.step_label.text()
    tap(qtbot, form.back_button)
    ident = screen(window, "identity")
    assert ident.name_field.raw() == APPLICANT["name"] and "Full name" in ident.name_field.label.text()
    tap(qtbot, window.top.language_button)
    assert "姓名" in ident.name_field.label.text() and ident.id_field.raw() == APPLICANT["id_number"]


def test_printer_out_of_paper_keeps_the_receipt_and_the_submission(qtbot, tmp_path):
    from printing.drivers.fake import FakePrinter

    FakePrinter.named("nopaper").set_paper_out()
    terminal = make_terminal(tmp_path / "home", printer="fake:nopaper")
    window = make_window(qtbot, terminal)
    choose_item(qtbot, window, SOCIAL_CARD)
    fill_identity(qtbot, window)
    fill_form(qtbot, window, SOCIAL_CARD)
    provide_materials(qtbot, window)
    result = submit(qtbot, window)
    qtbot.waitUntil(lambda: result.print_message is not None, timeout=20_000)
    assert result.printed is False
    assert "⚠" in result.print_status.text() and "自动打印" in result.print_status.text()
    assert result.receipt.text() in result.print_status.text()  # the number to note down is right there
    with terminal.store.transaction() as s:
        jobs = s.scalars(select(PrintJob)).all()
        assert [j.state for j in jobs] == ["pending"]
        assert s.scalar(select(Application.status)) == Status.SUBMITTED.value


def test_platform_unreachable_submission_does_not_wait_and_indicator_says_offline(qtbot, tmp_path):
    import socket

    from sync import part
    from sync.credentials import Credential, save_credential

    with socket.socket() as probe:  # a loopback port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    terminal = make_terminal(tmp_path / "home")
    save_credential(terminal.settings, Credential(f"http://127.0.0.1:{port}/api/v1", 7, terminal.settings.hall_code,
                                                  "kiosk-1", "token-for-test"))
    part.attach(terminal, background=True)  # as a window's terminal: the worker runs, since it is enrolled
    assert terminal.sync is not None and terminal.sync.state().running
    window = make_window(qtbot, terminal)
    try:
        choose_item(qtbot, window, ID_CARD)
        fill_identity(qtbot, window)
        fill_form(qtbot, window, ID_CARD)
        provide_materials(qtbot, window)
        result = submit(qtbot, window)
        assert result.receipt.text()
        qtbot.waitUntil(lambda: "离线" in window.top.sync.text() and "1 项待发送" in window.top.sync.text(),
                        timeout=15_000)
        receipt = result.receipt.text()
        tap(qtbot, result.next_button)
        tap(qtbot, window.nav.screens["welcome"].progress_button)
        progress = screen(window, "progress")
        progress.field.edit.setText(receipt)
        tap(qtbot, progress.lookup_button)
        qtbot.waitUntil(lambda: progress.result is not None, timeout=20_000)
        text = progress.answer.text()
        assert "已提交" in text and "本机记录" in text and "平台暂时无法连接" in text
    finally:
        terminal.close()


def test_progress_lookup_checks_the_number_first(qtbot, tmp_path):
    window = make_window(qtbot, make_terminal(tmp_path / "home"))
    tap(qtbot, window.nav.screens["welcome"].progress_button)
    progress = screen(window, "progress")
    progress.field.edit.setText("330106001-001-260131-00001-0")
    tap(qtbot, progress.lookup_button)
    assert "回执编号不正确" in progress.field.error_label.text() and progress.result is None


def test_low_rating_needs_a_reason(qtbot, tmp_path):
    from kiosk.store.models import Rating

    terminal = make_terminal(tmp_path / "home")
    window = make_window(qtbot, terminal)
    tap(qtbot, window.nav.screens["welcome"].rate_button)
    rating = screen(window, "rating")
    assert not rating.reason_box.isVisible()
    tap(qtbot, rating.level_buttons[1])
    assert rating.reason_box.isVisible()
    tap(qtbot, rating.next_button)
    qtbot.waitUntil(lambda: window.notice.isVisible(), timeout=5_000)
    assert "原因" in window.notice.label.text()
    tap(qtbot, rating.reason_buttons["waiting_time"])
    tap(qtbot, rating.next_button)
    qtbot.waitUntil(lambda: rating.done, timeout=5_000)
    with terminal.store.transaction() as s:
        row = s.scalars(select(Rating)).one()
        assert (row.score, row.reason_code, row.channel) == (1, "waiting_time", "kiosk")
    tap(qtbot, rating.next_button)
    screen(window, "welcome")


def test_unexpected_error_is_logged_and_shown_calmly(qtbot, tmp_path, caplog):
    terminal = make_terminal(tmp_path / "home")
    window = make_window(qtbot, terminal)

    class BrokenLink:  # a defect deep in the platform link, not a network problem
        def look_up(self, number: str) -> None:
            raise ZeroDivisionError("a defect")

    terminal.sync = BrokenLink()  # type: ignore[assignment]
    tap(qtbot, window.nav.screens["welcome"].progress_button)
    progress = screen(window, "progress")
    progress.field.edit.setText("330106001-001-260131-00001-" + "0")
    from kiosk.receipt_numbers import mod11_2

    body = "330106001-001-260131-00001"
    progress.field.edit.setText(f"{body}-{mod11_2(body.replace('-', ''))}")
    with caplog.at_level("ERROR"):
        tap(qtbot, progress.lookup_button)
        qtbot.waitUntil(window.notice.isVisible, timeout=5_000)
    assert SOMETHING_WENT_WRONG.zh in window.notice.label.text()
    assert "ZeroDivisionError" in caplog.text and "a defect" not in window.notice.label.text()


def test_id_card_reader_fills_name_and_number(qtbot, tmp_path):
    terminal = make_terminal(tmp_path / "home")
    window = make_window(qtbot, terminal)
    choose_item(qtbot, window, ID_CARD)
    ident = screen(window, "identity")
    tap(qtbot, ident.read_button)
    qtbot.waitUntil(lambda: ident.id_field.raw() == APPLICANT["id_number"], timeout=5_000)
    assert ident.name_field.raw() == APPLICANT["name"] and terminal.devices.id_reader.reads == 1


def test_leaving_by_home_discards_the_draft(qtbot, tmp_path):
    terminal = make_terminal(tmp_path / "home")
    window = make_window(qtbot, terminal)
    choose_item(qtbot, window, ID_CARD)
    fill_identity(qtbot, window)
    qtbot.waitUntil(lambda: len(list_drafts(terminal.store)) == 1)
    tap(qtbot, window.top.home_button)
    tap(qtbot, window.question.yes_button)  # the kiosk's own question card, not a stock dialog
    screen(window, "welcome")
    qtbot.waitUntil(lambda: list_drafts(terminal.store) == [], timeout=5_000)
