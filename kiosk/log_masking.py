"""Masking what identifies a person in anything written for IT staff (logs, crash reports).

A log is read by IT staff and copied into tickets; a full ID number, credit
code or mobile number in it would be a leak, so anything shaped like one is
masked before it is written.
"""
from __future__ import annotations

import logging
import re

_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])([0-9A-Z]{4})([0-9A-Z]{10})([0-9A-Z]{3}[0-9X])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def mask_text(text: str) -> str:
    def _id(match: re.Match[str]) -> str:
        whole = match.group(0)
        if not any(ch.isdigit() for ch in whole[4:-4]):
            return whole
        return whole[:4] + "*" * 10 + whole[-4:]

    text = _ID_LIKE.sub(_id, text)
    return _MOBILE.sub(lambda m: m.group(1) + "****" + m.group(3), text)


class MaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        return True
