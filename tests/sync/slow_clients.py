"""Slow clients for the platform's bounds tests: half-sent requests held open, and the real platform process.

Slow connections come from loopback addresses other than 127.0.0.1 (all of
127/8 is loopback on Linux), a few dozen per address, so per-address caps
(the platform's own and nginx's `limit_conn`) hold them as an attacker with
many addresses would; the normal requests come from 127.0.0.1.
"""
from __future__ import annotations

import os
import resource
import selectors
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import requests
from tests.free_ports import free_port

HALF_HEAD = b"GET /api/v1/summary HTTP/1.1\r\nHost: platform\r\nX-Slow: "
HALF_BODY = (b"POST /api/v1/enroll HTTP/1.1\r\nHost: platform\r\nContent-Type: application/json\r\n"
             b"Content-Length: 1000\r\n\r\n{\"code\": \"")


def raise_fd_limit(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard) if hard != resource.RLIM_INFINITY else wanted, hard))


def open_slow(port: int, count: int, first_address: int, per_address: int, payload: bytes,
              tls: bool = False) -> list[socket.socket]:
    """`count` connections that each sent `payload` (half a request) and then nothing."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    conns: list[socket.socket] = []
    for i in range(count):
        raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        raw.bind((f"127.0.0.{first_address + i // per_address}", 0))
        raw.connect(("127.0.0.1", port))
        sock = context.wrap_socket(raw) if tls else raw
        sock.sendall(payload)
        conns.append(sock)
    return conns


def close_all(conns: list[socket.socket]) -> None:
    for c in conns:
        c.close()


def answers_when_closed(conns: list[socket.socket], within: float) -> dict[int, bytes]:
    """What each connection received until the server closed it; connections still open after `within` are missing."""
    sel = selectors.DefaultSelector()
    got: dict[int, bytearray] = {}
    for i, c in enumerate(conns):
        c.setblocking(False)
        sel.register(c, selectors.EVENT_READ, i)
        got[i] = bytearray()
    done: dict[int, bytes] = {}
    deadline = time.monotonic() + within
    while len(done) < len(conns) and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=max(0.0, deadline - time.monotonic())):
            i = key.data
            try:
                data = key.fileobj.recv(65536)  # type: ignore[union-attr]
            except (BlockingIOError, InterruptedError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
                continue
            except (ConnectionError, ssl.SSLError):
                data = b""
            if data:
                got[i] += data
            else:
                done[i] = bytes(got[i])
                sel.unregister(key.fileobj)
    sel.close()
    return done


def timed_requests(url: str, headers: dict[str, str], n: int, verify: bool | str = True) -> list[float]:
    """Seconds each of `n` normal requests took, each on a new connection; every one must be answered 200."""
    took = []
    for _ in range(n):
        start = time.monotonic()
        r = requests.get(url, headers=headers, timeout=10, verify=verify)
        took.append(time.monotonic() - start)
        assert r.status_code == 200, (r.status_code, r.text[:200])
        assert r.headers.get("OneWindow-Protocol") == "1"
    return took


class ServedPlatform:
    """`onewindow platform serve` as a real child process, with whatever options the test gives."""

    def __init__(self, home: Path, *options: str, host: str = "127.0.0.1", ca: Path | None = None) -> None:
        self.home = home
        self.host = host
        self.scheme = "https" if "--tls-cert" in options else "http"
        self.verify: bool | str = str(ca) if ca else True
        self.port = free_port()
        self.log = home.parent / f"platform-{self.port}.log"
        home.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "platform", "serve", "--home", str(home), "--host", host,
             "--port", str(self.port), *options], stdout=self.log.open("wb"), stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(self.url("/api/v1/openapi.json"), timeout=1, verify=self.verify)
                break
            except requests.RequestException:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("platform serve did not start: " + self.log.read_text(errors="replace")[-2000:])
                time.sleep(0.05)

    def url(self, path: str) -> str:
        return f"{self.scheme}://{self.host}:{self.port}{path}"

    def enroll_code(self, hall: str = "330106001") -> str:
        return subprocess.run([sys.executable, "-m", "kiosk", "platform", "enroll-code", "--home", str(self.home),
                               "--hall", hall, "--device-name", "normal", "--role", "counter"], check=True, capture_output=True,
                              text=True, timeout=60).stdout.strip()

    def device_token(self, hall: str = "330106001") -> str:
        code = self.enroll_code(hall)
        r = requests.post(self.url("/api/v1/enroll"), json={"code": code}, timeout=10, verify=self.verify)
        assert r.status_code == 200, r.text
        return str(r.json()["token"])

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
