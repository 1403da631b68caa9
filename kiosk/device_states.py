"""What the terminal last learnt about its devices, for the heartbeat (`kiosk.heartbeat`).

The receipt printer is talked to only by the print queue (one connection at a time: a 9100 printer refuses
a second one), so the heartbeat never probes it: the queue notes what the printer said at each attempt
(`note_printer`, called by `printing.queue`) and the heartbeat reports the last note. A note is a small
JSON value in the store's key-value table, one per printer address.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.store.key_values import put_value
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


def printer_notes(session: Session) -> dict[str, dict[str, Any]]:
    """Every printer's last note by its address."""
    notes: dict[str, dict[str, Any]] = {}
    for row in session.scalars(select(KeyValue).where(KeyValue.key.startswith(PRINTER_KEY_PREFIX))):
        try:
            note = json.loads(row.value)
        except ValueError:
            continue
        if isinstance(note, dict) and isinstance(note.get("printer"), str):
            notes[note["printer"]] = note
    return notes
