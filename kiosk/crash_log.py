"""`logs/crash.log`: what was running when a process died, for IT staff after the fact.

A kiosk runs under `cage` or systemd with nobody reading its stderr, so a
segfault in a C library, a Qt fatal error or an exception that kills a
thread would otherwise leave no trace. Every `onewindow` process that opens
a data dir (`kiosk.logs.configure_logging`) points `faulthandler` here: on
SIGSEGV, SIGABRT, SIGBUS, SIGFPE or SIGILL it writes every thread's Python
stack from inside the signal handler, which needs a file descriptor that is
already open, so the file stays open for the life of the process.

The file is written only when something goes wrong: an empty crash.log
means no crash. It is capped at start-up (the newest `KEEP_BYTES` stay),
not rotated, because the faulthandler descriptor cannot follow a rename.
Tracebacks written from Python are masked like the main log; faulthandler's
own output holds file and function names only, never data.
"""
from __future__ import annotations

import faulthandler
import logging
import os
import sys
import threading
import traceback
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from kiosk.log_masking import mask_text

log = logging.getLogger("onewindow.crash")

CRASH_LOG = "crash.log"
KEEP_BYTES = 1024 * 1024

_state: dict[str, Any] = {"file": None, "path": None, "excepthook": None, "threading_excepthook": None}
_write_lock = threading.Lock()


def crash_log_path(home: Path) -> Path:
    return home / "logs" / CRASH_LOG


def cap_size(path: Path, keep: int = KEEP_BYTES) -> None:
    """Keep the newest `keep` bytes, starting at a line boundary, so the file never grows without end."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    if size <= keep:
        return
    with path.open("rb") as f:
        f.seek(size - keep)
        tail = f.read()
    newline = tail.find(b"\n")
    if 0 <= newline < len(tail) - 1:
        tail = tail[newline + 1:]
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(b"[older crash reports cut at start-up]\n" + tail)
    os.replace(tmp, path)


def install(home: Path) -> Path:
    """Send fatal errors and unhandled exceptions of this process to `<home>/logs/crash.log`.

    Idempotent for the same home; a second home (tests that run several
    commands in one process) moves the faulthandler output to the new file.
    """
    path = crash_log_path(home)
    if _state["path"] == path.resolve() and _state["file"] is not None:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    cap_size(path)
    new = path.open("a", encoding="utf-8", buffering=1)  # line-buffered: every report is on disk at once
    old: IO[str] | None = _state["file"]
    faulthandler.enable(file=new, all_threads=True)
    _state["file"], _state["path"] = new, path.resolve()
    if old is not None:
        old.close()
    if _state["excepthook"] is None:
        _state["excepthook"] = sys.excepthook
        _state["threading_excepthook"] = threading.excepthook
        sys.excepthook = _excepthook
        threading.excepthook = _threading_excepthook
    return path


def current_path() -> Path | None:
    return _state["path"]


def write_report(title: str, details: str = "", *, stacks: bool = False) -> bool:
    """Append a report with a timestamp and the pid; `stacks` adds every thread's Python stack.

    Safe from any thread; returns False when no crash log is installed.
    """
    f: IO[str] | None = _state["file"]
    if f is None:
        return False
    stamp = datetime.now().astimezone().isoformat(timespec="seconds")
    with _write_lock:
        try:
            command = " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])[:200] if sys.argv else "?"
            f.write(f"=== {stamp} pid {os.getpid()} ({mask_text(command)}): {mask_text(title)}\n")
            if details:
                f.write(mask_text(details).rstrip("\n") + "\n")
            if stacks:
                f.write("Stacks of every thread:\n")
                f.flush()
                faulthandler.dump_traceback(file=f, all_threads=True)
            f.write("\n")
            f.flush()
        except (OSError, ValueError):  # disk full or file closed: the crash must not get worse
            return False
    return True


def _excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """An exception nobody caught on the main thread: the process is about to end with it."""
    if not issubclass(kind, KeyboardInterrupt):
        text = "".join(traceback.format_exception(kind, exc, tb))
        write_report(f"unhandled exception: {kind.__name__}", text)
        log.critical("unhandled exception:\n%s", text)
    previous = _state["excepthook"] or sys.__excepthook__
    previous(kind, exc, tb)


def _threading_excepthook(args: threading.ExceptHookArgs) -> None:
    """An exception that ended a thread: the thread is gone, so whatever it served has stopped."""
    if args.exc_type is not SystemExit:
        name = args.thread.name if args.thread is not None else "?"
        text = "".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback))
        write_report(f"unhandled exception in thread {name}: {args.exc_type.__name__}", text)
        log.critical("unhandled exception in thread %s:\n%s", name, text)
    previous = _state["threading_excepthook"] or threading.__excepthook__
    previous(args)
