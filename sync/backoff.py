"""Exponential backoff with jitter, capped: a hundred kiosks coming back online at
once must not hit the platform in lock-step."""
from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    base: float = 2.0
    cap: float = 300.0  # "a few minutes" at most between attempts

    def delay(self, attempts: int) -> float:
        """Seconds to wait after `attempts` failed attempts (equal jitter: half fixed, half random)."""
        if attempts <= 0:
            return 0.0
        ceiling = min(self.cap, self.base * 2 ** min(attempts - 1, 30))
        return ceiling / 2 + random.uniform(0, ceiling / 2)
