"""The background sync worker: plain threading, no Qt (the UI wraps it).

It runs a pass right after a submission (`poke()`), when the link comes
back, and otherwise on a timer that backs off exponentially with jitter,
capped at a few minutes, while the platform is unreachable. `status()`
gives the UI what it shows: online or not, pending items and bytes, last
success, last error.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace

from kiosk.errors import UserFacingError
from kiosk.retry import SYNC_PASS, RetryPolicy
from kiosk.store.models import utcnow
from kiosk.terminal import SyncState, Terminal
from sync.client import PlatformClient
from sync.credentials import Credential, EnrollmentRequired, require_credential
from sync.engine import PassReport, SyncEngine

log = logging.getLogger("onewindow.sync.worker")


class SyncWorker:
    def __init__(self, terminal: Terminal, *, engine_factory: Callable[[], SyncEngine] | None = None,
                 idle_interval: float = 60.0, retry: RetryPolicy = SYNC_PASS,
                 on_status: Callable[[SyncState], None] | None = None) -> None:
        self.terminal = terminal
        self._engine_factory = engine_factory or self._default_engine
        self.idle_interval = idle_interval
        self.retry = retry
        self.on_status = on_status
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._status = SyncState()
        self._thread: threading.Thread | None = None
        self._failures = 0
        self._engine: tuple[Credential, SyncEngine] | None = None

    def _default_engine(self) -> SyncEngine:
        """The same engine pass after pass while the credential stays the same (a new one after enrolling
        again): what it keeps across passes is what makes them cheap. A new engine per pass sized every
        pass's uploads from 32 KB again, asked for the catalog and checked for updates every pass."""
        credential = require_credential(self.terminal.settings)
        if self._engine is None or self._engine[0] != credential:
            if self._engine is not None:
                self._engine[1].client.close()
            self._engine = (credential, SyncEngine(self.terminal, PlatformClient.for_credential(credential)))
        return self._engine[1]

    # --- control ----------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="onewindow-sync", daemon=True)
        self._set(running=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._set(running=False)

    def poke(self) -> None:
        """Sync now (after a submission, or when the network says the link is back)."""
        self._wake.set()

    def connectivity_changed(self, online: bool) -> None:
        if online:
            self._failures = 0
            self.poke()

    def status(self) -> SyncState:
        with self._lock:
            return self._status

    # --- the loop ---------------------------------------------------------------------------

    def _set(self, **changes: object) -> None:
        with self._lock:
            self._status = replace(self._status, **changes)  # type: ignore[arg-type]
            status = self._status
        if self.on_status is not None:
            try:
                self.on_status(status)
            except Exception:  # a UI callback must never kill the worker
                log.exception("sync status callback failed")

    def run_once(self) -> PassReport | None:
        """One pass with all the bookkeeping; the loop and tests call it."""
        self._set(syncing=True, last_attempt_at=utcnow())
        try:
            engine = self._engine_factory()
            report = engine.run_pass()
        except EnrollmentRequired as exc:
            self._failures += 1
            self._set(syncing=False, online=True, enrollment_required=True, last_error=exc.message.both())
            return None
        except UserFacingError as exc:
            self._failures += 1
            self._set(syncing=False, last_error=exc.message.both())
            return None
        except Exception as exc:  # a defect: log it whole, keep the worker alive
            log.exception("sync pass failed")
            self._failures += 1
            self._set(syncing=False, last_error=f"{type(exc).__name__}: {exc}")
            return None
        if report.online:
            self._failures = 0 if not report.errors else self._failures
            self._set(syncing=False, online=True, enrollment_required=False, pending_items=report.pending,
                      pending_bytes=report.pending_bytes, last_success_at=utcnow(),
                      last_error="; ".join(report.errors) or None)
        else:
            self._failures += 1
            self._set(syncing=False, online=False, pending_items=report.pending, pending_bytes=report.pending_bytes,
                      last_error="; ".join(report.errors) or None)
        return report

    def _delay(self, report: PassReport | None) -> float:
        if self._failures:
            return self.retry.delay(self._failures)
        if report is not None and report.pending and report.progressed:
            return 0.0  # more to do and it is going well: keep going
        return self.idle_interval

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            report = self.run_once()
            delay = self._delay(report)
            self._set(next_attempt_in=delay)
            deadline = time.monotonic() + delay
            while not self._stop.is_set() and not self._wake.is_set() and time.monotonic() < deadline:
                self._wake.wait(min(1.0, max(0.0, deadline - time.monotonic())))
