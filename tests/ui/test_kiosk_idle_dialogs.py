"""Idle handling that respects the citizen: no stock dialogs, any touch counts, the countdown on top, the truth."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QToolTip, QWidget

from kiosk.demo import APPLICANT
from kiosk.drafts import list_drafts
from tests.ui.kiosk_helpers import (
    ID_CARD, MARRIAGE, choose_item, fill_form, fill_identity, make_terminal, make_window, provide_materials, screen,
    submit, tap,
)
from ui.kiosk.session_end import Outcome
from ui.kiosk.voice import RecordingVoice


class WindowWatcher(QObject):
    """Every top-level window other than the kiosk's that shows: stock dialogs, menus, tooltips, pop-ups."""

    def __init__(self, kiosk: QWidget) -> None:
        super().__init__()
        self.kiosk = kiosk
        self.seen: list[str] = []
        self.flashed: list[str] = []
        QApplication.instance().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Show and isinstance(watched, QWidget) and watched.isWindow() \
                and watched is not self.kiosk:
            what = f"{type(watched).__name__} {watched.objectName()!r} {watched.windowTitle()!r}"
            if isinstance(watched, QDialog) or watched.windowType() in (Qt.WindowType.Popup, Qt.WindowType.ToolTip):
                self.seen.append(what)
            else:
                self.flashed.append(what)  # a parentless widget shown before it was placed: a window for a moment
        return False

    def check(self) -> None:
        visible = [w for w in QApplication.topLevelWidgets() if w.isVisible() and w is not self.kiosk]
        dialogs = [w for w in visible if isinstance(w, QDialog)]
        assert not dialogs and not self.seen, f"stock dialogs or pop-ups on the kiosk: {self.seen} {dialogs}"
        frame = [w for w in self.flashed if "'backButton'" in w or "'nextButton'" in w]
        assert not frame, f"the screens' own frame flashed windows: {frame}"

    def close(self) -> None:
        QApplication.instance().removeEventFilter(self)


def touch(qtbot: Any, widget: QWidget) -> None:
    """A tap on a spot that is no button (the card's text): still a sign that the citizen is there."""
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))


def top_widget_at_centre(window: Any) -> QWidget | None:
    root = window.centralWidget()
    return root.childAt(root.rect().center())


def test_the_whole_kiosk_flow_never_shows_a_stock_dialog_or_pop_up(qtbot, tmp_path):
    terminal = make_terminal(tmp_path / "home")
    window = make_window(qtbot, terminal)
    watcher = WindowWatcher(window)
    try:
        # A whole application, submitted, then finished.
        choose_item(qtbot, window, MARRIAGE)
        fill_identity(qtbot, window)
        fill_form(qtbot, window, MARRIAGE)
        provide_materials(qtbot, window)
        result = submit(qtbot, window)
        watcher.check()
        tap(qtbot, result.next_button)
        screen(window, "welcome")
        # Leaving a half-done application asks on a card inside the window.
        choose_item(qtbot, window, ID_CARD)
        fill_identity(qtbot, window)
        tap(qtbot, window.top.home_button)
        assert window.question.isVisible() and not window.question.isWindow()
        assert window.centralWidget().isAncestorOf(top_widget_at_centre(window))
        assert window.question.isAncestorOf(top_widget_at_centre(window))
        tap(qtbot, window.question.no_button)
        screen(window, "form")
        tap(qtbot, window.top.home_button)
        tap(qtbot, window.question.yes_button)
        screen(window, "welcome")
        # Progress lookup, the language and text-size switches, a rating.
        tap(qtbot, window.nav.screens["welcome"].progress_button)
        progress = screen(window, "progress")
        progress.field.edit.setText("330106001-001-260131-00001-0")
        tap(qtbot, progress.lookup_button)
        tap(qtbot, window.top.language_button)
        tap(qtbot, window.top.large_button)
        tap(qtbot, window.top.large_button)
        tap(qtbot, window.top.language_button)
        tap(qtbot, progress.back_button)
        tap(qtbot, window.nav.screens["welcome"].rate_button)
        screen(window, "rating")
        # The sync indicator had a tooltip: on the kiosk, hovering shows nothing.
        sync = window.top.sync
        QApplication.sendEvent(sync, QHelpEvent(QEvent.Type.ToolTip, QPoint(2, 2), sync.mapToGlobal(QPoint(2, 2))))
        assert not QToolTip.isVisible()
        watcher.check()
        assert window.popups.strays == []
    finally:
        watcher.close()


def test_touches_on_a_question_card_keep_the_session_then_it_expires_and_says_the_draft_was_kept(qtbot, tmp_path):
    terminal = make_terminal(tmp_path / "home", idle_timeout_seconds=3)
    window = make_window(qtbot, terminal)
    voice = RecordingVoice()
    window.voice.voice = voice
    window.farewell_ms = 60_000
    choose_item(qtbot, window, ID_CARD)
    fill_identity(qtbot, window)
    tap(qtbot, window.top.home_button)
    assert window.question.isVisible()
    # The citizen reads the question for longer than the whole timeout, touching the card now and then.
    for _ in range(4):  # 4 x 1.2 s > 3 s
        qtbot.waitUntil(lambda: window.idle._clock.elapsed() > 1200, timeout=5_000)
        assert not window.overlay.isVisible()
        touch(qtbot, window.question.text)
    screen(window, "form")
    assert window.question.isVisible()
    # Then nobody: the countdown comes, above the card.
    with qtbot.waitSignal(window.idle.warning, timeout=5_000):
        pass
    assert window.overlay.isVisible() and window.question.isVisible()
    assert window.overlay.isAncestorOf(top_widget_at_centre(window))
    assert window.keypad.scope() is window.overlay
    assert voice.said == []  # normal text, no keypad: nothing spoken unasked
    with qtbot.waitSignal(window.session_ended, timeout=6_000) as ended:
        pass
    assert ended.args == ["idle"]
    welcome = screen(window, "welcome")
    assert not window.question.isVisible() and not window.overlay.isVisible()
    with qtbot.waitSignal(window.farewell_shown, timeout=10_000) as told:
        pass
    assert told.args == [Outcome.DRAFT_KEPT]
    said = welcome.farewell.text()
    assert welcome.farewell.isVisible() and "草稿" in said and "服务窗口" in said
    assert any(d.applicant_name == APPLICANT["name"] for d in list_drafts(terminal.store))  # what it says is true


def test_a_touch_on_the_countdown_wakes_the_kiosk_and_does_nothing_else(qtbot, tmp_path):
    window = make_window(qtbot, make_terminal(tmp_path / "home", idle_timeout_seconds=3))
    choose_item(qtbot, window, ID_CARD)
    identity = screen(window, "identity")
    identity.name_field.edit.setText("李四")
    identity.name_field.edit.setFocus()
    with qtbot.waitSignal(window.idle.warning, timeout=5_000):
        pass
    touch(qtbot, window.overlay.text)  # anywhere on the cover, not only its button
    assert not window.overlay.isVisible()
    assert window.focusWidget() is identity.name_field.edit  # typing goes on where it was
    with qtbot.waitSignal(window.idle.warning, timeout=5_000):
        pass
    qtbot.keyClick(identity.name_field.edit, Qt.Key.Key_A)  # a key wakes it too, and types nothing
    assert not window.overlay.isVisible()
    assert screen(window, "identity").name_field.raw() == "李四"


def test_a_stray_dialog_is_closed_so_the_countdown_is_seen(qtbot, tmp_path):
    window = make_window(qtbot, make_terminal(tmp_path / "home", idle_timeout_seconds=3))
    choose_item(qtbot, window, ID_CARD)
    stray = QFileDialog(window, "Choose a file")  # what a stock dialog left on the kiosk would be
    stray.setOption(QFileDialog.Option.DontUseNativeDialog)
    stray.open()
    qtbot.waitUntil(stray.isVisible)
    assert window.popups.strays  # noticed (and logged) as a defect
    with qtbot.waitSignal(window.idle.warning, timeout=5_000):
        pass
    assert not stray.isVisible() and window.overlay.isVisible()
    assert stray.result() == QDialog.DialogCode.Rejected  # cancelled: nothing picked


def test_the_welcome_screen_says_what_happened_and_speaks_it_in_large_text(qtbot, tmp_path):
    terminal = make_terminal(tmp_path / "home", idle_timeout_seconds=3)
    window = make_window(qtbot, terminal, large_text=True)
    voice = RecordingVoice()
    window.voice.voice = voice
    window.farewell_ms = 60_000
    welcome = window.nav.screens["welcome"]
    # Leaving by Home: the draft is deleted, and the card's question and the end are spoken.
    choose_item(qtbot, window, ID_CARD)
    fill_identity(qtbot, window)
    tap(qtbot, window.top.home_button)
    assert voice.texts()[-1].startswith("离开本次申请吗")
    with qtbot.waitSignal(window.farewell_shown, timeout=10_000) as told:
        tap(qtbot, window.question.yes_button)
    assert told.args == [Outcome.CLEARED] and "已删除" in welcome.farewell.text()
    assert "已删除" in voice.texts()[-1]
    qtbot.waitUntil(lambda: list_drafts(terminal.store) == [], timeout=5_000)
    # The next citizen begins: the message goes.
    tap(qtbot, welcome.progress_button)
    assert not welcome.farewell.isVisible()
    # Nothing typed, then the time runs out: nothing was kept, and the countdown was spoken first.
    with qtbot.waitSignal(window.idle.warning, timeout=5_000):
        pass
    assert voice.texts()[-1].startswith("您还在吗")
    with qtbot.waitSignal(window.farewell_shown, timeout=10_000) as told:
        pass
    assert told.args == [Outcome.TIMED_OUT_EMPTY] and "未保存任何内容" in voice.texts()[-1]


def test_finishing_after_submission_says_it_was_submitted(qtbot, tmp_path):
    window = make_window(qtbot, make_terminal(tmp_path / "home"))
    window.farewell_ms = 60_000
    choose_item(qtbot, window, ID_CARD)
    fill_identity(qtbot, window)
    fill_form(qtbot, window, ID_CARD)
    provide_materials(qtbot, window)
    result = submit(qtbot, window)
    with qtbot.waitSignal(window.farewell_shown, timeout=5_000) as told:
        tap(qtbot, result.next_button)
    assert told.args == [Outcome.SUBMITTED]
    farewell = window.nav.screens["welcome"].farewell
    assert farewell.isVisible() and "已提交" in farewell.text() and result.receipt.text() not in farewell.text()
    window.nav.screens["welcome"].show_farewell(lambda: "x", 50)  # and it goes by itself
    qtbot.waitUntil(lambda: not farewell.isVisible(), timeout=5_000)
