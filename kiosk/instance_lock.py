"""One window per data dir, and a record of how the last one ended.

Two windows on one data dir would run two sync workers over one outbox and
fight over the scanner and the receipt printer, so `onewindow app`, `kiosk`
and `counter` take an exclusive, non-blocking `flock` on `<home>/onewindow.lock`
before they open the store and hold it for the life of the process. The
operating system drops the lock when the process dies, however it dies, so a
crash or power cut never leaves a stale lock that blocks the restart.

The lock file also holds a small JSON record of the run: pid, command and
start time while it runs, plus `stopped_at` once it shut down in order. A
record without `stopped_at` found at start-up means the previous run ended
uncleanly (killed, crashed, power cut); that is logged and kept in the new
record as `previous_unclean`, where `onewindow doctor` reports it.

The command-line tools (`onewindow submit`, `sync`, `print`, `doctor`, ...)
take no lock and may run beside a window: each of their writes is one
SQLite transaction (WAL), and a `sync` beside the window's own worker costs
repeated requests at worst (the platform answers an application it already
has as a duplicate, and resumable uploads follow the server's offset).
"""
from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.errors import Message, UserFacingError

log = logging.getLogger("onewindow.instance")

LOCK_NAME = "onewindow.lock"


class AlreadyRunning(UserFacingError):
    """Exit code 2 through the CLI (a `UserFacingError`), with the data dir and the other pid."""

    def __init__(self, home: Path, pid: int | None, command: str | None) -> None:
        who_zh = f"进程 {pid}" if pid else "另一个进程"
        who_en = f"process {pid}" if pid else "another process"
        what = f" (onewindow {command})" if command else ""
        super().__init__(Message(
            f"数据目录 {home} 已被另一个一窗通办窗口使用（{who_zh}{what}）。同一数据目录只能运行一个窗口："
            f"请先关闭那个窗口，或用 --home 指定另一个数据目录。",
            f"The data dir {home} is already in use by another OneWindow window ({who_en}{what}). "
            f"Only one window may run per data dir: close that one first, or pick another data dir with --home."),
            code="already_running")
        self.home = home
        self.pid = pid


def now_text() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def lock_path(home: Path) -> Path:
    return home / LOCK_NAME


def _read_record(path: Path) -> dict[str, Any] | None:
    """The JSON record, {} when the file exists but holds no readable record (cut short by a crash)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError:
        return {}
    try:
        record = json.loads(text) if text.strip() else {}
    except ValueError:
        return {}
    return record if isinstance(record, dict) else {}


def holder_pid(path: Path) -> int | None:
    """The pid holding a `flock` on `path`, read from /proc/locks (Linux) without touching the lock."""
    try:
        st = path.stat()
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return None
    wanted = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    for line in lines:
        parts = line.split()
        # "1: FLOCK  ADVISORY  WRITE 12345 08:01:1234 0 EOF" (blocked waiters are marked "->")
        if len(parts) >= 6 and parts[1] == "FLOCK" and "->" not in parts and parts[5] == wanted:
            try:
                return int(parts[4])
            except ValueError:
                return None
    return None


@dataclass
class InstanceLock:
    """Held while the window runs; `release()` at a clean shutdown records `stopped_at`."""

    home: Path
    command: str
    fd: int
    record: dict[str, Any]
    previous: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def path(self) -> Path:
        return lock_path(self.home)

    @property
    def previous_unclean(self) -> bool:
        return self.previous is not None and "stopped_at" not in self.previous

    def _write(self, record: dict[str, Any]) -> None:
        data = (json.dumps(record, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, data, 0)
        os.fsync(self.fd)

    def note_problem(self, text: str) -> None:
        """Something the shutdown could not finish (kept in the record for `onewindow doctor`)."""
        self.problems.append(text)

    def release(self, *, clean: bool = True) -> None:
        if self.fd < 0:
            return
        try:
            if clean:
                record = dict(self.record, stopped_at=now_text())
                if self.problems:
                    record["shutdown_problems"] = list(self.problems)
                self._write(record)
        except OSError:
            log.exception("could not record the clean shutdown in %s", self.path)
        finally:
            os.close(self.fd)  # closing the descriptor drops the flock
            self.fd = -1
            _held.pop(self.home, None)


_held: dict[Path, InstanceLock] = {}  # the lock must outlive every local variable that refers to it


def acquire(home: Path, command: str) -> InstanceLock:
    """Take the data dir for this process or raise `AlreadyRunning`; detects an unclean previous end."""
    home = Path(home)
    held = _held.get(home)
    if held is not None:
        return held
    home.mkdir(parents=True, exist_ok=True)
    path = lock_path(home)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            raise
        record = _read_record(path) or {}
        pid = holder_pid(path) or (record.get("pid") if "stopped_at" not in record else None)
        raise AlreadyRunning(home, pid if isinstance(pid, int) else None,
                             str(record["command"]) if "command" in record else None) from None
    # An empty file is one this call just created (or one cut short before its first record).
    previous = _read_record(path) if os.fstat(fd).st_size > 0 else None
    record: dict[str, Any] = {"pid": os.getpid(), "command": command, "started_at": now_text()}
    lock = InstanceLock(home, command, fd, record, previous)
    if lock.previous_unclean:
        gone = {k: v for k, v in (previous or {}).items() if k != "previous_unclean"}
        gone["detected_at"] = record["started_at"]
        record["previous_unclean"] = gone
        log.warning("the previous run on this data dir (pid %s, onewindow %s, started %s) did not shut down "
                    "cleanly: it was killed, crashed or lost power. See logs/crash.log; an application it was "
                    "taking is kept as a draft for staff at the counter.",
                    gone.get("pid", "?"), gone.get("command", "?"), gone.get("started_at", "?"))
    try:
        lock._write(record)
    except OSError:
        os.close(fd)
        raise
    _held[home] = lock
    return lock


@dataclass(frozen=True)
class RunState:
    """What `onewindow doctor` says about the windows on this data dir."""

    running_pid: int | None
    record: dict[str, Any] | None

    @property
    def last_unclean(self) -> dict[str, Any] | None:
        """The most recent run known to have ended uncleanly, if that is the latest news."""
        if self.record is None:
            return None
        if self.running_pid is None and "stopped_at" not in self.record:
            return self.record
        previous = self.record.get("previous_unclean")
        return previous if self.running_pid is not None and isinstance(previous, dict) else None


def _probe_pid(path: Path, record: dict[str, Any]) -> int | None:
    """Without /proc/locks: try a shared lock for an instant (a window starting in that instant is refused)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        pid = record.get("pid")
        return pid if isinstance(pid, int) else -1
    finally:
        os.close(fd)
    return None


def inspect(home: Path) -> RunState:
    """Read-only on Linux (/proc/locks): never takes the lock, so a window starting then is not refused."""
    path = lock_path(Path(home))
    record = _read_record(path)
    if record is None:
        return RunState(None, None)
    pid = holder_pid(path) if Path("/proc/locks").exists() else _probe_pid(path, record)
    return RunState(pid, record)
