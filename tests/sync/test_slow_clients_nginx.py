"""The production layout: nginx (the shipped configuration) with TLS in front of a real `platform serve`.

2,000 slow connections (1,000 half-sent heads, 1,000 half-sent bodies, from
many addresses) are open while normal requests still answer within a second;
nginx closes the slow ones at its read deadlines and never passes them on.
A terminal enrolls and syncs through it (tus uploads: their headers pass),
and what nginx answers itself (413, 429) is in the platform's error format
with the protocol header.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from kiosk.settings import load_settings
from kiosk.terminal import Terminal
from sync.client import PlatformClient
from sync.credentials import credential_from_enrollment, save_enrollment
from sync.demo_data import submit_demo
from tests.sync.conftest import engine_for
from tests.sync.nginx_layout import Nginx, nginx_binary
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


@pytest.fixture
def layout(tmp_path: Path) -> Iterator[tuple[ServedPlatform, Nginx]]:
    if nginx_binary() is None:
        pytest.fail("nginx is missing: ./dev.sh setup installs it (Debian package nginx)")
    raise_fd_limit(12000)
    platform = ServedPlatform(tmp_path / "platform", "--behind-proxy")
    try:
        nginx = Nginx(tmp_path / "nginx", platform.port)
    except BaseException:
        platform.stop()
        raise
    yield platform, nginx
    nginx.stop()
    platform.stop()


def test_2000_slow_connections_do_not_starve_normal_requests(layout: tuple[ServedPlatform, Nginx]) -> None:
    platform, nginx = layout
    auth = {"Authorization": f"Bearer {platform.device_token()}"}
    started = time.monotonic()
    heads = open_slow(nginx.port, 1000, first_address=2, per_address=50, payload=HALF_HEAD, tls=True)
    bodies = open_slow(nginx.port, 1000, first_address=30, per_address=50, payload=HALF_BODY, tls=True)
    opened = time.monotonic()
    try:
        took = timed_requests(nginx.url("/api/v1/summary"), auth, 30, verify=str(nginx.cert))
        print(f"\nnginx layout, 2000 slow TLS connections opened in {opened - started:.1f}s: 30 normal requests "
              f"(each a new TLS connection) max {max(took):.3f}s, mean {sum(took) / len(took):.3f}s")
        assert max(took) < 1.0, took
        # nginx closes them at client_header_timeout (10 s) and client_body_timeout (15 s)
        closed = answers_when_closed(heads + bodies, within=40)
        print(f"all {len(closed)} slow connections closed by nginx {time.monotonic() - opened:.1f}s after opening")
        assert len(closed) == 2000, f"{2000 - len(closed)} slow connections still open"
    finally:
        close_all(heads + bodies)
    assert max(timed_requests(nginx.url("/api/v1/summary"), auth, 5, verify=str(nginx.cert))) < 1.0


def test_a_terminal_syncs_through_nginx_and_nginx_answers_in_the_platform_format(
        layout: tuple[ServedPlatform, Nginx], tmp_path: Path) -> None:
    platform, nginx = layout
    terminal = Terminal.open(load_settings(tmp_path / "terminal", device_no=1))
    code = platform.enroll_code()
    answer = PlatformClient(nginx.url(), verify=str(nginx.cert)).json("POST", "enroll", json_body={"code": code})
    credential = credential_from_enrollment(answer, nginx.url(), str(nginx.cert))
    save_enrollment(terminal.store, credential)
    submit_demo(terminal, 2, pages=2, page_kb=80, seed=5)
    engine = engine_for(terminal, credential)
    report = engine.run_pass()
    assert report.pending == 0 and report.as_dict()["uploaded_files"] >= 4, report.as_dict()
    auth = {"Authorization": f"Bearer {credential.token}"}
    summary = requests.get(nginx.url("/api/v1/summary"), headers=auth, verify=str(nginx.cert), timeout=5).json()
    assert summary["device_complete"] == 2  # every tus upload passed nginx, headers and all
    # a body over client_max_body_size: nginx's own 413, in the platform's format
    r = requests.post(nginx.url("/api/v1/applications"), data=b"x" * (3 * 1024 * 1024), verify=str(nginx.cert),
                      headers={**auth, "Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 413 and r.headers["OneWindow-Protocol"] == "1" and r.json()["reason"]["zh"]
    # one address past limit_conn: nginx's own 429, in the platform's format
    conns = open_slow(nginx.port, 70, first_address=100, per_address=70, payload=HALF_BODY, tls=True)
    try:
        # nginx answers the 6 past the limit 429 at once (closing them after its lingering close), and the 64
        # it holds it closes at client_body_timeout (15 s) without passing them on
        closed = answers_when_closed(conns, within=30)
        assert len(closed) == 70, len(closed)
        refused = {i: raw for i, raw in closed.items() if raw.startswith(b"HTTP/1.1 429")}
        assert len(refused) == 6, {i: raw[:40] for i, raw in closed.items()}
        for raw in refused.values():
            head, _, body = raw.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 429") and b"OneWindow-Protocol: 1" in head, head
            assert b'"too_many_connections"' in body
    finally:
        close_all(conns)
    terminal.close()

