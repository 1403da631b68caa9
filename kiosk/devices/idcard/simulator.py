"""A reader that speaks the SAM protocol on a pseudo-terminal, with recorded cards.

Tests open its `path` with the real `SerialIdCardReader`, so the bytes go
through a real tty; `place()` and `lift()` are the citizen's hand. Cards:

- ``resident``: a resident ID card (the demo applicant's);
- ``foreigner``: a foreigner's permanent residence card (2017 edition);
- ``invalid_number``: a resident card whose number fails its check character;
- ``bad_checksum``: every text answer arrives with a corrupt checksum;
- ``pulled``: the card leaves mid-read: half the answer arrives, then silence, and the card is gone.

For demos: ``python -m kiosk.devices.idcard.simulator --card resident`` prints
the pty path; type ``lift``, ``place NAME`` or ``quit`` on stdin.
"""
from __future__ import annotations

import argparse
import os
import select
import sys
import threading
import tty

from kiosk.devices.idcard.card_text import FOREIGNER_LAYOUT, RESIDENT_LAYOUT, encode_card_text
from kiosk.devices.idcard.protocol import (FIND_CARD, READ_BASE, READ_SAM_ID, RESET_SAM, SAM_STATUS, SELECT_CARD,
                                           SW_FIND_OK, SW_NO_CARD, SW_OK, SW_SELECT_FAILED,
                                           SW_UNKNOWN_COMMAND, FrameBuffer, FrameError, decode_command,
                                           encode_base_message, encode_response)
from kiosk.identity import resident_id_check_char

RESIDENT_FIELDS = {
    "name": "张三", "sex": "1", "nation": "01", "birth": "19491231",
    "address": "北京市朝阳区建国路88号", "id_number": "11010519491231002" + resident_id_check_char("11010519491231002"),
    "issuer": "北京市公安局朝阳分局", "valid_from": "20150101", "valid_to": "20350101",
}
FOREIGNER_FIELDS = {
    "english_name": "SMITH, JOHN", "sex": "1", "id_number": "USA330112345678", "nationality": "USA",
    "name": "约翰", "valid_from": "20180601", "valid_to": "20280601", "birth": "19800115",
    "version": "01", "authority": "1500", "card_type": "I",
}
_bad = dict(RESIDENT_FIELDS, id_number=RESIDENT_FIELDS["id_number"][:17]
            + ("0" if RESIDENT_FIELDS["id_number"][17] != "0" else "1"))

CARDS: dict[str, bytes] = {
    "resident": encode_card_text(RESIDENT_FIELDS, RESIDENT_LAYOUT),
    "foreigner": encode_card_text(FOREIGNER_FIELDS, FOREIGNER_LAYOUT),
    "invalid_number": encode_card_text(_bad, RESIDENT_LAYOUT),
    "bad_checksum": encode_card_text(RESIDENT_FIELDS, RESIDENT_LAYOUT),
    "pulled": encode_card_text(RESIDENT_FIELDS, RESIDENT_LAYOUT),
}
PHOTO = bytes(range(256)) * 4  # stands in for the 1,024-byte WLT photo, which nobody here decodes
SAM_ID = bytes.fromhex("0501000000000000000000000000000000")[:16]


class ReaderSimulator:
    """A reader on a pty; its thread answers each command as the recorded card would."""

    def __init__(self, card: str | None = None) -> None:
        if card is not None and card not in CARDS:
            raise ValueError(f"unknown card {card!r}; known: {', '.join(CARDS)}")
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)  # binary frames, no echo, no CR/LF translation
        self.path = os.ttyname(self._slave)
        self._card = card
        self._lock = threading.Lock()
        self.commands: list[tuple[int, int]] = []  # every command received, in order
        self.reads = 0  # text reads answered in full
        self._wake_r, self._wake_w = os.pipe()
        self._stop = False
        self._thread = threading.Thread(target=self._serve, name="idcard-simulator", daemon=True)
        self._thread.start()

    # --- the citizen's hand ------------------------------------------------------------------

    def place(self, card: str) -> None:
        if card not in CARDS:
            raise ValueError(f"unknown card {card!r}; known: {', '.join(CARDS)}")
        with self._lock:
            self._card = card

    def lift(self) -> None:
        with self._lock:
            self._card = None

    @property
    def card(self) -> str | None:
        with self._lock:
            return self._card

    # --- the reader ----------------------------------------------------------------------------

    def answer(self, command: tuple[int, int]) -> bytes:
        """The bytes the reader sends back for one command (and what the hand does meanwhile)."""
        with self._lock:
            card = self._card
            self.commands.append(command)
            if command == FIND_CARD:
                return encode_response(SW_FIND_OK, bytes(4)) if card else encode_response(SW_NO_CARD)
            if command == SELECT_CARD:
                return encode_response(SW_OK, bytes(8)) if card else encode_response(SW_SELECT_FAILED)
            if command in (SAM_STATUS, RESET_SAM):
                return encode_response(SW_OK)
            if command == READ_SAM_ID:
                return encode_response(SW_OK, SAM_ID)
            if command != READ_BASE:
                return encode_response(SW_UNKNOWN_COMMAND)
            if card is None:
                return encode_response(0x41)
            frame = encode_response(SW_OK, encode_base_message(CARDS[card], PHOTO))
            if card == "bad_checksum":
                return frame[:-1] + bytes([frame[-1] ^ 0xFF])
            if card == "pulled":
                self._card = None  # the hand took it away while the reader was sending
                return frame[:len(frame) // 2]
            self.reads += 1
            return frame

    def _serve(self) -> None:
        buffer = FrameBuffer()
        while not self._stop:
            ready, _, _ = select.select([self._master, self._wake_r], [], [])
            if self._wake_r in ready:
                return
            try:
                data = os.read(self._master, 4096)
            except OSError:  # no one holds the slave side open; we do, so only at close
                return
            buffer.feed(data)
            while True:
                try:
                    body = buffer.next_frame()
                except FrameError:
                    os.write(self._master, encode_response(0x10))  # the reader's "your checksum is wrong"
                    continue
                if body is None:
                    break
                try:
                    command = decode_command(body)
                except FrameError:
                    os.write(self._master, encode_response(0x11))
                    continue
                os.write(self._master, self.answer(command.command))

    def close(self) -> None:
        self._stop = True
        os.write(self._wake_w, b"x")
        self._thread.join(5)
        for fd in (self._master, self._slave, self._wake_r, self._wake_w):
            os.close(fd)

    def __enter__(self) -> "ReaderSimulator":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.devices.idcard.simulator",
                                     description="an ID card reader on a pseudo-terminal, for demos")
    parser.add_argument("--card", choices=sorted(CARDS), default=None, help="the card lying on it at start")
    args = parser.parse_args(argv)
    with ReaderSimulator(args.card) as sim:
        print(sim.path, flush=True)
        print(f"身份证阅读器模拟器 / ID card reader simulator: set id_reader = \"serial\", "
              f"id_reader_port = \"{sim.path}\". Commands: place {'|'.join(CARDS)} / lift / quit",
              file=sys.stderr, flush=True)
        for line in sys.stdin:
            words = line.split()
            if not words:
                continue
            if words[0] == "quit":
                break
            if words[0] == "lift":
                sim.lift()
            elif words[0] == "place" and len(words) == 2 and words[1] in CARDS:
                sim.place(words[1])
            else:
                print(f"? {line.strip()}", file=sys.stderr, flush=True)
                continue
            print(f"card: {sim.card or '-'}", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
