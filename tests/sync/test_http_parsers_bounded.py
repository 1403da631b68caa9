"""Both HTTP parsers the platform can serve with (httptools, the default where installed, and h11, the
fallback) keep the same bounds: a head or a body that stalls is answered 408 in the platform's format and
closed, and a whole request on the same kind of connection is served. A real uvicorn server on a loopback
port, in a thread of this process, with each bounded protocol class (`sync.server.http_limits`)."""
from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from sync.protocol import PROTOCOL_HEADER
from sync.server.http_limits import ConnectionLimits, bounded_protocol

LIMITS = ConnectionLimits(header_timeout=0.6, body_idle_timeout=0.6, body_min_rate=1, max_connections=50,
                          max_per_peer=None)


async def echo_app(scope: dict, receive, send) -> None:  # type: ignore[no-untyped-def]
    """Answers with the length of the body it read."""
    if scope["type"] != "http":
        return
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        size += len(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = json.dumps({"read": size}).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


@pytest.fixture(params=["httptools", "h11"])
def port(request: pytest.FixtureRequest) -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(echo_app, host="127.0.0.1", port=free, log_level="warning",
                                          lifespan="off", http=bounded_protocol(LIMITS, request.param)))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and thread.is_alive() and time.monotonic() < deadline:  # until it listens
        time.sleep(0.02)
    assert server.started, f"the {request.param} server did not start"
    yield free
    server.should_exit = True
    thread.join(10)


def answer(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (or 5 s pass)."""
    sock.settimeout(5)
    data = b""
    while True:
        try:
            piece = sock.recv(65536)
        except socket.timeout:
            return data
        if not piece:
            return data
        data += piece


def test_a_head_that_stalls_is_answered_408_and_closed(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"GET /x HTTP/1.1\r\nHost: platform\r\nX-Slow: ")
        got = answer(sock)
    assert got.startswith(b"HTTP/1.1 408 "), got[:200]
    assert b'"header_timeout"' in got and PROTOCOL_HEADER.lower().encode() in got.lower()


def test_a_body_that_stalls_is_answered_408_and_closed(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"POST /x HTTP/1.1\r\nHost: platform\r\nContent-Length: 100\r\n\r\n0123456789")
        got = answer(sock)
    assert got.startswith(b"HTTP/1.1 408 "), got[:200]
    assert b'"body_timeout"' in got


def test_whole_requests_are_served_one_after_another_on_one_connection(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.settimeout(5)
        for size in (0, 10, 70_000):
            head = f"POST /x HTTP/1.1\r\nHost: platform\r\nContent-Length: {size}\r\n\r\n".encode()
            sock.sendall(head + b"a" * size)
            data = b""
            while b"}" not in data:
                piece = sock.recv(65536)
                assert piece, "the server closed a kept-alive connection"
                data += piece
            assert data.startswith(b"HTTP/1.1 200 "), data[:200]
            assert json.loads(data.split(b"\r\n\r\n", 1)[1]) == {"read": size}
