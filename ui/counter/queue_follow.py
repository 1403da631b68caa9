"""Following the hall hub's events from the counter window, on the GUI thread.

`HallPart.subscribe` runs its callbacks on the link's own background thread. They must never touch a
widget, so here they only put what arrived in a queue and send one argument-less, queued signal to a
`HubFollower` living on the GUI thread (the way `ui.jobs` hands results back); the follower then emits
`events` and `link` there. Subscribing itself may touch the network, so it runs as a job. The screen
stops the follower (on the GUI thread) before it goes away.
"""
from __future__ import annotations

import logging
import threading
from collections import deque
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

from kiosk.queue.model import QueueEvent, Subscription
from kiosk.terminal import Terminal
from ui.jobs import run_job

log = logging.getLogger("onewindow.counter.queue")


class _Inbox:
    """Plain Python, shared with the link's thread: what arrived, and how to wake the GUI thread."""

    def __init__(self, follower: "HubFollower") -> None:
        self.items: deque[tuple[str, Any]] = deque()
        self.lock = threading.Lock()
        self.ready = follower._ready  # a bound signal: emitting it from any thread is queued to the follower
        self.open = True

    def events(self, events: list[QueueEvent]) -> None:  # on the link's thread
        self._put("events", list(events))

    def link(self, up: bool) -> None:  # on the link's thread
        self._put("link", bool(up))

    def _put(self, kind: str, value: Any) -> None:
        with self.lock:
            if not self.open:
                return
            self.items.append((kind, value))
            ready = self.ready
        try:
            ready.emit()
        except RuntimeError:  # the follower is already gone (window closing)
            log.debug("hub event after the follower went away")


class HubFollower(QObject):
    events = Signal(object)  # list[QueueEvent], on the GUI thread
    link = Signal(bool)  # the link to the hub came up (True) or went down (False)
    _ready = Signal()

    def __init__(self, terminal: Terminal, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.terminal = terminal
        self.subscription: Subscription | None = None
        self.last_seq = 0
        self.started = False
        self.closed = False  # stopped for good (logout, window closing): a late refresh must not start it again
        self._inbox: _Inbox | None = None
        self._ready.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def start(self, since: int) -> None:
        hall = self.terminal.hall
        if hall is None or self.started or self.closed:
            return
        self.started = True
        self.last_seq = since
        inbox = self._inbox = _Inbox(self)

        def subscribed(subscription: Subscription) -> None:
            # a plain closure, not a bound method: it must run even if the follower was deleted meanwhile,
            # or a subscription made for a window that has gone would follow the hub for ever
            if not inbox.open:  # stopped while subscribing
                run_job("counter-queue-unfollow", subscription.stop)
                return
            self.subscription = subscription

        run_job("counter-queue-follow", lambda: hall.subscribe(since, inbox.events, inbox.link),
                on_done=subscribed, on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        log.warning("following the hall hub failed: %r", exc)
        self.started = False
        self.link.emit(False)

    @Slot()
    def _deliver(self) -> None:
        inbox = self._inbox
        if inbox is None:
            return
        while True:
            with inbox.lock:
                if not inbox.items:
                    return
                kind, value = inbox.items.popleft()
            if kind == "link":
                self.link.emit(value)
            else:
                fresh = [e for e in value if e.seq > self.last_seq]
                if fresh:
                    self.last_seq = max(e.seq for e in fresh)
                    self.events.emit(fresh)

    def stop(self) -> None:
        """On the GUI thread, for good; the subscription's own stop may wait for its thread, so it runs as a job."""
        self.closed = True
        if self._inbox is not None:
            with self._inbox.lock:
                self._inbox.open = False
                self._inbox.items.clear()
        self.started = False
        subscription, self.subscription = self.subscription, None
        if subscription is not None:
            run_job("counter-queue-unfollow", subscription.stop)
