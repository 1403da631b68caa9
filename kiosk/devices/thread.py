"""One thread per kind of device for all device I/O.

Scanner libraries (SANE above all) are not safe to call from several threads
at once, and a scan blocks for seconds; so, as Electrum does with its
hardware wallets, every device call is queued to one long-lived worker
thread and the caller gets a `Future`. The GUI thread never blocks on a
device: it attaches a callback to the future instead.

The identity-card reader and the document camera have threads of their own
(`ID_CARDS`, `CAMERAS`): a driver call that never returns then holds only its
own kind of device. That happens: a SANE backend cancels its reader thread
asynchronously, and one cancelled inside `malloc` dies holding the
allocator's lock and is never joined, so `sane_cancel` waits for ever (seen
with libsane's test backend in CI). The scanner is then lost until the
program restarts (`busy_for` lets a caller say so at once instead of waiting
again); the card reader, which the citizen's application starts with, and
the camera keep working.
"""
from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")

_STOP = object()


class DeviceThread:
    """Runs submitted calls one at a time, in order, on its own daemon thread."""

    def __init__(self, name: str = "onewindow-devices") -> None:
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._started = False
        self._closed = False
        self._lock = threading.Lock()
        self._running_since: float | None = None  # time.monotonic() when the running call began

    def submit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("the device thread has been shut down")
            if not self._started:
                self._thread.start()
                self._started = True
            self._queue.put((future, fn, args, kwargs))
        return future

    def call(self, fn: Callable[..., T], *args: Any, timeout: float | None = None, **kwargs: Any) -> T:
        """Submit and wait: for the CLI and tests. Raises what the call raised."""
        if threading.current_thread() is self._thread:
            return fn(*args, **kwargs)  # already on the device thread: queuing would deadlock
        return self.submit(fn, *args, **kwargs).result(timeout)

    def busy_for(self) -> float:
        """Seconds the call now running has taken (0 when idle): a driver that never returned shows here."""
        since = self._running_since
        return 0.0 if since is None else max(0.0, time.monotonic() - since)

    @property
    def ident(self) -> int | None:
        return self._thread.ident

    def on_thread(self) -> bool:
        return threading.current_thread() is self._thread

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            future, fn, args, kwargs = item
            if not future.set_running_or_notify_cancel():
                continue
            self._running_since = time.monotonic()
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:  # handed to the caller, who decides
                future.set_exception(exc)
            else:
                future.set_result(result)
            finally:
                self._running_since = None

    def shutdown(self, wait: bool = True) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._started:
                self._queue.put(_STOP)
        if wait and self._started and not self.on_thread():
            self._thread.join()


DEVICES = "devices"  # scanners (SANE) and file import
ID_CARDS = "idcard"  # identity-card readers
CAMERAS = "camera"  # document cameras: the way to capture a page while the scanner is stuck

_threads: dict[str, DeviceThread] = {}
_threads_lock = threading.Lock()


def device_thread(kind: str = DEVICES) -> DeviceThread:
    """The process's thread for `kind` of device, started on first use."""
    with _threads_lock:
        found = _threads.get(kind)
        if found is None or found._closed:
            found = _threads[kind] = DeviceThread(f"onewindow-{kind}")
        return found


def started_device_threads() -> list[DeviceThread]:
    """Every device thread made so far that is not shut down (for the process's exit)."""
    with _threads_lock:
        return [t for t in _threads.values() if not t._closed]
