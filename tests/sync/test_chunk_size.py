"""The upload chunk size controller (sync.chunk_size), driven by a simulated link: bytes cross one by
one and a cut falls where the link says, so every figure here is exact and repeatable."""
from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from sync.chunk_size import ChunkLimits, ChunkSizer, best_chunk
from sync.protocol import DEFAULT_CHUNK_BYTES, MIN_CHUNK_BYTES, PLATFORM_MAX_CHUNK_BYTES

HEAD = 340  # a lean PATCH head (sync.client.PlatformClient.head_bytes)


def waste_on_link(size_of: Callable[[], int], sizer: ChunkSizer | None, gap: Callable[[random.Random], float],
                  *, payload: int = 9_500_000, seed: int = 1) -> tuple[float, int]:
    """Upload `payload` bytes over a link that cuts after `gap` bytes each time; return the wasted share
    of what crossed the link (heads, cut chunks, the HEAD after each reconnect) and the number of cuts."""
    rng = random.Random(seed)
    at, next_cut, delivered, wasted, cuts = 0.0, gap(rng), 0, 0.0, 0
    while delivered < payload:
        body = min(size_of(), payload - delivered)
        n = HEAD + body
        if sizer:
            sizer.sending(n)
        if at + n >= next_cut:
            wasted += next_cut - at + 200  # the part sent, and the HEAD that asks for the offset
            at = next_cut + 200
            next_cut = at + gap(rng)
            cuts += 1
            if sizer:
                sizer.cut(n)
        else:
            at += n
            wasted += HEAD
            delivered += body
            if sizer:
                sizer.delivered(n)
    return wasted / at, cuts


def jittered(every: int) -> Callable[[random.Random], float]:
    return lambda rng: every * rng.uniform(0.8, 1.2)  # as sync.linksim.BadLink cuts


def memoryless(every: int) -> Callable[[random.Random], float]:
    return lambda rng: rng.expovariate(1 / every)


def test_starts_at_the_default_and_grows_while_chunks_get_through() -> None:
    sizer = ChunkSizer()
    sizes = [sizer.size(HEAD)]
    for _ in range(400):
        sizer.delivered(HEAD + sizes[-1])
        sizes.append(sizer.size(HEAD))
    assert sizes[0] == DEFAULT_CHUNK_BYTES
    assert sizes == sorted(sizes)  # never smaller while nothing is cut
    assert sizes[-1] == PLATFORM_MAX_CHUNK_BYTES  # a good link ends at the platform's largest chunk


def test_shrinks_when_cuts_come_sooner_and_grows_again_when_chunks_get_through() -> None:
    sizer = ChunkSizer()
    while sizer.size(HEAD) < 256 * 1024:  # a good link so far
        sizer.delivered(HEAD + sizer.size(HEAD))
    before = sizer.size(HEAD)
    sizes = []
    for _ in range(8):  # now a cut every ~100 KB
        for _ in range(3):
            sizer.delivered(HEAD + 30 * 1024)
        sizer.cut(HEAD + sizer.size(HEAD))
        sizes.append(sizer.size(HEAD))
    # the first cut after a long good run says only that cuts are rare; the next ones say how rare
    assert sizes[2] < before / 2
    assert sizes[-1] < before / 8
    assert MIN_CHUNK_BYTES <= min(sizes)
    while sizer.size(HEAD) <= sizes[-1] * 4:  # chunks get through again: it grows, without another cut
        sizer.delivered(HEAD + sizer.size(HEAD))


def test_a_cut_with_nothing_through_shrinks_it_to_about_the_floor() -> None:
    sizer = ChunkSizer()
    for _ in range(30):  # the link cuts before any chunk gets through
        sizer.cut(HEAD + sizer.size(HEAD))
    assert MIN_CHUNK_BYTES <= sizer.size(HEAD) < 2 * MIN_CHUNK_BYTES


def test_between_cuts_is_estimated_from_what_got_through() -> None:
    sizer = ChunkSizer()
    assert sizer.between_cuts() is None
    for _ in range(6):
        sizer.delivered(300_000)
        sizer.cut(0)
    assert sizer.between_cuts() == pytest.approx(300_000)
    assert sizer.cuts == 6


def test_the_memoryless_optimum() -> None:
    # h / c + c / (2 D) is least at c = sqrt(2 h D); a fraction of D takes over on good links
    assert best_chunk(340, 300 * 1024, 1 / 50) == pytest.approx((2 * 340 * 300 * 1024) ** 0.5, abs=1)
    assert best_chunk(340, 100 * 1024 * 1024, 1 / 50) == pytest.approx(100 * 1024 * 1024 / 50, abs=1)


@pytest.mark.parametrize("every_kb", [300, 1024])
def test_on_issue_15s_bad_links_wastes_at_most_five_percent_and_less_than_fixed_chunks(every_kb: int) -> None:
    """A cut every ~300 KB and every ~1 MB, ±20 % as sync.linksim cuts (bench/sync_bad_link.py)."""
    gap = jittered(every_kb * 1024)
    adaptive = [waste_on_link(lambda s=s: s.size(HEAD), s, gap, seed=seed)[0] for seed in range(6) for s in [ChunkSizer()]]
    fixed = [waste_on_link(lambda: DEFAULT_CHUNK_BYTES, None, gap, seed=seed)[0] for seed in range(6)]
    assert max(adaptive) <= 0.05, adaptive
    assert sum(adaptive) < sum(fixed), (adaptive, fixed)


@pytest.mark.parametrize("every_kb", [300, 1024])
def test_cuts_at_random_cost_little_more_than_the_ideal(every_kb: int) -> None:
    """With no pattern to learn, the sizer ends near sqrt(2 h D), whose waste is sqrt(2 h / D)."""
    ideal = (2 * HEAD / (every_kb * 1024)) ** 0.5
    adaptive = [waste_on_link(lambda s=s: s.size(HEAD), s, memoryless(every_kb * 1024), seed=seed)[0]
                for seed in range(6) for s in [ChunkSizer()]]
    assert sum(adaptive) / 6 <= 1.25 * ideal, (adaptive, ideal)


def test_a_regular_link_gets_large_chunks_after_a_cut_and_small_ones_before_the_next() -> None:
    sizer = ChunkSizer()
    rng = random.Random(7)
    for _ in range(16):
        sizer.delivered(int(300 * 1024 * rng.uniform(0.8, 1.2)))
        sizer.cut(0)
    fresh = sizer.size(HEAD)
    sizer.delivered(270 * 1024)
    due = sizer.size(HEAD)
    assert fresh > 3 * due
    assert due >= MIN_CHUNK_BYTES


def test_bytes_in_flight_count_as_sent() -> None:
    """Two uploads share the link: a chunk planned while another is on its way plans past that one."""
    sizer, alone = ChunkSizer(), ChunkSizer()
    for s in (sizer, alone):
        rng = random.Random(3)
        for _ in range(16):
            s.delivered(int(300 * 1024 * rng.uniform(0.8, 1.2)))
            s.cut(0)
        s.delivered(200 * 1024)
    sizer.sending(60 * 1024)
    assert sizer.size(HEAD) < alone.size(HEAD)
    sizer.delivered(60 * 1024)
    alone.delivered(60 * 1024)
    assert sizer.size(HEAD) == alone.size(HEAD)


def test_a_413_caps_the_chunk_below_the_refused_body() -> None:
    sizer = ChunkSizer()
    sizer.too_large(64 * 1024)
    assert sizer.cap == 32 * 1024
    for _ in range(400):
        sizer.delivered(HEAD + sizer.size(HEAD))
    assert sizer.size(HEAD) == 32 * 1024
    for _ in range(20):
        sizer.too_large(sizer.cap)
    assert sizer.cap == MIN_CHUNK_BYTES  # never below the floor: the uploader's failure limit ends it


def test_limits_must_be_ordered() -> None:
    with pytest.raises(ValueError):
        ChunkSizer(ChunkLimits(floor=64 * 1024, start=32 * 1024))


def test_what_a_sizer_learnt_survives_a_snapshot() -> None:
    """A restarted terminal (sync.link_memory) sizes its chunks as the process before it would have."""
    learnt = ChunkSizer()
    waste_on_link(lambda: learnt.size(HEAD), learnt, lambda rng: rng.uniform(200_000, 400_000), payload=3_000_000)
    learnt.delivered(123_456)
    state = learnt.snapshot()
    assert len(state["gaps"]) >= 4 and state["cuts"] == learnt.cuts
    restored = ChunkSizer()
    assert restored.restore(state) is True
    assert restored.snapshot() == state
    assert [restored.size(h) for h in (HEAD, 1000)] == [learnt.size(h) for h in (HEAD, 1000)]
    assert restored.size(HEAD) < DEFAULT_CHUNK_BYTES  # it remembers a bad link, not only a good one


@pytest.mark.parametrize("bad", [
    {},
    {"version": 1, "mean_gap": None, "gaps": [], "run": "1000", "cuts": 0},
    {"version": 1, "mean_gap": None, "gaps": [], "run": True, "cuts": 0},
    {"version": 1, "mean_gap": None, "gaps": [], "run": float("nan"), "cuts": 0},
    {"version": 1, "mean_gap": 5e5, "gaps": [5e5, -1], "run": 0, "cuts": 2},
    {"version": 1, "mean_gap": None, "gaps": [5e5], "run": 0, "cuts": 1},
    {"version": 1, "mean_gap": None, "gaps": [], "run": 0, "cuts": -1},
    {"version": 1, "mean_gap": None, "gaps": None, "run": 0, "cuts": 0},
])
def test_a_malformed_snapshot_changes_nothing(bad: dict) -> None:
    sizer = ChunkSizer()
    sizer.delivered(2_000_000)
    before = sizer.snapshot()
    assert sizer.restore(bad) is False
    assert sizer.snapshot() == before
