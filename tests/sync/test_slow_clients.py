"""The platform served directly (no nginx) cannot be starved by slow clients.

Half-sent heads and bodies are answered 408 and closed after their deadline
(before, they held their connection for ever: 1,100 of them exhausted the
process's descriptors and every normal request timed out); one address
cannot hold more than its share of connections, nor the process more than
its cap; a body dripped byte by byte is cut even though bytes keep coming.
"""
from __future__ import annotations

import json
import select
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sync.slow_clients import (
    HALF_BODY,
    HALF_HEAD,
    ServedPlatform,
    answers_when_closed,
    close_all,
    open_slow,
    raise_fd_limit,
    timed_requests,
)

HEADER_TIMEOUT = 3.0
BODY_TIMEOUT = 3.0
PER_PEER = 40


@pytest.fixture
def served(tmp_path: Path) -> Iterator[ServedPlatform]:
    raise_fd_limit(8192)
    platform = ServedPlatform(tmp_path / "platform", "--header-timeout", str(HEADER_TIMEOUT), "--body-timeout",
                              str(BODY_TIMEOUT), "--max-connections-per-peer", str(PER_PEER), "--max-connections", "900")
    yield platform
    platform.stop()


def _status_and_body(raw: bytes) -> tuple[int, dict[str, str], dict]:  # type: ignore[type-arg]
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, json.loads(body)


def test_slow_heads_and_bodies_neither_starve_nor_stay(served: ServedPlatform) -> None:
    auth = {"Authorization": f"Bearer {served.device_token()}"}
    heads = open_slow(served.port, 300, first_address=2, per_address=30, payload=HALF_HEAD)
    bodies = open_slow(served.port, 300, first_address=20, per_address=30, payload=HALF_BODY)
    opened = time.monotonic()
    try:
        took = timed_requests(served.url("/api/v1/summary"), auth, 20)
        print(f"bare platform, 600 slow connections open: normal requests max {max(took):.3f}s, "
              f"mean {sum(took) / len(took):.3f}s")
        assert max(took) < 1.0, took
        # every slow connection is answered 408 in the platform's format and closed once its deadline passes
        answers = answers_when_closed(heads + bodies, within=HEADER_TIMEOUT + BODY_TIMEOUT + 10)
        closed_after = time.monotonic() - opened
        assert len(answers) == 600, f"{600 - len(answers)} slow connections still open after {closed_after:.1f}s"
        for i, raw in answers.items():
            status, headers, body = _status_and_body(raw)
            assert status == 408 and headers["onewindow-protocol"] == "1", raw[:200]
            assert body["code"] == ("header_timeout" if i < 300 else "body_timeout") and body["reason"]["zh"]
    finally:
        close_all(heads + bodies)
    assert max(timed_requests(served.url("/api/v1/summary"), auth, 5)) < 1.0


def test_one_address_cannot_hold_more_than_its_share(served: ServedPlatform) -> None:
    auth = {"Authorization": f"Bearer {served.device_token()}"}
    conns = open_slow(served.port, PER_PEER + 10, first_address=50, per_address=PER_PEER + 10, payload=HALF_HEAD)
    try:
        refused = answers_when_closed(conns, within=HEADER_TIMEOUT - 1)  # before any head deadline
        assert len(refused) == 10, len(refused)
        for raw in refused.values():
            status, headers, body = _status_and_body(raw)
            assert status == 503 and headers["onewindow-protocol"] == "1" and body["code"] == "too_many_connections"
        assert max(timed_requests(served.url("/api/v1/summary"), auth, 5)) < 1.0  # other addresses unaffected
    finally:
        close_all(conns)


def test_a_dripped_body_is_cut_although_bytes_keep_coming(served: ServedPlatform) -> None:
    (conn,) = open_slow(served.port, 1, first_address=60, per_address=1, payload=HALF_BODY)
    start = time.monotonic()
    answer = b""
    try:
        while time.monotonic() - start < 20:
            conn.sendall(b"a")  # 4 bytes a second: never idle, far below the minimum rate
            ready, _, _ = select.select([conn], [], [], 0.25)
            if ready:
                answer = conn.recv(65536)
                break
    finally:
        conn.close()
    cut_after = time.monotonic() - start
    assert answer, "the dripped body was never cut"
    assert _status_and_body(answer)[2]["code"] == "body_timeout"
    assert cut_after < BODY_TIMEOUT + 2, cut_after


def test_the_process_holds_no_more_than_its_cap(tmp_path: Path) -> None:
    platform = ServedPlatform(tmp_path / "platform", "--max-connections", "30", "--max-connections-per-peer", "100")
    conns = open_slow(platform.port, 40, first_address=70, per_address=5, payload=HALF_HEAD)
    try:
        refused = answers_when_closed(conns, within=3)
        assert len(refused) == 10, len(refused)
        assert all(_status_and_body(raw)[0] == 503 for raw in refused.values())
    finally:
        close_all(conns)
        platform.stop()


def test_one_device_cannot_hold_more_than_its_requests_in_flight(tmp_path: Path) -> None:
    """Requests count from their head on (also while their body is still arriving); other devices are unaffected."""
    import requests

    from sync.server.app import Limits
    from tests.sync.servers import PlatformServer

    platform = PlatformServer(tmp_path / "platform", limits=Limits(max_requests_per_device=4))
    try:
        tokens = [requests.post(platform.url("/api/v1/enroll"), json={"code": platform.enroll_code(name=f"d{i}")},
                                timeout=5).json()["token"] for i in range(2)]
        half = (f"POST /api/v1/applications HTTP/1.1\r\nHost: p\r\nAuthorization: Bearer {tokens[0]}\r\n"
                "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{").encode()
        held = open_slow(platform.port, 4, first_address=80, per_address=4, payload=half)
        try:
            def summary(token: str) -> requests.Response:
                return requests.get(platform.url("/api/v1/summary"), headers={"Authorization": f"Bearer {token}"},
                                    timeout=5)

            r = summary(tokens[0])
            assert r.status_code == 429 and r.headers["OneWindow-Protocol"] == "1"
            assert r.json()["code"] == "too_many_requests" and r.json()["reason"]["zh"]
            assert summary(tokens[1]).status_code == 200
        finally:
            close_all(held)
        deadline = time.monotonic() + 10  # the held requests end as their connections close
        while summary(tokens[0]).status_code == 429 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert summary(tokens[0]).status_code == 200
    finally:
        platform.stop()
