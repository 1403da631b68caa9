"""The next step's screen built while the citizen reads the current one: nothing of theirs survives the session."""
from __future__ import annotations

import shiboken6

from kiosk.demo import APPLICANT
from tests.ui.kiosk_helpers import MARRIAGE, choose_item, fill_form, fill_identity, make_terminal, make_window, \
    provide_materials, screen, submit, tap, visible_texts


def test_the_form_built_ahead_is_empty_and_goes_with_the_session(qtbot, tmp_path):
    terminal = make_terminal(tmp_path / "home")
    window = make_window(qtbot, terminal)
    nav = window.nav
    choose_item(qtbot, window, MARRIAGE)
    qtbot.waitUntil(lambda: "form" in nav.ahead, timeout=5_000)  # built while the identity step is read
    built = nav.ahead["form"]
    assert "form" not in nav.screens and not built.isVisible()
    assert all(field.raw() == "" for field in built.view.fields)
    # laid out ahead too, in a turn after its building, at the size it is shown at
    qtbot.waitUntil(lambda: built.size() == nav.stack.size(), timeout=5_000)
    fill_identity(qtbot, window)
    form = screen(window, "form")
    assert form is built and "form" not in nav.ahead  # the screen built ahead is the one shown
    form.view.field("partner_name").edit.setText("王芳")
    form.view.field("partner_name").edit.editingFinished.emit()
    qtbot.waitUntil(lambda: "materials" in nav.ahead, timeout=5_000)
    ahead = nav.ahead["materials"]
    tap(qtbot, window.top.home_button)
    tap(qtbot, window.question.yes_button)
    screen(window, "welcome")
    assert nav.ahead == {} and set(nav.screens) <= {"welcome", "browser"}
    texts = visible_texts(window)
    assert "王芳" not in texts and APPLICANT["name"] not in texts  # cleared at once, before the deletion
    qtbot.waitUntil(lambda: not shiboken6.isValid(form) and not shiboken6.isValid(ahead), timeout=5_000)
    # the next citizen, same service: a new form, empty
    choose_item(qtbot, window, MARRIAGE)
    qtbot.waitUntil(lambda: "form" in nav.ahead, timeout=5_000)
    assert all(field.raw() == "" for field in nav.ahead["form"].view.fields)


def test_answers_the_identity_step_adds_after_the_form_was_built_show_in_it(qtbot, tmp_path):
    """The card read on the identity step proposes form answers (`kiosk.card_prefill`): the form built
    ahead shows what the session holds when it is entered, not what it held when it was built."""
    terminal = make_terminal(tmp_path / "home")
    window = make_window(qtbot, terminal)
    nav = window.nav
    choose_item(qtbot, window, MARRIAGE)
    qtbot.waitUntil(lambda: "form" in nav.ahead, timeout=5_000)
    assert nav.ahead["form"].view.field("partner_name").raw() == ""
    window.ctx.session.form["partner_name"] = "王芳"
    fill_identity(qtbot, window)
    assert screen(window, "form").view.field("partner_name").raw() == "王芳"


def test_going_back_drops_a_screen_built_from_what_may_change(qtbot, tmp_path):
    terminal = make_terminal(tmp_path / "home")
    window = make_window(qtbot, terminal)
    nav = window.nav
    choose_item(qtbot, window, MARRIAGE)
    fill_identity(qtbot, window)
    screen(window, "form")
    qtbot.waitUntil(lambda: "materials" in nav.ahead, timeout=5_000)
    materials = nav.ahead["materials"]
    tap(qtbot, window.nav.current().back_button)
    screen(window, "identity")
    assert "materials" not in nav.ahead
    qtbot.waitUntil(lambda: not shiboken6.isValid(materials), timeout=5_000)


def test_each_citizen_gets_a_result_screen_built_ahead_that_shows_only_their_receipt(qtbot, tmp_path):
    from printing.drivers.fake import FakePrinter

    FakePrinter.named("ahead-result")
    terminal = make_terminal(tmp_path / "home", printer="fake:ahead-result", device_no=3)
    window = make_window(qtbot, terminal)
    nav = window.nav
    receipts = []
    for _ in range(2):
        choose_item(qtbot, window, MARRIAGE)
        fill_identity(qtbot, window)
        fill_form(qtbot, window, MARRIAGE)
        provide_materials(qtbot, window)
        screen(window, "review")
        qtbot.waitUntil(lambda: "result" in nav.ahead, timeout=5_000)
        ahead = nav.ahead["result"]
        assert ahead.receipt.text() == "" and ahead.qr.pixmap().isNull() and ahead.submitted is None
        assert all(old is not ahead for old in receipts)
        result = submit(qtbot, window)
        assert result is ahead and result.receipt.text() == result.submitted.receipt_no
        receipts.append(result)
        qtbot.waitUntil(lambda: result.print_message is not None, timeout=20_000)
        tap(qtbot, result.next_button)
        screen(window, "welcome")
        assert nav.ahead == {}
    stored = sorted(a.receipt_no for a in terminal.applications())
    assert len(set(stored)) == 2
    qtbot.waitUntil(lambda: not any(shiboken6.isValid(r) for r in receipts), timeout=5_000)
