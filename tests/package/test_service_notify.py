"""systemd's notify protocol (kiosk.service_notify) against a real unix datagram socket, as systemd listens."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk import service_notify


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    """A datagram socket bound to a path, like the one systemd names in $NOTIFY_SOCKET."""
    path = str(tmp_path / "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(5)
    yield sock, path
    sock.close()


def test_ready_status_and_watchdog_arrive_as_systemd_reads_them(listener: tuple[socket.socket, str]) -> None:
    sock, path = listener
    env = {"NOTIFY_SOCKET": path}
    assert service_notify.ready("onewindow kiosk", environ=env) is True
    assert sock.recv(4096) == b"READY=1\nSTATUS=onewindow kiosk"
    assert service_notify.watchdog(environ=env) is True
    assert sock.recv(4096) == b"WATCHDOG=1"
    assert service_notify.stopping(environ=env) is True
    assert sock.recv(4096) == b"STOPPING=1"


def test_abstract_namespace_socket() -> None:
    name = f"onewindow-test-{uuid.uuid4().hex}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + name)
    sock.settimeout(5)
    try:
        assert service_notify.socket_address({"NOTIFY_SOCKET": "@" + name}) == "\0" + name
        assert service_notify.watchdog(environ={"NOTIFY_SOCKET": "@" + name}) is True
        assert sock.recv(4096) == b"WATCHDOG=1"
    finally:
        sock.close()


@pytest.mark.parametrize("value", ["", "relative/path", "@", "vsock:2:1234"])
def test_no_usable_socket_sends_nothing(value: str) -> None:
    env = {"NOTIFY_SOCKET": value} if value else {}
    assert service_notify.socket_address(env) is None
    assert service_notify.ready(environ=env) is False


def test_a_socket_nobody_listens_on_is_reported_not_raised(tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(gone))
    sock.close()  # the path stays, nobody reads it: ECONNREFUSED
    assert service_notify.watchdog(environ={"NOTIFY_SOCKET": str(gone)}) is False
    assert service_notify.watchdog(environ={"NOTIFY_SOCKET": str(tmp_path / "never")}) is False


def test_watchdog_timeout_and_whose_it_is() -> None:
    me, parent = os.getpid(), os.getppid()
    assert service_notify.watchdog_seconds({"WATCHDOG_USEC": "30000000"}) == 30.0
    assert service_notify.feed_interval({"WATCHDOG_USEC": "30000000"}) == 15.0
    assert service_notify.watchdog_seconds({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(me)}) == 30.0
    # under cage, systemd names cage (our parent) as the watchdog's process
    assert service_notify.watchdog_seconds({"WATCHDOG_USEC": "4000000", "WATCHDOG_PID": "4242"},
                                           pid=4243, parent_pid=4242) == 4.0
    assert service_notify.watchdog_seconds({"WATCHDOG_USEC": "4000000", "WATCHDOG_PID": str(parent)}) == 4.0
    # someone else's watchdog, or none
    assert service_notify.watchdog_seconds({"WATCHDOG_USEC": "4000000", "WATCHDOG_PID": "4242"},
                                           pid=5000, parent_pid=5001) is None
    for bad in ({}, {"WATCHDOG_USEC": "0"}, {"WATCHDOG_USEC": "-5"}, {"WATCHDOG_USEC": "soon"},
                {"WATCHDOG_USEC": "4000000", "WATCHDOG_PID": "cage"}):
        assert service_notify.watchdog_seconds(bad) is None
        assert service_notify.feed_interval(bad) is None


def test_a_child_of_the_program_never_speaks_for_it(listener: tuple[socket.socket, str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """With NotifyAccess=all systemd believes any process of the unit. A systemd tool that fails tells it its
    errno and exit status (what systemd-creds did, failing on the host key as the service user while the
    kiosk sealed its data key): once the program has claimed the variables, no child can."""
    sock, path = listener
    tool = shutil.which("systemd-creds")
    assert tool is not None, "systemd-creds is part of systemd, which the set-up installs"
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    monkeypatch.setenv("WATCHDOG_USEC", "4000000")
    monkeypatch.setattr(service_notify, "_claimed", None)
    subprocess.run([tool, "decrypt", "/nonexistent/credential", "-"], capture_output=True, timeout=30)
    assert sock.recv(4096).startswith(b"ERRNO=")  # the defect, shown with a real failing tool

    service_notify.claim()
    assert "NOTIFY_SOCKET" not in os.environ and "WATCHDOG_USEC" not in os.environ
    failed = subprocess.run([tool, "decrypt", "/nonexistent/credential", "-"], capture_output=True, timeout=30)
    assert failed.returncode != 0
    assert service_notify.feed_interval() == 2.0  # this process still knows its watchdog
    assert service_notify.ready("onewindow kiosk") is True
    assert sock.recv(4096) == b"READY=1\nSTATUS=onewindow kiosk"  # the first message since: the child said nothing


def test_the_program_claims_the_variables_before_anything_else(listener: tuple[socket.socket, str]) -> None:
    _sock, path = listener
    shown = subprocess.run(
        [sys.executable, "-c", "import atexit, os, sys; sys.argv = ['onewindow', '--help']; "
         "atexit.register(lambda: print('left:', os.environ.get('NOTIFY_SOCKET'))); "
         "from kiosk.cli import console; console()"],
        env={**os.environ, "NOTIFY_SOCKET": path}, capture_output=True, text=True, timeout=120)
    assert "left: None" in shown.stdout, shown.stdout[-500:] + shown.stderr[-2000:]
