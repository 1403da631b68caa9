"""When to photograph a page under the document camera: once it lies there and holds still.

An elderly citizen should not have to find and press a "capture" button at
the right moment: the kiosk watches the camera's frames and takes the
picture itself once a page has been still for a moment, like commercial hall
terminals do. This module decides *when*, from the frames alone, with no Qt:
each frame is shrunk to a small grey picture and compared with the one
before (motion) and with the page last captured (has the page changed?).

Rules, in order:
- an empty platen (a nearly uniform picture, or the empty picture learned
  earlier) is never captured, and removing the page re-arms the detector;
- any motion (a hand, the page being adjusted) restarts the count;
- a page that stays still for `still_frames` frames *and* `still_ms`
  milliseconds is captured exactly once (`Phase.CAPTURE` is returned for
  one frame only);
- after a capture nothing fires again until the page is removed or replaced
  by a visibly different one, or `rearm()` is called (the citizen asked to
  retake it).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np

from kiosk.devices.camera import Frame


class Phase(StrEnum):
    EMPTY = "empty"          # nothing on the platen: "place the page under the camera"
    MOVING = "moving"        # something moves: "hold the page still"
    STEADYING = "steadying"  # still, counting down to the capture
    CAPTURE = "capture"      # take the picture now (returned once per page)
    HELD = "held"            # captured; waiting for the next page


@dataclass(frozen=True)
class StillnessSettings:
    width: int = 64                # the small grey picture frames are compared at
    height: int = 48
    still_delta: float = 3.0       # mean grey difference (0-255) to the previous frame that still counts as still
    still_share: float = 0.01      # ...and the share of small pixels that may change by more than `level`
    change_delta: float = 10.0     # mean difference to the captured page that makes it a different page
    change_share: float = 0.02     # ...or the share of small pixels changed by more than `level`
    level: float = 25.0            # a pixel "changed" (text lines moved) rather than flickered
    min_contrast: float = 8.0      # grey standard deviation below which the platen counts as empty
    still_frames: int = 4          # frames in a row that must be still...
    still_ms: int = 1200           # ...and for at least this long

    def __post_init__(self) -> None:
        if self.width < 8 or self.height < 8 or self.still_frames < 1 or self.still_ms < 0:
            raise ValueError("stillness settings out of range")


@dataclass(frozen=True)
class Stillness:
    """What the screen shows: the phase, and during the countdown how far along it is."""

    phase: Phase
    progress: float = 0.0     # 0..1 while steadying, 1 at capture
    remaining_ms: int = 0     # until the capture while steadying

    @property
    def capture(self) -> bool:
        return self.phase is Phase.CAPTURE


def small_grey(frame: Frame | np.ndarray, width: int, height: int) -> np.ndarray:
    """The frame as a small float grey picture: cheap to compare, and blind to sensor noise."""
    pixels = frame.pixels if isinstance(frame, Frame) else np.asarray(frame)
    if pixels.dtype != np.uint8 or pixels.ndim not in (2, 3) or pixels.shape[0] < 1 or pixels.shape[1] < 1:
        raise ValueError("a frame is an H x W or H x W x 3 uint8 array")
    grey = cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY) if pixels.ndim == 3 else pixels
    return cv2.resize(grey, (width, height), interpolation=cv2.INTER_AREA).astype(np.float32)


def difference(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(np.abs(a - b)))


def changed_share(a: np.ndarray, b: np.ndarray, level: float) -> float:
    """The share of pixels that changed clearly: a page swapped for another with the same layout moves
    little on average but its text lines land elsewhere."""
    return float(np.mean(np.abs(a - b) > level))


class PageStillness:
    """Feed it every frame (`feed`); it says what to show and when to capture. Not thread-safe: one owner."""

    def __init__(self, settings: StillnessSettings = StillnessSettings()) -> None:
        self.settings = settings
        self._previous: np.ndarray | None = None
        self._captured: np.ndarray | None = None
        self._empty: np.ndarray | None = None
        self._still_count = 0
        self._still_since: float | None = None
        self.captures = 0

    def rearm(self) -> None:
        """Capture the page on the platen again once it is still (the citizen pressed "retake")."""
        self._captured = None
        self._still_count = 0
        self._still_since = None

    def learn_empty(self, frame: Frame | np.ndarray) -> None:
        """The platen with nothing on it (a patterned mat is not a page)."""
        s = self.settings
        self._empty = small_grey(frame, s.width, s.height)

    def _is_empty(self, grey: np.ndarray) -> bool:
        s = self.settings
        if self._empty is not None and difference(grey, self._empty) < s.change_delta:
            return True
        return float(np.std(grey)) < s.min_contrast

    def feed(self, frame: Frame | np.ndarray, now_ms: float) -> Stillness:
        s = self.settings
        grey = small_grey(frame, s.width, s.height)
        previous, self._previous = self._previous, grey
        moved = previous is None or difference(grey, previous) > s.still_delta \
            or changed_share(grey, previous, s.level) > s.still_share
        if self._is_empty(grey):
            if not moved and float(np.std(grey)) < s.min_contrast:
                self._empty = grey  # a still, uniform platen: remember what empty looks like here
            self._captured = None  # the page was taken away: the next one is captured
            self._still_count, self._still_since = 0, None
            return Stillness(Phase.EMPTY)
        if self._captured is not None:
            if difference(grey, self._captured) <= s.change_delta \
                    and changed_share(grey, self._captured, s.level) <= s.change_share:
                return Stillness(Phase.HELD)
            self._captured = None  # a different page (or the same one moved a lot): capture it once still
        if moved:
            self._still_count, self._still_since = 0, None
            return Stillness(Phase.MOVING)
        if self._still_since is None:
            self._still_since = now_ms
            self._still_count = 0
        self._still_count += 1
        held_ms = now_ms - self._still_since
        if self._still_count >= s.still_frames and held_ms >= s.still_ms:
            self._captured = grey
            self._still_count, self._still_since = 0, None
            self.captures += 1
            return Stillness(Phase.CAPTURE, 1.0, 0)
        by_frames = self._still_count / s.still_frames
        by_time = held_ms / s.still_ms if s.still_ms else 1.0
        progress = max(0.0, min(by_frames, by_time, 0.99))
        return Stillness(Phase.STEADYING, progress, max(0, int(s.still_ms - held_ms)))
