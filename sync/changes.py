"""Applying the platform's changes feed to the terminal's store.

A page of changes and the cursor after it are written in one transaction:
a crash leaves either both or neither, so no change is applied twice or
skipped. A change the local state machine does not allow (the application
was withdrawn here meanwhile) is logged and passed over, never blocking the
feed.
"""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from kiosk.lifecycle import Status, can_move, move
from kiosk.store.models import Application, KeyValue

log = logging.getLogger("onewindow.sync.changes")
CURSOR_KEY = "sync.changes_cursor"


def get_cursor(session: Session) -> int:
    row = session.get(KeyValue, CURSOR_KEY)
    try:
        return int(row.value) if row else 0
    except ValueError:
        return 0


def set_cursor(session: Session, cursor: int) -> None:
    row = session.get(KeyValue, CURSOR_KEY)
    if row is None:
        session.add(KeyValue(key=CURSOR_KEY, value=str(cursor)))
    else:
        row.value = str(cursor)


def apply_change(session: Session, change: dict[str, Any]) -> bool:
    """Apply one change; True when it changed something here."""
    app = session.get(Application, str(change.get("application_id")))
    if app is None:
        return False  # another terminal's application in this hall
    changed = False
    case_no = change.get("case_no")
    if case_no and app.case_no != case_no:
        app.case_no = str(case_no)
        changed = True
    try:
        target = Status(str(change.get("status")))
    except ValueError:
        log.warning("change %s has an unknown status; skipped", change.get("seq"))
        return changed
    if app.status == target.value:
        return changed
    if not can_move(app.status, target):
        log.warning("change %s: %s -> %s is not allowed here; skipped", change.get("seq"), app.status, target.value)
        return changed
    missing = [str(m) for m in change.get("missing_materials") or []]
    move(session, app, target, actor="platform", note=change.get("note"),
         details={"case_no": app.case_no, "missing_materials": missing, "feed_seq": change.get("seq")})
    if target == Status.NEEDS_SUPPLEMENT:
        for material in app.materials:
            if material.material_code in missing:
                material.review_state = "missing"
                material.review_note = change.get("note")
    return True
