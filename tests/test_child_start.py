"""A server child (the local platform, the local queue server) is waited for while it works, not by the clock.

Real child processes: one that sleeps and never answers (hung), one that works for seconds of CPU before it
answers (a busy two-core PC), one that exits, one that spins without ever answering.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.child_process import cpu_seconds, stop_child, wait_until_ready


def child(code: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.DEVNULL)


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[bytes]]]:
    children: list[subprocess.Popen[bytes]] = []
    yield children
    for process in children:
        stop_child(process, "test child", timeout=5)


def test_cpu_seconds_reads_a_process_cpu_time() -> None:
    before = cpu_seconds(os.getpid())
    end = time.process_time() + 0.3
    while time.process_time() < end:
        pass
    after = cpu_seconds(os.getpid())
    assert before is not None and after is not None and after - before >= 0.2
    assert cpu_seconds(2 ** 22 + 7) is None  # no such process


def test_a_child_that_works_before_it_answers_is_waited_for_past_the_stall_time(
        tmp_path: Path, started: list[subprocess.Popen[bytes]]) -> None:
    flag = tmp_path / "answering"
    started.append(child("import time, pathlib\n"
                         "end = time.process_time() + 3.0\n"  # three seconds of CPU: imports, migrations
                         "while time.process_time() < end:\n    pass\n"
                         f"pathlib.Path({str(flag)!r}).touch()\n"
                         "time.sleep(60)\n"))
    t0 = time.monotonic()
    assert wait_until_ready(started[0], flag.exists, stall_seconds=2.0, poll_seconds=0.05) is None
    assert time.monotonic() - t0 > 2.0  # longer than a deadline of the stall time would have allowed


def test_a_child_that_uses_no_cpu_and_never_answers_is_given_up(started: list[subprocess.Popen[bytes]]) -> None:
    started.append(child("import time\ntime.sleep(60)\n"))
    t0 = time.monotonic()
    why = wait_until_ready(started[0], lambda: False, stall_seconds=1.0, poll_seconds=0.05)
    assert why == "it used no CPU for 1 s" and time.monotonic() - t0 < 10


def test_a_child_that_exits_is_given_up_at_once(started: list[subprocess.Popen[bytes]]) -> None:
    started.append(child("raise SystemExit(3)"))
    t0 = time.monotonic()
    assert wait_until_ready(started[0], lambda: False, stall_seconds=30.0, poll_seconds=0.05) == \
        "it exited with status 3"
    assert time.monotonic() - t0 < 10


def test_a_child_that_spins_without_answering_is_given_up_at_the_limit(
        started: list[subprocess.Popen[bytes]]) -> None:
    started.append(child("while True:\n    pass\n"))
    t0 = time.monotonic()
    why = wait_until_ready(started[0], lambda: False, stall_seconds=30.0, limit_seconds=2.0, poll_seconds=0.05)
    assert why == "it did not answer within 2 s, though it kept working"
    assert 2.0 <= time.monotonic() - t0 < 10


def test_a_stop_requested_ends_the_wait_without_a_failure(started: list[subprocess.Popen[bytes]]) -> None:
    started.append(child("import time\ntime.sleep(60)\n"))
    assert wait_until_ready(started[0], lambda: False, stall_seconds=30.0, stop_requested=lambda: True) is None
