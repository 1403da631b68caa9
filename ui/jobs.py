"""Running work off the GUI thread, Anki-taskman style: one helper for all of it.

The threading model (also in the README, "Threading model"):

- Qt objects (widgets, QObjects, QTimers, QPixmaps) are created, used and
  deleted on the GUI thread only.
- A job is a plain callable (store writes, sync, printing, PDF rendering). It
  runs on a `QThreadPool` worker, opens its own database session (the
  application layer does `with store.transaction()` per call; sessions are
  never shared between threads) and never touches a widget; its result or
  exception comes back to the GUI thread, where `on_done`/`on_error` run.
- Device I/O (printer, scanner, ID reader) runs on the one device thread
  (`kiosk.devices.thread`); a job may wait for a device future, with a timeout.
- CPU-heavy pure-Python work (PDF layout, image processing) runs in the
  process pool (`run_process_job`), where it cannot hold our GIL.
- Python's garbage collector runs on the GUI thread only (`ui.threads`):
  automatic collection is off in the GUI process and a GUI-thread timer
  collects, because a collection on a pool thread frees the PySide wrappers
  of GUI objects there.

How a job keeps its hands off the GUI's objects, even in its last breath: the
pool thread must never drop the last reference to anything the GUI thread
made. The closure (which captures screens and windows) is also held by the
`Job`, which lives on the GUI thread; the worker lets go of its own reference
before it reports. The outcome (result or exception, whose traceback holds
the job's frames and through them widgets) is put in a queue, and only then
is one argument-less, queued signal sent to a dispatcher on the GUI thread,
which takes the outcome out of the queue, runs the callbacks and drops the
closure there. The `QRunnable` that Qt deletes on the pool thread holds only
an integer, and there is no per-job QObject for the pool thread to free.
"""
from __future__ import annotations

import itertools
import logging
import traceback
from collections import deque
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QRunnable, Qt, QThreadPool, Signal, Slot

from kiosk import processes
from ui.pyside_fixes import repair_singleton_refcounts
from ui.threads import is_gui_thread, worker_thread_scope

log = logging.getLogger(__name__)


class Job(QObject):
    """One submitted job; `done(result)` or `failed(exception)` fires on the GUI thread, then `finished()`."""

    done = Signal(object)
    failed = Signal(object)
    finished = Signal()

    def __init__(self, name: str, owner: QObject | None = None) -> None:
        super().__init__()
        self.name = name
        self._keep: object = None  # the closure or future: released here, on the GUI thread, after delivery
        self._owner = owner  # the window or screen the callbacks act on; gone: they are not called

    def _deliver(self, ok: bool, value: Any) -> None:
        if self._owner is not None and not shiboken6.isValid(self._owner):
            # the window closed while the job ran (a test's window, a kiosk shutting down): its callbacks
            # would act on deleted widgets. The job's own work is done; a failure is still logged.
            if not ok:
                log.warning("background job %s failed after its window closed:\n%s", self.name,
                            getattr(value, "__traceback_text__", repr(value)))
            self._keep = self._owner = None
            return
        if ok:
            self.done.emit(value)
        else:
            self.failed.emit(value)
        self.finished.emit()
        self._keep = None


class _Dispatcher(QObject):
    """Lives on the GUI thread; a worker's `ready` signal reaches it queued, and it delivers what is waiting."""

    ready = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.ready.connect(self.deliver, Qt.ConnectionType.QueuedConnection)

    @Slot()
    def deliver(self) -> None:
        while _outcomes:
            try:
                key, ok, value = _outcomes.popleft()
            except IndexError:
                return
            job = _running.pop(key, None)
            if job is not None:
                job._deliver(ok, value)
            del job, value  # the last references, dropped here on the GUI thread


_running: dict[int, Job] = {}  # keeps each Job (and what it keeps) alive on the GUI thread until delivered
_outcomes: deque[tuple[int, bool, Any]] = deque()  # appended by workers, emptied by the dispatcher
_keys = itertools.count(1)
_dispatcher: _Dispatcher | None = None


def _notify() -> None:
    """From any thread, after appending to `_outcomes` and dropping every local reference to what was appended."""
    dispatcher = _dispatcher
    try:
        dispatcher.ready.emit()  # type: ignore[union-attr]
    except (AttributeError, RuntimeError):  # the application is shutting down and the dispatcher is gone
        log.debug("job result dropped at shutdown")


def _call(fn: Callable[[], Any]) -> tuple[bool, Any]:
    try:
        return True, fn()
    except BaseException as exc:  # noqa: BLE001 - everything must reach the GUI thread
        exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
        return False, exc


class _Runnable(QRunnable):
    """Qt deletes this on the pool thread when `run` returns, so by then it holds nothing but the job's key."""

    def __init__(self, key: int, fn: Callable[[], Any]) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._key = key
        self._fn: Callable[[], Any] | None = fn

    def run(self) -> None:  # runs on a pool thread
        fn, self._fn = self._fn, None
        assert fn is not None
        with worker_thread_scope():
            outcome = (self._key, *_call(fn))
        del fn  # the Job still holds the closure, so this is never the last reference
        _outcomes.append(outcome)
        del outcome  # from here on the queue holds the only reference, and the GUI thread takes it out
        _notify()


def pool() -> QThreadPool:
    return QThreadPool.globalInstance()


def _new_job(name: str, on_done: Callable[[Any], None] | None,
             on_error: Callable[[BaseException], None] | None, owner: QObject | None = None) -> tuple[int, Job]:
    global _dispatcher
    if not is_gui_thread():
        raise RuntimeError(f"job {name!r} started off the GUI thread: its callbacks could never run there")
    if _dispatcher is None or not shiboken6.isValid(_dispatcher):
        repair_singleton_refcounts()  # every job emits and runs a Python override: see ui/pyside_fixes.py
        _dispatcher = _Dispatcher()
        app = QCoreApplication.instance()
        if app is not None:  # the dispatcher lives as long as the application, on its thread
            _dispatcher.setParent(app)
    job = Job(name, owner)
    if on_done is not None:
        job.done.connect(on_done)
    if on_error is not None:
        job.failed.connect(on_error)
    else:
        job.failed.connect(lambda exc: log.error("background job %s failed:\n%s", name,
                                                 getattr(exc, "__traceback_text__", repr(exc))))
    key = next(_keys)
    _running[key] = job
    return key, job


def run_job(name: str, fn: Callable[[], Any], *, on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None, owner: QObject | None = None) -> Job:
    """Start `fn` on a worker thread; callbacks run on the GUI thread. Call it on the GUI thread.

    `owner`: the callbacks run only while it exists; give it when they are closures over a window that
    may close before the job ends (a bound method of a QObject is disconnected by Qt itself)."""
    key, job = _new_job(name, on_done, on_error, owner)
    job._keep = fn
    pool().start(_Runnable(key, fn))
    return job


def running_jobs() -> int:
    return len(_running)


def running_job_names() -> list[str]:
    """The names of the jobs started and not yet delivered, oldest first (for tests and diagnostics)."""
    return [job.name for job in _running.values()]


def wait_idle(msecs: int = 30_000) -> bool:
    """For shutdown and tests: wait until every worker is back in the pool (process jobs are not waited for)."""
    return pool().waitForDone(msecs)


def run_process_job(name: str, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None] | None = None,
                    on_error: Callable[[BaseException], None] | None = None, owner: QObject | None = None) -> Job:
    """Like `run_job`, but `fn(*args)` (picklable, module-level) runs in a separate process.

    No pool thread waits for it: the future's completion hands the outcome to
    the GUI thread directly, so a wedged worker process occupies no thread and
    cannot make `wait_idle` or the pool's shutdown wait for ever. `owner` as for `run_job`.
    """
    key, job = _new_job(name, on_done, on_error, owner)
    try:
        future = processes.submit(fn, *args)
    except BaseException as exc:  # noqa: BLE001 - a shut-down or broken pool: reported like a failed job
        exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
        _outcomes.append((key, False, exc))
        _notify()
        return job
    job._keep = future  # the future holds the result: it too is let go of on the GUI thread

    def finished(done: Any) -> None:  # on the executor's own thread (or here, if it is already done)
        try:
            outcome = (key, True, done.result())
        except BaseException as exc:  # noqa: BLE001 - includes CancelledError at shutdown
            exc.__traceback_text__ = "".join(traceback.format_exception(exc))  # type: ignore[attr-defined]
            outcome = (key, False, exc)
        _outcomes.append(outcome)
        del outcome
        _notify()

    future.add_done_callback(finished)
    return job
