"""The document camera's automatic capture, decided from synthetic frames (no camera, no Qt)."""
from __future__ import annotations

import numpy as np
import pytest

from kiosk.devices.camera import frame_from_array
from kiosk.devices.page_stillness import PageStillness, Phase, StillnessSettings
from kiosk.materials.samples import platen_frame

FRAME_MS = 100  # a preview polled ten times a second
SETTINGS = StillnessSettings(still_frames=4, still_ms=1000)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.seed = 0

    def feed(self, watch: PageStillness, **frame_args: object) -> Phase:
        self.now += FRAME_MS
        self.seed += 1
        return watch.feed(frame_from_array(platen_frame(seed=self.seed, **frame_args)), self.now).phase  # type: ignore[arg-type]


def test_a_page_laid_down_and_held_still_is_captured_once():
    watch, clock = PageStillness(SETTINGS), Clock()
    phases = [clock.feed(watch) for _ in range(40)]
    assert phases.count(Phase.CAPTURE) == 1 and watch.captures == 1
    first = phases.index(Phase.CAPTURE)
    # the first frame has nothing to compare with; then a second of stillness (and at least four frames)
    assert phases[0] is Phase.MOVING and all(p is Phase.STEADYING for p in phases[1:first])
    assert first * FRAME_MS >= SETTINGS.still_ms
    assert all(p is Phase.HELD for p in phases[first + 1:])


def test_the_countdown_rises_and_says_how_long_is_left():
    watch, clock = PageStillness(SETTINGS), Clock()
    clock.feed(watch)
    seen = []
    for n in range(20):
        clock.now += FRAME_MS
        state = watch.feed(frame_from_array(platen_frame(seed=100 + n)), clock.now)
        seen.append(state)
        if state.capture:
            break
    steadying = [s for s in seen if s.phase is Phase.STEADYING]
    assert [s.progress for s in steadying] == sorted(s.progress for s in steadying)
    assert all(0 <= s.progress < 1 for s in steadying) and seen[-1].progress == 1.0
    assert steadying[0].remaining_ms == SETTINGS.still_ms and steadying[-1].remaining_ms <= FRAME_MS


def test_a_moving_page_is_never_captured():
    watch, clock = PageStillness(SETTINGS), Clock()
    phases = [clock.feed(watch, offset=(8 * (n % 2) - 4 + n, n)) for n in range(40)]
    assert Phase.CAPTURE not in phases and watch.captures == 0
    assert set(phases) == {Phase.MOVING}


def test_an_empty_platen_is_never_captured():
    watch, clock = PageStillness(SETTINGS), Clock()
    phases = [clock.feed(watch, page=False) for _ in range(40)]
    assert set(phases) == {Phase.EMPTY}


def test_a_hand_waving_over_the_page_holds_the_capture_back_until_it_is_gone():
    watch, clock = PageStillness(SETTINGS), Clock()
    waving = [clock.feed(watch, hand_at=(100 + 40 * (n % 6), 240)) for n in range(30)]
    assert Phase.CAPTURE not in waving
    after = [clock.feed(watch) for _ in range(20)]
    assert after.count(Phase.CAPTURE) == 1


def test_a_short_pause_of_the_hand_does_not_capture():
    watch, clock = PageStillness(SETTINGS), Clock()
    phases = [clock.feed(watch) for _ in range(5)]  # still for half a second...
    phases += [clock.feed(watch, hand_at=(320, 240 + 10 * n)) for n in range(3)]  # ...then a hand moves in
    assert Phase.CAPTURE not in phases


def test_nothing_fires_again_until_the_page_is_removed_or_changed():
    watch, clock = PageStillness(SETTINGS), Clock()
    phases = [clock.feed(watch) for _ in range(30)]
    assert phases.count(Phase.CAPTURE) == 1
    # a small nudge of the same page: still the page already taken
    phases = [clock.feed(watch, offset=(1, 0)) for _ in range(20)]
    assert Phase.CAPTURE not in phases
    # taken away, then the next page laid down: captured once
    phases = [clock.feed(watch, page=False) for _ in range(5)]
    assert phases[-1] is Phase.EMPTY
    phases = [clock.feed(watch, variant=1) for _ in range(30)]
    assert phases.count(Phase.CAPTURE) == 1
    # swapped for a different page without an empty platen between: captured once more
    phases = [clock.feed(watch, variant=2) for _ in range(30)]
    assert phases.count(Phase.CAPTURE) == 1 and watch.captures == 3


def test_rearm_takes_the_same_page_again_for_a_retake():
    watch, clock = PageStillness(SETTINGS), Clock()
    assert [clock.feed(watch) for _ in range(30)].count(Phase.CAPTURE) == 1
    watch.rearm()
    assert [clock.feed(watch) for _ in range(30)].count(Phase.CAPTURE) == 1


def test_a_patterned_mat_learned_as_empty_is_not_a_page():
    mat = np.zeros((480, 640, 3), dtype=np.uint8)
    mat[::40, :] = 200  # a cutting mat's grid has contrast, but it is no page
    mat[:, ::40] = 200
    watch = PageStillness(SETTINGS)
    watch.learn_empty(mat)
    assert {watch.feed(mat, 100.0 * n).phase for n in range(1, 30)} == {Phase.EMPTY}
    assert watch.feed(platen_frame(seed=1), 3100.0).phase is Phase.MOVING


def test_grey_frames_and_bad_input():
    watch = PageStillness(SETTINGS)
    grey = platen_frame(seed=1).mean(axis=2).astype(np.uint8)
    assert watch.feed(grey, 0).phase is Phase.MOVING
    with pytest.raises(ValueError):
        watch.feed(np.zeros((4, 4), dtype=np.float32), 100)
    with pytest.raises(ValueError):
        StillnessSettings(still_frames=0)
