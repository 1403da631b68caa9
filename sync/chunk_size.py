"""How large the next upload chunk should be, learned from the link itself.

Every request carries a head (request line, token, checksum...) of `h` bytes,
and a cut loses the request in flight: on average half of it. With D bytes
getting through between cuts at random, a chunk of c bytes wastes about

    h / c  +  (c + h) / (2 D)

of the link: small chunks drown in heads, large ones lose too much per cut.
The minimum lies at c = sqrt(2 h D) (`best_chunk`). On a link that rarely
drops that optimum is flat and still small (a cut every 100 MB gives 250 KB),
so the chunk may also be a fixed share of D (`fraction`, losing at most that
share's half per cut), which lets a good link carry megabytes per request, as
the platform's cost per request wants. The platform's largest chunk caps it.

Cuts are rarely memoryless: a link that drops every few hundred kilobytes
(a modem's idle timer, a carrier's session limit) seldom drops again right
after a cut. So the sizer keeps the last gaps between cuts and, for the bytes
already through since the last cut, weighs each candidate size by the share
of those gaps that would end inside it (mixed with a memoryless share, so a
few lucky gaps never make it reckless), and takes the size with the least
expected waste per byte delivered. Where no gap seen lasted that long (the
link is doing better than lately) it falls back to the memoryless optimum
with D at least the bytes through since the last cut: the chunk grows while
chunks get through and shrinks after a cut. Before the first cut the chunk
starts at `start` and grows from there.

One sizer serves all uploads of one link (they run in parallel over it), so
it is thread-safe and counts the bytes still in flight as already sent.

What it learnt outlives the process (`snapshot`, `restore`; the sync engine
keeps it in the store). Starting over at every restart cost a busy terminal
most of its day's requests: the chunk only passes a 200 KB scan page after
some 10 MB without a cut, about what such a terminal sends in a day, so a
terminal restarted each morning sent every page in several requests, and
each request costs the platform about the same CPU whatever its size.
"""
from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sync.protocol import DEFAULT_CHUNK_BYTES, MIN_CHUNK_BYTES, PLATFORM_MAX_CHUNK_BYTES


@dataclass(frozen=True)
class ChunkLimits:
    floor: int = MIN_CHUNK_BYTES  # below this the heads cost more than any cut
    cap: int = PLATFORM_MAX_CHUNK_BYTES  # the platform refuses larger chunks (413)
    start: int = DEFAULT_CHUNK_BYTES  # before anything is known about the link
    fraction: float = 1 / 50  # a chunk may always be this share of the bytes between cuts (≤ 1 % lost per cut)
    smoothing: float = 0.3  # weight of the newest gap in the mean bytes between cuts
    shrinking: float = 0.5  # its weight when it is shorter than the mean
    memory: int = 16  # gaps between cuts kept to judge where the next cut falls
    pattern: int = 4  # gaps needed before their spread is trusted to say where the next cut falls
    memoryless: float = 0.15  # share of the cut risk taken as memoryless, whatever the gaps say
    step: float = 1.25  # candidate sizes grow by this factor from `floor` to the cap


SNAPSHOT_VERSION = 1
ALIVE = 0.02  # below this share of recent gaps still running, they no longer say where the next cut falls


def best_chunk(head_bytes: int, between_cuts: float, fraction: float) -> int:
    """The chunk size that wastes least when cuts come at random, `between_cuts` bytes apart on average."""
    return int(max(math.sqrt(2.0 * max(head_bytes, 1) * max(between_cuts, 0.0)), fraction * between_cuts))


def expected_waste(head_bytes: int, size: int, p_cut: float) -> float:
    """Bytes wasted per byte delivered by one request of `size` body bytes cut with probability `p_cut`:
    its head always, and on a cut about half of what it sent."""
    if p_cut >= 1.0 - 1e-9:
        return math.inf
    return (head_bytes + p_cut * (size + head_bytes) / 2) / (size * (1.0 - p_cut))


class ChunkSizer:
    def __init__(self, limits: ChunkLimits = ChunkLimits()) -> None:
        if not 0 < limits.floor <= limits.start <= limits.cap:
            raise ValueError("chunk limits must satisfy 0 < floor <= start <= cap")
        self.limits = limits
        self._cap = limits.cap
        self._lock = threading.Lock()
        self._mean_gap: float | None = None  # None until the first cut
        self._gaps: deque[float] = deque(maxlen=limits.memory)
        self._run = 0.0  # bytes through since the last cut
        self._in_flight = 0  # bytes of requests sent and not yet answered
        self.cuts = 0

    @property
    def cap(self) -> int:
        return self._cap

    def between_cuts(self) -> float | None:
        """The estimated bytes between cuts (None while no cut has been seen)."""
        with self._lock:
            return None if self._mean_gap is None else max(self._mean_gap, self._run)

    def size(self, head_bytes: int) -> int:
        """The next chunk's size for requests whose head is `head_bytes` long."""
        lim = self.limits
        with self._lock:
            at = self._run + self._in_flight
            if self._mean_gap is None:
                wanted = max(lim.start, best_chunk(head_bytes, at, lim.fraction))
            else:
                mean = max(self._mean_gap, at)
                if len(self._gaps) < lim.pattern or self._survival(at) < ALIVE:
                    # too few gaps to see a pattern, or longer than the recent ones: memoryless
                    wanted = best_chunk(head_bytes, mean, lim.fraction)
                else:
                    wanted = max(self._least_waste(head_bytes, at, mean), int(lim.fraction * mean))
            return max(lim.floor, min(self._cap, wanted))

    def _least_waste(self, head_bytes: int, at: float, mean: float) -> int:
        """The candidate size with the least expected waste, `at` bytes after the last cut."""
        lim = self.limits
        alive = self._survival(at)
        best, best_cost = lim.floor, math.inf
        size = float(lim.floor)
        while True:
            c = min(int(size), self._cap)
            seen = 1.0 - self._survival(at + c + head_bytes) / alive
            p_cut = (1 - lim.memoryless) * seen + lim.memoryless * min(1.0, (c + head_bytes) / mean)
            cost = expected_waste(head_bytes, c, p_cut)
            if cost < best_cost:
                best, best_cost = c, cost
            if c >= self._cap:
                return best
            size *= lim.step

    def _survival(self, x: float) -> float:
        """The share of the recent gaps longer than `x`, each gap smeared over ± a bandwidth (a handful of
        gaps says where cuts fall only roughly)."""
        gaps = self._gaps
        mean = sum(gaps) / len(gaps)
        spread = math.sqrt(sum((g - mean) ** 2 for g in gaps) / len(gaps))
        width = max(0.05 * mean, 1.06 * spread * len(gaps) ** -0.2, 1.0)
        return sum(min(1.0, max(0.0, (g + width - x) / (2 * width))) for g in gaps) / len(gaps)

    def sending(self, nbytes: int) -> None:
        """A request of `nbytes` (head and body) is about to go out; `delivered` or `cut` follows."""
        with self._lock:
            self._in_flight += max(0, nbytes)

    def delivered(self, nbytes: int) -> None:
        """A request of `nbytes` got through and was answered."""
        with self._lock:
            self._in_flight = max(0, self._in_flight - max(0, nbytes))
            self._run += max(0, nbytes)

    def cut(self, nbytes: int) -> None:
        """A request of `nbytes` was cut (or stalled); on average half of it crossed the link."""
        with self._lock:
            self._in_flight = max(0, self._in_flight - max(0, nbytes))
            gap = self._run + max(0, nbytes) / 2
            # a cut sooner than expected weighs more than a late one: shrink fast, grow with care
            a = self.limits.smoothing if self._mean_gap is None or gap >= self._mean_gap else self.limits.shrinking
            self._mean_gap = gap if self._mean_gap is None else a * gap + (1 - a) * self._mean_gap
            self._gaps.append(gap)
            self._run = 0.0
            self.cuts += 1

    def snapshot(self) -> dict[str, Any]:
        """What the sizer learnt about the link, as JSON-ready numbers (not the platform's cap, which is the
        platform's to say again, nor bytes in flight, which a restart loses)."""
        with self._lock:
            return {"version": SNAPSHOT_VERSION, "mean_gap": self._mean_gap, "gaps": list(self._gaps),
                    "run": self._run, "cuts": self.cuts}

    def restore(self, state: Mapping[str, Any]) -> bool:
        """Take up what an earlier process learnt (`snapshot`); anything malformed is ignored whole (False):
        a sizer that starts over costs requests, one that believes nonsense can cost a link."""
        try:
            if state.get("version") != SNAPSHOT_VERSION:
                return False
            mean_gap = state["mean_gap"]
            mean = None if mean_gap is None else _amount(mean_gap)
            gaps = [_amount(g) for g in state["gaps"]][-self.limits.memory:]
            run = _amount(state["run"])
            cuts = state["cuts"]
            if isinstance(cuts, bool) or not isinstance(cuts, int) or cuts < 0:
                return False
        except (AttributeError, KeyError, TypeError, ValueError):
            return False
        if (mean is None) != (not gaps):  # a mean comes with the gaps it was made of
            return False
        with self._lock:
            self._mean_gap, self._run, self.cuts = mean, run, cuts
            self._gaps.clear()
            self._gaps.extend(gaps)
        return True

    def too_large(self, nbytes: int) -> None:
        """The platform refused a body of `nbytes` as too large (413): never send one that large again."""
        with self._lock:
            self._cap = max(self.limits.floor, min(self._cap, nbytes // 2))


def _amount(value: object) -> float:
    """A byte count from a snapshot: a finite number, not negative (bool is not a number here)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ValueError(f"not a byte count: {value!r}")
    return float(value)
