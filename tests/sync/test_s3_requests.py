"""The object store's hot calls over kept-alive connections (`sync.server.s3_requests`, `sync.server.s3_wire`),
against a tiny HTTP server that does what real ones do at times: closes a kept-alive connection while it sits
idle, answers chunked, cuts an answer short, or answers with something that is not HTTP."""
from __future__ import annotations

import socket
import threading
import time

import pytest
from botocore.exceptions import ClientError

from sync.server.s3_requests import S3Requests
from sync.server.s3_settings import S3Settings


CUT = b"<then the connection closed>"


class ScriptedServer:
    """Answers each request with the next of `answers` as raw bytes, on connections it keeps open; an answer
    that ends with CUT is sent without it and the connection is then closed. Records each request's head and
    body."""

    def __init__(self, answers: list[bytes]) -> None:
        self.answers = list(answers)
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.requests: list[tuple[bytes, bytes]] = []
        self.connections = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _read_request(self, conn: socket.socket, pending: bytes) -> tuple[bytes, bytes, bytes] | None:
        data = pending
        while b"\r\n\r\n" not in data:
            piece = conn.recv(65536)
            if not piece:
                return None
            data += piece
        head, _, rest = data.partition(b"\r\n\r\n")
        length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length:")), 0)
        while len(rest) < length:
            piece = conn.recv(1 << 20)
            if not piece:
                return None
            rest += piece
        return head, rest[:length], rest[length:]

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                pending = b""
                while self.answers:
                    got = self._read_request(conn, pending)
                    if got is None:
                        break
                    head, body, pending = got
                    self.requests.append((head, body))
                    answer = self.answers.pop(0)
                    conn.sendall(answer.removesuffix(CUT))
                    if answer.endswith(CUT):
                        break

    def close(self) -> None:
        self.sock.close()


def _calls(port: int) -> S3Requests:
    return S3Requests(S3Settings(endpoint=f"http://127.0.0.1:{port}", bucket="b", access_key="a", secret_key="s"))


def test_a_kept_alive_connection_the_server_closed_is_replaced_at_once_not_counted_as_a_failure() -> None:
    # one answer per connection (keep-alive implied), then the connection closed unannounced
    server = ScriptedServer([b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" + CUT] * 3)
    calls = _calls(server.port)
    try:
        started = time.monotonic()
        for k in range(3):
            calls.put_object(f"key-{k}", b"x" * 1000)
            time.sleep(0.05)  # the server has closed the connection meanwhile
        took = time.monotonic() - started
    finally:
        calls.close()
        server.close()
    assert server.connections == 3  # each request after the first met a closed connection and took a new one
    assert len(server.requests) == 3
    assert took < 0.05 * 3 + 0.5  # no retry backoff: a stale connection is no failure of the store
    for head, _body in server.requests:
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


def test_answers_are_read_whole_whatever_their_framing_and_one_connection_serves_them_all() -> None:
    body = bytes(range(256)) * 12_000  # 3 MB: more than one send and one receive
    server = ScriptedServer([
        b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nETag: \"a\"\r\n\r\n",  # the PUT
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Amz-Meta-A: 1\r\nX-Amz-Meta-A: 2\r\n\r\n",  # a HEAD: no body
        b"HTTP/1.1 206 Partial Content\r\nTransfer-Encoding: chunked\r\nContent-Range: bytes 0-4/9\r\n\r\n"
        b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",  # a ranged GET, chunked
    ])
    calls = _calls(server.port)
    try:
        calls.put_object("big", body)
        assert calls.head_object("big") == 5
        assert calls.get_object("big", "bytes=0-4") == (b"abcde", 9)
    finally:
        calls.close()
        server.close()
    assert server.connections == 1  # kept alive through all three, the HEAD's announced length included
    (put_head, put_body), (head_head, _), (get_head, _) = server.requests
    assert put_body == body
    assert put_head.startswith(b"PUT /b/big HTTP/1.1\r\n") and b"content-length: 3072000" in put_head
    assert head_head.startswith(b"HEAD /b/big HTTP/1.1\r\n") and b"content-length" not in head_head
    assert get_head.startswith(b"GET /b/big HTTP/1.1\r\n") and b"range: bytes=0-4" in get_head


def test_an_error_answer_is_raised_as_boto3_raises_it() -> None:
    xml = b"<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code><Message>gone</Message></Error>"
    server = ScriptedServer([b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n"
                             + f"{len(xml):x}\r\n".encode() + xml + b"\r\n0\r\n\r\n"])
    calls = _calls(server.port)
    try:
        with pytest.raises(ClientError) as caught:
            calls.get_object("k")
    finally:
        calls.close()
        server.close()
    assert caught.value.response["Error"] == {"Code": "NoSuchKey", "Message": "gone"}
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


@pytest.mark.parametrize("broken", [
    b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc" + CUT,  # cut in the middle of its body
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n" + CUT,  # cut between chunks
    b"SSH-2.0-OpenSSH_9.2\r\n\r\n",  # not HTTP at all
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",  # a chunk size that is no number
])
def test_an_answer_that_is_cut_or_not_http_is_not_taken_the_call_is_sent_again(broken: bytes) -> None:
    good = b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nwhol"
    server = ScriptedServer([broken, good])
    calls = _calls(server.port)
    try:
        assert calls.get_object("k") == (b"whol", 4)
    finally:
        calls.close()
        server.close()
    assert len(server.requests) == 2 and server.connections == 2  # the broken one's connection not used again


def test_an_answer_that_is_never_whole_raises_after_the_attempts() -> None:
    server = ScriptedServer([b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc" + CUT] * 4)
    calls = _calls(server.port)
    try:
        with pytest.raises(ConnectionError):
            calls.get_object("k")
    finally:
        calls.close()
        server.close()
    assert len(server.requests) == 4  # ATTEMPTS, each on a new connection


def test_an_interim_answer_is_passed_over_and_bytes_after_an_answer_retire_its_connection() -> None:
    server = ScriptedServer([
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
        b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\noneHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",  # 2 answers
        b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo\x00garbage",  # an answer and bytes that are not one
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nthree",
    ])
    calls = _calls(server.port)
    try:
        assert calls.get_object("a") == (b"ok", 2)
        assert calls.get_object("b") == (b"one", 3)
        assert calls.get_object("c") == (b"two", 3)  # on a new connection: the last one had more than its answer
        assert calls.get_object("d") == (b"three", 5)  # and again
    finally:
        calls.close()
        server.close()
    assert server.connections == 3 and len(server.requests) == 4  # no request sent twice


def test_a_header_with_a_line_break_is_refused_before_anything_is_sent() -> None:
    server = ScriptedServer([b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"])
    calls = _calls(server.port)
    try:
        with pytest.raises(ValueError):
            calls.get_object("k", "bytes=0-1\r\nx-amz-acl: public-read")
    finally:
        calls.close()
        server.close()
    assert server.requests == []
