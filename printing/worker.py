"""The print worker: jobs that waited for a printer print by themselves while the windows run.

Plain threading, no Qt (the windows only call `poke()` and `stop()` through
`Terminal.printing`). One thread runs the due jobs oldest first
(`printing.queue.process_pending`), one at a time, then sleeps until the next
job is due (`next_attempt_at`, set with `kiosk.retry.PRINT_JOBS` after each
failure) or until poked. Each job's status is read again after its bytes
(`printing.render.send_job`), so paper that runs out mid-job keeps the job and
a printer that never answers leaves it "unconfirmed" for staff; the worker
never prints an unconfirmed job again.

`print_now` (the citizen's own receipt, while they wait) is one synchronous
attempt. It and the worker never send the same job twice: the claim in the
store (`state=printing`, taken in a `BEGIN IMMEDIATE` transaction) lets only
one of them have it, and a lock per printer keeps them from talking to one
printer at once (a 9100 printer serves one connection at a time; the second
would be told "unreachable"). When the worker had the job, `print_now` waits
for that attempt and returns its outcome.

`stop(timeout)` returns within about `timeout` even while an attempt waits out
a printer's timeout: an attempt that has not sent a byte yet is called off
and its job handed back as pending (`SendGuard`); one that is sending is
left to finish, and if the process ends first the store knows it may have
printed (it becomes "unconfirmed", never printed twice silently).
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime

from kiosk.print_jobs import PrintOutcome
from kiosk.processes import Offload, call_here
from kiosk.retry import PRINT_JOBS, RetryPolicy
from kiosk.store.models import PrintJob, utcnow
from kiosk.terminal import Terminal
from printing.queue import SendGuard, next_due, printer_is_back, process_pending, release_claim, run_job

log = logging.getLogger("onewindow.printing.worker")
#: how long an outcome of the worker is kept for a `print_now` that waited for it
RECENT_SECONDS = 600.0


@dataclass(frozen=True)
class PrintWorkerStatus:
    running: bool = False
    job_id: int | None = None  # the job being sent now
    passes: int = 0
    last_pass_at: datetime | None = None
    last_error: str | None = None  # a defect in the worker itself (printer trouble is on the jobs)
    next_pass_in: float | None = None


class PrintWorker:
    def __init__(self, terminal: Terminal, *, retry: RetryPolicy = PRINT_JOBS, timeout: float = 5.0,
                 idle_interval: float = 60.0, actor: str = "print-worker") -> None:
        self.terminal = terminal
        self.retry = retry
        self.timeout = timeout
        self.idle_interval = idle_interval  # a look even unpoked: another process may have queued a job
        self.actor = actor
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()  # guards the fields below
        self._status = PrintWorkerStatus()
        self._guard: SendGuard | None = None
        self._printer_locks: dict[str, threading.Lock] = {}
        self._recent: dict[int, tuple[float, PrintOutcome]] = {}
        self._thread: threading.Thread | None = None
        self.offload: Offload = call_here  # where A4 documents are laid out (`Printers.lay_out_documents_with`)

    # --- control ----------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="onewindow-print", daemon=True)
        self._set(running=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Returns within about `timeout`; a job not yet sent is handed back as pending, never lost."""
        self._stop.set()
        self._wake.set()
        with self._lock:
            guard = self._guard
        claim = guard.call_off() if guard is not None else None
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                log.warning("print worker still waiting on a printer after %.1f s; leaving it", timeout)
        if claim is not None:  # a no-op when the attempt already recorded itself
            release_claim(self.terminal, *claim)
        self._set(running=False, job_id=None)

    def poke(self) -> None:
        """A job was queued, or the printer may be back: look at once."""
        self._wake.set()

    def status(self) -> PrintWorkerStatus:
        with self._lock:
            return self._status

    # --- one job, from the worker or from a waiting citizen ---------------------------------------

    def print_now(self, job_id: int, *, actor: str) -> PrintOutcome | None:
        """One attempt now, taking turns with the worker on this job's printer."""
        with self.terminal.store.transaction() as session:
            job = session.get(PrintJob, job_id)
            printer = job.printer if job is not None else None
        if printer is None:
            return None
        asked = time.monotonic()
        with self._printer_lock(printer):
            outcome = run_job(self.terminal, job_id, actor=actor, timeout=self.timeout, retry=self.retry,
                              offload=self.offload)
            if outcome is None:  # the worker had it: its attempt is this one
                with self._lock:
                    at, recent = self._recent.get(job_id, (0.0, None))
                outcome = recent if at >= asked else None
        if outcome is not None and outcome.printed and printer_is_back(self.terminal, printer):
            self.poke()  # receipts that waited for this printer go next, not at the end of their backoff
        return outcome

    def _printer_lock(self, printer: str) -> threading.Lock:
        with self._lock:
            return self._printer_locks.setdefault(printer, threading.Lock())

    def _attempt(self, job_id: int, printer: str, force: bool) -> PrintOutcome | None:
        with self._printer_lock(printer):
            if self._stop.is_set():
                return None
            guard = SendGuard()
            with self._lock:
                self._guard = guard
            self._set(job_id=job_id)
            try:
                outcome = run_job(self.terminal, job_id, actor=self.actor, force=force, timeout=self.timeout,
                                  retry=self.retry, guard=guard, offload=self.offload)
            finally:
                with self._lock:
                    self._guard = None
                self._set(job_id=None)
            if outcome is not None:
                now = time.monotonic()
                with self._lock:
                    self._recent = {k: v for k, v in self._recent.items() if now - v[0] < RECENT_SECONDS}
                    self._recent[job_id] = (now, outcome)
            return outcome

    # --- the loop ---------------------------------------------------------------------------

    def _set(self, **changes: object) -> None:
        with self._lock:
            self._status = replace(self._status, **changes)  # type: ignore[arg-type]

    def run_once(self) -> list[PrintOutcome]:
        """One pass over the due jobs; the loop and tests call it."""
        outcomes = process_pending(self.terminal, actor=self.actor, timeout=self.timeout, retry=self.retry,
                                   attempt=self._attempt, should_stop=self._stop.is_set)
        self._set(passes=self.status().passes + 1, last_pass_at=utcnow(), last_error=None)
        return outcomes

    def _delay(self) -> float:
        due = next_due(self.terminal)
        if due is None:
            return self.idle_interval
        return min(self.idle_interval, max(0.0, (due - utcnow()).total_seconds()))

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            self._wake.clear()
            try:
                outcomes = self.run_once()
                delay = self._delay()
                if delay == 0 and not outcomes:  # due, yet nothing to run (held elsewhere): don't spin on it
                    delay = min(0.5, self.idle_interval)
                failures = 0
            except Exception as exc:  # noqa: BLE001 - a defect (the store, a bug): log it whole, keep running
                log.exception("print worker pass failed")
                failures += 1
                self._set(last_error=f"{type(exc).__name__}: {exc}")
                delay = max(self.retry.delay(failures), 0.1)
            self._set(next_pass_in=delay)
            if delay > 0:
                self._wake.wait(delay)
