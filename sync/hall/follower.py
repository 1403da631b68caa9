"""Following the hub's events on a background thread: the WebSocket when it works, REST polling when not.

Every event is handed on once, in sequence order, with no gaps: an event that arrives ahead of the next
expected number makes the follower fetch the missing ones from EVENTS first; one already handed on is
dropped. A reconnect asks the hub for everything after the last number handed on, so a board that lost its
link, or was restarted with the last number it saw, catches up without missing a call.

While the WebSocket fails, reconnects back off (capped, with jitter, so a hall's boards do not hammer a
hub that is coming back in lock-step) and the follower polls EVENTS in between; the link is "up" as long
as either way reaches the hub.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from kiosk.queue.model import HallUnavailable, QueueEvent
from kiosk.retry import RetryPolicy
from sync.hall import wire
from sync.hall.client import HubClient

log = logging.getLogger("onewindow.sync.hall.follower")

#: reconnecting the WebSocket: quick at first (a hub restart takes seconds), at most every 15 s
WS_RETRY = RetryPolicy(base=0.5, cap=15.0)


class Gap(Exception):
    """Events after the last one handed on could not be fetched: reconnect and ask again."""


class EventFollower:
    def __init__(self, client: HubClient, token: str, since: int,
                 on_events: Callable[[list[QueueEvent]], None], on_link: Callable[[bool], None], *,
                 retry: RetryPolicy = WS_RETRY, poll_interval: float = 1.0, page: int = 500) -> None:
        self.client = client.clone()
        self._token = token
        self._last = since
        self.on_events = on_events
        self.on_link = on_link
        self.retry = retry
        self.poll_interval = poll_interval
        self.page = page
        self._link: bool | None = None
        self._failures = 0  # WebSocket attempts in a row that ended without connecting
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._ws: ClientConnection | None = None
        self._thread = threading.Thread(target=self._run, name="onewindow-hall-events", daemon=True)

    @property
    def last_seq(self) -> int:
        return self._last

    @property
    def link_up(self) -> bool | None:
        return self._link

    def start(self) -> "EventFollower":
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        with self._lock:
            ws = self._ws
        if ws is not None:
            try:
                ws.close()
            except Exception:  # noqa: BLE001 - closing a broken socket may fail; the thread ends anyway
                pass
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)
        self.client.close()

    # --- delivery ---------------------------------------------------------------------------------------------
    def _set_link(self, up: bool) -> None:
        if self._link is up:
            return
        self._link = up
        try:
            self.on_link(up)
        except Exception:  # noqa: BLE001 - a screen's callback must never end the follower
            log.exception("hall link callback failed")

    def _hand_on(self, events: list[QueueEvent]) -> None:
        if not events or self._stop.is_set():
            return
        try:
            self.on_events(events)
        except Exception:  # noqa: BLE001 - as above; the events count as handed on
            log.exception("hall events callback failed")
        self._last = events[-1].seq

    def _fetch_after(self, last: int, upto: int | None = None) -> list[QueueEvent]:
        """EVENTS after `last` (up to `upto` inclusive when given), every page, checked for continuity."""
        out: list[QueueEvent] = []
        while not self._stop.is_set():
            page = self.client.events_since(last, self.page)
            for event in page:
                if event.seq <= last:
                    continue
                if event.seq != last + 1:
                    raise Gap(f"the hub skipped from {last} to {event.seq}")
                if upto is not None and event.seq > upto:
                    return out
                out.append(event)
                last = event.seq
            if len(page) < self.page or (upto is not None and last >= upto):
                return out
        return out

    def accept(self, incoming: list[QueueEvent]) -> None:
        """Hand on what is new, in order; fill a gap from EVENTS first (raises Gap when it cannot)."""
        for event in sorted(incoming, key=lambda e: e.seq):
            if event.seq <= self._last:
                continue  # already handed on (a reconnect's overlap)
            if event.seq > self._last + 1:
                try:
                    missing = self._fetch_after(self._last, event.seq - 1)
                except HallUnavailable as exc:
                    raise Gap(str(exc)) from None
                self._hand_on(missing)
                if self._last != event.seq - 1:
                    raise Gap(f"events {self._last + 1}..{event.seq - 1} are missing at the hub")
            self._hand_on([event])

    # --- the loop ---------------------------------------------------------------------------------------------
    def _ws_url(self) -> str:
        base = self.client.base_url
        scheme = "wss" if base.startswith("https://") else "ws"
        return f"{scheme}://{base.split('://', 1)[1]}{wire.WS}"

    def _follow_ws(self) -> None:
        """Until the connection ends: each text frame is one event (a list of events is taken too)."""
        url = f"{self._ws_url()}?since={self._last}&token={self._token}"
        with connect(url, open_timeout=3.0, close_timeout=1.0, ping_interval=5.0, ping_timeout=5.0,
                     additional_headers={"Authorization": f"Bearer {self._token}"}, max_size=2**20) as ws:
            try:
                if ws.response is None or ws.response.headers.get(wire.PROTOCOL_HEADER) != wire.PROTOCOL_VERSION:
                    raise ConnectionError("the WebSocket answer is not the hub's")
                with self._lock:
                    self._ws = ws
                self._failures = 0
                self._set_link(True)
                while not self._stop.is_set():
                    try:
                        frame = ws.recv(timeout=0.5)
                    except TimeoutError:
                        continue
                    data = json.loads(frame)
                    items = data if isinstance(data, list) else [data]
                    self.accept([wire.decode_as(QueueEvent, item, "event") for item in items])
            finally:
                with self._lock:
                    self._ws = None

    def _poll(self) -> bool:
        """One REST catch-up: everything after the last number handed on; whether the hub answered."""
        try:
            events = self._fetch_after(self._last)
        except (HallUnavailable, Gap) as exc:
            log.debug("hall events poll failed: %s", exc)
            self._set_link(False)
            return False
        self._set_link(True)
        self._hand_on(events)
        return True

    def _run(self) -> None:
        next_ws = 0.0
        hub_answered = True  # a first poll that answers after a failed first connect keeps the backoff
        while not self._stop.is_set():
            if time.monotonic() >= next_ws:
                try:
                    self._follow_ws()
                except (OSError, ConnectionClosed, TimeoutError, Gap, ValueError, wire.WireError) as exc:
                    # ValueError: a frame that is not JSON or not an event (WireError is one too)
                    log.info("hall event stream interrupted: %s", type(exc).__name__)
                except Exception as exc:  # noqa: BLE001 - websockets' handshake errors and the like: reconnect
                    # the type only: a handshake error quotes the address, which carries the token
                    log.info("hall event stream failed: %s", type(exc).__name__)
                if self._stop.is_set():
                    break
                self._failures += 1
                next_ws = time.monotonic() + self.retry.delay(self._failures)
            answered = self._poll()
            if answered and not hub_answered:
                # the hub is back (a restart): open the stream now rather than after the backoff, or
                # calls reach the board only at the polling pace until the backoff runs out
                next_ws, self._failures = time.monotonic(), 0
            hub_answered = answered
            self._stop.wait(min(self.poll_interval, max(0.05, next_ws - time.monotonic())))
