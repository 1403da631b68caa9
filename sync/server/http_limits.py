"""Bounds on what a client can hold of the platform: time, connections, concurrent requests.

In production nginx stands in front of the platform (deploy/nginx/) and
enforces the same bounds; these are for the platform served directly (a
lab, a rural office's embedded platform) so that it cannot be starved
either. uvicorn's HTTP protocols have a keep-alive timeout but no deadline for
reading a request's head or body: a client that sends half a request holds
its connection, and a file descriptor, for ever. `bounded_protocol` returns
a protocol (httptools, else h11) that

- gives a request's head `header_timeout` seconds from its first byte (from
  the connection's start for the first request), as nginx's
  `client_header_timeout`;
- closes a body that stalls for `body_idle_timeout` seconds, or that arrives
  slower than `body_min_rate` bytes a second on average after that grace
  (an idle timeout alone lets a client drip one byte every few seconds);
- answers 503 and closes at once when the process holds `max_connections`
  or one peer address holds `max_per_peer`, so the descriptors are free
  again immediately instead of waiting in the accept queue.

Each refusal is a complete answer in the platform's error format with the
protocol header, so a terminal reads it as the platform's "try later".

`DeviceConcurrencyMiddleware` bounds the requests one device token has in
flight; behind nginx every connection comes from nginx, so this is the cap
that still tells devices apart there (nginx also limits per token).
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from sync.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION


@dataclass(frozen=True)
class ConnectionLimits:
    header_timeout: float = 10.0
    body_idle_timeout: float = 15.0
    body_min_rate: int = 1024
    max_connections: int = 1000
    max_per_peer: int | None = 64  # None behind a proxy: every connection then comes from the proxy


STATUS_TEXT = {408: "Request Timeout", 503: "Service Unavailable", 429: "Too Many Requests"}


def problem_bytes(status: int, code: str, zh: str, en: str) -> bytes:
    """A whole HTTP/1.1 answer in the platform's error format, written straight to the socket and then closed."""
    body = json.dumps({"code": code, "reason": {"zh": zh, "en": en}}, ensure_ascii=False).encode("utf-8")
    head = (f"HTTP/1.1 {status} {STATUS_TEXT.get(status, 'Error')}\r\n"
            f"content-type: application/json\r\ncontent-length: {len(body)}\r\nconnection: close\r\n"
            f"{PROTOCOL_HEADER.lower()}: {PROTOCOL_VERSION}\r\ncache-control: no-store\r\n\r\n")
    return head.encode("ascii") + body


HEADER_TIMEOUT = (408, "header_timeout", "请求头未在限定时间内发完，连接已关闭。",
                  "The request head did not arrive in time; the connection was closed.")
BODY_TIMEOUT = (408, "body_timeout", "请求体传输过慢或中断，连接已关闭，请重试。",
                "The request body arrived too slowly or stalled; the connection was closed. Try again.")
TOO_MANY = (503, "too_many_connections", "平台连接数已满，请稍后重试。",
            "The platform has too many connections open; try again shortly.")
TOO_MANY_PEER = (503, "too_many_connections", "来自本地址的连接过多，请稍后重试。",
                 "Too many connections from this address; try again shortly.")


class _Bounds:
    """The deadlines and connection counts shared by both HTTP parsers' protocols (mixed in before the
    uvicorn protocol class, whose `connections`, `client`, `transport`, `loop`, `flow` and `cycle` it uses).

    A subclass says where a request is: `_phase` is "head" while a request's head is arriving, "body" while
    its body is, "busy" once the application has it, "idle" between requests.
    """

    limits: ConnectionLimits
    per_peer: Counter[str]
    _timer: asyncio.TimerHandle | None = None
    _peer: str | None = None
    _closed_by_us = False
    _phase = "head"  # head | body | busy | idle
    _body_started = 0.0
    _body_bytes = 0
    _last_read = 0.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)  # type: ignore[misc]
        peer = self.client[0] if self.client else ""  # type: ignore[attr-defined]
        self._peer = peer
        self.per_peer[peer] += 1
        if len(self.connections) > self.limits.max_connections:  # type: ignore[attr-defined]
            self._refuse(TOO_MANY)
        elif self.limits.max_per_peer is not None and self.per_peer[peer] > self.limits.max_per_peer:
            self._refuse(TOO_MANY_PEER)
        else:
            self._arm(self.limits.header_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel()
        if self._peer is not None:
            self.per_peer[self._peer] -= 1
            if self.per_peer[self._peer] <= 0:
                del self.per_peer[self._peer]
            self._peer = None
        super().connection_lost(exc)  # type: ignore[misc]

    def _head_begins(self) -> None:
        """The first bytes of a request after the previous one was answered: its head gets its own deadline."""
        if self._phase != "head":
            self._phase = "head"
            self._arm(self.limits.header_timeout)

    def _body_arrives(self, now: float) -> None:
        if self._phase != "body":
            self._phase = "body"
            self._body_started = now
            self._body_bytes = 0
            self._last_read = now
        self._arm(self._body_deadline() - now)

    def _handed_over(self) -> None:
        """The whole request is read (or the connection is ending): the application has it."""
        self._phase = "busy"
        self._cancel()

    def _body_deadline(self) -> float:
        limits = self.limits
        idle = self._last_read + limits.body_idle_timeout
        rate = self._body_started + limits.body_idle_timeout + self._body_bytes / max(1, limits.body_min_rate)
        return min(idle, rate)

    def _arm(self, delay: float) -> None:
        self._cancel()
        self._timer = self.loop.call_later(max(0.0, delay), self._expired)  # type: ignore[attr-defined]

    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _expired(self) -> None:
        self._timer = None
        if self.transport.is_closing():  # type: ignore[attr-defined]
            return
        if self._phase == "head":
            self._refuse(HEADER_TIMEOUT)
        elif self._phase == "body":
            if self.flow.read_paused:  # type: ignore[attr-defined]  # the application is not reading: the client is not the slow one
                self._arm(self.limits.body_idle_timeout)
                return
            self._refuse(BODY_TIMEOUT)

    def _refuse(self, what: tuple[int, str, str, str]) -> None:
        self._cancel()
        self._closed_by_us = True
        cycle = self.cycle  # type: ignore[attr-defined]
        if cycle is None or not cycle.response_started:
            self.transport.write(problem_bytes(*what))  # type: ignore[attr-defined]
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True  # the application sees http.disconnect, never a half-read body
            cycle.message_event.set()
        self.transport.close()  # type: ignore[attr-defined]


def bounded_protocol(limits: ConnectionLimits, parser: str | None = None) -> type[asyncio.Protocol]:
    """A protocol class bound to `limits`; one class per server, its per-peer counts shared by its connections.

    `parser`: "httptools" (C, the default where it is installed: a request's head and body cost a fraction of
    h11's pure-Python parsing, which was a tenth of the platform's CPU under load) or "h11".
    """
    if parser is None:
        parser = "httptools" if httptools_available() else "h11"
    if parser == "httptools":
        return _httptools_protocol(limits)
    return _h11_protocol(limits)


def httptools_available() -> bool:
    try:
        import httptools  # noqa: F401
    except ImportError:
        return False
    return True


def _h11_protocol(limits: ConnectionLimits) -> type[asyncio.Protocol]:
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class BoundedH11Protocol(_Bounds, H11Protocol):
        def data_received(self, data: bytes) -> None:
            if self._closed_by_us:
                return
            now = time.monotonic()
            if self._phase == "body":
                self._body_bytes += len(data)
                self._last_read = now
            super().data_received(data)
            if self._closed_by_us or self.transport.is_closing():
                return
            self._track(now)

        def on_response_complete(self) -> None:
            super().on_response_complete()
            # a new request may begin; its head gets its own deadline from its first byte (see data_received)
            self._cancel()
            self._phase = "idle"
            if self.conn.their_state is not h11.IDLE and not self.transport.is_closing():
                self._track(time.monotonic())  # a pipelined request was already read

        def _track(self, now: float) -> None:
            state = self.conn.their_state
            if state is h11.IDLE:
                self._head_begins()  # the first bytes of the next request on a kept-alive connection
            elif state is h11.SEND_BODY:
                self._body_arrives(now)
            else:
                self._handed_over()

    BoundedH11Protocol.limits = limits
    BoundedH11Protocol.per_peer = Counter()
    return BoundedH11Protocol


def _httptools_protocol(limits: ConnectionLimits) -> type[asyncio.Protocol]:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class BoundedHttpToolsProtocol(_Bounds, HttpToolsProtocol):
        """httptools reports where a request is through its callbacks, called from `data_received`."""

        _now = 0.0

        def data_received(self, data: bytes) -> None:
            if self._closed_by_us:
                return
            now = self._now = time.monotonic()
            if self._phase == "body":
                self._body_bytes += len(data)
                self._last_read = now
            super().data_received(data)
            if self._phase == "body" and not self._closed_by_us and not self.transport.is_closing():
                self._body_arrives(now)  # the body's deadlines move with what arrived

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._head_begins()

        def on_headers_complete(self) -> None:
            super().on_headers_complete()
            if self.cycle is not None and self.cycle.more_body:  # a body follows (else on_message_complete now)
                self._body_arrives(self._now or time.monotonic())

        def on_message_complete(self) -> None:
            super().on_message_complete()
            self._handed_over()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if self._phase != "head":  # (a request already begun on this connection keeps its head deadline)
                self._cancel()
                self._phase = "idle"

    BoundedHttpToolsProtocol.limits = limits
    BoundedHttpToolsProtocol.per_peer = Counter()
    return BoundedHttpToolsProtocol


class DeviceConcurrencyMiddleware:
    """At most `limit` requests in flight per bearer token; more get 429 in the platform's format."""

    def __init__(self, app: ASGIApp, limit: int, refuse: Callable[[], Any]) -> None:
        self.app = app
        self.limit = limit
        self.refuse = refuse
        self.in_flight: Counter[bytes] = Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = next((v for k, v in scope.get("headers", []) if k == b"authorization"), None)
        if token is None:
            await self.app(scope, receive, send)
            return
        key = hashlib.sha256(token).digest()
        if self.in_flight[key] >= self.limit:
            await self.refuse()(scope, receive, send)
            return
        self.in_flight[key] += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight[key] -= 1
            if self.in_flight[key] <= 0:
                del self.in_flight[key]
