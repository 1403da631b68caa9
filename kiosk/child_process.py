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

PARENT_ENV = "ONEWINDOW_PARENT_PID"
PR_SET_PDEATHSIG = 1
log = logging.getLogger("onewindow.child")


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
