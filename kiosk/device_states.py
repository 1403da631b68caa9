"""What the terminal last learnt about its devices, for the heartbeat (`kiosk.heartbeat`) and `doctor`.

The receipt printer is talked to only by the print queue (one connection at a time: a 9100 printer refuses
a second one), so the heartbeat never probes it: the queue notes what the printer said at each attempt
(`note_printer`, called by `printing.queue`) and the heartbeat reports the last note. A note is a small
JSON value in the store's key-value table, one per printer address.

A scanner or document camera whose driver call never returned is noted the same way (`note_stuck`, by the
scan use case), with the program that made the call: the heartbeat reports it to the fleet and `doctor`
says it, for as long as that program runs, since only its end frees the device.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kiosk.store.key_values import get_value, put_value
from kiosk.store.models import KeyValue, utcnow

PRINTER_KEY_PREFIX = "devices.printer:"
#: the queue's error codes that say the printer could not be reached at all
UNREACHABLE_CODES = frozenset({"printer_unreachable", "printer_silent"})


def _key(printer: str) -> str:
    return (PRINTER_KEY_PREFIX + printer)[:64]


def note_printer(session: Session, printer: str, *, error_code: str | None, reasons: tuple[str, ...] = (),
                 at: datetime | None = None) -> dict[str, Any]:
    """Remember the outcome of the latest attempt on `printer` (no error: it printed, so it has paper).

    `reasons` are `printing.status` reason codes ("paper_out", "cover_open", "offline", "error")."""
    if error_code is None:
        online, paper = True, "ok"
    elif error_code in UNREACHABLE_CODES:
        online, paper = False, "unknown"
    else:
        online = "offline" not in reasons
        paper = "out" if "paper_out" in reasons else "unknown"
    note = {"printer": printer, "online": online, "paper": paper, "reasons": list(reasons),
            "error_code": error_code, "at": (at or utcnow()).isoformat()}
    put_value(session, _key(printer), json.dumps(note))
    return note


def _notes(session: Session, prefix: str) -> Iterator[dict[str, Any]]:
    """The notes kept under `prefix`; one that is not a JSON object is passed over."""
    for row in session.scalars(select(KeyValue).where(KeyValue.key.startswith(prefix))):
        try:
            note = json.loads(row.value)
        except ValueError:
            continue
        if isinstance(note, dict):
            yield note


def printer_notes(session: Session) -> dict[str, dict[str, Any]]:
    """Every printer's last note by its address."""
    return {note["printer"]: note for note in _notes(session, PRINTER_KEY_PREFIX)
            if isinstance(note.get("printer"), str)}


# --- a scanner or camera whose driver never returned ----------------------------------------------------

STUCK_KEY_PREFIX = "devices.stuck:"
STUCK_DEVICES = ("scanner", "camera")


def process_identity(pid: int, proc: Path = Path("/proc")) -> str | None:
    """The boot, pid and start time of a running process; None when it is not running. A pid alone is not a
    process: after a restart (or a reboot, which starts the kiosk at much the same pid) it names another."""
    try:
        boot = (proc / "sys" / "kernel" / "random" / "boot_id").read_text().strip()
        stat = (proc / str(pid) / "stat").read_text()
        started = stat[stat.rindex(")") + 2:].split()[19]  # field 22, after the command name
    except (OSError, ValueError, IndexError):
        return None
    return f"{boot}:{pid}:{started}"


def note_stuck(session: Session, device: str, name: str, *, since: datetime, pid: int | None = None) -> None:
    """A call to `device` ("scanner" or "camera") has not returned since `since`. Its thread is lost until the
    program that made the call ends (`kiosk.devices.thread`), so the note names that program: a heartbeat or
    `doctor` run in another process, or after a restart, can tell whether it still holds."""
    pid = os.getpid() if pid is None else pid
    note = {"device": device, "name": name, "since": since.isoformat(), "pid": pid,
            "process": process_identity(pid)}
    put_value(session, STUCK_KEY_PREFIX + device, json.dumps(note))


def stuck_noted(session: Session, device: str) -> bool:
    return get_value(session, STUCK_KEY_PREFIX + device) is not None


def clear_stuck(session: Session, device: str) -> None:
    """The device answered: whatever was noted of it is over."""
    session.execute(delete(KeyValue).where(KeyValue.key == STUCK_KEY_PREFIX + device))


def stuck_devices(session: Session) -> dict[str, dict[str, Any]]:
    """The notes whose program still runs, by device; a note whose program ended took its stuck call with it."""
    return {note["device"]: note for note in _notes(session, STUCK_KEY_PREFIX)
            if note.get("device") in STUCK_DEVICES and isinstance(note.get("pid"), int)
            and note.get("process") is not None and process_identity(note["pid"]) == note["process"]}
