"""Booking QR codes: real QR images (the qrcode library) decoded by OpenCV from frames, and a scanner's keys.

No Qt, no camera: a generated code is placed in a camera-sized frame, on a phone-like grey background,
sometimes turned and blurred, and `kiosk.devices.qr` must read it back; other QR codes and noise must not
read as a booking.
"""
from __future__ import annotations

import numpy as np
import pytest
import qrcode
from PIL import Image, ImageFilter

from kiosk.devices.camera import FrameSource, frame_from_array
from kiosk.devices.qr import (KeyBurst, QrLook, booking_code_from_text, booking_code_in_frame, decode_qr_texts)


def qr_frame(text: str, *, size: tuple[int, int] = (1280, 960), box: int = 8, angle: float = 0.0,
             blur: float = 0.0, at: tuple[int, int] = (380, 200)) -> np.ndarray:
    """A camera-sized RGB frame with the QR code of `text` on it, as a phone held under the camera shows it."""
    code = qrcode.make(text, box_size=box, border=4).convert("RGB")
    if angle:
        code = code.rotate(angle, expand=True, fillcolor=(255, 255, 255))
    frame = Image.new("RGB", size, (96, 104, 112))  # the kiosk's desk, a little blue
    frame.paste(code, at)
    if blur:
        frame = frame.filter(ImageFilter.GaussianBlur(blur))
    return np.asarray(frame, dtype=np.uint8).copy()


@pytest.mark.parametrize("code", ["BK7Q2M9X", "A1B2-C3D4-E5F6", "20261130-0001"])
def test_a_booking_code_is_read_from_a_camera_frame(code: str) -> None:
    assert booking_code_in_frame(frame_from_array(qr_frame(code))) == code


def test_a_turned_and_slightly_blurred_code_and_a_grey_frame_are_read() -> None:
    assert booking_code_in_frame(qr_frame("BK7Q2M9X", angle=17, blur=1.0)) == "BK7Q2M9X"
    grey = np.asarray(Image.fromarray(qr_frame("BK7Q2M9X")).convert("L"))
    assert booking_code_in_frame(frame_from_array(grey)) == "BK7Q2M9X"


def test_a_large_frame_is_shrunk_before_decoding_and_still_reads() -> None:
    assert booking_code_in_frame(qr_frame("BK-LARGE-01", size=(3264, 2448), box=20, at=(900, 600))) == "BK-LARGE-01"


def test_a_link_in_the_code_gives_its_booking_code() -> None:
    assert booking_code_in_frame(qr_frame("https://gov.example.cn/appointments/b/BK7Q2M9X")) == "BK7Q2M9X"
    assert booking_code_in_frame(qr_frame("https://gov.example.cn/checkin?hall=H1&code=BK7Q2M9X")) == "BK7Q2M9X"


def test_frames_without_a_booking_code_give_none() -> None:
    empty = np.full((960, 1280, 3), 128, dtype=np.uint8)
    noise = np.random.default_rng(7).integers(0, 256, size=(480, 640, 3), dtype=np.uint8)
    assert decode_qr_texts(empty) == [] and booking_code_in_frame(empty) is None
    assert booking_code_in_frame(noise) is None
    assert decode_qr_texts(qr_frame("some shop's wifi: pass 1234")) == ["some shop's wifi: pass 1234"]
    assert booking_code_in_frame(qr_frame("some shop's wifi: pass 1234")) is None  # a QR, not a booking
    assert booking_code_in_frame(qr_frame("ftp://gov.example.cn/b/BK7Q2M9X")) is None
    tiny = np.zeros((10, 10, 3), dtype=np.uint8)
    assert decode_qr_texts(tiny) == []
    assert decode_qr_texts(np.zeros((100, 100), dtype=np.float32)) == []  # not a picture of bytes


@pytest.mark.parametrize("text, code", [
    ("BK7Q2M9X", "BK7Q2M9X"), ("  BK7Q2M9X\n", "BK7Q2M9X"), ("abcd-0001", "abcd-0001"),
    ("https://x.cn/b/BK7Q2M9X/", "BK7Q2M9X"), ("https://x.cn/c?booking=BK7Q2M9X", "BK7Q2M9X"),
    ("", None), ("BK7", None), ("-BK7Q2M9X", None), ("BK 7Q2M9X", None), ("预约123456", None),
    ("A" * 65, None), ("https://x.cn/" + "A" * 600, None), ("https://x.cn/c?code=<script>", None),
    ("https:///b/BK7Q2M9X", None), ("javascript:alert(1)", None),
])
def test_what_counts_as_a_booking_code(text: str, code: str | None) -> None:
    assert booking_code_from_text(text) == code


def test_the_camera_look_reports_a_code_once_while_it_stays_in_view() -> None:
    source = FrameSource("kiosk camera")
    look = QrLook(source, forget_after=2)
    assert look.look() is None and look.looks == 0  # no frame yet: nothing decoded
    source.push_array(qr_frame("BK7Q2M9X"))
    assert look.look() == "BK7Q2M9X"
    assert look.look() is None and look.looks == 1  # the same frame is not decoded twice
    source.push_array(qr_frame("BK7Q2M9X", at=(390, 210)))  # the phone still lies there
    assert look.look() is None and look.looks == 2
    for _ in range(2):  # taken away for a moment
        source.push_array(np.full((960, 1280, 3), 128, dtype=np.uint8))
        assert look.look() is None
    source.push_array(qr_frame("BK7Q2M9X"))
    assert look.look() == "BK7Q2M9X"  # shown again: a new showing
    source.push_array(qr_frame("BK-OTHER-2"))
    assert look.look() == "BK-OTHER-2"  # another booking at once
    source.push_array(qr_frame("BK-OTHER-2", at=(300, 100)))
    assert look.look() is None
    look.forget()
    source.push_array(qr_frame("BK-OTHER-2"))
    assert look.look() == "BK-OTHER-2"  # the screen was entered anew


def test_a_scanner_burst_is_a_code_and_a_person_typing_is_not() -> None:
    burst = KeyBurst(max_gap_ms=40)
    for i, ch in enumerate("BK7Q2M9X"):
        burst.key(ch, 1000 + 5 * i)
    assert burst.enter(1000 + 5 * 8) == "BK7Q2M9X"
    assert burst.enter(1100) is None  # a second Enter has nothing before it
    for i, ch in enumerate("BK7Q2M9X"):  # the same characters at a person's pace
        burst.key(ch, 2000 + 150 * i)
    assert burst.enter(2000 + 150 * 8) is None
    for i, ch in enumerate("BK7Q2M9X"):  # a burst, then a pause before Enter: not a scanner's Enter
        burst.key(ch, 5000 + 5 * i)
    assert burst.enter(5000 + 5 * 7 + 500) is None
    for i, ch in enumerate("xyBK7Q2M9X"[:2]):  # a person's two keys, then a scanner's burst
        burst.key(ch, 8000 + 200 * i)
    for i, ch in enumerate("BK7Q2M9X"):
        burst.key(ch, 9000 + 4 * i)
    assert burst.enter(9000 + 4 * 8) == "BK7Q2M9X"
    for i, ch in enumerate("AB1"):  # too short to be a code
        burst.key(ch, 12000 + 3 * i)
    assert burst.enter(12009) is None
    for i, ch in enumerate("hello world"):  # a burst that is not a booking code
        burst.key(ch, 13000 + 3 * i)
    assert burst.enter(13000 + 3 * 11) is None
    burst.key("B", 14000)
    burst.reset()
    assert burst.enter(14001) is None
