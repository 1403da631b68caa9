"""Running work off the GUI thread, Anki-taskman style: one helper for all of it.

A job is a plain callable (store writes, sync, printing, PDF rendering). It
runs on a `QThreadPool` worker and its result or exception comes back to the
GUI thread through a Qt signal (queued connection), so a job never touches a
widget and a slow disk or network never freezes the screen.
"""
from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[], Any], signals: _Signals) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._signals = signals

    def run(self) -> None:  # runs on a pool thread
        try:
            result = self._fn()
        except BaseException as exc:  # noqa: BLE001 - everything must reach the GUI thread
            exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
            self._emit(self._signals.failed, exc)
        else:
            self._emit(self._signals.done, result)

    @staticmethod
    def _emit(signal: object, value: object) -> None:
        try:
            signal.emit(value)  # type: ignore[attr-defined]
        except RuntimeError:  # the application is shutting down and the receiver is gone
            log.debug("job result dropped at shutdown")


class Job(QObject):
    """One submitted job; `done(result)` or `failed(exception)` fires on the GUI thread."""

    done = Signal(object)
    failed = Signal(object)
    finished = Signal()

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self._signals = _Signals()
        self._signals.done.connect(self._on_done)
        self._signals.failed.connect(self._on_failed)

    @Slot(object)
    def _on_done(self, result: Any) -> None:
        self.done.emit(result)
        self.finished.emit()
        _running.discard(self)

    @Slot(object)
    def _on_failed(self, exc: BaseException) -> None:
        self.failed.emit(exc)
        self.finished.emit()
        _running.discard(self)


_running: set[Job] = set()  # keeps Job objects alive until their signal has been delivered


def pool() -> QThreadPool:
    return QThreadPool.globalInstance()


def run_job(name: str, fn: Callable[[], Any], *, on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None) -> Job:
    """Start `fn` on a worker thread; callbacks run on the GUI thread."""
    job = Job(name)
    if on_done is not None:
        job.done.connect(on_done)
    if on_error is not None:
        job.failed.connect(on_error)
    else:
        job.failed.connect(lambda exc: log.error("background job %s failed:\n%s", name,
                                                 getattr(exc, "__traceback_text__", repr(exc))))
    _running.add(job)
    pool().start(_Runnable(fn, job._signals))
    return job


def running_jobs() -> int:
    return len(_running)


def wait_idle(msecs: int = 30_000) -> bool:
    """For shutdown and tests: wait until every worker is back in the pool."""
    return pool().waitForDone(msecs)


_processes: dict[str, object] = {}


def _process_pool() -> object:
    """One spawned worker process for CPU-heavy pure-Python work (PDF layout, image processing).

    Threads share the GIL, and some libraries hold it for 100 ms and more in one
    C call (reportlab's font handling), which freezes the screen; a separate
    process cannot. Spawned, not forked: forking a process that runs Qt threads is unsafe.
    """
    if "pool" not in _processes:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        _processes["pool"] = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    return _processes["pool"]


def run_process_job(name: str, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None] | None = None,
                    on_error: Callable[[BaseException], None] | None = None) -> Job:
    """Like `run_job`, but `fn(*args)` (picklable, module-level) runs in a separate process."""
    pool_ = _process_pool()
    return run_job(name, lambda: pool_.submit(fn, *args).result(), on_done=on_done,  # type: ignore[attr-defined]
                   on_error=on_error)


def shutdown_processes() -> None:
    pool_ = _processes.pop("pool", None)
    if pool_ is not None:
        pool_.shutdown(wait=False, cancel_futures=True)  # type: ignore[attr-defined]
