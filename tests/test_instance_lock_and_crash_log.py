"""The Qt-free halves of the process lifecycle: the data dir's lock record and crash.log's cap.

Refusing a second window and real crashes are in `test_process_lifecycle.py`
(real subprocesses); these check the record's logic in this process.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

from kiosk.crash_log import cap_size
from kiosk.instance_lock import AlreadyRunning, acquire, inspect, lock_path
from tests.conftest import ROOT


def test_first_run_then_clean_stop(home):
    assert inspect(home).record is None and inspect(home).last_unclean is None
    lock = acquire(home, "kiosk")
    try:
        assert lock.previous is None and not lock.previous_unclean
        state = inspect(home)
        assert state.running_pid == os.getpid() and state.last_unclean is None
        assert json.loads(lock_path(home).read_text())["command"] == "kiosk"
    finally:
        lock.release()
    state = inspect(home)
    assert state.running_pid is None and "stopped_at" in state.record and state.last_unclean is None


def test_a_run_that_never_stopped_is_reported_until_a_clean_one_follows(home):
    crashed = {"pid": 4242, "command": "kiosk", "started_at": "2026-11-20T09:00:00+08:00"}
    lock_path(home).write_text(json.dumps(crashed))
    assert inspect(home).last_unclean == crashed  # nothing runs: the crash is the latest news

    lock = acquire(home, "counter")
    try:
        assert lock.previous_unclean
        record = json.loads(lock_path(home).read_text())
        assert record["previous_unclean"]["pid"] == 4242 and "detected_at" in record["previous_unclean"]
        state = inspect(home)
        assert state.running_pid == os.getpid() and state.last_unclean["pid"] == 4242
    finally:
        lock.note_problem("background jobs still running after 10 s")
        lock.release()
    state = inspect(home)
    assert state.last_unclean is None
    assert state.record["shutdown_problems"] == ["background jobs still running after 10 s"]


def test_a_record_cut_short_counts_as_unclean(home):
    lock_path(home).write_text('{"pid": 42, "comm')
    lock = acquire(home, "app")
    try:
        assert lock.previous_unclean and lock.previous == {}
    finally:
        lock.release()


def test_the_refusal_names_the_data_dir_and_the_other_process(home):
    lock = acquire(home, "kiosk")
    try:
        code = ("import sys; from pathlib import Path; from kiosk.instance_lock import acquire\n"
                f"acquire(Path({str(home)!r}), 'counter')")
        result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert result.returncode == 1 and "AlreadyRunning" in result.stderr
        assert f"进程 {os.getpid()}" in result.stderr and f"process {os.getpid()}" in result.stderr
        assert str(home) in result.stderr
    finally:
        lock.release()
    error = AlreadyRunning(home, None, None)
    assert error.code == "already_running" and "another process" in error.message.en


def test_crash_log_keeps_the_newest_megabyte_from_a_line_start(tmp_path):
    path = tmp_path / "crash.log"
    lines = [f"report line {i:07d}\n".encode() for i in range(120_000)]
    path.write_bytes(b"".join(lines))
    cap_size(path, keep=1024 * 1024)
    kept = path.read_bytes()
    assert len(kept) <= 1024 * 1024 + 64
    assert kept.endswith(lines[-1])
    first_kept = kept.splitlines(keepends=True)[1]
    assert first_kept in lines  # a whole line, not half of one
    assert kept.startswith(b"[older crash reports cut at start-up]\n")
    small = tmp_path / "small.log"
    small.write_bytes(b"one report\n")
    cap_size(small)
    assert small.read_bytes() == b"one report\n"


def test_a_helper_child_ends_when_its_parent_is_killed_outright(tmp_path):
    """The read-aloud voice and the local platform must not outlive a window killed with SIGKILL."""
    import os
    import signal
    import subprocess
    import sys
    import time

    marker = tmp_path / "child.pid"
    child_script = tmp_path / "child.py"
    child_script.write_text("import os, sys, time\n"
                            "from kiosk.child_process import die_with_parent\n"
                            "assert die_with_parent()\n"
                            "open(sys.argv[1], 'w').write(str(os.getpid()))\n"
                            "time.sleep(600)\n", encoding="utf-8")
    parent_script = tmp_path / "parent.py"
    parent_script.write_text("import subprocess, sys, time\n"
                             "from kiosk.child_process import child_environment\n"
                             "subprocess.Popen([sys.executable, sys.argv[1], sys.argv[2]], env=child_environment())\n"
                             "time.sleep(600)\n", encoding="utf-8")
    parent = subprocess.Popen([sys.executable, str(parent_script), str(child_script), str(marker)])
    try:
        deadline = time.monotonic() + 30
        while not marker.exists() or not marker.read_text():
            assert time.monotonic() < deadline, "the child never started"
            time.sleep(0.05)
        child = int(marker.read_text())
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 10
        while os.path.exists(f"/proc/{child}") and "zombie" not in open(f"/proc/{child}/status").read().lower():
            assert time.monotonic() < deadline, "the child outlived its parent"
            time.sleep(0.05)
    finally:
        if parent.poll() is None:
            parent.kill()
