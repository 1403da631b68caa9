"""The GUI thread feeds systemd's watchdog (ui/watchdog.py): READY=1 once the loop runs, WATCHDOG=1 while it turns.

A real unix datagram socket stands in for systemd's; a GUI thread that is
busy sends nothing, which is what gets a frozen kiosk restarted.
"""
from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from ui.watchdog import ServiceWatchdog


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    path = str(tmp_path / "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.setblocking(False)
    yield sock, path
    sock.close()


def received(sock: socket.socket) -> list[bytes]:
    messages = []
    while True:
        try:
            messages.append(sock.recv(4096))
        except BlockingIOError:
            return messages


def test_ready_then_feeds_from_the_gui_thread_and_none_while_it_is_blocked(
        qtbot: QtBot, notify_socket: tuple[socket.socket, str]) -> None:
    sock, path = notify_socket
    parent = QObject()
    dog = ServiceWatchdog(parent, environ={"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "200000"}, status="onewindow kiosk")
    assert dog.timer.interval() == 100  # half the timeout
    dog.start()
    qtbot.waitUntil(lambda: dog.feeds >= 3, timeout=5000)
    messages = received(sock)
    assert messages[0] == b"READY=1\nSTATUS=onewindow kiosk"
    assert messages[1:] and set(messages[1:]) == {b"WATCHDOG=1"}
    assert dog.ready_sent

    time.sleep(0.5)  # the GUI thread frozen for 2.5 timeouts: the timer cannot fire, nothing is sent
    assert received(sock) == []
    qtbot.waitUntil(lambda: bool(received(sock)), timeout=5000)  # the loop turns again: feeds resume

    dog.stop()
    assert received(sock)[-1:] == [b"STOPPING=1"]
    assert not dog.timer.isActive()


def test_without_a_watchdog_only_ready_is_said(qtbot: QtBot, notify_socket: tuple[socket.socket, str]) -> None:
    sock, path = notify_socket
    parent = QObject()  # the application in the window process
    dog = ServiceWatchdog(parent, environ={"NOTIFY_SOCKET": path})
    dog.start()
    qtbot.waitUntil(lambda: dog.ready_sent, timeout=5000)
    assert received(sock) == [b"READY=1"]
    assert not dog.timer.isActive()


def test_outside_systemd_nothing_is_sent(qtbot: QtBot) -> None:
    parent = QObject()
    dog = ServiceWatchdog(parent, environ={})
    dog.start()
    qtbot.wait(50)
    assert not dog.ready_sent and dog.feeds == 0 and not dog.timer.isActive()
