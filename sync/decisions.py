"""Counter decisions to the platform (outbox items of kind "decision", written by `kiosk.review.decide`).

A decision goes only once its application is on the platform: either its
application outbox item is "sent" (the platform confirmed the case whole),
or it has none (an online case the platform assigned here). Decisions on one
application go in the order they were taken; a later one never overtakes an
earlier one that is still waiting. The platform dedupes on `decision_id`, so
a retry after a lost answer is harmless. A 4xx (the case moved on meanwhile,
an illegal move, a 403 because the staff member is not an active account of
the hall on the platform or this device is no counter) marks only that item
"rejected" with the platform's reason, for staff to see; it is never sent
again and the queue goes on.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from kiosk import audit, outbox
from kiosk.outbox import OutboxKind, OutboxState
from kiosk.retry import RetryPolicy
from kiosk.store import Store
from kiosk.store.models import OutboxItem, Staff, utcnow
from sync import wire
from sync.client import Offline, PlatformClient, Refused

log = logging.getLogger("onewindow.sync.decisions")


@dataclass
class DecisionStats:
    sent: int = 0
    rejected: int = 0
    conflicts: int = 0
    waiting: int = 0  # held back until their application is on the platform


def decision_body(item: OutboxItem, session: Session | None = None) -> dict[str, Any]:
    """The payload written by `kiosk.review.decide` is the wire body; older rows lack the application id.

    Older rows also name the staff member by this terminal's audit actor
    (`staff:<row id>`); the platform knows staff by user name, so with a
    session such a row is sent under the account's user name.
    """
    body = {**(item.payload or {}), "application_id": item.ref_id}
    actor = str(body.get("decided_by") or "")
    if session is not None and actor.startswith("staff:") and actor[6:].isdigit():
        staff = session.get(Staff, int(actor[6:]))
        if staff is not None:
            body["decided_by"] = staff.username
    return body


def _plan(store: Store, now: datetime) -> tuple[list[int], int]:
    """The decision items to send now, in order, and how many wait for their application."""
    with store.transaction() as session:
        items = outbox.owed(session, OutboxKind.DECISION)
        if not items:
            return [], 0
        app_state = outbox.state_by_ref(session, OutboxKind.APPLICATION, {i.ref_id for i in items})
        blocked: set[str] = set()
        ready: list[int] = []
        waiting = 0
        for item in items:
            state = app_state.get(item.ref_id, OutboxState.SENT)  # no application item: the platform sent us the case
            if state in outbox.REFUSED:
                outbox.mark_refused(session, [item.id], OutboxState.REJECTED,
                                    "申请本身未被平台接收，此决定无法送达。 / The application itself was not taken by "
                                    "the platform, so this decision cannot reach it.")
                continue
            not_yet = item.next_attempt_at is not None and item.next_attempt_at > now
            if item.ref_id in blocked or state != OutboxState.SENT or not_yet:
                blocked.add(item.ref_id)  # keep the order of decisions on one application
                waiting += 1
                continue
            ready.append(item.id)
        return ready, waiting


def push_decisions(store: Store, client: PlatformClient, retry: RetryPolicy) -> DecisionStats:
    """Send every due decision; raise Offline when the link drops (the item stays pending)."""
    stats = DecisionStats()
    ready, stats.waiting = _plan(store, utcnow())
    failed_apps: set[str] = set()
    for item_id in ready:
        with store.transaction() as session:  # "sending" is on disk before the request leaves
            item = session.get(OutboxItem, item_id)
            if item is None or item.state not in outbox.OWED:
                continue
            if item.ref_id in failed_apps:
                stats.waiting += 1
                continue
            outbox.claim(session, [item_id])
            body = decision_body(item, session)
            ref = item.ref_id
        try:
            answer = wire.parse(wire.DecisionAnswer, client.json("POST", "decisions", json_body=body))
        except Offline as exc:
            _retry(store, item_id, str(exc), retry)
            raise
        except Refused as exc:
            text = f"{exc.status}: {exc.reason.get('zh', '')} / {exc.reason.get('en', '')}"
            if exc.code == "decision_conflict":
                _refuse(store, item_id, OutboxState.CONFLICT, text)
                stats.conflicts += 1
            elif exc.code == "retry":
                _retry(store, item_id, text, retry)
                failed_apps.add(ref)
                continue
            else:
                _refuse(store, item_id, OutboxState.REJECTED, text, audit_of=(ref, body, exc.code))
                stats.rejected += 1
            log.warning("decision %s on %s refused by the platform: %s", body.get("decision_id"), ref,
                        exc.reason.get("en"))
            continue
        except wire.ValidationError:
            _retry(store, item_id, "unexpected answer to a decision", retry)
            raise Offline("unexpected answer to a decision") from None
        if answer.decision_id != body.get("decision_id"):
            _retry(store, item_id, "unexpected answer to a decision", retry)
            raise Offline("unexpected answer to a decision")
        with store.transaction() as session:
            outbox.mark_sent(session, [item_id])
        stats.sent += 1
    return stats


def _retry(store: Store, item_id: int, error: str, retry: RetryPolicy) -> None:
    with store.transaction() as session:
        outbox.mark_retry(session, [item_id], error, retry)


def _refuse(store: Store, item_id: int, state: OutboxState, reason: str,
            audit_of: tuple[str, dict[str, Any], str] | None = None) -> None:
    """Final for this item; with `audit_of` (application id, body, code) the case's history says so too."""
    with store.transaction() as session:
        outbox.mark_refused(session, [item_id], state, reason)
        if audit_of is not None:
            ref, body, code = audit_of
            audit.record(session, actor="platform", action="decision_refused", subject=ref,
                         details={"decision_id": body.get("decision_id"), "to": body.get("to"),
                                  "decided_by": body.get("decided_by"), "code": code, "reason": reason})
