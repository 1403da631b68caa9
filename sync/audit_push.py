"""The sync step that sends the terminal's audit head to the platform (see sync.server.audit_heads).

The platform accepts a head only with proof that it extends the head it
accepted last: the terminal's entry at that head's position. The terminal
remembers which head was accepted (`kiosk.audit.ACK_KEY`); when that note is
missing or stale the platform names the position and the head is sent again
once with the entry there. A refused head is the platform's alarm, not an
error of this terminal's sync: it is logged and the pass goes on.

A pass that pushes applications sends the head along with them (`head_for_push`,
one request fewer). The same pass then reads the feed, and the statuses the
platform set on those applications come back as new entries written by the
sync (actor "platform"). They record what the platform holds already, so a
log that grew by them alone waits for the next head, sent with the next push or
on its own at most `PLATFORM_ENTRIES_WAIT` later; any other new entry is sent
at the end of the same pass, as before.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from kiosk import audit
from kiosk.store import Store
from sync import wire
from sync.client import PlatformClient, Refused

log = logging.getLogger("onewindow.sync.audit")

PLATFORM_ENTRIES_WAIT = 600.0  # seconds a head may wait that grew only by the platform's own word


@dataclass(frozen=True)
class HeadPush:
    """`result`: "accepted", "unchanged", "waiting" (only the platform's own word since the head it holds),
    "anchor_needed" (the same anchor asked for twice) or "refused"."""

    result: str
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


def _unsent(store: Store, platform_entries_may_wait: bool = False) -> tuple[bool, int | None, audit.ChainHead | None]:
    """Whether the head still has to be sent (an empty log with no note of an accepted head is sent: it may
    be a wiped one), the anchor to send with it, and the head. With `platform_entries_may_wait`, a log that
    grew only by the platform's own word waits (`audit.only_platform_entries_after`)."""
    with store.transaction() as session:
        acked = audit.acknowledged_head(session)
        head = audit.chain_head(session)
        now = (head.last_id, head.hash, head.count) if head is not None else (0, audit.GENESIS, 0)
        held = acked is not None and (
            now == (acked.last_id, acked.hash, acked.count)
            or head is not None and platform_entries_may_wait
            and audit.only_platform_entries_after(session, acked, head))
    return not held, acked.last_id if acked is not None and not acked.empty else None, head


def _taken(store: Store, result: str, head: wire.AuditHead | None, sent: dict[str, object]) -> HeadPush:
    """An answer that took the head in (or held it already): the platform's head is noted as accepted. An
    empty log the platform answered without a head of its own is noted too, as the empty head: until this
    terminal records something, its passes need not send it again."""
    if head is not None:
        held = audit.PlatformHead(head.last_id, head.count, head.hash, head.received_at)
    elif sent["count"] == 0 and result == "unchanged":
        held = audit.PlatformHead(0, 0, audit.GENESIS)
    else:
        return HeadPush(result, 0)
    with store.transaction() as session:
        audit.remember_acknowledged(session, held)
    return HeadPush(result, held.last_id)


def head_for_push(store: Store) -> dict[str, object] | None:
    """The head to send along with this pass's applications (`PushRequest.audit_head`), or None when the
    platform holds it already or it does not fit the wire (the pass's own step then sends and reports it)."""
    unsent, anchor_id, _head = _unsent(store)
    if not unsent:
        return None
    body, _head = _body(store, anchor_id)
    try:
        wire.AuditHeadPush.model_validate(body)
    except wire.ValidationError:
        return None
    return body


def take_push_answer(store: Store, sent: dict[str, object], answer: wire.PushedAuditHead | None
                     ) -> HeadPush | None:
    """Remember a head the push's answer says the platform holds. None when the pass's own step must still
    send it: an older platform (no answer), an anchor asked for, a head the platform could not read."""
    if answer is None or answer.result in ("anchor_needed", "invalid"):
        return None
    if answer.result == "refused":
        reason = answer.reason
        log.warning("the platform refused this terminal's audit head: %s", reason.en if reason else "")
        return HeadPush("refused", int(sent["last_id"]),  # type: ignore[call-overload]
                        f"{reason.zh} / {reason.en}" if reason else None)
    return _taken(store, answer.result, answer.head, sent)


def push_audit_head(store: Store, client: PlatformClient, platform_entries_may_wait: bool = False) -> HeadPush:
    """Raises `Offline` on link trouble like every other step; a refusal is an answer. Nothing is sent when
    the platform holds this head ("unchanged") or, with `platform_entries_may_wait`, when only the platform's
    own word came after the head it holds ("waiting")."""
    unsent, anchor_id, head = _unsent(store, platform_entries_may_wait)
    if not unsent:
        held_id = anchor_id or 0  # the platform holds a head (or the empty one): no anchor is the empty one
        if head is not None and head.last_id != held_id:
            return HeadPush("waiting", held_id)
        return HeadPush("unchanged", held_id)
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
        return _taken(store, answer.result, answer.head, body)
    return HeadPush("anchor_needed", head.last_id if head else 0, "the platform asked for the same anchor twice")
