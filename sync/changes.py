"""Applying the platform's changes feed to the terminal's store.

A page of changes and the cursor after it are written in one transaction:
a crash leaves either both or neither, so no change is applied twice or
skipped. Applying is idempotent and never blocks the feed:

- a change to the status the application already has is a no-op;
- a change the local state machine does not allow (the application was
  withdrawn here meanwhile) is logged and passed over;
- "received" only tells a submitted application that the platform holds all
  of it; it never undoes a counter's decision taken before the push;
- this terminal's own decisions come back through the feed: the latest one
  (that the platform did not refuse) is already applied here, so its echo is
  a no-op, and an older one was superseded here and is passed over;
- an "assigned" change brings an online case into the hall (`sync.assigned`).

A terminal that has never read the feed starts from the present, not from
its hall's whole history: it asks the platform for the hall's newest change
(`GET /changes/start`) once, keeps it beside the cursor, and passes it with
each page until the cursor is past it; up to it the platform sends only this
terminal's own applications and, to a counter, the hall's open online cases.
A platform without that route (404) gets the old way: the whole history.
"""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import outbox
from kiosk.lifecycle import Status, can_move, move
from kiosk.outbox import OutboxKind
from kiosk.store.models import Application, KeyValue, OutboxItem
from sync.assigned import take_in

log = logging.getLogger("onewindow.sync.changes")
CURSOR_KEY = "sync.changes_cursor"
START_KEY = "sync.changes_start"  # the platform's `GET /changes/start` answer, for a terminal that began there


def get_cursor(session: Session) -> int:
    row = session.get(KeyValue, CURSOR_KEY)
    try:
        return int(row.value) if row else 0
    except ValueError:
        return 0


def has_cursor(session: Session) -> bool:
    """Whether this terminal ever applied a page of the feed (a new one starts from the present)."""
    return session.get(KeyValue, CURSOR_KEY) is not None


def get_start(session: Session) -> int | None:
    row = session.get(KeyValue, START_KEY)
    try:
        return max(0, int(row.value)) if row else None
    except ValueError:
        return None


def set_start(session: Session, start: int) -> None:
    """Record where this terminal starts reading the feed; the first answer stays (a second one is ignored)."""
    if session.get(KeyValue, START_KEY) is None:
        session.add(KeyValue(key=START_KEY, value=str(start)))


def set_cursor(session: Session, cursor: int) -> None:
    row = session.get(KeyValue, CURSOR_KEY)
    if row is None:
        session.add(KeyValue(key=CURSOR_KEY, value=str(cursor)))
    else:
        row.value = str(cursor)


def _own_decisions(session: Session, app_id: str) -> tuple[set[str], str | None]:
    """This terminal's decision ids for the application, and the latest the platform has not refused."""
    ids: set[str] = set()
    latest: str | None = None
    for item in session.scalars(select(OutboxItem).where(OutboxItem.kind == OutboxKind.DECISION.value, OutboxItem.ref_id == app_id)
                                .order_by(OutboxItem.id)):
        decision_id = str((item.payload or {}).get("decision_id") or "")
        ids.add(decision_id)
        if item.state not in outbox.REFUSED:
            latest = decision_id
    return ids, latest


def apply_change(session: Session, change: dict[str, Any]) -> bool:
    """Apply one change; True when it changed something here."""
    if change.get("kind") == "assigned":
        if take_in(session, change):
            return True
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
    if target == Status.RECEIVED and app.status != Status.SUBMITTED.value:
        return changed  # the platform holds it all; a decision taken here meanwhile stands
    decision_id = change.get("decision_id")
    if decision_id:
        own, latest = _own_decisions(session, app.id)
        if decision_id in own and decision_id != latest:
            log.info("change %s is this terminal's earlier decision, superseded here; skipped", change.get("seq"))
            return changed
    if not can_move(app.status, target):
        log.warning("change %s: %s -> %s is not allowed here; skipped", change.get("seq"), app.status, target.value)
        return changed
    missing = [str(m) for m in change.get("missing_materials") or []]
    move(session, app, target, actor="platform", note=change.get("note"),
         details={"case_no": app.case_no, "missing_materials": missing, "feed_seq": change.get("seq"),
                  "decided_by": change.get("actor"), "decision_id": decision_id})
    if target == Status.NEEDS_SUPPLEMENT:
        for material in app.materials:
            if material.material_code in missing:
                material.review_state = "missing"
                material.review_note = change.get("note")
    return True
