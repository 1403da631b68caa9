"""Ending a forgotten session: a countdown the citizen can stop, then a wipe.

Any touch, click or key press restarts the clock. In the last seconds an
overlay covers the screen (hiding what was typed) with a large countdown
and "I need more time"; if nobody answers, `expired` fires and the window
ends the session.
"""
from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.i18n import translate
from ui.text import para
from ui.theme import set_role

_ACTIVITY = {QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress, QEvent.Type.TouchBegin, QEvent.Type.Wheel,
             QEvent.Type.InputMethod, QEvent.Type.TabletPress}


def warning_seconds(timeout: int) -> int:
    """How long the countdown shows: 30 s normally, less for very short timeouts."""
    return max(1, min(30, timeout // 3))


class IdleOverlay(QFrame):
    more_time = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("idleOverlay")
        set_role(self, "overlay")
        outer = QVBoxLayout(self)
        outer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box = set_role(QFrame(), "overlayBox")
        box.setMinimumWidth(760)
        box.setMaximumWidth(1000)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(48, 40, 48, 40)
        layout.setSpacing(24)
        self.heading = set_role(QLabel(), "title")
        self.heading.setWordWrap(True)
        self.countdown = set_role(QLabel(), "receipt")
        self.countdown.setObjectName("idleCountdown")
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.button = set_role(QPushButton(), "primary")
        self.button.setObjectName("moreTimeButton")
        self.button.clicked.connect(self.more_time)
        for w in (self.heading, self.countdown, self.text, self.button):
            layout.addWidget(w)
        outer.addWidget(box)
        self.remaining = 0
        self.hide()

    def show_countdown(self, seconds: int) -> None:
        self.remaining = seconds
        self.retranslate()
        self.setGeometry(self.parentWidget().rect())
        self.raise_()
        self.show()

    def retranslate(self) -> None:
        self.heading.setText(translate("Kiosk", "Are you still there?"))
        self.countdown.setText(translate("Kiosk", "%1 seconds").replace("%1", str(self.remaining)))
        self.text.setText(para(translate("Kiosk", "To protect your privacy, this session will end and what you "
                                                  "entered will be cleared from the screen.")))
        self.button.setText(translate("Kiosk", "I need more time"))


class IdleWatcher(QObject):
    warning = Signal(int)  # seconds left
    tick = Signal(int)
    expired = Signal()
    resumed = Signal()

    def __init__(self, timeout_seconds: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timeout_ms = max(1, timeout_seconds) * 1000
        self.warn_ms = warning_seconds(timeout_seconds) * 1000
        self.active = False
        self.warning_shown = False
        self._clock = QElapsedTimer()
        self._timer = QTimer(self)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self._check)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

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
        if self.active and event.type() in _ACTIVITY and not self.warning_shown:
            self.poke()
        return False

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
