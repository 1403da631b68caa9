"""The object store's hot calls over kept-alive connections (`sync.server.s3_requests`), against a tiny HTTP
server that does what real ones do at times: closes a kept-alive connection while it sits idle."""
from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from sync.server.s3_requests import S3Requests
from sync.server.s3_settings import S3Settings


class OneAnswerServer:
    """Answers one request per connection (200, keep-alive implied), then closes the connection unannounced;
    records each request's head."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.heads: list[bytes] = []
        self.connections = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    piece = conn.recv(65536)
                    if not piece:
                        break
                    data += piece
                head, _, body = data.partition(b"\r\n\r\n")
                length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                while len(body) < length:
                    body += conn.recv(65536)
                self.heads.append(head)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            time.sleep(0.01)  # the close reaches the client's idle connection before its next request

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def server() -> Iterator[OneAnswerServer]:
    srv = OneAnswerServer()
    yield srv
    srv.close()


def test_a_kept_alive_connection_the_server_closed_is_replaced_at_once_not_counted_as_a_failure(
        server: OneAnswerServer) -> None:
    calls = S3Requests(S3Settings(endpoint=f"http://127.0.0.1:{server.port}", bucket="b", access_key="a",
                                  secret_key="s"))
    try:
        started = time.monotonic()
        for k in range(3):
            calls.put_object(f"key-{k}", b"x" * 1000)
            time.sleep(0.05)  # the server has closed the connection meanwhile
        took = time.monotonic() - started
    finally:
        calls.close()
    assert server.connections == 3  # each request after the first met a closed connection and took a new one
    assert len(server.heads) == 3
    assert took < 0.05 * 3 + 0.5  # no retry backoff: a stale connection is no failure of the store
    for head in server.heads:
        lines = head.split(b"\r\n")
        assert lines[0].startswith(b"PUT /b/key-")
        host = [line for line in lines if line.lower().startswith(b"host:")]
        assert host == [f"host: 127.0.0.1:{server.port}".encode()]  # one Host, the signed one
        assert any(line.lower().startswith(b"authorization: aws4-hmac-sha256") for line in lines)


def test_a_refused_connection_is_tried_again_then_raised() -> None:
    with socket.socket() as unused:  # a port nothing listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    calls = S3Requests(S3Settings(endpoint=f"http://127.0.0.1:{port}", bucket="b", access_key="a", secret_key="s"))
    started = time.monotonic()
    with pytest.raises(ConnectionRefusedError):
        calls.head_object("nothing")
    assert time.monotonic() - started > 0.1  # the attempts after the first waited their backoff
