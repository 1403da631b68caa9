"""Noticing that nobody is at the screen any more: a clock that any touch restarts.

The kiosk uses it to wipe a forgotten citizen's session, the counter to lock
itself; each decides what happens on `warning` and `expired`.

The clock listens to the whole application (`ui.app_events`), so a touch counts wherever it
lands: in the window, on an overlay card, in the on-screen keyboard's window
or in any dialog. A touch during the countdown also counts: a citizen who
touches the screen is there, whether or not they find the button.
"""
from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, QTimer, Signal

from ui.app_events import subscribe

# Presses, touches and keys: what a person does. Mouse moves without a button are left out (a mouse
# resting on a table, or a touch screen's cursor parked after the last tap, must not keep a session alive).
_ACTIVITY = {QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick, QEvent.Type.KeyPress,
             QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.Wheel, QEvent.Type.InputMethod,
             QEvent.Type.TabletPress, QEvent.Type.TabletMove, QEvent.Type.Gesture, QEvent.Type.NativeGesture}
# The events that begin a gesture: the one that wakes the kiosk from its countdown is used up by it.
_WAKING = {QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick, QEvent.Type.KeyPress,
           QEvent.Type.TouchBegin, QEvent.Type.TabletPress}


def warning_seconds(timeout: int) -> int:
    """How long the countdown shows: 30 s normally, less for very short timeouts."""
    return max(1, min(30, timeout // 3))


class IdleWatcher(QObject):
    warning = Signal(int)  # seconds left
    tick = Signal(int)
    expired = Signal()
    resumed = Signal()

    def __init__(self, timeout_seconds: int, parent: QObject | None = None, *,
                 waking_touch_is_spent: bool = False) -> None:
        """`waking_touch_is_spent`: the touch that ends a countdown does nothing else.

        The kiosk covers the screen during its countdown, so that touch would
        land on the cover anyway; swallowing it also keeps a key press from
        reaching the field underneath. The counter shows no countdown: every
        click there must do what it says.
        """
        super().__init__(parent)
        self.timeout_ms = max(1, timeout_seconds) * 1000
        self.warn_ms = warning_seconds(timeout_seconds) * 1000
        self.active = False
        self.warning_shown = False
        self.waking_touch_is_spent = waking_touch_is_spent
        self._clock = QElapsedTimer()
        self._timer = QTimer(self)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self._check)
        subscribe(self, _ACTIVITY, self.eventFilter)

    def start(self) -> None:
        self.active = True
        self.warning_shown = False
        self._clock.start()
        self._timer.start()

    def stop(self) -> None:
        self.active = False
        self.warning_shown = False
        self._timer.stop()

    def poke(self) -> None:
        """Activity: restart the clock (and close the warning if it was showing)."""
        if not self.active:
            return
        self._clock.restart()
        if self.warning_shown:
            self.warning_shown = False
            self.resumed.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if not self.active or event.type() not in _ACTIVITY:
            return False
        waking = self.warning_shown
        self.poke()
        return waking and self.waking_touch_is_spent and event.type() in _WAKING

    def _check(self) -> None:
        elapsed = self._clock.elapsed()
        left_ms = self.timeout_ms - elapsed
        if left_ms <= 0:
            self.stop()
            self.expired.emit()
            return
        if left_ms <= self.warn_ms:
            seconds = (left_ms + 999) // 1000
            if not self.warning_shown:
                self.warning_shown = True
                self.warning.emit(seconds)
            self.tick.emit(seconds)
