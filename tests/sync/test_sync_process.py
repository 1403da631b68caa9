"""A window's sync worker runs in a process of its own (`sync.process`): it syncs, the window sees its state
and the catalog it installs, a child that dies is started again and loses nothing, and `stop` leaves no
process behind. A real platform over HTTP, a real child process, a real SQLite store shared by both."""
from __future__ import annotations

import io
import json
import os
import signal
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.catalog import demo_catalog_path, parse_catalog
from kiosk.settings import Settings, load_settings
from kiosk.store.models import OutboxItem
from kiosk.terminal import SyncState, Terminal
from sync.part import PlatformLink
from sync.process import (NICENESS, SyncProcess, settings_from_line, settings_line, state_from_line, state_line)
from sync.server.models import Case, PublishedCatalog
from tests.printing.conftest import submit_example
from tests.sync.conftest import enroll
from tests.sync.servers import PlatformServer


def wait_for(condition, timeout: float = 60.0, what: str = "") -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        time.sleep(0.05)


def owed(terminal: Terminal) -> list[str]:
    with terminal.store.transaction() as s:
        return list(s.scalars(select(OutboxItem.state).where(OutboxItem.state != "sent")))


def on_platform(platform: PlatformServer) -> int:
    with platform.store.transaction() as s:
        return len(list(s.scalars(select(Case.id))))


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is not alive: it is only waiting to be reaped
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def test_settings_and_states_cross_the_pipe_unchanged(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, device_no=7, hall_name_zh="西湖区 “一窗” 中心", printer="tcp:10.0.0.9:9100")
    assert settings_from_line(settings_line(settings)) == settings
    state = SyncState(running=True, online=False, pending_items=3, pending_bytes=12345,
                      last_success_at=datetime(2026, 11, 30, 8, 1, 2, tzinfo=timezone.utc),
                      last_error="offline: 连接被拒绝", next_attempt_in=4.5)
    assert state_from_line(state_line(state, "etag-1")) == (state, "etag-1")


def test_a_settings_line_with_an_unknown_key_is_refused(tmp_path: Path) -> None:
    line = json.loads(settings_line(load_settings(tmp_path)))
    line["settings"]["rm_rf"] = "/"
    with pytest.raises(ValueError, match="rm_rf"):
        settings_from_line(json.dumps(line))


def test_the_window_syncs_through_its_child_and_reloads_the_catalog_it_installs(
        sqlite_platform: PlatformServer, tmp_path: Path) -> None:
    terminal = Terminal.open(load_settings(tmp_path / "kiosk"))
    enroll(terminal, sqlite_platform, role="kiosk")
    submitted = submit_example(terminal)
    link = PlatformLink(terminal, background=True)
    try:
        assert isinstance(link.worker, SyncProcess)
        child = link.worker._process
        assert child is not None and child.pid != os.getpid()
        wait_for(lambda: link.state().last_attempt_at is not None, what="a first pass")
        stat = Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()
        assert int(stat[16]) == os.nice(0) + NICENESS  # field 19, "nice": it yields the CPU to its window
        wait_for(lambda: on_platform(sqlite_platform) == 1 and not owed(terminal), what="the application arrived")
        wait_for(lambda: link.state().online is True and link.state().pending_items == 0, what="state online")
        assert link.state().running and link.state().last_success_at is not None

        document = json.loads(demo_catalog_path().read_text(encoding="utf-8"))
        document["version"] = "2026.12-from-platform"
        catalog = parse_catalog(document)
        with sqlite_platform.store.transaction() as s:
            s.add(PublishedCatalog(version=catalog.version, etag=catalog.etag, document=catalog.document))
        link.poke()
        wait_for(lambda: terminal.catalog.version == "2026.12-from-platform", what="the window's catalog reloaded")
    finally:
        link.stop()
    assert not alive(child.pid)
    assert submitted.receipt_no


def test_a_child_that_dies_is_started_again_and_nothing_is_lost_or_doubled(
        sqlite_platform: PlatformServer, tmp_path: Path) -> None:
    terminal = Terminal.open(load_settings(tmp_path / "kiosk"))
    enroll(terminal, sqlite_platform, role="kiosk")
    link = PlatformLink(terminal, background=True)
    try:
        worker = link.worker
        assert isinstance(worker, SyncProcess)
        wait_for(lambda: link.state().online is True, what="first pass")
        first = worker._process
        assert first is not None
        for name in ("张三", "李四", "王五"):  # killed outright, as by the OOM killer, with applications owed each time
            submit_example(terminal, name=name)
            first.send_signal(signal.SIGKILL)
            wait_for(lambda: worker._process is not first, timeout=30, what="a new child")
            first = worker._process
            assert first is not None
        wait_for(lambda: on_platform(sqlite_platform) == 3 and not owed(terminal), timeout=90,
                 what="all three applications arrived")
        assert worker.starts == 4
        assert on_platform(sqlite_platform) == 3  # exactly once
    finally:
        link.stop()
    assert not alive(first.pid)


def test_the_state_says_why_while_the_child_is_down(sqlite_platform: PlatformServer, tmp_path: Path) -> None:
    terminal = Terminal.open(load_settings(tmp_path / "kiosk"))
    enroll(terminal, sqlite_platform, role="kiosk")
    # a child that ends at once, every time: the window keeps running and says why, and does not spin
    worker = SyncProcess(terminal, command=["/bin/sh", "-c", "exit 3"])
    worker.start()
    try:
        wait_for(lambda: worker.status().last_error is not None, timeout=10, what="an error shown")
        state = worker.status()
        assert "exit code 3" in state.last_error and "同步进程" in state.last_error
        assert not state.running
        time.sleep(4)
        assert worker.starts <= 4  # 1-2 s, then 2-4 s, ... between starts: no busy loop
    finally:
        worker.stop(timeout=2)
    assert not worker.status().running


def test_a_child_without_a_window_ends_by_itself(tmp_path: Path) -> None:
    """stdin closed before the settings came (the window died at once): the child ends, writing nothing."""
    from sync.process import main

    out = tmp_path / "out"
    fd = os.open(out, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        assert main(stdin=io.StringIO(""), stdout_fd=fd) == 0
    finally:
        os.close(fd)
    assert out.read_bytes() == b""


def test_stop_ends_a_child_whose_pass_hangs(tmp_path: Path) -> None:
    """A pass stuck longer than the window waits at shutdown is cut (every sync step is idempotent)."""
    terminal = Terminal.open(Settings(home=tmp_path / "kiosk"))
    worker = SyncProcess(terminal, command=[sys.executable, "-c", "import signal, time; "
                                            "signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"])
    worker.start()
    process = worker._process
    assert process is not None
    began = time.monotonic()
    worker.stop(timeout=0.5)
    assert time.monotonic() - began < 8  # half a second's wait, then 5 s after SIGTERM, then SIGKILL
    assert process.poll() is not None


def test_a_child_started_from_a_thread_that_then_ends_lives_on(tmp_path: Path) -> None:
    """The kernel sends the parent-death signal when the *thread* that started a child ends; the kiosk starts its
    sync worker from a job's pool thread, which Qt ends after 30 s idle. The child must outlive that thread."""
    import threading

    asked = tmp_path / "asked"
    terminal = Terminal.open(Settings(home=tmp_path / "kiosk"))
    worker = SyncProcess(terminal, command=[
        sys.executable, "-c", "import pathlib, sys; from kiosk.child_process import die_with_parent; "
        f"assert die_with_parent(); pathlib.Path({str(asked)!r}).touch(); sys.stdin.read()"])

    def start_then_end() -> None:  # as a pool thread: it starts the worker, and later it is gone
        worker.start()
        wait_for(asked.exists, timeout=30, what="the child asked for its parent-death signal")

    job = threading.Thread(target=start_then_end)
    job.start()
    job.join()
    try:
        child = worker._process
        assert child is not None
        time.sleep(1.0)  # a signal sent when that thread ended has arrived by now
        assert child.poll() is None and worker.starts == 1
    finally:
        worker.stop(timeout=5)
    assert child.poll() is not None
