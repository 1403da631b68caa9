"""Receipt numbers that no two terminals can hand out twice, even offline.

Layout: ``HALL-DDD-YYMMDD-SSSSS-C``: the hall code (6-12 digits), the device
number in the hall, the local date, the device's sequence for that day, and
an ISO 7064 MOD 11-2 check character over all the digits, so a mistyped
number is caught before any look-up.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from kiosk.errors import Message, UserFacingError
from kiosk.store.models import ReceiptSequence

_PATTERN = re.compile(r"(\d{6,12})-(\d{3})-(\d{6})-(\d{5})-([\dX])")


class InvalidReceiptNo(UserFacingError):
    def __init__(self) -> None:
        super().__init__(
            Message("回执编号不正确，请核对回执上的编号后重新输入。",
                    "This receipt number is not valid; please check the number on your receipt."),
            code="receipt_no",
        )


def mod11_2(digits: str) -> str:
    total = 0
    for ch in digits:
        total = (total + int(ch)) * 2 % 11
    return "0123456789X"[(12 - total) % 11]


@dataclass(frozen=True)
class ReceiptNo:
    hall_code: str
    device_no: int
    day: date
    sequence: int

    def __str__(self) -> str:
        body = f"{self.hall_code}-{self.device_no:03d}-{self.day:%y%m%d}-{self.sequence:05d}"
        return f"{body}-{mod11_2(body.replace('-', ''))}"


def parse_receipt_no(text: str) -> ReceiptNo:
    """Accepts full-width digits, spaces and a missing or extra dash layout."""
    compact = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", text or "")).upper()
    if not re.fullmatch(r"\d{20,26}[\dX]", compact):
        raise InvalidReceiptNo()
    hall = compact[:-15]
    canonical = f"{hall}-{compact[-15:-12]}-{compact[-12:-6]}-{compact[-6:-1]}-{compact[-1]}"
    match = _PATTERN.fullmatch(canonical)
    if not match or mod11_2(compact[:-1]) != compact[-1]:
        raise InvalidReceiptNo()
    hall_code, device, ymd, seq, _ = match.groups()
    try:
        day = date(2000 + int(ymd[:2]), int(ymd[2:4]), int(ymd[4:6]))
    except ValueError:
        raise InvalidReceiptNo() from None
    return ReceiptNo(hall_code, int(device), day, int(seq))


def receipt_no_in(text: str) -> ReceiptNo | None:
    """The receipt number inside a longer text, such as the status address a receipt's QR code holds
    (`Settings.status_url`, whatever its template), or None."""
    for match in _PATTERN.finditer(unicodedata.normalize("NFKC", text or "").upper()):
        try:
            return parse_receipt_no(match.group(0))
        except InvalidReceiptNo:
            continue
    return None


def next_receipt_no(session: Session, hall_code: str, device_no: int, day: date) -> ReceiptNo:
    """Take the next number inside the caller's (BEGIN IMMEDIATE) transaction."""
    row = session.get(ReceiptSequence, (day, device_no))
    if row is None:
        row = ReceiptSequence(day=day, device_no=device_no, last_seq=0)
        session.add(row)
    row.last_seq += 1
    if row.last_seq > 99999:
        raise UserFacingError(Message("本机今日回执编号已用尽。", "This device has used all receipt numbers for today."),
                              code="receipt_exhausted")
    session.flush()
    return ReceiptNo(hall_code, device_no, day, row.last_seq)
