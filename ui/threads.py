"""Keeping Qt objects on the GUI thread: garbage collection there, and a debug check for everything else.

The threading model (README, "Threading model"): Qt objects live and die on
the GUI thread; jobs (`ui.jobs`) run on pool threads with their own database
session and hand their results back; device I/O runs on the device thread
(`kiosk.devices.thread`); CPU-heavy work runs in the process pool.

Two things in Python break that model behind the code's back, and this module
deals with both:

- The cyclic garbage collector runs on whichever thread happens to allocate
  when its counters cross their threshold, and a job busy in SQLAlchemy
  allocates far more than the GUI thread does, so most collections happened
  on pool threads. A collection frees unreachable cycles, and in a Qt program
  cycles routinely hold PySide wrappers: a closed window whose lambda slots
  refer back to it, a screen, a QTimer, a QPixmap in a widget's dict. Freeing
  them on a pool thread runs their C++ destructors, PySide's weakref callbacks
  (which disconnect slots) and `__del__` methods there, racing the GUI thread.
  PySide only partly defends itself: a QWidget freed off the main thread is
  deleted later from a Python pending call, at whatever bytecode the GUI
  thread happens to be running (inside a child's slot, in the middle of an
  event), and value types (QPixmap, QIcon, QFont...) are deleted on the spot.
  `install_gc_guard` therefore turns automatic collection off in the GUI
  process and collects on the GUI thread from a QTimer, the way pyqtgraph's
  `GarbageCollector` does; a `gc.callbacks` hook counts any collection that
  still starts on another thread.
- Nothing stops a job or a device callback from calling a widget directly;
  Qt notices only a few such calls (timers, parents across threads) and says
  so in a warning. `OffThreadCheck` is the debug check the tests run with: a
  profile hook on job threads (and every `threading.Thread` started while it
  is on) that records each call of a method of a QObject living on another
  thread, or of a GUI-only value type (QPixmap, QIcon, QCursor).
"""
from __future__ import annotations

import gc
import sys
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer
from PySide6.QtGui import QCursor, QIcon, QPixmap

GUI_ONLY_VALUE_TYPES = (QPixmap, QIcon, QCursor)  # Qt documents these as usable on the GUI thread only
THREAD_SAFE_METHODS = frozenset({"deleteLater", "thread", "metaObject"})  # Qt documents these as thread-safe


def is_gui_thread() -> bool:
    """True on the thread that owns the QApplication (and when there is none yet, on the main thread)."""
    app = QCoreApplication.instance()
    if app is None:
        return threading.current_thread() is threading.main_thread()
    return QThread.currentThread() is app.thread()


# --- garbage collection on the GUI thread -----------------------------------------------------------------
class GuiThreadCollector(QObject):
    """Collects the generation that is due, from a timer on the GUI thread, with automatic collection off."""

    def __init__(self, interval_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        self.collections = 0
        self.off_thread_collections: list[str] = []  # thread names; stays empty unless someone re-enables gc
        self._gui_thread = threading.current_thread()
        self._long_lived = len(gc.get_objects(generation=2))
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start()

    def collect_due(self) -> int:
        """What CPython would have done automatically, but here: gen 0, then 1 and 2 when their counts are due.

        Like CPython, a full collection also waits until the objects that reached
        the oldest generation since the last one are a quarter of those that were
        there (a full collection of a kiosk's heap takes a few hundred ms).
        """
        count0, count1, count2 = gc.get_count()
        if count0 <= self.threshold[0]:
            return 0
        generation = 0
        if count1 > self.threshold[1]:
            generation = 1
            if count2 > self.threshold[2]:
                oldest = len(gc.get_objects(generation=2))
                if oldest - self._long_lived > self._long_lived // 4:
                    generation = 2
        self.collections += 1
        found = gc.collect(generation)
        if generation == 2:
            self._long_lived = len(gc.get_objects(generation=2))
        return found

    def watch(self, phase: str, _info: dict[str, int]) -> None:  # a gc.callbacks hook: runs on the collecting thread
        if phase == "start" and threading.current_thread() is not self._gui_thread \
                and len(self.off_thread_collections) < 1000:
            self.off_thread_collections.append(threading.current_thread().name)

    def stop(self) -> None:
        self._timer.stop()


# --- Python's lock handed to the GUI thread sooner ---------------------------------------------------------
GUI_SWITCH_INTERVAL_S = 0.001


def favour_gui_thread() -> None:
    """Python's switch interval for a window process: 1 ms instead of CPython's 5.

    The GUI thread lets go of Python's lock in most calls into Qt, and a job
    thread busy in Python (a submission's SQLAlchemy work) takes it at once;
    to get it back the GUI thread waits out the job's whole switch interval,
    makes one more Qt call and lets go again. Laying out and painting a screen
    makes hundreds of such calls: beside a Python job, a screen that takes
    10 ms alone took 41-51 ms in the median and up to 126 ms at 5 ms, and
    13-22 ms (max 34-53) at 1 ms (`bench/gil_convoy.py`). The job runs slower
    while the GUI thread works, which is the point: a person is watching one.
    Process-wide; call it where the QApplication is made."""
    sys.setswitchinterval(GUI_SWITCH_INTERVAL_S)


_collector: GuiThreadCollector | None = None


def install_gc_guard(interval_ms: int = 100) -> GuiThreadCollector:
    """Every 100 ms: with automatic collection off, the young generation grows between two collections, and
    one collection pauses the screen for as long as it takes to walk it; often and small keeps each pause short."""
    return _install_gc_guard(interval_ms)


def _install_gc_guard(interval_ms: int) -> GuiThreadCollector:
    """Call once on the GUI thread after the QApplication exists (the windows' entry points and the tests do)."""
    global _collector
    app = QCoreApplication.instance()
    if app is None or not is_gui_thread():
        raise RuntimeError("install_gc_guard needs the QApplication and must run on its (GUI) thread")
    if _collector is not None and shiboken6.isValid(_collector):
        return _collector
    _collector = GuiThreadCollector(interval_ms, app)
    gc.callbacks.append(_collector.watch)
    gc.disable()
    return _collector


def uninstall_gc_guard() -> None:
    """Back to CPython's automatic collection (tests, after their last Qt test)."""
    global _collector
    if _collector is None:
        return
    _collector.stop()
    if _collector.watch in gc.callbacks:
        gc.callbacks.remove(_collector.watch)
    _collector.deleteLater()
    _collector = None
    gc.enable()
    gc.collect()


def gc_guard() -> GuiThreadCollector | None:
    return _collector


START_UP_SETTLED_MS = 10_000  # the windows' entry points freeze this long after showing: the store is open by then


def freeze_start_up() -> None:
    """Once the window is up: put everything made at start-up out of the collector's reach, for good.

    A full collection walks every tracked object, and most of a window
    process's objects are made at start-up and live as long as it does (the
    modules, PySide's wrappers, the catalog, the fonts, the screens built once),
    so each full collection paid a few hundred ms on the GUI thread to find
    nothing among them. `gc.freeze` moves them to the permanent generation;
    what is garbage already is collected first, since frozen objects never are.
    """
    gc.collect()
    gc.freeze()
    if _collector is not None:
        _collector._long_lived = len(gc.get_objects(generation=2))


# --- the debug check: Qt objects touched off their thread ----------------------------------------------
@dataclass
class Violation:
    thread: str
    what: str
    where: str

    def __str__(self) -> str:
        return f"{self.what} called on thread {self.thread!r}\n{self.where}"


@dataclass
class OffThreadCheck:
    """Records every call of a method of a QObject that lives on another thread, or of a GUI-only value type."""

    violations: list[Violation] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def profile(self, frame: Any, event: str, arg: Any) -> None:
        if event != "c_call":
            return
        owner = getattr(arg, "__self__", None)
        name = getattr(arg, "__name__", "?")
        if isinstance(owner, QObject):
            if name in THREAD_SAFE_METHODS:
                return
            try:
                if owner.thread() is QThread.currentThread():
                    return  # made on this thread (a QBuffer, a QPdfDocument in a job): its own business
            except RuntimeError:  # the C++ object is already gone: calling it at all is the bug
                pass
        elif not isinstance(owner, GUI_ONLY_VALUE_TYPES):
            return
        where = "".join(traceback.format_stack(frame, limit=6))
        with self._lock:
            self.violations.append(Violation(threading.current_thread().name, f"{type(owner).__name__}.{name}()",
                                             where))

    @contextmanager
    def watching(self) -> Iterator[None]:
        """Profile the calling thread for the duration (a job's `run`)."""
        previous = sys.getprofile()
        sys.setprofile(self.profile)
        try:
            yield
        finally:
            sys.setprofile(previous)

    def take(self) -> list[Violation]:
        with self._lock:
            found, self.violations = self.violations, []
        return found


_check: OffThreadCheck | None = None


def enable_off_thread_check() -> OffThreadCheck:
    """For tests and debugging: watch job threads and every `threading.Thread` started from now on."""
    global _check
    if _check is None:
        _check = OffThreadCheck()
        threading.setprofile(_check.profile)
    return _check


def disable_off_thread_check() -> None:
    global _check
    _check = None
    threading.setprofile(None)  # type: ignore[arg-type]


@contextmanager
def worker_thread_scope() -> Iterator[None]:
    """What `ui.jobs` wraps each job in: nothing at all unless the debug check is on."""
    check = _check
    if check is None:
        yield
        return
    with check.watching():
        yield


def current_check() -> OffThreadCheck | None:
    return _check


def report(violations: list[Violation]) -> str:
    return "\n\n".join(str(v) for v in violations)

