"""The one application-wide event filter: only the kinds asked for, newest first, gone with its owner."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from ui.app_events import app_events, subscribe
from ui.widgets.idle import IdleWatcher


class Listener(QObject):
    def __init__(self, kinds: tuple[QEvent.Type, ...], consume: bool = False) -> None:
        super().__init__()
        self.seen: list[QEvent.Type] = []
        self.consume = consume
        subscribe(self, kinds, self.handle)

    def handle(self, _watched: QObject, event: QEvent) -> bool:
        self.seen.append(event.type())
        return self.consume


def test_a_listener_sees_only_the_kinds_it_asked_for(qtbot: Any) -> None:
    edit = QLineEdit()
    qtbot.addWidget(edit)
    keys = Listener((QEvent.Type.KeyPress,))
    shows = Listener((QEvent.Type.Show,))
    edit.show()
    qtbot.keyClicks(edit, "ab")
    assert keys.seen and set(keys.seen) == {QEvent.Type.KeyPress}
    assert shows.seen and set(shows.seen) == {QEvent.Type.Show}
    assert edit.text() == "ab"


def test_the_newest_listener_runs_first_and_may_consume(qtbot: Any) -> None:
    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.show()
    older = Listener((QEvent.Type.KeyPress,))
    newer = Listener((QEvent.Type.KeyPress,), consume=True)
    qtbot.keyClick(edit, Qt.Key.Key_X)
    assert newer.seen and not older.seen  # consumed before the older one, as Qt runs application filters
    assert edit.text() == ""  # and before the widget
    newer.deleteLater()
    qtbot.waitUntil(lambda: not _alive(newer))
    qtbot.keyClick(edit, Qt.Key.Key_Y)
    assert older.seen and edit.text() == "y"  # the destroyed listener is gone from the hub


def _alive(obj: QObject) -> bool:
    import shiboken6

    return shiboken6.isValid(obj)


def test_one_filter_serves_every_listener_of_a_window(qtbot: Any) -> None:
    """The idle clock still wakes on a key: through the hub, not a filter of its own."""
    hub = app_events()
    assert hub is not None and hub.parent() is QApplication.instance()
    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.show()
    idle = IdleWatcher(timeout_seconds=60)
    idle.start()
    qtbot.wait(30)
    before = idle._clock.elapsed()
    qtbot.keyClick(edit, Qt.Key.Key_A)
    assert idle._clock.elapsed() < before
    assert app_events() is hub


def test_every_kind_a_listener_may_ask_for_reaches_it(qtbot: Any) -> None:
    """The hub skips events by their Python class: each kind must arrive in the class it is filed under."""
    from PySide6.QtCore import QCoreApplication, QPoint, QPointF
    from PySide6.QtGui import QHelpEvent, QInputMethodEvent, QStatusTipEvent, QWheelEvent
    from PySide6.QtTest import QTest

    from ui.app_events import _CARRIERS

    T = QEvent.Type
    kinds = (T.MouseButtonPress, T.MouseButtonRelease, T.MouseButtonDblClick, T.KeyPress, T.KeyRelease,
             T.TouchBegin, T.TouchUpdate, T.TouchEnd, T.Wheel, T.InputMethod, T.ToolTip, T.WhatsThis, T.StatusTip,
             T.Show, T.LanguageChange)
    edit = QLineEdit()
    qtbot.addWidget(edit)
    listener = Listener(kinds)
    edit.show()
    qtbot.keyClick(edit, Qt.Key.Key_A)
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    qtbot.mouseDClick(edit, Qt.MouseButton.LeftButton)
    touch = QTest.createTouchDevice()
    QTest.touchEvent(edit, touch).press(0, QPoint(2, 2)).commit()
    QTest.touchEvent(edit, touch).move(0, QPoint(3, 3)).commit()
    QTest.touchEvent(edit, touch).release(0, QPoint(3, 3)).commit()
    QApplication.sendEvent(edit, QWheelEvent(QPointF(1, 1), QPointF(1, 1), QPoint(0, 0), QPoint(0, 120),
                                             Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                                             Qt.ScrollPhase.NoScrollPhase, False))
    QApplication.sendEvent(edit, QInputMethodEvent("x", []))
    for kind in (T.ToolTip, T.WhatsThis):
        QApplication.sendEvent(edit, QHelpEvent(kind, QPoint(1, 1), edit.mapToGlobal(QPoint(1, 1))))
    QApplication.sendEvent(edit, QStatusTipEvent("tip"))
    QApplication.sendEvent(edit, QEvent(T.LanguageChange))  # a widget's copy: not handed on
    assert T.LanguageChange not in listener.seen
    QCoreApplication.sendEvent(QApplication.instance(), QEvent(T.LanguageChange))  # the application's: handed on
    assert set(kinds) <= set(listener.seen), set(kinds) - set(listener.seen)
    assert set(kinds) <= set(_CARRIERS)


def test_a_kind_the_hub_has_no_class_for_still_arrives(qtbot: Any) -> None:
    edit = QLineEdit()
    qtbot.addWidget(edit)
    listener = Listener((QEvent.Type.FocusIn,))  # not in the hub's table: every event's type is looked at
    edit.show()
    edit.activateWindow()
    edit.setFocus()
    qtbot.waitUntil(lambda: QEvent.Type.FocusIn in listener.seen)


def test_quiet_hears_nothing_and_then_everything_again(qtbot: Any) -> None:
    from ui.app_events import quiet

    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.show()
    keys = Listener((QEvent.Type.KeyPress,))
    with quiet():
        with quiet():  # nested: still quiet after the inner one ends
            qtbot.keyClick(edit, Qt.Key.Key_A)
        qtbot.keyClick(edit, Qt.Key.Key_B)
    assert keys.seen == [] and edit.text() == "ab"
    qtbot.keyClick(edit, Qt.Key.Key_C)
    assert keys.seen == [QEvent.Type.KeyPress]
