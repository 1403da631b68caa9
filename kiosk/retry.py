"""When to try again: one policy for everything the terminal owes someone.

Sync items, resumable upload chunks, downloads of online cases and print jobs
all wait the same way after a failure: exponential growth from `base`,
capped at `cap`, with "equal jitter" (half the delay fixed, half random), so
a hundred kiosks coming back online at once do not hit the platform in
lock-step, and a printer that was out of paper for an hour is tried again
within minutes of being refilled, never hours.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from kiosk.store.types import utcnow


@dataclass(frozen=True)
class RetryPolicy:
    base: float = 2.0  # seconds before the first retry (before jitter)
    cap: float = 300.0  # "a few minutes" at most between attempts

    def delay(self, attempts: int) -> float:
        """Seconds to wait after `attempts` failed attempts in a row (0 after none)."""
        if attempts <= 0 or self.cap <= 0:
            return 0.0
        ceiling = min(self.cap, self.base * 2 ** min(attempts - 1, 30))
        return ceiling / 2 + random.uniform(0, ceiling / 2)

    def next_attempt_at(self, attempts: int, now: datetime | None = None) -> datetime:
        return (now or utcnow()) + timedelta(seconds=self.delay(attempts))


#: outbox items (applications, decisions) and downloads of online cases
SYNC_ITEMS = RetryPolicy(base=2.0, cap=300.0)
#: a whole sync pass that found the platform unreachable
SYNC_PASS = RetryPolicy(base=5.0, cap=300.0)
#: one upload chunk after a cut: short, because a cut mid-upload is usually brief
UPLOAD_CHUNK = RetryPolicy(base=0.2, cap=10.0)
#: a print job whose printer is out of paper, offline or unreachable
PRINT_JOBS = RetryPolicy(base=15.0, cap=300.0)
#: never wait (a link that dropped: the next pass tries at once)
IMMEDIATE = RetryPolicy(base=0.0, cap=0.0)
