"""The one worker process for CPU-heavy pure-Python work (PDF layout, image processing). No Qt.

Threads share Python's lock (the GIL). A thread that runs Python for a
hundred milliseconds (reportlab laying out a notice, with its pure-Python
QR encoder and TrueType subsetting) keeps a window's GUI thread waiting for
the lock the whole time on a busy two-core machine, although CPython asks
the holder to let go every 5 ms: the holder is often preempted while it
holds the lock, and other threads take their turns before the GUI thread.
A separate process shares no lock, so the window's GUI thread stays free.

The pool lives here rather than in `ui` so that the printing part can use it
from its threads (`call_in_process`) as well as `ui.jobs.run_process_job`
from the GUI thread: one spawned worker process for the whole window process.
Spawned, not forked: forking a process that runs Qt threads is unsafe.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class Offload(Protocol):
    """Where a background thread runs CPU-heavy work: `call_in_process`, or `call_here` with no GUI to spare."""

    def __call__(self, fn: Callable[..., T], /, *args: Any, timeout: float | None = None) -> T: ...

log = logging.getLogger("onewindow.processes")

#: how much less CPU the worker process asks for than its window (Linux nice). On a two-core hall PC a
#: notice's layout here and a job thread of the window took both CPUs while the GUI thread waited 17 ms for
#: one in the middle of a tap (issue 10's soak); a process shares no Python lock with the window, so a lower
#: priority cannot make the window wait behind it. Less than the sync process's 10: a person may be waiting
#: for what it makes (a scan's preview, a notice), only not to the millisecond.
NICENESS = 5

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


def _lower_priority() -> None:  # the worker's initializer, in the worker
    try:
        os.nice(NICENESS)
    except OSError:
        log.warning("could not lower the worker process's priority", exc_info=True)


def process_pool() -> ProcessPoolExecutor:
    """The worker process's pool, started on first use (about a second to import what the work needs)."""
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_lower_priority)
        return _pool


def submit(fn: Callable[..., T], *args: Any) -> Future[T]:
    """`fn(*args)` (picklable, module-level) in the worker process; a pool broken by a dead worker is replaced once."""
    global _pool
    pool = process_pool()
    try:
        return pool.submit(fn, *args)
    except BrokenProcessPool:
        with _lock:
            if _pool is pool:
                _pool = None
        pool.shutdown(wait=False, cancel_futures=True)
        return process_pool().submit(fn, *args)


def call_in_process(fn: Callable[..., T], *args: Any, timeout: float | None = None) -> T:
    """For a background thread: `fn(*args)` in the worker process, waiting for it without holding the GIL.

    Raises what `fn` raised, `TimeoutError`, or `BrokenProcessPool` if the worker died meanwhile."""
    return submit(fn, *args).result(timeout)


def call_here(fn: Callable[..., T], *args: Any, timeout: float | None = None) -> T:  # noqa: ARG001 - same signature
    """`call_in_process`'s stand-in where no GUI shares the process (a one-shot CLI command, tests)."""
    return fn(*args)


def shutdown_processes() -> None:
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)
