"""Following the hall hub's events from the counter window, on the GUI thread.

`HallPart.subscribe` runs its callbacks on the link's own background thread. They must never touch a
widget, so here they only post what arrived to a `GuiInbox` (`ui.gui_inbox`), which hands it to the
`HubFollower` on the GUI thread; the follower then emits `events` and `link` there. Subscribing itself
may touch the network, so it runs as a job. The screen stops the follower (on the GUI thread) before it
goes away.
"""
from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Signal

from kiosk.queue.model import QueueEvent, Subscription
from kiosk.terminal import Terminal
from ui.gui_inbox import GuiInbox
from ui.jobs import run_job

log = logging.getLogger("onewindow.counter.queue")


class HubFollower(QObject):
    events = Signal(object)  # list[QueueEvent], on the GUI thread
    link = Signal(bool)  # the link to the hub came up (True) or went down (False)

    def __init__(self, terminal: Terminal, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.terminal = terminal
        self.subscription: Subscription | None = None
        self.last_seq = 0
        self.started = False
        self.closed = False  # stopped for good (logout, window closing): a late refresh must not start it again
        self._inbox: GuiInbox | None = None

    def start(self, since: int) -> None:
        hall = self.terminal.hall
        if hall is None or self.started or self.closed:
            return
        self.started = True
        self.last_seq = since
        if self._inbox is not None:  # a subscription that failed before: nothing of it may arrive now
            self._inbox.close()
        inbox = self._inbox = GuiInbox(self._deliver)
        self.destroyed.connect(lambda *_a: inbox.close())  # deleted without stop(): nothing more reaches it

        def subscribed(subscription: Subscription) -> None:
            # a plain closure, not a bound method: it must run even if the follower was deleted meanwhile,
            # or a subscription made for a window that has gone would follow the hub for ever
            if not inbox.open:  # stopped while subscribing
                run_job("counter-queue-unfollow", subscription.stop)
                return
            self.subscription = subscription

        def on_events(events: list[QueueEvent]) -> None:  # on the link's thread
            inbox.post(("events", list(events)))

        def on_link(up: bool) -> None:  # on the link's thread
            inbox.post(("link", bool(up)))

        run_job("counter-queue-follow", lambda: hall.subscribe(since, on_events, on_link),
                on_done=subscribed, on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        log.warning("following the hall hub failed: %r", exc)
        self.started = False
        self.link.emit(False)

    def _deliver(self, item: tuple[str, Any]) -> None:
        kind, value = item
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
            self._inbox.close()
        self.started = False
        subscription, self.subscription = self.subscription, None
        if subscription is not None:
            run_job("counter-queue-unfollow", subscription.stop)
