"""A real hall hub (`onewindow hall serve`) as a child process, for tests and benches that need one.

    hub = HubProcess(tmp_path / "hub")          # started on a free port, demo catalog
    kiosk = hub.pair("kiosk", "kiosk-1")        # pair-code through the CLI, then POST PAIR: a Pairing
    r = hub.post(wire.TICKETS, kiosk, {...})    # requests with the device's token
    hub.kill()                                  # kill -9; hub.start() again on the same home and port
    hub.stop()                                  # SIGTERM, waits for the exit

Or the `hub` fixture (import it into a test module: `from tests.hall.hub_process import hub`).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from kiosk.queue.model import Pairing
from sync.hall import wire
from tests.free_ports import free_port


def hall_cli(home: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """`onewindow hall ACTION --home HOME ...` as its own process."""
    return subprocess.run([sys.executable, "-m", "kiosk", "hall", args[0], "--home", str(home), *args[1:]],
                          check=check, capture_output=True, text=True, timeout=60)


class HubProcess:
    def __init__(self, home: Path, *, port: int | None = None, catalog: Path | None = None,
                 config: str | None = None, start: bool = True) -> None:
        self.home = home
        self.port = port or free_port()
        self.catalog = catalog
        self.log = home.parent / f"hub-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None
        home.mkdir(parents=True, exist_ok=True)
        if config is not None:
            (home / "hall.toml").write_text(config, encoding="utf-8")
        if start:
            self.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def ws_url(self, since: int, token: str) -> str:
        return f"ws://127.0.0.1:{self.port}{wire.WS}?since={since}&token={token}"

    def start(self, timeout: float = 30.0) -> None:
        assert self.process is None or self.process.poll() is not None, "the hub is already running"
        args = [sys.executable, "-m", "kiosk", "hall", "serve", "--home", str(self.home), "--host", "127.0.0.1",
                "--port", str(self.port)]
        if self.catalog is not None:
            args += ["--catalog", str(self.catalog)]
        self.process = subprocess.Popen(args, stdout=self.log.open("ab"), stderr=subprocess.STDOUT,
                                        env={**os.environ, "PYTHONUNBUFFERED": "1"})
        deadline = time.monotonic() + timeout
        while True:
            try:
                r = requests.get(self.url(wire.CATEGORIES), timeout=1)
                if r.headers.get(wire.PROTOCOL_HEADER) == wire.PROTOCOL_VERSION:
                    return
            except requests.RequestException:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise RuntimeError("hall serve did not start: " + self.log.read_text(errors="replace")[-3000:])
            time.sleep(0.05)

    def pair_code(self, role: str, *, counter_no: int | None = None, name: str | None = None,
                  cli: bool = True) -> str:
        """A one-time code: from `onewindow hall pair-code` (cli=True), or written straight into the hub's
        store from this process (cli=False: the same function, a second faster for tests that pair many)."""
        if not cli:
            from datetime import timedelta

            from kiosk.queue.model import Role
            from sync.hall.server.pairing import create_code
            from sync.hall.server.store import HubStore

            store = HubStore(self.home)
            try:
                return create_code(store, Role(role), counter_no=counter_no, name=name, ttl=timedelta(hours=24))
            finally:
                store.close()
        args = ["pair-code", "--role", role]
        if counter_no is not None:
            args += ["--counter-no", str(counter_no)]
        if name is not None:
            args += ["--name", name]
        return hall_cli(self.home, *args).stdout.strip()

    def pair(self, role: str, name: str, *, counter_no: int | None = None, cli: bool = True) -> Pairing:
        code = self.pair_code(role, counter_no=counter_no, cli=cli)
        r = requests.post(self.url(wire.PAIR), json={"code": code, "device_name": name}, timeout=10)
        assert r.status_code == 200, r.text
        return wire.decode_as(Pairing, r.json())

    @staticmethod
    def headers(device: Pairing | str) -> dict[str, str]:
        token = device if isinstance(device, str) else device.token
        return {"Authorization": f"Bearer {token}"}

    def get(self, path: str, device: Pairing | str | None = None, **kwargs: Any) -> requests.Response:
        return requests.get(self.url(path), headers=self.headers(device) if device else {}, timeout=10, **kwargs)

    def post(self, path: str, device: Pairing | str | None = None, body: Any = None, **kwargs: Any) -> requests.Response:
        headers = self.headers(device) if device else {}
        if body is not None:
            kwargs["data"] = json.dumps(body)
            headers["Content-Type"] = "application/json"
        return requests.post(self.url(path), headers=headers, timeout=10, **kwargs)

    def kill(self) -> None:
        """kill -9: no clean shutdown, whatever was in flight is cut off."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> int | None:
        """SIGTERM and wait; the exit code (None if it had to be killed)."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def tracebacks(self) -> str:
        """The part of the hub's log from its first traceback on ('' when it never failed inside)."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return text[text.find("Traceback"):] if "Traceback" in text else ""

    def restart(self) -> None:
        self.kill()
        self.start()


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubProcess]:
    process = HubProcess(tmp_path / "hub")
    try:
        yield process
    finally:
        process.stop()
    assert process.tracebacks() == ""
