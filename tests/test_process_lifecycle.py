"""The window processes' lifecycle, end to end in real subprocesses (offscreen Qt, a fresh home each).

SIGTERM and SIGINT quit cleanly (the citizen's draft saved, children
stopped, exit 0); a second window on one data dir is refused; a crash leaves
every thread's stack in logs/crash.log; the next start shows the welcome
screen while the draft waits for staff.
"""
from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from kiosk.drafts import list_drafts
from kiosk.settings import load_settings
from kiosk.store import close_all
from kiosk.terminal import Terminal
from tests.conftest import ROOT
from tests.lifecycle_driver import NAME, parked_for_crash_test
from tests.free_ports import free_port

EXIT_WITHIN = 20.0  # seconds: a hang guard, not a speed target
_started: list[subprocess.Popen[str]] = []
_orphans: list[int] = []  # children of a process the test crashed on purpose


@pytest.fixture(autouse=True)
def _reap() -> Any:
    """Whatever a test started is gone after it, passed or failed (a failing test must not leave windows)."""
    yield
    for proc in _started:
        if proc.poll() is None:
            _orphans.extend(_children(proc.pid))
            proc.kill()
            proc.communicate()
    for pid in _orphans:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
    _started.clear()
    _orphans.clear()


def _popen(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    proc = subprocess.Popen(args, cwd=ROOT, env=env or _env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    _started.append(proc)
    return proc


def _env(**extra: str) -> dict[str, str]:
    # the test's own key dir (conftest) goes along: the data dir opens only with the keys it was made with
    keep = ("ONEWINDOW_ASSETS", "ONEWINDOW_KEY_DIR", "ONEWINDOW_KEY_SEALING")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONEWINDOW_") or k in keep}
    env.pop("PYTHONFAULTHANDLER", None)
    env.update(QT_QPA_PLATFORM="offscreen", ONEWINDOW_CONFIG=str(Path(os.devnull)), **extra)
    return env


def _start(mode: str, home: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return _popen([sys.executable, "-m", "tests.lifecycle_driver", mode, "--home", str(home), *args], env)


def _line(proc: subprocess.Popen[str], tag: str, timeout: float = 90.0) -> dict[str, Any]:
    """The driver's next `TAG {json}` line; fails with the process's stderr if it never comes."""
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        line = proc.stdout.readline()
        if not line:
            break
        if line.startswith(tag + " "):
            return json.loads(line[len(tag) + 1:])
        assert not line.startswith("TIMEOUT"), line
    _orphans.extend(_children(proc.pid))
    proc.kill()
    _out, err = proc.communicate()
    pytest.fail(f"no {tag} line from the driver (exit {proc.returncode}):\n{err[-4000:]}")


def _children(pid: int) -> dict[int, str]:
    """Every living descendant of `pid` in its session, with its command line, from /proc.

    A daemon that a library spawns on the app's behalf (speech-dispatcher, autospawned by
    libspeechd for the read-aloud child) leaves the session with setsid: it serves the whole
    desktop session and is not the app's to stop.
    """
    parents: dict[int, tuple[int, int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = (int(fields[1]), int(fields[3]))  # ppid, session
    session = os.getsid(pid)
    found: dict[int, str] = {}
    todo = [pid]
    while todo:
        parent = todo.pop()
        for child, (ppid, sid) in parents.items():
            if ppid == parent and sid == session and child not in found:
                try:
                    found[child] = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                except OSError:
                    found[child] = "?"
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _stop(proc: subprocess.Popen[str], signum: int) -> tuple[int, str, str]:
    """Send `signum`, wait for the exit: (exit code, the rest of stdout, stderr)."""
    proc.send_signal(signum)
    try:
        out, err = proc.communicate(timeout=EXIT_WITHIN)
    except subprocess.TimeoutExpired:
        _orphans.extend(_children(proc.pid))
        proc.kill()
        _out, err = proc.communicate()
        pytest.fail(f"still running {EXIT_WITHIN:.0f} s after {signal.Signals(signum).name}:\n{err[-4000:]}")
    return proc.returncode, out, err


def _threads_at_exit(out: str) -> list[str]:
    line = next(line for line in out.splitlines() if line.startswith("EXIT "))
    return json.loads(line[5:])["threads"]


def _drafts(home: Path) -> list[Any]:
    close_all()
    try:
        return list_drafts(Terminal.open(load_settings(home)).store)
    finally:
        close_all()


def _log(home: Path) -> str:
    return (home / "logs" / "onewindow.log").read_text(encoding="utf-8")


def _lock_record(home: Path) -> dict[str, Any]:
    return json.loads((home / "onewindow.lock").read_text(encoding="utf-8"))


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_saves_the_citizens_draft_and_stops_everything(tmp_path, signum):
    home = tmp_path / "home"
    proc = _start("typing", home, "kiosk", "--no-keyboard")
    ready = _line(proc, "READY")
    children = _children(proc.pid)

    code, out, err = _stop(proc, signum)

    assert code == 0, err[-4000:]
    assert [pid for pid in children if _alive(pid)] == [], children
    assert _threads_at_exit(out) == []
    drafts = _drafts(home)
    assert [(d.draft_id, d.applicant_name) for d in drafts] == [(ready["draft_id"], NAME)]
    log = _log(home)
    assert f"received {signal.Signals(signum).name}: shutting down" in log
    assert f"kept as draft {ready['draft_id']} for staff" in log
    record = _lock_record(home)
    assert record["pid"] == proc.pid and "stopped_at" in record and "shutdown_problems" not in record
    assert (home / "logs" / "crash.log").read_text() == ""


def test_a_job_that_never_returns_does_not_hold_the_exit(tmp_path):
    """The draft is still saved, the exit is bounded, and the record says what was left behind."""
    from ui.lifecycle import JOB_WAIT_MS

    home = tmp_path / "home"
    proc = _start("stuck", home, "kiosk", "--no-keyboard")
    ready = _line(proc, "READY")
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=JOB_WAIT_MS / 1000 + EXIT_WITHIN)
    assert proc.returncode == 0, err[-4000:]
    assert [(d.draft_id, d.applicant_name) for d in _drafts(home)] == [(ready["draft_id"], NAME)]
    record = _lock_record(home)
    assert "stopped_at" in record
    assert record["shutdown_problems"] == [f"background jobs still running after {JOB_WAIT_MS // 1000} s"]
    doctor = subprocess.run([sys.executable, "-m", "kiosk", "--home", str(home), "doctor", "--json",
                             "--only", "last_run"], cwd=ROOT,
                            env=_env(), capture_output=True, text=True, timeout=120)
    last_run = next(c for c in json.loads(doctor.stdout)["checks"] if c["name"] == "last_run")
    assert last_run["status"] == "warn" and "background jobs still running" in last_run["detail"]


def test_closing_the_window_takes_the_same_path(tmp_path):
    from ui.threads import GUI_SWITCH_INTERVAL_S

    home = tmp_path / "home"
    first = _start("idle", home, "kiosk", "--no-keyboard")
    _line(first, "READY")
    assert _stop(first, signal.SIGTERM)[0] == 0
    proc = _start("inspect", home, "kiosk", "--no-keyboard")  # inspects, then closes its window
    seen = _line(proc, "SCREEN")
    assert seen["switch_interval"] == GUI_SWITCH_INTERVAL_S  # the lock back to the GUI thread sooner (ui/threads.py)
    _out, err = proc.communicate(timeout=EXIT_WITHIN)
    assert proc.returncode == 0, err[-4000:]
    assert _log(home).count("onewindow kiosk shut down in") == 2
    assert "stopped_at" in _lock_record(home)


def test_sigterm_stops_the_counter(tmp_path):
    home = tmp_path / "home"
    proc = _popen([sys.executable, "-m", "kiosk", "--home", str(home), "counter"])
    log = home / "logs" / "onewindow.log"
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline and not (
            log.exists() and "onewindow counter started" in log.read_text(encoding="utf-8")):
        select.select([], [], [], 0.02)  # poll the log for the start-up line
    code, _out, err = _stop(proc, signal.SIGTERM)
    assert code == 0, err[-4000:]
    assert "onewindow counter shut down in" in _log(home) and "stopped_at" in _lock_record(home)


def test_sigterm_stops_the_local_platform_and_sync_children(tmp_path):
    home = tmp_path / "home"
    env = _env(ONEWINDOW_PLATFORM_URL=f"http://127.0.0.1:{free_port()}/api/v1")
    proc = _start("idle", home, "app", "--local-platform", env=env)
    ready = _line(proc, "READY", timeout=120)
    children = _children(proc.pid)
    platform = [pid for pid, cmd in children.items() if "platform serve" in cmd]
    assert len(platform) == 1, children
    # enrolled with the local platform: the sync worker runs, in a process of its own (sync.process)
    assert "onewindow-sync-follow" in ready["threads"]
    assert len([pid for pid, cmd in children.items() if "sync.process" in cmd]) == 1, children

    code, out, err = _stop(proc, signal.SIGTERM)

    assert code == 0, err[-4000:]
    assert [pid for pid in children if _alive(pid)] == [], children
    assert _threads_at_exit(out) == []
    assert "shut down in" in _log(home)

    # The next start, enrolled already: the sync process starts with the terminal, and its first pass finds
    # the platform answering (it was started after the terminal opened, and that pass met a refused
    # connection: the kiosk showed "offline" and noted a failed pass until the retry).
    proc = _start("synced", home, "app", "--local-platform", env=env)
    first = _line(proc, "READY", timeout=120)
    code, _out, err = _stop(proc, signal.SIGTERM)
    assert code == 0, err[-4000:]
    assert (first["online"], first["last_error"]) == (True, None), first
    assert "link trouble" not in (home / "logs" / "sync.log").read_text(encoding="utf-8")


def test_sigterm_while_the_local_platform_starts_leaves_no_child(tmp_path):
    """The signal comes before the event loop runs: remembered, and acted on once it does."""
    home = tmp_path / "home"
    env = _env(ONEWINDOW_PLATFORM_URL=f"http://127.0.0.1:{free_port()}/api/v1")
    proc = _popen([sys.executable, "-m", "kiosk", "--home", str(home), "app", "--local-platform"], env)
    deadline = time.monotonic() + 60
    platform: dict[int, str] = {}
    while not platform and proc.poll() is None and time.monotonic() < deadline:
        platform = {pid: cmd for pid, cmd in _children(proc.pid).items() if "platform serve" in cmd}
        select.select([], [], [], 0.02)  # poll /proc for the child; nothing here waits for a guess
    assert platform, "the local platform child never appeared"

    code, _out, err = _stop(proc, signal.SIGTERM)

    assert code == 0, err[-4000:]
    assert [pid for pid in platform if _alive(pid)] == []
    assert "received SIGTERM" in _log(home) and "stopped_at" in _lock_record(home)


@pytest.mark.parametrize("command", [["kiosk", "--no-keyboard"], ["counter"], ["app"]], ids=lambda c: c[0])
def test_sigterm_before_the_first_frame_starts_nothing_after_the_close(tmp_path, command):
    """The window closes before its first frame: what it would start then (the read-aloud child) never starts.

    A child started after the close was never stopped: Python's exit destroyed it
    running, its `finished` reached a half-destroyed window, and the process could hang.
    """
    home = tmp_path / "home"
    proc = _start("early", home, *command)
    _out, err = proc.communicate(timeout=90)  # no signal from here: it sent its own, while starting

    assert proc.returncode == 0, err[-4000:]
    assert "QProcess: Destroyed while process" not in err
    log = _log(home)
    assert "received SIGTERM while starting" in log and f"onewindow {command[0]} shut down in" in log
    assert "already deleted" not in log and "read-aloud given up" not in log, log[-4000:]
    assert "stopped_at" in _lock_record(home) and "shutdown_problems" not in _lock_record(home)
    assert (home / "logs" / "crash.log").read_text() == ""


def test_a_second_window_on_the_same_data_dir_is_refused(tmp_path):
    home = tmp_path / "home"
    first = _start("idle", home, "kiosk", "--no-keyboard")
    _line(first, "READY")
    try:
        for command in (["kiosk", "--no-keyboard"], ["counter"], ["app"]):
            second = subprocess.run([sys.executable, "-m", "kiosk", "--home", str(home), *command], cwd=ROOT,
                                    env=_env(), capture_output=True, text=True, timeout=60)
            assert second.returncode == 2, second.stderr
            assert str(home) in second.stderr and str(first.pid) in second.stderr
            assert "同一数据目录只能运行一个窗口" in second.stderr and "Only one window may run per data dir" in second.stderr
        # The refused ones changed nothing: the first still owns the lock and its record.
        assert _lock_record(home)["pid"] == first.pid
        # A command-line tool may still run beside the window.
        listing = subprocess.run([sys.executable, "-m", "kiosk", "--home", str(home), "applications", "--json"],
                                 cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=60)
        assert listing.returncode == 0, listing.stderr
        doctor = subprocess.run([sys.executable, "-m", "kiosk", "--home", str(home), "doctor", "--json",
                             "--only", "last_run"], cwd=ROOT,
                                env=_env(), capture_output=True, text=True, timeout=120)
        last_run = next(c for c in json.loads(doctor.stdout)["checks"] if c["name"] == "last_run")
        assert last_run["status"] == "ok" and f"a window is running (pid {first.pid})" in last_run["detail"]
        other = _start("idle", tmp_path / "other", "kiosk", "--no-keyboard")
        _line(other, "READY")
        assert _stop(other, signal.SIGTERM)[0] == 0
    finally:
        if first.poll() is None:
            assert _stop(first, signal.SIGTERM)[0] == 0


@pytest.mark.parametrize("signum", [signal.SIGABRT, signal.SIGSEGV], ids=["SIGABRT", "SIGSEGV"])
def test_a_crash_leaves_every_stack_and_the_draft_waits_for_staff(tmp_path, signum):
    home = tmp_path / "home"
    proc = _start("saved", home, "kiosk", "--no-keyboard")
    ready = _line(proc, "READY")
    # A crashed window cannot stop its children; systemd's control group does. The read-aloud child
    # leaves by itself when its stdin closes, unless speech-dispatcher has wedged it (see the report).
    _orphans.extend(_children(proc.pid))
    code, _out, _err = _stop(proc, signum)
    assert code == -signum

    crash = (home / "logs" / "crash.log").read_text()
    assert "Fatal Python error" in crash
    assert crash.count("Thread 0x") + crash.count("Current thread 0x") >= 2, crash
    assert parked_for_crash_test.__name__ in crash  # a thread other than the one that crashed
    assert "ui/lifecycle.py" in crash  # the GUI thread, inside the event loop
    assert "stopped_at" not in _lock_record(home)

    after = _start("inspect", home, "kiosk", "--no-keyboard")
    seen = _line(after, "SCREEN")
    _out, err = after.communicate(timeout=EXIT_WITHIN)
    assert after.returncode == 0, err[-4000:]
    assert seen["screen"] == "welcome" and set(seen["screens"]) <= {"welcome", "browser"}  # none with citizen data
    assert not seen["personal_data"] and seen["draft_id"] is None and not seen["shows_citizen"]
    assert [(d.draft_id, d.applicant_name) for d in _drafts(home)] == [(ready["draft_id"], NAME)]
    assert f"the previous run on this data dir (pid {proc.pid}, onewindow kiosk" in _log(home)
    assert _lock_record(home)["previous_unclean"]["pid"] == proc.pid

    doctor = subprocess.run([sys.executable, "-m", "kiosk", "--home", str(home), "doctor", "--json",
                             "--only", "last_run"], cwd=ROOT,
                            env=_env(), capture_output=True, text=True, timeout=120)
    last_run = next(c for c in json.loads(doctor.stdout)["checks"] if c["name"] == "last_run")
    # The window that started after the crash shut down cleanly: that is the latest news.
    assert last_run["status"] == "ok" and "shut down cleanly" in last_run["detail"]


def test_sigkill_mid_application_then_doctor_and_welcome(tmp_path):
    home = tmp_path / "home"
    proc = _start("saved", home, "kiosk", "--no-keyboard")
    ready = _line(proc, "READY")
    _orphans.extend(_children(proc.pid))  # as above: a killed window cannot stop its children
    code, _out, _err = _stop(proc, signal.SIGKILL)
    assert code == -signal.SIGKILL

    doctor = subprocess.run([sys.executable, "-m", "kiosk", "--home", str(home), "doctor", "--json",
                             "--only", "last_run"], cwd=ROOT,
                            env=_env(), capture_output=True, text=True, timeout=120)
    last_run = next(c for c in json.loads(doctor.stdout)["checks"] if c["name"] == "last_run")
    assert last_run["status"] == "warn" and f"pid {proc.pid}" in last_run["detail"]
    assert "ended uncleanly" in last_run["detail"]

    after = _start("inspect", home, "kiosk", "--no-keyboard")
    seen = _line(after, "SCREEN")
    after.communicate(timeout=EXIT_WITHIN)
    assert after.returncode == 0
    assert seen["screen"] == "welcome" and not seen["personal_data"] and not seen["shows_citizen"]
    assert [d.draft_id for d in _drafts(home)] == [ready["draft_id"]]


def test_qt_fatal_error_is_written_with_every_thread(tmp_path):
    """qFatal through the handler `ui.lifecycle` installs: message, Qt's last words and every stack."""
    home = tmp_path / "home"
    code = (
        "import sys, threading\n"
        "from pathlib import Path\n"
        "from PySide6.QtCore import QCoreApplication, qFatal, qWarning\n"
        "from kiosk.logs import configure_logging\n"
        "from ui.lifecycle import install_qt_message_handler\n"
        "from tests.lifecycle_driver import parked_for_crash_test\n"
        f"configure_logging(Path({str(home)!r}))\n"
        "app = QCoreApplication(sys.argv[:1])\n"
        "install_qt_message_handler()\n"
        "threading.Thread(target=parked_for_crash_test, daemon=True).start()\n"
        "qWarning('the scene graph lost its context')\n"
        "qFatal('cannot continue')\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_env(), capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == -signal.SIGABRT
    assert "the scene graph lost its context" in result.stderr  # Qt's messages still reach stderr
    crash = (home / "logs" / "crash.log").read_text()
    report = crash.split("Qt fatal error: ", 1)[1]
    assert "the scene graph lost its context" in report  # PySide's qFatal sends the text just before
    assert "Stacks of every thread:" in report and parked_for_crash_test.__name__ in report


def test_unhandled_exception_in_a_thread_is_logged_with_its_traceback(tmp_path):
    home = tmp_path / "home"
    code = (
        "import threading\n"
        "from pathlib import Path\n"
        "from kiosk.logs import configure_logging\n"
        f"configure_logging(Path({str(home)!r}))\n"
        "def printer_poller():\n"
        "    raise RuntimeError('paper jam for 11010519491231002X')\n"
        "t = threading.Thread(target=printer_poller, name='poller'); t.start(); t.join()\n"
        "raise ValueError('main thread gives up')\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_env(), capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 1
    assert "main thread gives up" in result.stderr  # the default hook still runs after ours
    crash = (home / "logs" / "crash.log").read_text()
    assert "unhandled exception in thread poller: RuntimeError" in crash and "printer_poller" in crash
    assert "unhandled exception: ValueError" in crash
    assert "11010519491231002X" not in crash and "1101**********002X" in crash
    assert "unhandled exception in thread poller" in _log(home)
