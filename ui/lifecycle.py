"""A window process from start to exit: the data dir lock, signals, crash reports, one shutdown path.

systemd and `cage` stop a kiosk with SIGTERM, a developer with Ctrl-C
(SIGINT). A Python signal handler alone never runs while Qt sits in its C++
event loop, so `SignalWatcher` has the C-level handler write the signal
number to a socket (`signal.set_wakeup_fd`) that a `QSocketNotifier` watches:
the GUI thread hears of the signal at once and closes the windows, and the
event loop ends as if the person had closed the window.

Either way `WindowProcess.shutdown()` then runs, once, in this order: the
windows are closed (timers, read-aloud process), the background jobs are
given a bounded time to finish, the kiosk saves the citizen's unfinished
application as a draft for staff on this thread, then the sync worker, the
job pool, the process pool, the device thread and the local platform child
stop, and the lock file records a clean shutdown. If something is still
stuck after its bound, the process leaves with `os._exit` rather than hang
(Qt would otherwise wait for every pool thread at exit); the data is on
disk by then.

A signal that comes before the event loop runs (store opening, local
platform starting) is remembered by a plain handler from `begin()`; the
entry point then starts nothing more (`stop_requested`: no hub, no window)
and goes straight to the shutdown, or, if the window already exists, the
signal is acted on as soon as the loop starts (a window closed before its
first frame starts nothing after it). The shutdown ends by deleting the
window, so that none of its timers or child processes is left for Python's
exit to destroy in whatever order (`_delete_window`). While the shutdown
runs, SIGTERM and SIGINT are back to their default actions, so a second one
ends the process at once.
"""
from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (QCoreApplication, QMessageLogContext, QObject, QSocketNotifier, QTimer, QtMsgType,
                            qFormatLogMessage, qInstallMessageHandler)

from kiosk import crash_log
from kiosk.instance_lock import InstanceLock, acquire
from ui.watchdog import ServiceWatchdog

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication
    from kiosk.settings import Settings
    from kiosk.terminal import Terminal

log = logging.getLogger("onewindow.lifecycle")

SHUTDOWN_SIGNALS = (signal.SIGTERM, signal.SIGINT)
JOB_WAIT_MS = 10_000  # a local save or a print finishes well within this; a hung network call does not
DEVICE_WAIT_S = 5.0


class SignalWatcher(QObject):
    """Turns SIGTERM/SIGINT into a call on the GUI thread, however deep in Qt's loop it is."""

    def __init__(self, on_signal: Callable[[int], None], signals: tuple[int, ...] = SHUTDOWN_SIGNALS,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_signal = on_signal
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        self._previous = {signum: signal.signal(signum, self._noted) for signum in signals}
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)
        self.received: list[int] = []

    @staticmethod
    def _noted(_signum: int, _frame: object) -> None:
        """Python's part of the handler: nothing, the C part has already written the number to the socket."""

    def _drain(self) -> None:
        try:
            data = self._reader.recv(256)
        except (BlockingIOError, OSError):
            return
        for signum in data:
            if signum in self._previous:
                self.received.append(signum)
                self._on_signal(signum)

    def close(self) -> None:
        """Default actions again (a second signal ends the process at once); the socket is closed."""
        if self._reader.fileno() < 0:
            return
        self._notifier.setEnabled(False)
        for signum in self._previous:
            signal.signal(signum, signal.SIG_DFL)
        signal.set_wakeup_fd(self._previous_fd if self._previous_fd != self._writer.fileno() else -1)
        self._reader.close()
        self._writer.close()


_recent_qt: deque[str] = deque(maxlen=20)
_previous_qt_handler: list[Any] = []


def _qt_message(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Qt's messages still reach stderr; a fatal one is also written to crash.log before Qt aborts."""
    text = qFormatLogMessage(mode, context, message)
    if mode == QtMsgType.QtFatalMsg:
        where = f" ({context.file}:{context.line} {context.function or ''})" if context.file else ""
        recent = "\n".join(f"  {line}" for line in _recent_qt)
        crash_log.write_report(f"Qt fatal error: {message}{where}",
                               f"Qt's last messages before it:\n{recent}" if recent else "", stacks=True)
    else:
        _recent_qt.append(text)
        if mode == QtMsgType.QtCriticalMsg:
            log.error("Qt: %s", message)
    previous = _previous_qt_handler[0] if _previous_qt_handler else None
    if previous is not None:
        previous(mode, context, message)
    else:
        try:
            sys.stderr.write(text + "\n")
        except (OSError, ValueError):
            pass


def install_qt_message_handler() -> None:
    if not _previous_qt_handler:
        _previous_qt_handler.append(qInstallMessageHandler(_qt_message))


class WindowProcess:
    """One window process (`onewindow app`, `kiosk` or `counter`) and everything it must stop.

    The entry point fills in `local_platform`, `window` and `terminal` as it
    builds them and calls `shutdown()` in a `finally`, so whatever was started
    before a failure is stopped too.
    """

    def __init__(self, command: str, lock: InstanceLock) -> None:
        self.command = command
        self.lock = lock
        self.local_platform: Any = None
        self.local_hub: Any = None  # sync.hall.embedded.LocalHub, with --local-platform
        self.window: Any = None
        self.terminal: Terminal | None = None
        self.watcher: SignalWatcher | None = None
        self.service_watchdog: ServiceWatchdog | None = None
        self.exit_code: int | None = None
        self._early: list[int] = []
        self._shut_down = False

    @property
    def stop_requested(self) -> bool:
        """A SIGTERM/SIGINT came while starting: the entry point starts nothing more (no hub, no window)."""
        return bool(self._early)

    def note_early_signal(self, signum: int, _frame: object) -> None:
        """A signal before the event loop runs: remembered (`stop_requested`), acted on at the next step.

        Raising here instead could unwind through code that has just started a
        child (the local platform) before anyone holds on to it.
        """
        log.info("received %s while starting: will shut down once started", signal.Signals(signum).name)
        self._early.append(signum)

    def start_qt(self) -> QApplication:
        """The QApplication, with what every window needs before its first widget: garbage collection on the
        GUI thread only (ui/threads.py), the PySide6 refcount repair without which 6.12.0 on CPython 3.11
        aborts after hours (ui/pyside_fixes.py), signals and Qt fatal errors watched, the CJK fonts, and
        Python's lock handed back to the GUI thread sooner (`favour_gui_thread`)."""
        from PySide6.QtWidgets import QApplication

        from ui.fonts import install_fonts
        from ui.pyside_fixes import repair_singleton_refcounts
        from ui.threads import favour_gui_thread, install_gc_guard

        app = QApplication.instance() or QApplication(sys.argv[:1])
        assert isinstance(app, QApplication)
        install_gc_guard()
        favour_gui_thread()
        repair_singleton_refcounts()
        self.watch(app)
        install_fonts(app)
        return app

    def watch(self, app: QCoreApplication) -> None:
        """Call once the QApplication exists: signals end its loop; Qt fatal errors reach crash.log."""
        install_qt_message_handler()
        self.watcher = SignalWatcher(self._signalled, parent=app)
        self.service_watchdog = ServiceWatchdog(app, status=f"onewindow {self.command}")
        for signum in self._early:
            QTimer.singleShot(0, lambda signum=signum: self._signalled(signum))

    def _signalled(self, signum: int) -> None:
        log.info("received %s: shutting down", signal.Signals(signum).name)
        app = QCoreApplication.instance()
        if app is None:
            return
        close_all = getattr(app, "closeAllWindows", None)
        if close_all is not None:
            close_all()
        app.quit()

    def exec(self, app: QCoreApplication) -> int:
        if self.service_watchdog is not None:
            self.service_watchdog.start()  # READY=1 once the loop runs, then the GUI thread feeds systemd's watchdog
        self.exit_code = app.exec()
        return self.exit_code

    # --- the one shutdown path ------------------------------------------------------------------
    def shutdown(self) -> None:
        if self._shut_down:
            return
        self._shut_down = True
        started = time.monotonic()
        if self.watcher is not None:
            self.watcher.close()
        if self.service_watchdog is not None:
            self.service_watchdog.stop()
        for signum in SHUTDOWN_SIGNALS:  # a second signal ends the process at once
            signal.signal(signum, signal.SIG_DFL)
        problems: list[str] = []
        app = QCoreApplication.instance()
        window = self.window
        if window is not None:
            _attempt(problems, "closing the window", window.close)
        jobs_done = True
        if app is not None:
            jobs_done = _wait_jobs(JOB_WAIT_MS)
            app.processEvents()  # results of finished jobs reach their screens (a submit, a save)
            if not jobs_done:
                problems.append(f"background jobs still running after {JOB_WAIT_MS // 1000} s")
        final_save = getattr(window, "save_draft_for_shutdown", None)
        if final_save is not None:
            _attempt(problems, "saving the citizen's draft", final_save)
        terminal = getattr(window, "terminal", None) or self.terminal
        if terminal is not None:
            _attempt(problems, "stopping the sync and print workers", terminal.close)
        stuck = app is not None and not _wait_jobs(JOB_WAIT_MS if jobs_done else 1000)  # no second long wait
        if stuck:
            problems.append(f"background jobs still running after {JOB_WAIT_MS // 1000} s")
        _attempt(problems, "stopping the process pool", _stop_process_pool)
        _attempt(problems, "stopping the device thread", _stop_device_thread)
        if self.local_platform is not None:
            _attempt(problems, "stopping the local platform", self.local_platform.stop)
        if self.local_hub is not None:
            _attempt(problems, "stopping the local queue server", self.local_hub.stop)
        if window is not None:
            _attempt(problems, "deleting the window", lambda: _delete_window(window))
        for problem in dict.fromkeys(problems):
            self.lock.note_problem(problem)
            log.warning("shutdown: %s", problem)
        self.lock.release(clean=True)
        log.info("onewindow %s shut down in %.1f s", self.command, time.monotonic() - started)
        if stuck:
            # Qt waits for every pool thread when the application object goes; a job stuck on a dead
            # network or device would hold the process for ever. Everything worth keeping is on disk.
            logging.shutdown()
            os._exit(self.exit_code if self.exit_code is not None else 1)


def _attempt(problems: list[str], what: str, fn: Callable[[], Any]) -> bool:
    """One failing step must not keep the others from running; a step that raised or said False is noted."""
    try:
        finished = fn() is not False
    except Exception as exc:  # noqa: BLE001 - logged whole; the shutdown goes on
        log.exception("shutdown: %s failed", what)
        problems.append(f"{what} failed: {type(exc).__name__}")
        return False
    if not finished:
        problems.append(f"{what} did not finish")
    return finished


def _delete_window(window: Any) -> None:
    """The window and its children (timers, read-aloud process, camera) go now, while everything still works.

    Left to Python's exit, they would go in whatever order the interpreter's
    last garbage collection frees the cycles their slots make (automatic
    collection is off, `ui.threads`), with modules half torn down: a child's
    signal then reaches a half-destroyed widget, the error hook a deleted top
    bar, and the process may never end.
    """
    import shiboken6

    sys.excepthook = sys.__excepthook__  # the window's hook shows errors on the window
    if shiboken6.isValid(window):
        shiboken6.delete(window)


def _wait_jobs(msecs: int) -> bool:
    from ui.jobs import wait_idle

    return wait_idle(msecs)


def _stop_process_pool() -> None:
    from kiosk.processes import shutdown_processes

    shutdown_processes()


def _stop_device_thread() -> bool:
    """Bounded: a scanner in the middle of a pass (or a driver that never returns) must not hold the exit for
    minutes. Each kind of device has its own thread; they stop side by side."""
    from kiosk.devices.thread import started_device_threads

    stoppers = [threading.Thread(target=devices.shutdown, name="onewindow-devices-stop", daemon=True)
                for devices in started_device_threads()]
    for stopper in stoppers:
        stopper.start()
    deadline = time.monotonic() + DEVICE_WAIT_S
    for stopper in stoppers:
        stopper.join(max(0.0, deadline - time.monotonic()))
    if any(stopper.is_alive() for stopper in stoppers):
        log.warning("a device thread is still busy after %.0f s; leaving it", DEVICE_WAIT_S)
        return False
    return True


def begin(command: str, settings: "Settings") -> WindowProcess:
    """Logging and crash.log, then the data dir's lock: before the store opens.

    Raises `kiosk.instance_lock.AlreadyRunning` (exit code 2, a bilingual
    message naming the data dir and the other pid) when another window runs.
    """
    from kiosk.logs import configure_logging

    configure_logging(settings.home)
    process = WindowProcess(command, acquire(settings.home, command))
    log.info("onewindow %s started (pid %s) on %s", command, os.getpid(), settings.home)
    for signum in SHUTDOWN_SIGNALS:
        signal.signal(signum, process.note_early_signal)
    return process
