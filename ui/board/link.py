"""The board's link to the hub: a snapshot at start, then the hub's events, onto the GUI thread.

`HallPart.state()` blocks on the network, so it runs as a job (`ui.jobs`). `HallPart.subscribe()`
calls back on the part's own thread; those callbacks only post to a `GuiInbox` (`ui.gui_inbox`), so no
Qt object and nothing the GUI made is touched, or let go of, on that thread.

While the link is down the board keeps what it last knew and says so (`link_up` False): never a
blank board. It asks for a fresh snapshot when the link comes back, when the events show a gap,
when a new service day starts, and every few minutes as a check; an older snapshot than what is
shown changes nothing (`BoardFollower.reset`).
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.queue.board_view import BoardFollower, BoardView
from kiosk.queue.model import Call, HallPart, HallState, QueueEvent, Subscription
from ui.gui_inbox import GuiInbox
from ui.jobs import run_job

log = logging.getLogger(__name__)

RETRY_MS = 2_000  # a hub that did not answer the snapshot: asked again this soon (then less often)
MAX_RETRY_MS = 15_000
CHECK_MS = 5 * 60_000  # a fresh snapshot this often, to check the counts followed from events


class BoardLink(QObject):
    changed = Signal()  # the view or the link's state changed
    called = Signal(object)  # list[Call]: new calls, oldest first, as they arrive

    def __init__(self, hall: HallPart | None, parent: QObject | None = None, *, retry_ms: int = RETRY_MS,
                 check_ms: int = CHECK_MS) -> None:
        super().__init__(parent)
        self.hall = hall
        self.follower = BoardFollower()
        self.link_up: bool | None = None  # None: not known yet
        self.snapshots = 0
        self.started_at_ms: int | None = None
        inbox = self._inbox = GuiInbox(lambda item: self._received(*item))  # (kind, payload) from the hub's thread
        self._subscription: Subscription | None = None
        self._subscribing = False
        self._fetching = False
        self._closed = False
        self._retry_ms = retry_ms
        self._next_retry_ms = retry_ms
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self.refresh)
        self._check = QTimer(self)
        self._check.setInterval(check_ms)
        self._check.timeout.connect(self.refresh)
        self.destroyed.connect(lambda *_a: inbox.close())

    @property
    def view(self) -> BoardView | None:
        return self.follower.view

    @property
    def paired(self) -> bool:
        return self.hall is not None

    def start(self) -> None:
        if self.hall is None:
            self.changed.emit()
            return
        self._check.start()
        self.refresh()

    def refresh(self) -> None:
        """Ask the hub for a snapshot (in a job); a second ask while one is out is not sent."""
        hall = self.hall
        if hall is None or self._closed or self._fetching:
            return
        self._fetching = True
        run_job("board-state", hall.state, on_done=self._got_state, on_error=self._state_failed)

    def close(self) -> None:
        self._closed = True
        self._retry.stop()
        self._check.stop()
        self._inbox.close()
        subscription, self._subscription = self._subscription, None
        if subscription is not None:
            stopping = threading.Thread(target=subscription.stop, name="board-unsubscribe", daemon=True)
            stopping.start()  # a part that blocks in stop() must not hold the window's close
            stopping.join(2.0)

    # --- GUI thread: what came back ---------------------------------------------------------------------
    def _got_state(self, state: HallState) -> None:
        self._fetching = False
        if self._closed:
            return
        self.snapshots += 1
        self._next_retry_ms = self._retry_ms
        self.follower.reset(state)
        self._set_link(True)
        self.changed.emit()
        if self._subscription is None and not self._subscribing:
            self._subscribe(self.follower.seq)

    def _state_failed(self, error: BaseException) -> None:
        self._fetching = False
        if self._closed:
            return
        log.info("board: no snapshot from the hub (%s); trying again in %d ms", error, self._next_retry_ms)
        self._set_link(False)
        self.changed.emit()
        self._retry.start(self._next_retry_ms)
        self._next_retry_ms = min(MAX_RETRY_MS, self._next_retry_ms * 2)

    def _subscribe(self, since: int) -> None:
        hall, inbox = self.hall, self._inbox
        assert hall is not None
        self._subscribing = True
        on_events: Callable[[list[QueueEvent]], None] = lambda events: inbox.post(("events", list(events)))
        on_link: Callable[[bool], None] = lambda up: inbox.post(("link", bool(up)))
        run_job("board-subscribe", lambda: hall.subscribe(since, on_events, on_link),
                on_done=self._subscribed, on_error=self._subscribe_failed)

    def _subscribed(self, subscription: Subscription) -> None:
        self._subscribing = False
        if self._closed:
            threading.Thread(target=subscription.stop, name="board-unsubscribe", daemon=True).start()
            return
        self._subscription = subscription

    def _subscribe_failed(self, error: BaseException) -> None:
        self._subscribing = False
        log.warning("board: could not follow the hub's events (%s); trying again", error)
        self._set_link(False)
        self.changed.emit()
        self._retry.start(self._next_retry_ms)

    def _received(self, kind: str, payload: Any) -> None:
        if self._closed:
            return
        if kind == "link":
            came_back = payload and self.link_up is False
            self._set_link(payload)
            self.changed.emit()
            if came_back:
                self.refresh()  # a check after an outage; the events catch up on their own too
            return
        calls: list[Call] = self.follower.apply(payload)
        if self.link_up is not True:
            self._set_link(True)
        if self.follower.needs_snapshot:
            self.refresh()
        self.changed.emit()
        if calls:
            self.called.emit(calls)

    def _set_link(self, up: bool) -> None:
        self.link_up = up
