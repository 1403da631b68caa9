"""The sync worker of a window, run in a process of its own.

Why a process: threads share Python's lock (the GIL). A sync pass runs
Python for tens of milliseconds at a time (SQLAlchemy, JSON, hashing the
audit chain), and while it does, a tap's work on the window's GUI thread
waits its turn for the lock: in `bench/terminal_soak.py` the sync thread
took a third of all the lock time the window's background threads used,
and the GUI's 25 ms of work for a tap took 60-90 ms. A process shares no
lock; the store is SQLite in WAL mode, which already serves `onewindow sync`
run beside a window, and every sync step is idempotent, so a child killed at
any point loses and duplicates nothing (shown for `onewindow sync` by the
kill tests).

The wire between the two is two pipes of text lines:

- the window writes the settings as one JSON line first, then one command per
  line: ``poke``, ``online``, ``offline``, ``stop``;
- the child writes one JSON line per change of its `SyncState`, with the
  etag of the catalog it holds, so the window reloads its own catalog when a
  pass installed a newer one.

The child ends when its stdin closes, when told ``stop``, and when its
window dies (`kiosk.child_process.die_with_parent`). The window restarts a
child that ended on its own, after a pause that grows (`CHILD_RESTART`), and
shows why in the link's last error meanwhile.
"""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from dataclasses import asdict, fields, replace
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from kiosk.child_process import child_environment, die_with_parent, stop_child
from kiosk.retry import RetryPolicy
from kiosk.settings import Settings
from kiosk.terminal import SyncState, Terminal

log = logging.getLogger("onewindow.sync.process")

#: pauses before a child that ended on its own is started again: 1-2 s, 2-4 s ... at most a minute
CHILD_RESTART = RetryPolicy(base=2.0, cap=60.0)
COMMANDS = frozenset({"poke", "online", "offline", "stop"})
_DATES = ("last_success_at", "last_attempt_at")


# --- the lines on the wire --------------------------------------------------------------------------------

def settings_line(settings: Settings) -> str:
    return json.dumps({"settings": {f.name: str(getattr(settings, f.name))
                                    if isinstance(getattr(settings, f.name), Path) else getattr(settings, f.name)
                                    for f in fields(settings)}}, ensure_ascii=False)


def settings_from_line(line: str) -> Settings:
    values: dict[str, Any] = json.loads(line)["settings"]
    kinds = {f.name: f.type for f in fields(Settings)}
    unknown = set(values) - set(kinds)
    if unknown:
        raise ValueError(f"unknown settings from the window: {sorted(unknown)}")
    return Settings(**{k: Path(v) if kinds[k] in (Path, "Path") else v for k, v in values.items()})


def state_line(state: SyncState, catalog_etag: str | None) -> str:
    raw = asdict(state)
    for key in _DATES:
        if raw[key] is not None:
            raw[key] = raw[key].isoformat()
    return json.dumps({"state": raw, "catalog": catalog_etag}, ensure_ascii=False)


def state_from_line(line: str) -> tuple[SyncState, str | None]:
    message = json.loads(line)
    raw = dict(message["state"])
    for key in _DATES:
        if raw.get(key) is not None:
            raw[key] = datetime.fromisoformat(raw[key])
    known = {f.name for f in fields(SyncState)}
    return SyncState(**{k: v for k, v in raw.items() if k in known}), message.get("catalog")


# --- the window's side ------------------------------------------------------------------------------------

class SyncProcess:
    """`SyncWorker`'s interface (start, stop, poke, connectivity_changed, status) for a window."""

    def __init__(self, terminal: Terminal, *, restart: RetryPolicy = CHILD_RESTART,
                 command: list[str] | None = None) -> None:
        self.terminal = terminal
        self.restart = restart
        self.command = command or [sys.executable, "-m", "sync.process"]
        self._lock = threading.Lock()
        self._status = SyncState()
        self._process: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None
        self._stopping = threading.Event()
        self.starts = 0

    def start(self) -> None:
        """The child is started by the follower thread, which lives as long as this object, and `start` waits
        for it: the kernel sends a child its parent-death signal (`kiosk.child_process.die_with_parent`) when
        the *thread* that started it ends, and `start` is often called from a job's pool thread (the kiosk
        opens its terminal in one; the link starts the worker once enrolled), which Qt ends after 30 s idle
        or at shutdown: the child was killed with it, mid-pass, and logged as ended on its own."""
        if self._reader is not None:
            return
        self._stopping.clear()
        first, failure = threading.Event(), list[OSError]()
        self._reader = threading.Thread(target=self._follow, args=(first, failure), name="onewindow-sync-follow",
                                        daemon=True)
        self._reader.start()
        first.wait()
        if failure:  # as before: the caller hears that the first child could not be started
            self._reader.join()
            self._reader = None
            raise failure[0]

    def _spawn(self) -> bool:
        """False once `stop` began: under the lock, so no child is started behind a stop's back."""
        with self._lock:
            if self._stopping.is_set():
                return False
            process = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None,
                                       env=child_environment(), cwd=str(Path(__file__).resolve().parent.parent))
            self._process = process
            self._status = replace(self._status, running=True)
            self.starts += 1
        assert process.stdin is not None
        try:
            process.stdin.write((settings_line(self.terminal.settings) + "\n").encode("utf-8"))
            process.stdin.flush()
        except OSError:
            pass  # it died at once: the follower sees it end
        return True

    def _follow(self, first: threading.Event, failure: list[OSError]) -> None:
        """Start the child, read its states; start it again if it ended without being told to."""
        try:
            started = self._spawn()
        except OSError as exc:
            failure.append(exc)
            return
        finally:
            first.set()
        if not started:
            return
        failures = 0
        while True:
            with self._lock:
                process = self._process
            assert process is not None and process.stdout is not None
            for raw in process.stdout:
                try:
                    state, etag = state_from_line(raw.decode("utf-8"))
                except (ValueError, KeyError, TypeError):
                    log.warning("sync child wrote a line that is not a state: %r", raw[:200])
                    continue
                if state.last_attempt_at is not None and not state.syncing:
                    failures = 0  # it finished a pass: a crash after this is not a crash loop
                with self._lock:
                    self._status = state
                if etag and etag != self.terminal.catalog.etag:
                    self._reload_catalog()
            code = process.wait()
            if self._stopping.is_set():
                return
            failures += 1
            delay = self.restart.delay(failures)
            log.error("the sync process ended on its own (exit code %s); starting it again in %.0f s", code, delay)
            with self._lock:
                self._status = replace(self._status, running=False, syncing=False, last_error=(
                    f"同步进程意外退出（代码 {code}），{delay:.0f} 秒后重新启动 / the sync process ended "
                    f"(exit code {code}); it starts again in {delay:.0f} s"))
            while not self._stopping.wait(delay):
                try:
                    if not self._spawn():
                        return
                    break
                except OSError:
                    log.exception("the sync process could not be started")
                    failures += 1
                    delay = self.restart.delay(failures)
            if self._stopping.is_set():
                return

    def _reload_catalog(self) -> None:
        try:
            self.terminal.reload_catalog()
        except Exception:  # noqa: BLE001 - the screens keep the catalog they have; the next state tries again
            log.exception("the catalog the sync process installed could not be loaded")

    def _send(self, command: str) -> None:
        with self._lock:
            process = self._process
        if process is None or process.stdin is None or process.poll() is not None:
            return  # ended: the follower starts a new one, which makes a pass at once anyway
        try:
            process.stdin.write((command + "\n").encode("ascii"))
            process.stdin.flush()
        except (BrokenPipeError, ValueError, OSError):
            pass  # it is ending: as above

    def poke(self) -> None:
        self._send("poke")

    def connectivity_changed(self, online: bool) -> None:
        self._send("online" if online else "offline")

    def status(self) -> SyncState:
        with self._lock:
            return self._status

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the child to finish; a pass still running after `timeout` is cut (every step is idempotent)."""
        with self._lock:
            self._stopping.set()
            process = self._process
        if process is not None:
            self._send("stop")
            try:
                if process.stdin is not None:
                    process.stdin.close()
            except OSError:
                pass
            try:
                process.wait(timeout=max(0.1, timeout))
            except subprocess.TimeoutExpired:
                log.warning("the sync process did not finish its pass within %.1f s; ending it", timeout)
                stop_child(process, "sync process", timeout=5.0)
        if self._reader is not None:
            self._reader.join(timeout=5.0)
            self._reader = None
        with self._lock:
            self._status = replace(self._status, running=False, syncing=False)


# --- the child's side -------------------------------------------------------------------------------------

def _serve(terminal: Terminal, commands: IO[str], out: IO[str]) -> None:
    from sync.worker import SyncWorker

    write_lock = threading.Lock()

    def emit(state: SyncState) -> None:
        line = state_line(state, terminal.catalog.etag)
        with write_lock:
            try:
                out.write(line + "\n")
                out.flush()
            except (BrokenPipeError, ValueError, OSError):
                pass  # the window is gone; its stdin closing ends us next

    worker = SyncWorker(terminal, on_status=emit)
    worker.start()
    try:
        for line in commands:
            command = line.strip()
            if command == "poke":
                worker.poke()
            elif command in ("online", "offline"):
                worker.connectivity_changed(command == "online")
            elif command == "stop":
                break
            elif command:
                log.warning("unknown command from the window: %r", command[:100])
    finally:
        worker.stop(timeout=25.0)


#: how much less CPU the sync process asks for than its window (Linux nice): nobody waits for a pass at the
#: screen, while a tap on a two-core hall PC competes with it for a CPU (a process shares no Python lock with
#: the window, so a lower priority cannot make the window wait behind it, as it could for a thread)
NICENESS = 10


def main(stdin: IO[str] | None = None, stdout_fd: int = 1) -> int:
    die_with_parent()
    if stdin is None:  # a real child, not a test calling in
        try:
            os.nice(NICENESS)
        except OSError:
            log.warning("could not lower the sync process's priority", exc_info=True)
    commands = stdin or sys.stdin
    # The states go out on a copy of stdout; anything else printed goes to stderr, never into the wire.
    out = os.fdopen(os.dup(stdout_fd), "w", encoding="utf-8", buffering=1)
    os.dup2(2, stdout_fd)
    first = commands.readline()
    if not first:
        return 0
    settings = settings_from_line(first)
    from kiosk.logs import configure_logging

    configure_logging(settings.home, file_name="sync.log")
    terminal = Terminal.open(settings, parts=False)
    log.info("sync process started for %s (window pid %s)", settings.home, os.getppid())
    try:
        _serve(terminal, commands, out)
    finally:
        terminal.store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
