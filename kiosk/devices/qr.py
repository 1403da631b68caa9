"""Booking QR codes: read from the kiosk's camera frames, or typed by a hand-held scanner. No Qt.

A citizen checking in holds the booking's QR code (on a phone or a printout) under the kiosk's
camera, or in front of a hand-held scanner. The camera path decodes the newest frame with OpenCV's
`cv2.QRCodeDetector`, only when a new frame has arrived since the last look and at most a few times a
second (`QrLook`), so a kiosk with nobody in front of it spends nothing on it. A hand-held scanner is a
"keyboard wedge": it types the code's characters within a few milliseconds each and presses Enter; a
person types far slower. `KeyBurst` tells the two apart from the key times alone, so the check-in
screen needs no text field and the citizen types nothing.

What the code holds is the booking's `booking_code` (`kiosk.booking_code`: eight characters with a
check character); a code inside a link (`https://.../b/CODE` or `...?code=CODE`) is accepted too,
because booking pages put links in their QR codes. `booking_code_from_text` gives the code, normalised,
only when its check character holds: another QR code in view (a shop's, a phone's wallpaper) is not
a booking and is passed over in silence. Whether a booking has that code is the use case's question.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import numpy as np

from kiosk import booking_code
from kiosk.devices.camera import Frame, FrameSource

MAX_TEXT = 512  # longer QR texts are not booking codes (nor links to one)
CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _-]{3,31}")  # a code as printed or typed, grouped or not
QUERY_KEYS = ("code", "booking", "booking_code")
MAX_DECODE_SIDE = 1280  # frames are shrunk to this before decoding: a phone's QR is large in the picture


def _valid(candidate: str) -> str | None:
    if not CODE_RE.fullmatch(candidate):
        return None
    code = booking_code.normalise(candidate)
    return code if booking_code.problem(code) is None else None


def booking_code_from_text(text: str) -> str | None:
    """The booking code in a QR's text (bare, or the last path part or `code=` of a link), normalised;
    None when there is none or its check character is wrong."""
    if not isinstance(text, str) or not text or len(text) > MAX_TEXT:
        return None
    text = text.strip()
    found = _valid(text)
    if found is not None:
        return found
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    query = parse_qs(parts.query)
    for key in QUERY_KEYS:
        for value in query.get(key, ()):
            found = _valid(value.strip())
            if found is not None:
                return found
    return _valid(parts.path.rstrip("/").rsplit("/", 1)[-1])


def _gray(pixels: np.ndarray) -> np.ndarray:
    import cv2

    gray = pixels if pixels.ndim == 2 else cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY)
    side = max(gray.shape[:2])
    if side > MAX_DECODE_SIDE:
        scale = MAX_DECODE_SIDE / side
        gray = cv2.resize(gray, (max(1, round(gray.shape[1] * scale)), max(1, round(gray.shape[0] * scale))),
                          interpolation=cv2.INTER_AREA)
    return gray


def decode_qr_texts(frame: Frame | np.ndarray) -> list[str]:
    """The texts of the QR codes in a frame (RGB or grey, uint8); empty when there is none or none reads."""
    pixels = frame.pixels if isinstance(frame, Frame) else np.asarray(frame)
    if pixels.dtype != np.uint8 or pixels.ndim not in (2, 3) or min(pixels.shape[:2]) < 21:
        return []
    import cv2  # here, not at import: the welcome screen's scanner watch must not slow the kiosk's start

    gray = _gray(pixels)
    detector = cv2.QRCodeDetector()
    try:
        found, texts, _points, _codes = detector.detectAndDecodeMulti(gray)
    except cv2.error:
        found, texts = False, ()
    decoded = [t for t in texts if t] if found else []
    if not decoded:  # the single-code decoder reads some codes the multi one misses (a tilted phone)
        try:
            text, _points, _code = detector.detectAndDecode(gray)
        except cv2.error:
            text = ""
        decoded = [text] if text else []
    if not decoded and hasattr(cv2, "QRCodeDetectorAruco"):
        # The classic detector misses about one clean, square-on code in a hundred and thirty (its finder
        # patterns are not found); the ArUco-based one (OpenCV 4.8+) reads those.
        try:
            text, _points, _code = cv2.QRCodeDetectorAruco().detectAndDecode(gray)
        except cv2.error:
            text = ""
        decoded = [text] if text else []
    return decoded


def booking_code_in_frame(frame: Frame | np.ndarray) -> str | None:
    """The first booking code among the frame's QR codes (another QR, a shop's, is passed over)."""
    for text in decode_qr_texts(frame):
        code = booking_code_from_text(text)
        if code is not None:
            return code
    return None


@dataclass
class QrLook:
    """Looks at a camera's newest frame for a booking code, once per new frame.

    `look()` runs off the GUI thread (a job); it returns a code the first time it is seen, and not again
    while the same code stays in front of the camera (the citizen's phone lying there), until the camera
    has shown no code for `forget_after` looks, so a check-in is not repeated by a code left in view.
    """

    source: FrameSource
    forget_after: int = 3
    _seen_frames: int = -1
    _last_code: str | None = None
    _misses: int = 0
    looks: int = field(default=0)

    def look(self) -> str | None:
        frame, count = self.source.latest()
        if frame is None or count == self._seen_frames:
            return None
        self._seen_frames = count
        self.looks += 1
        code = booking_code_in_frame(frame)
        if code is None:
            self._misses += 1
            if self._misses >= self.forget_after:
                self._last_code = None
            return None
        self._misses = 0
        if code == self._last_code:
            return None
        self._last_code = code
        return code

    def forget(self) -> None:
        """The same code may check in again (the screen was left and entered anew)."""
        self._last_code = None
        self._misses = 0


@dataclass
class KeyBurst:
    """A hand-held scanner "typing" a code: characters at most `max_gap_ms` apart, then Enter.

    Feed it every key press with its time in milliseconds (`key`); `enter` returns what the scanner sent
    when the characters before it came as one fast burst: the booking code in it (`booking_code_from_text`),
    else the text itself, so that the use case says what is wrong with it (a scan is deliberate: the
    citizen must hear why nothing happened). Keys a person types (slower) never add up to anything.
    """

    max_gap_ms: int = 40
    min_length: int = 4
    _chars: list[str] = field(default_factory=list)
    _last_ms: int | None = None

    def _gap_ok(self, at_ms: int) -> bool:
        return self._last_ms is not None and 0 <= at_ms - self._last_ms <= self.max_gap_ms

    def key(self, text: str, at_ms: int) -> None:
        if not self._gap_ok(at_ms):
            self._chars = []
        self._last_ms = at_ms
        if text and text.isprintable() and len(self._chars) < MAX_TEXT:
            self._chars.append(text)

    def enter(self, at_ms: int) -> str | None:
        text = "".join(self._chars)
        burst = self._gap_ok(at_ms) and len(text) >= self.min_length
        self._chars = []
        self._last_ms = None
        if not burst:
            return None
        return booking_code_from_text(text) or text.strip() or None

    def reset(self) -> None:
        self._chars = []
        self._last_ms = None
