"""Device tokens checked without a database round trip per request.

Every request but enrollment carries a device token; looking it up in the
database each time costs a transaction per request (three per upload chunk
before). Each platform process keeps what it learnt about a token. A token's
device changes in one way only after enrollment: it is revoked. So a known
device is kept for `hold` seconds (ten minutes), and every `ttl` seconds (5)
the process asks the database which devices were revoked lately, one small
query per process whatever the number of terminals, and drops those. A
revoked device is refused by the instance that revoked it at once and by
every other instance within `ttl` seconds. A terminal syncs once a minute:
with entries that lived only `ttl` seconds, each of its passes cost every
instance it reached a look-up.

Unknown and revoked tokens are remembered for `ttl` seconds, so a stream of
requests with a bad token costs no more than a good one; the number of
entries is bounded, so random tokens cannot grow the cache without limit.
When the question about revocations cannot be asked (the database is away),
known devices are kept only `ttl` seconds, as without it.

Only the token's SHA-256 is kept, never the token. Losing the cache costs a
lookup, never a decision: the database stays the truth.
"""
from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import make_transient_to_detached

from sync.server.models import Device, utcnow

TTL_ENV = "ONEWINDOW_PLATFORM_TOKEN_TTL"
DEFAULT_TTL = 5.0  # seconds a revoked token may still be taken by another instance
HOLD_SECONDS = 600.0  # a known device is read again after this, whatever the revocation checks said
# Revocations asked for go back this far (from this process's clock): the time a revocation is stamped with
# comes from the clock of whichever process made it, and a revocation committed late is still seen. A
# revocation stamped further back than this by a clock that far behind is still seen once its entry's hold
# ends, so the two are equal.
LOOKBACK = timedelta(seconds=HOLD_SECONDS)
MAX_ENTRIES = 10_000


def configured_ttl() -> float:
    """`ONEWINDOW_PLATFORM_TOKEN_TTL` seconds (0 turns the cache off), else `DEFAULT_TTL`; nonsense is ignored."""
    raw = os.environ.get(TTL_ENV, "").strip()
    try:
        value = float(raw) if raw else DEFAULT_TTL
    except ValueError:
        return DEFAULT_TTL
    return value if 0 <= value <= 300 else DEFAULT_TTL


@dataclass(frozen=True)
class DeviceSnapshot:
    """A device row's values as read; each request gets its own `Device` made from them."""

    id: int
    hall_code: str
    device_no: int | None
    name: str
    token_hash: str
    enrolled_at: datetime
    revoked_at: datetime | None
    last_seen_at: datetime | None
    role: str

    @classmethod
    def of(cls, device: Any) -> DeviceSnapshot:
        """From a `Device` or a Core row of the `devices` table (the same attribute names)."""
        return cls(**{f.name: getattr(device, f.name) for f in fields(cls)})

    def device(self) -> Device:
        """A detached `Device` of its own: requests never share an ORM object, and adding it to a session
        attaches the existing row instead of inserting a new one."""
        device = Device(**{f.name: getattr(self, f.name) for f in fields(self)})
        make_transient_to_detached(device)
        return device


class DeviceTokenCache:
    """Token hash -> the device it authenticates (or None): a device kept `hold` seconds while revocations are
    checked every `ttl` seconds (`revoked_since`), else `ttl` seconds, as is an unknown or revoked token."""

    def __init__(self, ttl: float | None = None, *, clock: Callable[[], float] = time.monotonic,
                 max_entries: int = MAX_ENTRIES, hold: float = HOLD_SECONDS,
                 wall: Callable[[], datetime] = utcnow) -> None:
        self.ttl = configured_ttl() if ttl is None else ttl
        self.hold = max(hold, self.ttl)
        self.clock = clock
        self.wall = wall
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[float, DeviceSnapshot | None]] = OrderedDict()
        self._lock = threading.Lock()
        self._check_due = float("-inf")  # clock: when revocations are next asked for
        self._checked_ok: float | None = None  # clock: when they were last asked for with an answer
        self.loads = 0  # how many lookups went to the database (for tests and benchmarks)
        self.checks = 0  # how many times revocations were asked for

    def device(self, token_hash: str, load: Callable[[str], Any],
               revoked_since: Callable[[datetime], Iterable[int]] | None = None) -> Device | None:
        """The device `token_hash` authenticates, from the cache while fresh, else from `load` (the database:
        a `Device` or a row of its columns, or None). `revoked_since(t)`: the ids of devices revoked at or
        after `t` (the database), asked at most every `ttl` seconds by one request of this process."""
        now = self.clock()
        if revoked_since is not None and self.ttl > 0:
            self._check_revocations(now, revoked_since)
        with self._lock:
            hit = self._entries.get(token_hash)
            if hit is not None and now - hit[0] < self._life(hit[1], now):
                self._entries.move_to_end(token_hash)
                return hit[1].device() if hit[1] is not None else None
        found = load(token_hash)
        snapshot = DeviceSnapshot.of(found) if found is not None and found.revoked_at is None else None
        with self._lock:
            self.loads += 1
            if self.ttl > 0:
                self._entries[token_hash] = (now, snapshot)
                self._entries.move_to_end(token_hash)
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        return snapshot.device() if snapshot is not None else None

    def _life(self, snapshot: DeviceSnapshot | None, now: float) -> float:
        """How long an entry is good for: a device `hold` seconds while the revocation checks answer (the last
        answer younger than two of their intervals), anything else `ttl`."""
        watched = self._checked_ok is not None and now - self._checked_ok < 2 * self.ttl
        return self.hold if snapshot is not None and watched else self.ttl

    def _check_revocations(self, now: float, revoked_since: Callable[[datetime], Iterable[int]]) -> None:
        with self._lock:
            if now < self._check_due:
                return
            self._check_due = now + self.ttl  # this request asks; the others go on meanwhile
        self.checks += 1
        try:
            revoked = set(revoked_since(self.wall() - LOOKBACK))
        except Exception:  # noqa: BLE001 - the database away: known devices fall back to `ttl` (see `_life`)
            return
        with self._lock:
            for key in [k for k, (_at, snap) in self._entries.items() if snap is not None and snap.id in revoked]:
                del self._entries[key]
            self._checked_ok = now

    def forget_device(self, device_id: int) -> None:
        """This instance stops taking the device's token at once (a revocation here)."""
        with self._lock:
            for key in [k for k, (_at, snap) in self._entries.items() if snap is not None and snap.id == device_id]:
                del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
