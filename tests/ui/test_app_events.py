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
