"""The terminal's heartbeat: what the province's fleet view needs to know about this machine.

A report says which version runs, for how long, how much disk is left, what is still owed to the platform
and to the printer, what state the devices are in, the last error and how far this clock is off the
platform's. The sync pass makes one (also when the link is down) and sends every report the platform does
not have yet (`sync.heartbeat_push`), so a rural office's night offline shows up as the reports of that night,
delivered when the link returns. Each report has its own id and the platform stores an id once, so a report
re-sent after a lost answer is never counted twice.

The queue is bounded: at most `MAX_UNSENT` reports wait (the oldest are dropped first, the newest describe
the machine best), and reports are made at most every `MIN_INTERVAL` (passes that follow each other while an
upload goes well make one report). Nothing here talks to a device: the printer's state is what the print
queue last heard from it, a stuck scanner or camera what the scan that timed out noted (`kiosk.device_states`),
the rest comes from settings, sysfs and /dev.
"""
from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kiosk import device_states, outbox, print_jobs
from kiosk.log_masking import mask_text
from kiosk.outbox import OutboxKind, OutboxState
from kiosk.store.key_values import get_value, put_value
from kiosk.store.models import HeartbeatReport, OutboxItem, PrintJob, utcnow
from kiosk.terminal import Terminal

MAX_UNSENT = 500
MIN_INTERVAL = timedelta(seconds=50)
CLOCK_KEY = "heartbeat.clock"
LAST_MADE_KEY = "heartbeat.last_made"  # when the newest report was made, also once it was delivered and forgotten
ERROR_CHARS = 300


def package_version() -> str:
    try:
        return version("onewindow")
    except PackageNotFoundError:  # run from a tree that was never installed
        return "unknown"


def uptimes(proc: Path = Path("/proc")) -> tuple[float | None, float | None]:
    """(this process's uptime, the machine's uptime) in seconds, from /proc; None where unknown."""
    try:
        boot = float((proc / "uptime").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None, None
    try:
        stat = (proc / "self" / "stat").read_text()
        start_ticks = int(stat[stat.rindex(")") + 2:].split()[19])  # field 22, after the command name
        process = boot - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None, boot
    return max(0.0, round(process, 1)), round(boot, 1)


# --- devices --------------------------------------------------------------------------------------------

def _device(configured: bool, state: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"configured": configured, "state": state, "detail": detail[:200], **extra}


def printer_state(printer: str, notes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    if not printer:
        return _device(False, "absent", "no receipt printer configured", online=None, paper="unknown")
    note = notes.get(printer)
    if note is None:
        return _device(True, "unknown", "nothing printed since the store was made", online=None, paper="unknown")
    trouble = note.get("paper") == "out" or note.get("online") is False or bool(note.get("reasons"))
    reasons = ", ".join(note.get("reasons") or []) or (note.get("error_code") or "")
    detail = f"last attempt {note.get('at', '')}" + (f": {reasons}" if reasons else ": printed")
    return _device(True, "attention" if trouble else "ok", detail, online=note.get("online"),
                   paper=note.get("paper", "unknown"))


def _stuck(name: str, note: dict[str, Any]) -> dict[str, Any]:
    return _device(True, "attention", f"{name or note.get('name', '?')}: a scan has not returned since "
                   f"{note.get('since', '?')} (its driver is stuck); restart the kiosk program "
                   f"(pid {note.get('pid', '?')}) to free it", stuck=True)


def scanner_state(name: str, dev: Path = Path("/dev"), stuck: dict[str, Any] | None = None) -> dict[str, Any]:
    """A SANE name `backend:libusb:BUS:DEV` names a USB node that must exist; others are not checked. `stuck`:
    a scan of this program's that never returned (`kiosk.device_states.stuck_devices`)."""
    if stuck is not None:
        return _stuck(name, stuck)
    if not name:
        return _device(False, "absent", "no scanner configured")
    parts = name.split(":")
    if len(parts) == 4 and parts[1] == "libusb" and parts[2].isdigit() and parts[3].isdigit():
        node = dev / "bus" / "usb" / parts[2] / parts[3]
        return _device(True, "ok" if node.exists() else "attention",
                       f"{name}: {'USB device present' if node.exists() else 'USB device missing'}")
    return _device(True, "unknown", f"{name}: configured (not probed)")


def camera_state(setting: str, sys_root: Path = Path("/sys/class/video4linux"),
                 stuck: dict[str, Any] | None = None) -> dict[str, Any]:
    if stuck is not None:
        return _stuck(setting, stuck)
    if setting.strip().lower() == "none":
        return _device(False, "absent", "no document camera at this terminal")
    names = []
    if sys_root.is_dir():
        for node in sorted(sys_root.iterdir()):
            name_file = node / "name"
            names.append(name_file.read_text(encoding="utf-8", errors="replace").strip() if name_file.is_file()
                         else node.name)
    wanted = setting.strip().lower()
    found = [n for n in names if not wanted or wanted == "default" or wanted in n.lower()]
    if found:
        return _device(True, "ok", f"{len(found)} video device(s): {', '.join(found[:3])}")
    return _device(bool(setting), "attention" if setting else "absent",
                   f"no video device{' matching ' + repr(setting) if setting and wanted != 'default' else ''}")


def card_reader_state(reader: str, port: str) -> dict[str, Any]:
    if not reader and not port:
        return _device(False, "absent", "no ID card reader configured")
    if port and port.startswith("/"):
        present = Path(port).exists()
        return _device(True, "ok" if present else "attention", f"{port}: {'present' if present else 'missing'}")
    return _device(True, "unknown", f"{reader or port}: configured (not probed)")


# --- the report ---------------------------------------------------------------------------------------------

def _last_error(session: Session, sync_errors: Iterable[str], now: datetime) -> dict[str, Any] | None:
    found: list[tuple[datetime, str, str]] = [(now, "sync", e) for e in sync_errors if e]
    item = session.scalars(select(OutboxItem).where(OutboxItem.last_error.is_not(None),  # a sent item's is over
                                                    OutboxItem.state != OutboxState.SENT.value)
                           .order_by(OutboxItem.next_attempt_at.desc().nulls_last(), OutboxItem.id.desc())
                           .limit(1)).first()
    if item is not None and item.last_error:
        # an item keeps no time of its last attempt; its next one is later than that (at most now)
        found.append((min(item.next_attempt_at or item.created_at, now), "outbox", item.last_error))
    job = session.scalars(select(PrintJob).where(PrintJob.last_error.is_not(None))
                          .order_by(PrintJob.last_attempt_at.desc().nulls_last(), PrintJob.id.desc()).limit(1)).first()
    if job is not None and job.last_error:
        found.append((job.last_attempt_at or job.created_at, "print", job.last_error))
    if not found:
        return None
    at, source, text = max(found, key=lambda f: f[0])  # the first of equals: this pass's own errors
    return {"source": source, "at": at.isoformat(), "text": mask_text(text)[:ERROR_CHARS]}


def gather(terminal: Terminal, *, sync_errors: Iterable[str] = (), now: datetime | None = None) -> dict[str, Any]:
    """One report's body (without its id), as `sync.wire_heartbeat.Report` takes it."""
    now = now or utcnow()
    settings = terminal.settings
    process_up, boot_up = uptimes()
    try:
        disk = shutil.disk_usage(settings.home)
        free, total = int(disk.free), int(disk.total)
    except OSError:
        free, total = -1, -1
    with terminal.store.transaction() as session:
        notes = device_states.printer_notes(session)
        stuck = device_states.stuck_devices(session)
        clock = clock_offset(session)
        body: dict[str, Any] = {
            "made_at": now.isoformat(),
            "version": package_version(),
            "device_kind": settings.device_kind,
            "hall_name": {"zh": settings.hall_name_zh[:100], "en": settings.hall_name_en[:100]},
            "uptime_seconds": process_up,
            "boot_uptime_seconds": boot_up,
            "disk_free_bytes": free,
            "disk_total_bytes": total,
            "outbox_backlog": outbox.owed_count(session, OutboxKind.APPLICATION),
            "decisions_backlog": outbox.owed_count(session, OutboxKind.DECISION),
            "print_backlog": print_jobs.owed_count(session),
            "print_needs_staff": print_jobs.needs_staff_count(session),
            "devices": {
                "printer": printer_state(settings.printer, notes),
                "scanner": scanner_state(settings.scanner, stuck=stuck.get("scanner")),
                "camera": camera_state(settings.camera, stuck=stuck.get("camera")),
                "card_reader": card_reader_state(settings.id_reader, settings.id_reader_port),
            },
            "last_error": _last_error(session, sync_errors, now),
            "clock_offset_seconds": clock["offset"] if clock else None,
            "clock_measured_at": clock["at"] if clock else None,
        }
    return body


# --- the queue ----------------------------------------------------------------------------------------------

def record(terminal: Terminal, *, sync_errors: Iterable[str] = (), now: datetime | None = None,
           force: bool = False) -> str | None:
    """Make and keep a report; None when the last one is younger than `MIN_INTERVAL` (unless `force`)."""
    now = now or utcnow()
    if not force and _made_within_interval(terminal, now):
        return None
    body = gather(terminal, sync_errors=sync_errors, now=now)
    report_id = str(uuid.uuid4())
    with terminal.store.transaction() as session:
        session.add(HeartbeatReport(id=report_id, made_at=now, body={"id": report_id, **body}))
        session.flush()
        prune(session)
        put_value(session, LAST_MADE_KEY, now.isoformat())
    return report_id


def _made_within_interval(terminal: Terminal, now: datetime) -> bool:
    """Whether a report was made less than `MIN_INTERVAL` before `now`.

    Delivered reports are forgotten, so the newest waiting report alone cannot say it: online, every pass
    made and sent one, and a busy terminal's passes (one per upload, seconds apart) each cost the platform
    a heartbeat. A report "made" after `now` (the clock was set back) does not count: the reports would
    otherwise stop until the clock caught up.
    """
    with terminal.store.read() as session:
        waiting = session.scalar(select(func.max(HeartbeatReport.made_at)))
        noted = get_value(session, LAST_MADE_KEY)
    made = [waiting] if waiting is not None else []
    if noted is not None:
        try:
            at = datetime.fromisoformat(noted)
        except ValueError:
            at = None  # a damaged note: the next report replaces it
        if at is not None and at.tzinfo is not None:
            made.append(at)
    return any(timedelta(0) <= now - at < MIN_INTERVAL for at in made)


def prune(session: Session, keep: int | None = None) -> int:
    """Drop the oldest reports beyond `keep` (default `MAX_UNSENT`); returns how many went."""
    keep = MAX_UNSENT if keep is None else keep
    cutoff = session.scalars(select(HeartbeatReport.made_at).order_by(HeartbeatReport.made_at.desc())
                             .offset(keep).limit(1)).first()
    if cutoff is None:
        return 0
    result = session.execute(delete(HeartbeatReport).where(HeartbeatReport.made_at <= cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def unsent(session: Session, limit: int = 50) -> list[dict[str, Any]]:
    """The oldest reports first, so the platform sees a night offline in order."""
    return [dict(r.body) for r in session.scalars(select(HeartbeatReport).order_by(HeartbeatReport.made_at)
                                                   .limit(limit))]


def unsent_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(HeartbeatReport)) or 0)


def forget(session: Session, ids: Iterable[str]) -> None:
    """The platform has these: they need not be kept."""
    wanted = list(ids)
    if wanted:
        session.execute(delete(HeartbeatReport).where(HeartbeatReport.id.in_(wanted)))


def clock_offset(session: Session) -> dict[str, Any] | None:
    """The last measured offset: platform time minus this clock, in seconds, and when it was measured."""
    stored = get_value(session, CLOCK_KEY)
    if stored is None:
        return None
    try:
        value = json.loads(stored)
        return {"offset": float(value["offset"]), "at": str(value["at"])}
    except (ValueError, KeyError, TypeError):
        return None


def remember_clock_offset(session: Session, offset: float, at: datetime) -> None:
    put_value(session, CLOCK_KEY, json.dumps({"offset": round(offset, 3), "at": at.isoformat()}))
