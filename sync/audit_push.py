"""The sync step that sends the terminal's audit head to the platform (see sync.server.audit_heads).

The platform accepts a head only with proof that it extends the head it
accepted last: the terminal's entry at that head's position. The terminal
remembers which head was accepted (`kiosk.audit.ACK_KEY`); when that note is
missing or stale the platform names the position and the head is sent again
once with the entry there. A refused head is the platform's alarm, not an
error of this terminal's sync: it is logged and the pass goes on.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from kiosk import audit
from kiosk.store import Store
from sync import wire
from sync.client import PlatformClient, Refused

log = logging.getLogger("onewindow.sync.audit")


@dataclass(frozen=True)
class HeadPush:
    result: str  # "accepted", "unchanged", "anchor_needed" (asked twice), "refused"
    last_id: int = 0
    message: str | None = None


def _body(store: Store, anchor_id: int | None) -> tuple[dict[str, object], audit.ChainHead | None]:
    with store.transaction() as session:
        head = audit.chain_head(session)
        body: dict[str, object] = {"last_id": head.last_id if head else 0, "count": head.count if head else 0,
                                   "hash": head.hash if head else audit.GENESIS}
        if anchor_id is not None:
            body["anchor"] = {"last_id": anchor_id, "count": audit.count_through(session, anchor_id),
                              "hash": audit.entry_hash_at(session, anchor_id)}
    return body, head


def push_audit_head(store: Store, client: PlatformClient) -> HeadPush:
    """Raises `Offline` on link trouble like every other step; a refusal is an answer."""
    with store.transaction() as session:
        acked = audit.acknowledged_head(session)
        head = audit.chain_head(session)
    # An empty log with no note of an accepted head is still sent: it may be a wiped one.
    if acked is not None and head is not None and (head.last_id, head.hash, head.count) == (
            acked.last_id, acked.hash, acked.count):
        return HeadPush("unchanged", head.last_id)
    anchor_id = acked.last_id if acked is not None else None
    for _attempt in range(2):
        body, head = _body(store, anchor_id)
        try:
            answer = wire.parse(wire.AuditHeadAnswer, client.json("POST", "audit/heads", json_body=body))
        except Refused as exc:
            text = f"{exc.reason.get('zh', '')} / {exc.reason.get('en', '')}"
            log.warning("the platform refused this terminal's audit head: %s", exc.reason.get("en", ""))
            return HeadPush("refused", int(body["last_id"]), text)  # type: ignore[call-overload]
        if answer.result == "anchor_needed":
            if answer.anchor_id is None or answer.anchor_id == anchor_id:
                break
            anchor_id = answer.anchor_id
            continue
        if answer.head is not None:
            with store.transaction() as session:
                audit.remember_acknowledged(session, audit.PlatformHead(
                    answer.head.last_id, answer.head.count, answer.head.hash, answer.head.received_at))
        return HeadPush(answer.result, answer.head.last_id if answer.head else 0)
    return HeadPush("anchor_needed", head.last_id if head else 0, "the platform asked for the same anchor twice")
