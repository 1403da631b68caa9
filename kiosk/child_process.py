"""Helper processes that must not outlive the window that started them.

The read-aloud voice and the local platform run as child processes. When
the window dies without a clean shutdown (kill -9, a power button held, a
segfault), nothing stops them: the voice would wait on its stdin for ever,
and the next start would find the old platform still answering and never
stop it. On Linux the kernel can signal a child when its parent dies
(`prctl(PR_SET_PDEATHSIG)`); the child asks for that itself at start-up, so
the parent never needs an unsafe `preexec_fn` in a threaded process.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

PARENT_ENV = "ONEWINDOW_PARENT_PID"
PR_SET_PDEATHSIG = 1
log = logging.getLogger("onewindow.child")

#: how long a server child may take to answer at all, however steadily it works (a hard stop for a child that
#: spins without ever listening)
START_LIMIT_SECONDS = 300.0


def child_environment(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a helper child: it will end itself when this process ends."""
    return {**(os.environ if env is None else env), PARENT_ENV: str(os.getpid())}


def die_with_parent(sig: int = signal.SIGTERM) -> bool:
    """In the child: be sent `sig` when the parent that started us dies. True when that is arranged.

    The parent may already be gone by the time we ask (it died during our
    start-up); then we leave at once.
    """
    expected = os.environ.get(PARENT_ENV)
    if not expected or not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
            log.warning("prctl(PR_SET_PDEATHSIG) failed: errno %s", ctypes.get_errno())
            return False
    except OSError:
        log.warning("cannot reach libc to ask for a parent-death signal", exc_info=True)
        return False
    if str(os.getppid()) != expected:
        os._exit(0)  # our parent died before we asked: nobody needs us
    return True


def stop_child(process: subprocess.Popen[bytes] | None, name: str, timeout: float = 10.0) -> None:
    """SIGTERM first, so a server finishes the requests it has (uvicorn does); SIGKILL after `timeout`.
    Reaped either way, so no zombie is left for the months a kiosk runs."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        log.warning("%s (pid %s) ignored SIGTERM for %.0f s; killing it", name, process.pid, timeout)
        process.kill()
        process.wait()


def cpu_seconds(pid: int) -> float | None:
    """The CPU time a process has used so far (Linux `/proc/<pid>/stat`: user + system); None where unreadable."""
    try:
        after_name = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        return (int(after_name[11]) + int(after_name[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def wait_until_ready(process: subprocess.Popen[bytes], ready: Callable[[], bool], *, stall_seconds: float,
                     limit_seconds: float = START_LIMIT_SECONDS, stop_requested: Callable[[], bool] = lambda: False,
                     poll_seconds: float = 0.2) -> str | None:
    """Wait for a server child to answer (`ready()`); None once it does (or a stop is requested), else why not.

    A deadline in wall time failed a child that was merely slow: the local platform runs ten nice levels below
    the window, and on a two-core PC that is busy (a scan being processed, a sync pass) it may need several
    times its usual few seconds. What tells a slow child from a stuck one is whether it still uses CPU, so the
    child is given up when it has exited, when it has used no CPU for `stall_seconds` (hung, or waiting on
    something that will not come), or after `limit_seconds` in all. Where its CPU time cannot be read, the
    stall is measured from the start, as a plain deadline.
    """
    started = progressed = time.monotonic()
    used = cpu_seconds(process.pid)
    while not stop_requested() and not ready():
        now = time.monotonic()
        code = process.poll()
        if code is not None:
            return f"it exited with status {code}"
        now_used = cpu_seconds(process.pid)
        if now_used is not None and used is not None and now_used > used:
            used, progressed = now_used, now
        if now - progressed > stall_seconds:
            return f"it used no CPU for {stall_seconds:.0f} s" if used is not None else \
                f"it did not answer within {stall_seconds:.0f} s"
        if now - started > limit_seconds:
            return f"it did not answer within {limit_seconds:.0f} s, though it kept working"
        time.sleep(poll_seconds)
    return None


def ready_or_stopped(process: subprocess.Popen[bytes], ready: Callable[[], bool], *, name: str,
                     stop: Callable[[], None], failure: Exception, stall_seconds: float,
                     stop_requested: Callable[[], bool] = lambda: False, poll_seconds: float = 0.2) -> None:
    """`wait_until_ready`, and when the child is given up: why, logged; the child stopped; `failure` raised
    (the message for the person at the screen, which the log's reason is not)."""
    why = wait_until_ready(process, ready, stall_seconds=stall_seconds, stop_requested=stop_requested,
                           poll_seconds=poll_seconds)
    if why is not None:
        log.error("%s did not start: %s", name, why)
        stop()
        raise failure
