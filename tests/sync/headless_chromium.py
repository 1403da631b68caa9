"""Debian's Chromium, headless, as the fleet page's real browser (`chromium` in dev.sh's APT_PACKAGES).

`dump_dom` and `screenshot` are Chromium's own command-line modes. `measure` drives one page through the
DevTools protocol (a websocket; `websockets` is already a dependency) to read what only a rendering engine
knows: whether the page is wider than the screen, and where an element is laid out.
"""
from __future__ import annotations

import json
import os
import re
import signal
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
         "--disable-dev-shm-usage", "--font-render-hinting=none"]


def _inside(profile: str) -> dict[str, str]:
    """Chromium's environment with its temporary directory inside the profile: its singleton socket directory
    (`org.chromium.Chromium.*`), which a stopped browser leaves behind, then goes with the profile."""
    return {**os.environ, "TMPDIR": profile}


def _run(args: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM, "chromium is not installed (./dev.sh setup installs it)"
    with tempfile.TemporaryDirectory(prefix="ow-chromium-") as profile:
        return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                              text=True, timeout=timeout, env=_inside(profile))


def dump_dom(url: str) -> str:
    done = _run(["--dump-dom", url])
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def screenshot(url: str, path: Path, width: int, height: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    done = _run([f"--screenshot={path}", f"--window-size={width},{height}", url])
    assert done.returncode == 0 and path.is_file(), done.stderr[-2000:]
    return path


def _end(proc: subprocess.Popen[str]) -> None:
    """Chromium and every helper process it started (its own session): gone before the profile is removed."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            continue
        try:  # the helpers outlive the browser process by a moment
            for _ in range(100):
                os.killpg(proc.pid, 0)
                time.sleep(0.05)
        except ProcessLookupError:
            return


class _Page:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.next_id = 0

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv(timeout=30))
            if message.get("id") == self.next_id:
                assert "error" not in message, message
                return message.get("result", {})

    def wait_event(self, method: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if message.get("method") == method:
                return
        raise TimeoutError(method)

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")


def measure(url: str, width: int, height: int, expressions: dict[str, str],
            headers: dict[str, str] | None = None) -> dict[str, Any]:
    """Load `url` at `width`x`height` (a phone: mobile emulation), with `headers` on every request, and evaluate
    each expression there."""
    assert CHROMIUM, "chromium is not installed (./dev.sh setup installs it)"
    with tempfile.TemporaryDirectory(prefix="ow-chromium-") as profile:
        proc = subprocess.Popen([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0",
                                 "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                start_new_session=True, env=_inside(profile))
        try:
            port = None
            assert proc.stderr is not None
            for line in proc.stderr:  # Chromium names its DevTools port on stderr once it listens
                found = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line)
                if found:
                    port = int(found.group(1))
                    break
            assert port is not None, "chromium did not open its DevTools port"
            # keep reading its chatter (D-Bus complaints) so a full pipe never stalls it
            threading.Thread(target=lambda: proc.stderr.read(), daemon=True).start()  # type: ignore[union-attr]
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=20) as answer:
                targets = json.load(answer)
            ws_url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
            with connect(ws_url, max_size=None, open_timeout=20) as ws:
                page = _Page(ws)
                page.call("Page.enable")
                if headers:
                    page.call("Network.enable")
                    page.call("Network.setExtraHTTPHeaders", headers=headers)
                page.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                          mobile=width < 600)
                page.call("Page.navigate", url=url)
                page.wait_event("Page.loadEventFired")
                return {name: page.evaluate(expr) for name, expr in expressions.items()}
        finally:
            _end(proc)
