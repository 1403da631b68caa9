"""A hall hub on this very machine, for the one-PC office and the demo (`onewindow app --local-platform`).

When nothing answers at the hub address (the `hall_url` setting, else http://127.0.0.1:8770), it starts
`onewindow hall serve` as a child process with its home inside the terminal's data dir, the way
`sync.embedded` starts the local platform, and pairs this terminal with it (as a kiosk, or as counter 1
on a counter terminal) unless it is paired with that hub already. A real hall runs one hub on its LAN and
pairs every terminal with `onewindow queue pair` instead.
"""
from __future__ import annotations

import logging
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from kiosk.child_process import child_environment, ready_or_stopped, stop_child
from kiosk.errors import Message, UserFacingError
from kiosk.queue.model import HallUnavailable
from kiosk.terminal import Terminal
from sync.hall.client import HubClient, HubRefused, Timeouts
from sync.hall.pairing import check_hub_url, load_pairing

log = logging.getLogger("onewindow.sync.hall.embedded")
DEFAULT_URL = "http://127.0.0.1:8770"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass
class LocalHub:
    url: str
    home: Path
    process: subprocess.Popen[bytes] | None  # None: one was already running

    def stop(self, timeout: float = 10.0) -> None:
        stop_child(self.process, "the local hub", timeout)


def _answers(url: str) -> bool:
    client = HubClient(url, timeouts=Timeouts(connect=0.5, read=2.0))
    try:
        client.request("GET", "/hall/v1/categories", expected=(200, 401))
        return True
    except (HallUnavailable, UserFacingError):
        return False
    finally:
        client.close()


def _token_works(url: str, token: str) -> bool:
    """False when this hub no longer knows the token (its home was wiped, the device unpaired)."""
    client = HubClient(url, token, timeouts=Timeouts(connect=0.5, read=2.0))
    try:
        client.categories()
        return True
    except HubRefused as exc:
        return exc.status != 401
    except HallUnavailable:
        return True  # cannot tell; keep the pairing
    finally:
        client.close()


def _hall(home: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "kiosk", "hall", args[0], "--home", str(home), *args[1:]],
                          capture_output=True, text=True, timeout=60, env=child_environment())
    if done.returncode != 0:
        log.error("onewindow hall %s failed: %s", args[0], done.stderr[-2000:])
        raise UserFacingError(Message("本地叫号服务器未能完成配对，详见日志。", "The local queue server could not pair "
                                      "this terminal; see the log."), code="local_hub")
    return done.stdout.strip()


def start_hub(home: Path, host: str, port: int, *, log_file: Path, wait_seconds: float = 30.0) -> subprocess.Popen[bytes]:
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    url = f"http://{host}:{port}"
    with log_file.open("ab") as out:
        process = subprocess.Popen([sys.executable, "-m", "kiosk", "hall", "serve", "--home", str(home),
                                    "--host", host, "--port", str(port)], stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, env=child_environment())  # ends with this process
    ready_or_stopped(process, lambda: _answers(url), name="the local queue server",
                     stop=LocalHub(url, home, process).stop, stall_seconds=wait_seconds, poll_seconds=0.1,
                     failure=UserFacingError(Message("本地叫号服务器未能启动，详见日志 local-hub.log。",
                                                     "The local queue server did not start; see local-hub.log."),
                                             code="local_hub"))
    return process


def ensure_local_hub(terminal: Terminal, *, background: bool = True, wait_seconds: float = 30.0) -> LocalHub:
    from sync.hall.part import pair

    settings = terminal.settings
    url = check_hub_url(settings.hall_url or DEFAULT_URL)
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK or not parts.port:
        raise UserFacingError(Message(f"本地叫号服务器只能运行在本机回环地址上，当前地址为 {url}。",
                                      f"A local queue server runs on this machine's loopback address only; "
                                      f"hall_url is {url}."), code="not_local")
    home = settings.home / "local-hub"
    process = None
    if not _answers(url):
        log_dir = settings.home / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        process = start_hub(home, parts.hostname, parts.port, log_file=log_dir / "local-hub.log",
                            wait_seconds=wait_seconds)
    hub = LocalHub(url, home, process)
    saved = load_pairing(settings)
    if saved is None or saved.hub_url != url or not _token_works(url, saved.pairing.token):
        if settings.device_kind == "counter":
            code = _hall(home, "pair-code", "--role", "counter", "--counter-no", "1")
        else:
            code = _hall(home, "pair-code", "--role", "kiosk")
        pairing = pair(terminal, code, url, background=background)
        log.info("paired with the local hub as %s (%s)", pairing.device_name, pairing.role.value)
    return hub


def start_local_hub_quietly(terminal: Terminal) -> LocalHub | None:
    """For `onewindow app --local-platform`: the app runs without a queue rather than not at all."""
    try:
        return ensure_local_hub(terminal, background=True)
    except (UserFacingError, HallUnavailable) as exc:
        log.warning("no local queue server: %s", exc.message.en)
        return None
