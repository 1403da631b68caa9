"""The framed serial protocol of second-generation ID card readers (GA 467 "SAM" interface).

Every frame, in either direction::

    AA AA AA 96 69 | LEN_HI LEN_LO | body ... | CHK

``LEN`` counts the body and the checksum; ``CHK`` is the XOR of the two
length bytes and the body. A command's body is ``CMD PARA [data]``; a
response's body is ``SW1 SW2 SW3 [data]``, where SW3 says how it went.

The functions here are pure: bytes in, values or a `FrameError` out. The
reader feeds whatever the port gave it to `FrameBuffer`, which skips noise
before a preamble (a reader that was mid-answer when we opened the port, a
USB bridge's power-on garbage) and hands out whole, checked frames.
"""
from __future__ import annotations

from dataclasses import dataclass

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
HEADER_LEN = len(PREAMBLE) + 2
# The longest legal answer is read-base-message: SW (3) + two lengths (4) + text (256) + photo (1024) + CHK;
# fingerprint-capable readers add 1024 more. Anything longer is a corrupt length field, not a frame.
MAX_BODY_LEN = 3 + 6 + 256 + 1024 + 1024 + 1

# Commands (CMD, PARA)
RESET_SAM = (0x10, 0xFF)
SAM_STATUS = (0x11, 0xFF)
READ_SAM_ID = (0x12, 0xFF)
FIND_CARD = (0x20, 0x01)
SELECT_CARD = (0x20, 0x02)
READ_BASE = (0x30, 0x01)

# SW3 values (SW1 and SW2 are 00 00 in every answer the interface defines)
SW_OK = 0x90
SW_FIND_OK = 0x9F
SW_NO_CARD = 0x80
SW_SELECT_FAILED = 0x81
SW_CHECKSUM = 0x10
SW_LENGTH = 0x11
SW_COMMAND = 0x21
SW_UNAUTHORISED = 0x23
SW_UNKNOWN_COMMAND = 0x24
SW_CARD_AUTH = 0x31
SW_INFO_CHECK = 0x32
SW_INFO = 0x33
SW_NO_OPERATION = 0x40
SW_READ_FAILED = 0x41
SW_SAM_SELF_TEST = 0x60
SW_SAM_UNAUTHORISED = 0x66

STATUS_NAMES: dict[int, str] = {
    SW_OK: "ok", SW_FIND_OK: "card found", SW_NO_CARD: "no card", SW_SELECT_FAILED: "select failed",
    SW_CHECKSUM: "reader saw a bad checksum", SW_LENGTH: "reader saw a bad length", SW_COMMAND: "bad command",
    SW_UNAUTHORISED: "not authorised", SW_UNKNOWN_COMMAND: "unknown command", SW_CARD_AUTH: "card authentication failed",
    SW_INFO_CHECK: "information check failed", SW_INFO: "information error", SW_NO_OPERATION: "operation not possible",
    SW_READ_FAILED: "card read failed", SW_SAM_SELF_TEST: "SAM self-test failed",
    SW_SAM_UNAUTHORISED: "SAM not authorised",
}


class FrameError(ValueError):
    """A frame that cannot be trusted. `reason`: short, preamble, length, checksum, body."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


def checksum(data: bytes) -> int:
    value = 0
    for byte in data:
        value ^= byte
    return value


def encode_frame(body: bytes) -> bytes:
    length = (len(body) + 1).to_bytes(2, "big")
    return PREAMBLE + length + body + bytes([checksum(length + body)])


def encode_command(command: tuple[int, int], data: bytes = b"") -> bytes:
    return encode_frame(bytes(command) + data)


def encode_response(sw3: int, data: bytes = b"") -> bytes:
    """What a reader answers (the simulator speaks with it)."""
    return encode_frame(bytes([0x00, 0x00, sw3]) + data)


def decode_frame(raw: bytes) -> bytes:
    """The body of exactly one frame; raises `FrameError` for anything else."""
    if len(raw) < HEADER_LEN + 1:
        raise FrameError("short", f"{len(raw)} bytes cannot hold a frame")
    if raw[:len(PREAMBLE)] != PREAMBLE:
        raise FrameError("preamble", f"starts {raw[:5].hex(' ')}")
    length = int.from_bytes(raw[5:7], "big")
    if length < 2 or length > MAX_BODY_LEN:
        raise FrameError("length", f"length field {length}")
    if len(raw) != HEADER_LEN + length:
        what = "short" if len(raw) < HEADER_LEN + length else "length"
        raise FrameError(what, f"length field says {length}, {len(raw) - HEADER_LEN} bytes follow")
    body = raw[HEADER_LEN:-1]
    if checksum(raw[5:-1]) != raw[-1]:
        raise FrameError("checksum", f"expected {checksum(raw[5:-1]):02x}, got {raw[-1]:02x}")
    return body


class FrameBuffer:
    """Bytes in as they arrive, whole frames out; noise before a preamble is dropped.

    A frame with a bad checksum or an impossible length raises once and is
    dropped with everything before the next preamble, so one corrupt answer
    does not poison the next exchange.
    """

    def __init__(self) -> None:
        self._data = bytearray()

    def feed(self, data: bytes) -> None:
        self._data += data

    def __len__(self) -> int:
        return len(self._data)

    def clear(self) -> None:
        self._data.clear()

    def next_frame(self) -> bytes | None:
        """The body of the next complete frame, None if more bytes are needed; `FrameError` if it is corrupt."""
        start = self._data.find(PREAMBLE)
        if start < 0:
            keep = max(0, len(self._data) - (len(PREAMBLE) - 1))  # a preamble may be split across reads
            del self._data[:keep]
            return None
        del self._data[:start]
        if len(self._data) < HEADER_LEN:
            return None
        length = int.from_bytes(self._data[5:7], "big")
        if length < 2 or length > MAX_BODY_LEN:
            del self._data[:len(PREAMBLE)]
            raise FrameError("length", f"length field {length}")
        if len(self._data) < HEADER_LEN + length:
            return None
        raw = bytes(self._data[:HEADER_LEN + length])
        del self._data[:HEADER_LEN + length]
        return decode_frame(raw)


@dataclass(frozen=True)
class Command:
    command: tuple[int, int]
    data: bytes


def decode_command(body: bytes) -> Command:
    if len(body) < 2:
        raise FrameError("body", "a command needs CMD and PARA")
    return Command((body[0], body[1]), bytes(body[2:]))


@dataclass(frozen=True)
class Response:
    sw1: int
    sw2: int
    sw3: int
    data: bytes

    @property
    def status(self) -> str:
        return STATUS_NAMES.get(self.sw3, f"status {self.sw3:02x}")


def decode_response(body: bytes) -> Response:
    if len(body) < 3:
        raise FrameError("body", f"an answer needs three status bytes, got {len(body)}")
    return Response(body[0], body[1], body[2], bytes(body[3:]))


@dataclass(frozen=True)
class BaseMessage:
    """The answer to read-base-message: 256 bytes of text and the WLT photo (undecoded)."""

    text: bytes
    photo: bytes


def decode_base_message(data: bytes) -> BaseMessage:
    """Raises `FrameError` when the lengths inside do not add up (a card pulled away gives such answers)."""
    if len(data) < 4:
        raise FrameError("body", f"base message of {len(data)} bytes")
    text_len = int.from_bytes(data[0:2], "big")
    photo_len = int.from_bytes(data[2:4], "big")
    if text_len != 256 or len(data) < 4 + text_len + photo_len:
        raise FrameError("body", f"text {text_len} and photo {photo_len} bytes in {len(data) - 4}")
    text = data[4:4 + text_len]
    return BaseMessage(text, data[4 + text_len:4 + text_len + photo_len])


def encode_base_message(text: bytes, photo: bytes) -> bytes:
    return len(text).to_bytes(2, "big") + len(photo).to_bytes(2, "big") + text + photo
