"""One HTTP/1.1 request and its whole answer on a kept-alive socket, the answer parsed by httptools.

`http.client` spent more CPU on a PUT to the object store than the rest of the call: its headers go out one
`putheader` at a time, and its answer's headers are parsed by the `email` package, line by line in Python.
A one-byte PUT to SeaweedFS cost 0.40 ms of client CPU through `http.client` and 0.18 ms through this, on
the same machine. The platform makes one PUT for every file a terminal uploads. httptools is llhttp, the C parser the
platform's own server (uvicorn) already parses every request with: it handles Content-Length, chunked
answers and keep-alive as the RFC says, so nothing of HTTP is parsed by hand here.

The request's head is written in one piece and its body beside it without a copy (`sendmsg`), with
TCP_NODELAY set, so the body never waits for the head's acknowledgement.
"""
from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass

import httptools

RECEIVE = 256 * 1024  # bytes asked of the socket at a time: a range GET of 4 MB in a few reads


class Closed(ConnectionError):
    """The server had closed the connection before anything of the answer came: a kept-alive connection it
    dropped while it sat idle (the request is sent again at once on a new one)."""


class BadAnswer(ConnectionError):
    """An answer that is not HTTP, or that ended before it was whole: the connection is not used again."""


@dataclass(frozen=True)
class Answer:
    """A whole answer: its status, headers (names in lower case; repeated ones joined with ", ") and body."""

    status: int
    headers: dict[str, str]
    data: bytes
    keep_alive: bool


class _Reading:
    """httptools' callbacks: what the answer said so far. An interim answer (100 Continue, 103 Early Hints) is
    passed over; anything after the answer marks the connection as not to be used again."""

    __slots__ = ("parser", "status", "headers", "body", "complete", "headers_done", "keep_alive", "trailing")

    def __init__(self) -> None:
        self.parser: httptools.HttpResponseParser | None = None
        self.status = 0
        self.headers: dict[str, str] = {}
        self.body: list[bytes] = []
        self.complete = False
        self.headers_done = False
        self.keep_alive = False
        self.trailing = False

    def on_message_begin(self) -> None:
        if self.complete:
            self.trailing = True

    def on_header(self, name: bytes, value: bytes) -> None:
        if self.complete:
            return
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1").strip()
        self.headers[key] = f"{self.headers[key]}, {text}" if key in self.headers else text

    def on_headers_complete(self) -> None:
        if self.complete:
            return
        assert self.parser is not None
        self.headers_done = True
        self.status = self.parser.get_status_code()
        self.keep_alive = self.parser.should_keep_alive()  # (llhttp forgets it once the message is complete)

    def on_body(self, body: bytes) -> None:
        if not self.complete:
            self.body.append(body)

    def on_message_complete(self) -> None:
        if self.complete:
            return
        if self.status < 200:  # an interim answer: the real one follows on the same connection
            self.headers, self.body, self.headers_done = {}, [], False
            return
        self.complete = True


class Wire:
    """One connection to the object store, used by one thread at a time."""

    def __init__(self, host: str, port: int, *, connect_timeout: float, read_timeout: float,
                 context: ssl.SSLContext | None) -> None:
        sock = socket.create_connection((host, port), timeout=connect_timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if context is not None:
                sock = context.wrap_socket(sock, server_hostname=host)
            sock.settimeout(read_timeout)
        except BaseException:
            sock.close()
            raise
        self.sock = sock
        self.plain = context is None

    def exchange(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Answer:
        """Send the request, read its whole answer. `headers` must hold Host; Content-Length is added."""
        for text in (method, target, *headers, *headers.values()):
            if "\r" in text or "\n" in text:  # would end the line early: a header of someone else's choosing
                raise ValueError(f"a line break in the request's {text[:40]!r}")
        lines = [f"{method} {target} HTTP/1.1\r\n"]
        lines += [f"{name}: {value}\r\n" for name, value in headers.items()]
        if body or method in ("PUT", "POST"):
            lines.append(f"content-length: {len(body)}\r\n")
        lines.append("\r\n")
        head = "".join(lines).encode("latin-1")
        self._send(head, body)
        return self._receive(head_only=method == "HEAD")

    def _send(self, head: bytes, body: bytes) -> None:
        if not body:
            self.sock.sendall(head)
        elif self.plain:
            sent = self.sock.sendmsg([head, body])
            if sent < len(head):
                self.sock.sendall(head[sent:])
                self.sock.sendall(body)
            elif sent < len(head) + len(body):
                self.sock.sendall(memoryview(body)[sent - len(head):])
        else:  # an SSL socket has no sendmsg; its records are built from each write anyway
            self.sock.sendall(head)
            self.sock.sendall(body)

    def _receive(self, *, head_only: bool) -> Answer:
        reading = _Reading()
        parser = reading.parser = httptools.HttpResponseParser(reading)
        got = 0
        while not (reading.complete or (head_only and reading.headers_done)):  # (interim answers reset it)
            data = self.sock.recv(RECEIVE)
            if not data:
                if got == 0:
                    raise Closed("the object store closed the connection")
                if reading.headers_done and not _delimited(reading.headers):
                    break  # an answer whose body runs to the end of the connection
                raise BadAnswer(f"the object store's answer ended after {got} bytes")
            got += len(data)
            try:
                parser.feed_data(data)
            except httptools.HttpParserUpgrade:
                raise BadAnswer("the object store answered with a protocol upgrade") from None
            except httptools.HttpParserError as exc:
                if not reading.complete:
                    raise BadAnswer(f"the object store's answer is not HTTP: {exc}") from None
                reading.trailing = True  # the answer is whole; what came after it is not
        # (a HEAD's answer is whole at its headers: llhttp would wait for the length they announce)
        keep = reading.keep_alive and (reading.complete or head_only) and not reading.trailing
        return Answer(reading.status, reading.headers, b"".join(reading.body), keep)

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


def _delimited(headers: dict[str, str]) -> bool:
    return "content-length" in headers or "chunked" in headers.get("transfer-encoding", "").lower()
