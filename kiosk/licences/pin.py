"""The licence library's signing key as this terminal first saw it (trust on first use).

Kept in the store (`KeyValue`) so it survives restarts and upgrades; `sync.licences` pins it on the first
use and refuses a different one afterwards. Only an administrator clears it (`onewindow licence
forget-key`), after the platform's administrator has confirmed a real key change.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy.orm import Session

from kiosk.store import Store
from kiosk.store.models import KeyValue, utcnow

PIN_KEY = "licences.signing_key"


@dataclass(frozen=True)
class PinnedKey:
    key_id: str
    public_key: str  # base64 of the raw Ed25519 public key


def pinned_key(store: Store) -> PinnedKey | None:
    with store.transaction() as session:
        row = session.get(KeyValue, PIN_KEY)
        if row is None:
            return None
        raw = json.loads(row.value)
        return PinnedKey(str(raw["key_id"]), str(raw["public_key"]))


def pin_key(store: Store, key: PinnedKey) -> PinnedKey:
    """Pins `key` unless a key is pinned already; returns the pinned one (the first wins a race)."""
    with store.transaction() as session:
        if session.get(KeyValue, PIN_KEY) is None:
            session.add(KeyValue(key=PIN_KEY, value=json.dumps({"key_id": key.key_id, "public_key": key.public_key}),
                                 updated_at=utcnow()))
    pinned = pinned_key(store)
    assert pinned is not None
    return pinned


def forget_pinned_key(session: Session) -> PinnedKey | None:
    """Removes the pin in the caller's transaction (which also writes the audit row); the old key or None."""
    row = session.get(KeyValue, PIN_KEY)
    if row is None:
        return None
    raw = json.loads(row.value)
    session.delete(row)
    return PinnedKey(str(raw["key_id"]), str(raw["public_key"]))
