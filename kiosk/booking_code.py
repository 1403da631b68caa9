"""Booking codes: what an appointment's QR code holds and what a citizen may read out at a counter.

Eight characters from an alphabet without the look-alikes 0/O and 1/I: seven random ones and a check
character (a weighted sum modulo 32 with odd weights, so any single wrong character is caught), so a code
typed or scanned wrongly is told apart from a booking that does not exist.
"""
from __future__ import annotations

import re
import secrets
import unicodedata

from kiosk.errors import Message

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
LENGTH = 8
_WEIGHTS = (1, 3, 5, 7, 9, 11, 13)
_SHAPE = re.compile(f"[{ALPHABET}]{{{LENGTH}}}")

BAD_CODE = Message("预约码应为8位字母和数字，请核对后重试。",
                   "A booking code has 8 letters and digits; please check it and try again.")
BAD_CHECK = Message("预约码有误（校验位不符），请核对后重试。",
                    "The booking code is wrong (its check character does not match); please check it and try again.")


def check_char(body: str) -> str:
    return ALPHABET[sum(ALPHABET.index(c) * w for c, w in zip(body, _WEIGHTS)) % len(ALPHABET)]


def new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH - 1))
    return body + check_char(body)


def normalise(text: str) -> str:
    """As typed or as a hand-held scanner sends it: full-width folded, upper case, spaces and hyphens gone."""
    folded = unicodedata.normalize("NFKC", text or "").upper()
    return "".join(ch for ch in folded if not ch.isspace() and ch not in "-_")


def problem(code: str) -> Message | None:
    """Why `code` (normalised) cannot be a booking code, or None when it can."""
    if not _SHAPE.fullmatch(code):
        return BAD_CODE
    if check_char(code[:-1]) != code[-1]:
        return BAD_CHECK
    return None
