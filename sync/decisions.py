"""Counter decisions to the platform (outbox items of kind "decision", written by `kiosk.review.decide`).

A decision goes only once its application is on the platform: either its
application outbox item is "sent" (the platform confirmed the case whole),
or it has none (an online case the platform assigned here). Decisions on one
application go in the order they were taken; a later one never overtakes an
earlier one that is still waiting. The platform dedupes on `decision_id`, so
a retry after a lost answer is harmless. A 4xx (the case moved on meanwhile,
an illegal move) marks only that item "rejected" with the platform's reason;
the queue goes on.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from kiosk.store import Store
from kiosk.store.models import OutboxItem, utcnow
from sync.backoff import Backoff
from sync.client import Offline, PlatformClient, Refused

log = logging.getLogger("onewindow.sync.decisions")
DUE_STATES = ("pending", "sending")
APP_REFUSED = ("rejected", "conflict")


@dataclass
class DecisionStats:
    sent: int = 0
    rejected: int = 0
    conflicts: int = 0
    waiting: int = 0  # held back until their application is on the platform


def decision_body(item: OutboxItem) -> dict[str, Any]:
    p = item.payload or {}
    return {"decision_id": str(p.get("decision_id") or ""), "application_id": item.ref_id, "to": p.get("to"),
            "note": p.get("note") or "", "missing": list(p.get("missing") or []),
            "decided_by": str(p.get("decided_by") or "staff")[:64], "decided_at": p.get("decided_at")}


def _plan(store: Store, now: datetime) -> tuple[list[int], int]:
    """The decision items to send now, in order, and how many wait for their application."""
    with store.transaction() as session:
        items = list(session.scalars(select(OutboxItem).where(OutboxItem.kind == "decision",
                                                              OutboxItem.state.in_(DUE_STATES))
                                     .order_by(OutboxItem.id)))
        if not items:
            return [], 0
        app_state = {ref: state for ref, state in session.execute(
            select(OutboxItem.ref_id, OutboxItem.state).where(OutboxItem.kind == "application",
                                                              OutboxItem.ref_id.in_({i.ref_id for i in items})))}
        blocked: set[str] = set()
        ready: list[int] = []
        waiting = 0
        for item in items:
            state = app_state.get(item.ref_id, "sent")  # no application item: the platform sent us the case
            if state in APP_REFUSED:
                item.state = "rejected"
                item.last_error = ("申请本身未被平台接收，此决定无法送达。 / The application itself was not taken by the "
                                   "platform, so this decision cannot reach it.")
                continue
            not_yet = item.next_attempt_at is not None and item.next_attempt_at > now
            if item.ref_id in blocked or state != "sent" or not_yet:
                blocked.add(item.ref_id)  # keep the order of decisions on one application
                waiting += 1
                continue
            ready.append(item.id)
        return ready, waiting


def _finish(store: Store, item_id: int, state: str, error: str | None, backoff: Backoff | None = None) -> None:
    with store.transaction() as session:
        item = session.get(OutboxItem, item_id)
        if item is None:
            return
        item.state = state
        item.last_error = error[:2000] if error else None
        if state == "sent":
            item.sent_at = utcnow()
            item.next_attempt_at = None
        elif backoff is not None:
            item.next_attempt_at = utcnow() + timedelta(seconds=backoff.delay(item.attempts))


def push_decisions(store: Store, client: PlatformClient, backoff: Backoff) -> DecisionStats:
    """Send every due decision; raise Offline when the link drops (the item stays pending)."""
    stats = DecisionStats()
    ready, stats.waiting = _plan(store, utcnow())
    failed_apps: set[str] = set()
    for item_id in ready:
        with store.transaction() as session:  # "sending" is on disk before the request leaves
            item = session.get(OutboxItem, item_id)
            if item is None or item.state not in DUE_STATES:
                continue
            if item.ref_id in failed_apps:
                stats.waiting += 1
                continue
            item.state = "sending"
            item.attempts += 1
            body = decision_body(item)
            ref = item.ref_id
        try:
            answer = client.json("POST", "decisions", json_body=body)
        except Offline as exc:
            _finish(store, item_id, "pending", str(exc), backoff)
            raise
        except Refused as exc:
            text = f"{exc.status}: {exc.reason.get('zh', '')} / {exc.reason.get('en', '')}"
            if exc.code == "decision_conflict":
                _finish(store, item_id, "conflict", text)
                stats.conflicts += 1
            elif exc.code == "retry":
                _finish(store, item_id, "pending", text, backoff)
                failed_apps.add(ref)
                continue
            else:
                _finish(store, item_id, "rejected", text)
                stats.rejected += 1
            log.warning("decision %s on %s refused by the platform: %s", body["decision_id"], ref, exc.reason.get("en"))
            continue
        if not isinstance(answer, dict) or answer.get("decision_id") != body["decision_id"]:
            _finish(store, item_id, "pending", "unexpected answer to a decision", backoff)
            raise Offline("unexpected answer to a decision")
        _finish(store, item_id, "sent", None)
        stats.sent += 1
    return stats
