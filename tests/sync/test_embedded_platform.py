"""`onewindow app --local-platform`: a platform on this machine, catalog published, terminal enrolled."""
from __future__ import annotations

import logging
import os
import socket
from pathlib import Path

import pytest

from kiosk.demo_hall import DEMO_STAFF, PASSWORD
from kiosk.errors import UserFacingError
from kiosk.staff import authenticate
from kiosk.settings import load_settings
from kiosk.terminal import Terminal
from sync.client import PlatformClient
from sync.credentials import load_credential
from sync.embedded import LOCAL_PLATFORM_NICENESS, ensure_local_platform, start_platform
from tests.free_ports import free_port


def test_local_platform_starts_publishes_and_enrolls(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/api/v1"
    terminal = Terminal.open(load_settings(tmp_path / "home", platform_url=url))
    platform = ensure_local_platform(terminal)
    try:
        assert platform.process is not None
        # it yields the CPU to the window it serves: field 19 of /proc/PID/stat is the nice value
        stat = Path(f"/proc/{platform.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        assert int(stat[16]) == os.nice(0) + LOCAL_PLATFORM_NICENESS
        credential = load_credential(terminal.settings)
        assert credential is not None and credential.hall_code == terminal.settings.hall_code
        catalog = PlatformClient(url, credential.token).json("GET", "catalog")
        assert catalog["version"] == terminal.catalog.version
        # one PC is kiosk and counter at once: enrolled as a counter, the demo staff came from the platform
        assert credential.role == "counter"
        with terminal.store.transaction() as s:
            for username, role, _name in DEMO_STAFF:
                member = authenticate(s, username, PASSWORD)
                assert (member.role, member.source) == (role, "platform")
        again = ensure_local_platform(terminal)  # already running: reused, not enrolled twice
        assert again.process is None and load_credential(terminal.settings).token == credential.token
    finally:
        platform.stop()
    assert platform.process.poll() is not None


def test_a_remote_platform_is_never_started_locally(tmp_path):
    terminal = Terminal.open(load_settings(tmp_path / "home", platform_url="https://zwfw.example.gov.cn/api/v1"))
    with pytest.raises(UserFacingError) as err:
        ensure_local_platform(terminal)
    assert err.value.code == "not_local"


def test_a_platform_that_cannot_start_is_said_so_in_both_languages_and_logged(tmp_path, caplog):
    """Its port is taken (bound, not listening: nothing answers there either), so the child exits at once."""
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    try:
        port = taken.getsockname()[1]
        with pytest.raises(UserFacingError) as err, caplog.at_level(logging.ERROR, "onewindow.child"):
            start_platform(tmp_path / "platform", "127.0.0.1", port, log_file=tmp_path / "local-platform.log")
    finally:
        taken.close()
    assert err.value.code == "local_platform"
    assert "本地平台未能启动" in err.value.message.zh and "did not start" in err.value.message.en
    assert any(r.getMessage().startswith("the local platform did not start: it exited with status")
               for r in caplog.records), caplog.text
    assert (tmp_path / "local-platform.log").read_text(errors="replace").strip()  # the child's own words are kept


def test_a_stop_requested_at_start_up_leaves_the_set_up_to_the_next_start(tmp_path):
    """SIGTERM while `app` starts its local platform: the child is held (and stopped by the caller), nothing is
    published or enrolled half-way, and the next start does all of it."""
    url = f"http://127.0.0.1:{free_port()}/api/v1"
    terminal = Terminal.open(load_settings(tmp_path / "home", platform_url=url))
    asked: list[int] = []

    def stop_requested() -> bool:
        asked.append(1)
        return True

    stopped = ensure_local_platform(terminal, stop_requested=stop_requested)
    try:
        assert stopped.process is not None and asked  # started, then asked at once, not after a 30 s wait
        assert load_credential(terminal.settings) is None
    finally:
        stopped.stop()
    assert stopped.process.poll() is not None
    platform = ensure_local_platform(terminal)  # the next start
    try:
        credential = load_credential(terminal.settings)
        assert credential is not None and credential.role == "counter"
        assert PlatformClient(url, credential.token).json("GET", "catalog")["version"] == terminal.catalog.version
    finally:
        platform.stop()
