"""Saving the draft as the citizen goes, without ever blocking the screen.

Saves run as background jobs, one at a time; a request made while one runs
is coalesced into a single follow-up save of the newest state. Before the
application is submitted (or the draft discarded) the saver is stopped and
drained, so a late save can never recreate a draft that has been closed.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from typing import TYPE_CHECKING

from ui.jobs import run_job

if TYPE_CHECKING:
    from kiosk.drafts import DraftSnapshot

log = logging.getLogger("onewindow.kiosk")


START_AFTER_MS = 1  # a timer, not a posted call: a turn of the event loop of its own, after the step's first paint


class DraftSaver(QObject):
    saved = Signal()
    failed = Signal(object)

    def __init__(self, save: "Callable[[DraftSnapshot], None]", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._save = save
        self._running = False
        self._next: "DraftSnapshot | None" = None
        self._stopped = False
        self._closed = False  # saved for the last time, at shutdown
        self._when_idle: list[Callable[[], None]] = []
        self.saves = 0
        self._soon: "Callable[[], DraftSnapshot | None] | None" = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._fire_soon)

    def request_soon(self, snapshot_fn: "Callable[[], DraftSnapshot | None]", delay_ms: int = 1500) -> None:
        """Save a little after typing pauses, so a crash loses at most a few seconds of typing."""
        self._soon = snapshot_fn
        self._timer.start(delay_ms)

    def _fire_soon(self) -> None:
        fn, self._soon = self._soon, None
        if fn is not None:
            self.request(fn())

    @property
    def busy(self) -> bool:
        return self._running

    def request(self, snapshot: "DraftSnapshot | None") -> None:
        if snapshot is None or self._stopped:
            return
        if self._running:
            self._next = snapshot
            return
        self._start(snapshot)

    def _start(self, snapshot: "DraftSnapshot") -> None:
        """The job starts in a turn after this one. A save is asked for by the tap that moves to the next step,
        and its 40 ms of Python (the snapshot's serialising, the store's ORM work) took turns for Python's lock
        with the next screen's showing and first paint: the soak's longest stalls after the submission's
        (issue 10). The snapshot is this moment's; only the writing waits, for a millisecond."""
        self._running = True
        QTimer.singleShot(START_AFTER_MS, self, lambda: self._run(snapshot))

    def _run(self, snapshot: "DraftSnapshot") -> None:
        if self._closed:  # saved at shutdown meanwhile, with a newer state: this one must not land after it
            self._running = False
            return
        run_job("save-draft", lambda: self._save(snapshot), on_done=self._finished, on_error=self._error)

    def _finished(self, _result: object = None) -> None:
        self.saves += 1
        self.saved.emit()
        self._after()

    def _error(self, exc: BaseException) -> None:
        log.error("draft save failed:\n%s", getattr(exc, "__traceback_text__", repr(exc)))
        self.failed.emit(exc)
        self._after()

    def _after(self) -> None:
        self._running = False
        if self._next is not None and not self._stopped:
            snapshot, self._next = self._next, None
            self._start(snapshot)
            return
        self._next = None
        callbacks, self._when_idle = self._when_idle, []
        for callback in callbacks:
            callback()

    def stop_then(self, callback: Callable[[], None]) -> None:
        """Accept no more saves; call `callback` once the one in flight (if any) is done."""
        self._stopped = True
        self._next = None
        self._soon = None
        self._timer.stop()
        if self._running:
            self._when_idle.append(callback)
        else:
            callback()

    def restart(self) -> None:
        self._stopped = False

    def save_now(self, snapshot: "DraftSnapshot") -> bool:
        """At shutdown, with the job pool idle: save `snapshot` on this thread and accept nothing after it.

        True once it is on disk. A background save still running here (the
        shutdown's wait for jobs ran out) may land after this one; it holds
        an older state of the same draft, so at worst the last few seconds of
        typing are lost, never the draft.
        """
        self._stopped = True
        self._closed = True
        self._next = None
        self._soon = None
        self._timer.stop()
        if self._running:
            log.warning("a background draft save is still running at shutdown; saving the newest state anyway")
        try:
            self._save(snapshot)
        except Exception:  # noqa: BLE001 - logged whole; the shutdown goes on
            log.exception("the final draft save at shutdown failed")
            return False
        self.saves += 1
        return True
