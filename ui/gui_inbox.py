"""Handing what another thread produced to the GUI thread: a plain queue and one argument-less queued signal.

A subscription's thread (the hall hub's events, its link going up and down) must never touch a widget, and
must never hold the last reference to anything the GUI thread made: a PySide wrapper let go of on another
thread is freed there. So the thread holds only a `GuiInbox`, plain Python: `post` appends to its queue and
wakes one relay `QObject` that lives on the GUI thread for the application's life, with a signal that
carries nothing. On the GUI thread the relay takes each value out and hands it to the inbox's `deliver`.
`close()` (GUI thread) forgets `deliver`, and with it every reference to the window's objects, so whenever
the other thread lets go of the inbox later, it holds nothing of Qt's. `ui.jobs` hands back job outcomes the
same way, with its own queue, because a job's closure and outcome need the same care.
"""
from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot

from ui.threads import is_gui_thread

log = logging.getLogger(__name__)


class GuiInbox:
    """What one follower receives from another thread; `deliver(value)` runs on the GUI thread, in order."""

    def __init__(self, deliver: Callable[[Any], None]) -> None:
        if not is_gui_thread():
            raise RuntimeError("a GuiInbox is made on the GUI thread: its deliveries run there")
        _ensure_relay()
        self._deliver: Callable[[Any], None] | None = deliver
        self._items: deque[Any] = deque()

    @property
    def open(self) -> bool:
        return self._deliver is not None

    def post(self, value: Any) -> None:
        """From any thread; nothing happens once the inbox is closed."""
        if self._deliver is None:
            return
        self._items.append(value)
        del value  # the queue holds it now; the GUI thread takes it out and drops it there
        _waiting.append(self)
        relay = _relay
        try:
            relay.ready.emit()  # type: ignore[union-attr]
        except (AttributeError, RuntimeError):  # the application is shutting down and the relay is gone
            log.debug("a value for the GUI thread dropped at shutdown")

    def close(self) -> None:
        """On the GUI thread: nothing more is delivered, and the inbox keeps nothing of the window's."""
        self._deliver = None
        self._items.clear()

    def _drain(self) -> None:  # GUI thread
        while True:
            deliver = self._deliver
            if deliver is None:
                self._items.clear()
                return
            try:
                value = self._items.popleft()
            except IndexError:
                return
            deliver(value)
            del value, deliver


class _Relay(QObject):
    """Lives on the GUI thread for the application's life; other threads only emit `ready`."""

    ready = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.ready.connect(self.deliver, Qt.ConnectionType.QueuedConnection)

    @Slot()
    def deliver(self) -> None:
        while True:
            try:
                inbox = _waiting.popleft()
            except IndexError:
                return
            inbox._drain()
            del inbox


_waiting: deque[GuiInbox] = deque()  # one entry per post: an inbox drained early finds nothing the next time
_relay: _Relay | None = None


def _ensure_relay() -> None:
    global _relay
    if _relay is None or not shiboken6.isValid(_relay):
        _relay = _Relay()
        app = QCoreApplication.instance()
        if app is not None:  # it lives as long as the application, on its thread
            _relay.setParent(app)
