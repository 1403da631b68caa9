"""Logging in, locking after idle time, and what each role may see."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from kiosk.staff import NotAllowed
from kiosk.usecases import cases
from kiosk.usecases import review as review_cases
from kiosk.usecases.reports import hall_report
from kiosk.store.models import AuditEntry
from kiosk.worklist import Urgency
from tests.ui.counter.conftest import click, log_in, open_review
from kiosk import demo_hall as demo


def _actions(hall, actor: str) -> list[str]:
    with hall.terminal.store.transaction() as s:
        return list(s.scalars(select(AuditEntry.action).where(AuditEntry.actor == actor).order_by(AuditEntry.id)))


def test_wrong_password_is_refused_then_login_works(qtbot, hall, make_window):
    window = make_window()
    assert window.stack.currentWidget() is window.login and not window.nav.isVisible()
    window.login.user.setText("clerk1")
    window.login.password.setText("not-the-password")
    click(qtbot, window.login.button)
    qtbot.waitUntil(lambda: window.login.error.isVisible(), timeout=10_000)
    assert "用户名或密码不正确" in window.login.error.text() and "✖" in window.login.error.text()
    assert window.staff is None and window.login.password.text() == ""
    click(qtbot, window.login.button)  # empty password: asked for it, nothing sent
    assert window.login.error.isVisible()
    log_in(qtbot, window, "clerk1")
    assert window.nav.isVisible() and window.staff_label.isVisible()
    assert "王小明" in window.staff_label.text()
    assert _actions(hall, f"staff:{hall.clerk_id}")[:2] == ["login_failed", "login"]


def test_counter_locks_after_idle_time_and_only_the_same_person_unlocks(qtbot, hall, make_window):
    window = make_window(lock_seconds=1)
    log_in(qtbot, window, "clerk1")
    review = open_review(qtbot, window, hall.case_id)
    qtbot.waitUntil(lambda: window.locked, timeout=10_000)  # nobody touched it for a second
    assert window.stack.currentWidget() is window.login and not window.nav.isVisible()
    assert not window.login.user.isVisible() and "王小明" in window.login.text.text()
    window.scanned(hall.receipt_no)  # a scan while locked opens nothing
    assert window.stack.currentWidget() is window.login
    window.login.password.setText("wrong-password")
    click(qtbot, window.login.button)
    qtbot.waitUntil(lambda: window.login.error.isVisible(), timeout=10_000)
    assert window.locked
    window.login.password.setText(demo.PASSWORD)
    with qtbot.waitSignal(window.locked_changed, timeout=10_000):
        click(qtbot, window.login.button)
    assert not window.locked and window.stack.currentWidget() is review  # back where the clerk was
    assert review.detail is not None and review.detail.row.id == hall.case_id
    # the lock and unlock notes are two jobs on two pool threads: either may be written first
    qtbot.waitUntil(lambda: {"counter_locked", "counter_unlocked", "login_failed"}
                    <= set(_actions(hall, f"staff:{hall.clerk_id}")), timeout=10_000)


def test_switch_user_from_the_lock_screen_clears_the_session(qtbot, hall, make_window):
    window = make_window()
    log_in(qtbot, window, "clerk1")
    window.lock()
    click(qtbot, window.login.switch_button)
    assert window.staff is None and window.screens == {} and window.login.user.isVisible()
    log_in(qtbot, window, "lead1")
    assert "dashboard" in window.nav_buttons


def test_a_clerk_sees_no_dashboard_and_only_their_own_deadlines(qtbot, hall, make_window):
    other = demo.submit_at(hall.terminal, demo.id_card_draft(2)).id
    window = make_window()
    log_in(qtbot, window, "clerk1")
    assert set(window.nav_buttons) == {"worklist", "walkin", "drafts", "appointments", "onsite", "deadlines", "print_queue"}
    assert "dashboard" not in window.screens
    terminal = hall.terminal  # the same use cases the screens call, refused the same way
    with pytest.raises(NotAllowed):
        hall_report(terminal, hall.clerk_id, hall.today, hall.today)
    with pytest.raises(NotAllowed):
        cases.deadlines(terminal, hall.clerk_id, hall_wide=True)
    # the clerk checks one material of the first case: now it is "theirs"
    review_cases.check_material(terminal, hall.clerk_id, hall.case_id, "id_card", "valid")
    click(qtbot, window.nav_buttons["deadlines"])
    deadlines = window.screens["deadlines"]
    qtbot.waitUntil(lambda: deadlines.loads > 0, timeout=10_000)
    assert not deadlines.hall_wide
    assert [r.id for r in deadlines.rows] == [hall.case_id]
    assert other not in [r.id for r in deadlines.rows]


def test_a_supervisor_sees_the_whole_hall_with_urgent_cases_marked_in_words(qtbot, hall, make_window):
    from datetime import timedelta

    from kiosk.store.models import Application

    late = demo.submit_at(hall.terminal, demo.id_card_draft(3)).id
    soon = demo.submit_at(hall.terminal, demo.id_card_draft(4)).id
    with hall.terminal.store.transaction() as s:
        s.get(Application, late).promised_date = hall.today - timedelta(days=10)
        s.get(Application, soon).promised_date = hall.today
    window = make_window()
    log_in(qtbot, window, "lead1")
    assert {"dashboard", "deadlines"} <= set(window.nav_buttons)
    click(qtbot, window.nav_buttons["deadlines"])
    deadlines = window.screens["deadlines"]
    qtbot.waitUntil(lambda: deadlines.loads > 0, timeout=10_000)
    assert deadlines.hall_wide
    assert [r.id for r in deadlines.rows][:2] == [late, soon]  # most urgent first
    first, second = deadlines.model.text(0, 0), deadlines.model.text(1, 0)
    assert first.startswith("⛔") and second.startswith("⚠")  # a symbol and words, not colour alone
    assert any(ch.isdigit() for ch in first)
    assert deadlines.figures[Urgency.OVERDUE][0].text() == "1"


def test_the_work_list_is_made_ahead_empty_and_made_anew_for_the_next_person(qtbot, hall, make_window):
    """Made while the counter waits for a log-in (not in the log-in's answer), for whoever logs in; a person's
    cases never wait in it for the next person, and a language switched meanwhile reaches it."""
    window = make_window()
    qtbot.waitUntil(lambda: window._worklist_ahead is not None, timeout=10_000)
    ahead = window._worklist_ahead
    assert ahead.staff_id is None and ahead.rows == [] and ahead.model.rowCount() == 0
    assert not ahead.isVisible() and window.stack.indexOf(ahead) == -1  # no part of the log-in's size
    window.toggle_language()
    assert ahead.title.text() == "Work list"
    log_in(qtbot, window, "clerk1")
    assert window.screens["worklist"] is ahead and window._worklist_ahead is None
    assert ahead.staff_id == hall.clerk_id and window.stack.currentWidget() is ahead
    assert [row.id for row in ahead.rows] == [hall.case_id]
    window.logout()
    qtbot.waitUntil(lambda: window._worklist_ahead is not None, timeout=10_000)
    fresh = window._worklist_ahead
    assert fresh is not ahead and fresh.staff_id is None and fresh.model.rowCount() == 0
    log_in(qtbot, window, "lead1")
    assert window.screens["worklist"] is fresh and fresh.staff_id == hall.supervisor_id
    window.toggle_language()  # back to Chinese for the tests after this one


def test_pages_built_after_log_in_are_laid_out_at_the_stack_size_before_they_are_shown(qtbot, hall, make_window):
    window = make_window()
    log_in(qtbot, window, "clerk1")
    qtbot.waitUntil(lambda: dict.get(window.screens, "review") is not None and not window._soon, timeout=10_000)
    review = dict.get(window.screens, "review")
    qtbot.waitUntil(lambda: review.size() == window.stack.size(), timeout=10_000)
    assert window.stack.currentWidget() is window.screens["worklist"] and not review.isVisible()


def test_a_page_built_after_log_in_is_painted_once_before_it_is_shown(qtbot, hall, make_window):
    """Its first paint (working out each widget's style-sheet rules) happens while the clerk reads the list."""
    from PySide6.QtCore import QEvent, QObject

    class Paints(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.hidden_paints = 0

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint and not watched.isVisible():
                self.hidden_paints += 1
            return False

    window = make_window()
    paints = Paints()
    original = window._add_page

    def add_page(key, screen):
        if key == "review":
            screen.installEventFilter(paints)
        return original(key, screen)

    window._add_page = add_page
    log_in(qtbot, window, "clerk1")
    qtbot.waitUntil(lambda: paints.hidden_paints > 0, timeout=10_000)
    review = window.screens["review"]
    assert window.stack.currentWidget() is window.screens["worklist"] and not review.isVisible()
