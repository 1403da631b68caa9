"""The 256 bytes of text on the card's chip, field by field, and the check of the number they carry.

All text is UCS-2 little-endian, padded with spaces. Byte 248 tells the
card kind: "I" is the foreigner's permanent residence card (GA/T 1711 "2017
edition"), "J" the Hong Kong/Macao/Taiwan residents' residence permit, which
shares the resident card's layout; a resident card has a space there.

Resident card (GA 467): name 30, sex 2, nation 4, birth 16, address 70,
ID number 36, issuer 30, valid from 16, valid to 16 ("长期" for life), reserved 36.

Foreigner's card: English name 120, sex 2, card number 30 (15 characters),
nationality 6, Chinese name 30, valid from 16, valid to 16, birth 16,
version 4, issuing authority code 8, card type 2 ("I"), reserved 6.
"""
from __future__ import annotations

import re
from datetime import date

from kiosk.devices.id_card_reader import IdCardData, IdCardError
from kiosk.errors import Message
from kiosk.identity import InvalidIdentity, parse_resident_id

TEXT_LEN = 256
CARD_TYPE_OFFSET = 248

RESIDENT_LAYOUT: tuple[tuple[str, int], ...] = (
    ("name", 30), ("sex", 2), ("nation", 4), ("birth", 16), ("address", 70), ("id_number", 36),
    ("issuer", 30), ("valid_from", 16), ("valid_to", 16), ("reserved", 36))
FOREIGNER_LAYOUT: tuple[tuple[str, int], ...] = (
    ("english_name", 120), ("sex", 2), ("id_number", 30), ("nationality", 6), ("name", 30), ("valid_from", 16),
    ("valid_to", 16), ("birth", 16), ("version", 4), ("authority", 8), ("card_type", 2), ("reserved", 6))

KINDS = {" ": "resident", "": "resident", "I": "foreign_permanent", "J": "hmt_residence"}
SEXES = {"1": "male", "2": "female"}
FOR_LIFE = "长期"


def split_fields(text: bytes, layout: tuple[tuple[str, int], ...]) -> dict[str, str]:
    """Decode each field; raises `IdCardError("read_failed")` for text that is not UCS-2 (a garbled read)."""
    if len(text) != TEXT_LEN:
        raise IdCardError("read_failed", detail=f"card text of {len(text)} bytes")
    fields: dict[str, str] = {}
    offset = 0
    for name, size in layout:
        try:
            value = text[offset:offset + size].decode("utf-16-le")
        except UnicodeDecodeError:
            raise IdCardError("read_failed", detail=f"field {name} is not UCS-2") from None
        fields[name] = value.replace("\x00", " ").strip()
        offset += size
    return fields


def card_kind(text: bytes) -> str:
    marker = text[CARD_TYPE_OFFSET:CARD_TYPE_OFFSET + 2].decode("utf-16-le", "replace").strip("\x00 ")
    kind = KINDS.get(marker)
    if kind is None:
        raise IdCardError("unsupported_card", detail=f"card type {marker!r}")
    return kind


def _date(value: str) -> date | None:
    if not re.fullmatch(r"\d{8}", value):
        return None
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None


def parse_card_text(text: bytes) -> IdCardData:
    """The card as an application sees it, before its number is checked (see `check_card`)."""
    kind = card_kind(text)
    fields = split_fields(text, FOREIGNER_LAYOUT if kind == "foreign_permanent" else RESIDENT_LAYOUT)
    english = fields.get("english_name", "")
    return IdCardData(
        name=fields["name"] or english,
        id_number=fields["id_number"].upper(),
        kind=kind,
        sex=SEXES.get(fields["sex"], ""),
        birth=_date(fields["birth"]),
        address=fields.get("address", ""),
        issuer=fields.get("issuer", "") or fields.get("authority", ""),
        valid_from=_date(fields["valid_from"]),
        valid_to=_date(fields["valid_to"]),
        valid_for_life=fields["valid_to"] == FOR_LIFE,
        nation=fields.get("nation", "") or fields.get("nationality", ""),
        english_name=english,
    )


def check_foreigner_number(number: str) -> None:
    """2017 edition: 3 letters (the nationality) and 12 digits. (The 2023 edition, type "Y", has 18 digits
    and another layout; it is refused as unsupported until its layout is verified against a real card.)"""
    if re.fullmatch(r"[A-Z]{3}\d{12}", number):
        return
    raise InvalidIdentity("foreigner", Message("永久居留身份证号码格式不正确。",
                                               "The permanent residence card number is malformed."))


NUMBER_FAULTS: dict[str, Message] = {  # why, in words for a card rather than for typing
    "length": Message("号码位数不对", "the number has the wrong length"),
    "characters": Message("号码含有不应有的字符", "the number holds characters it cannot hold"),
    "region": Message("地区码无效", "its region code is not valid"),
    "birth_date": Message("号码中的出生日期无效", "the birth date in the number is not valid"),
    "check": Message("校验位不正确", "its check character is wrong"),
    "foreigner": Message("永久居留身份证号码格式不正确", "the permanent residence number is malformed"),
}


def check_card(card: IdCardData) -> IdCardData:
    """The number on a card is checked as a typed one is: a chip can be forged or misread too."""
    try:
        if card.kind == "foreign_permanent":
            check_foreigner_number(card.id_number)
        else:
            parse_resident_id(card.id_number)
    except InvalidIdentity as exc:
        why = NUMBER_FAULTS.get(exc.reason, exc.message)
        raise IdCardError("invalid_number", detail=f"{card.kind}: {exc.message.en}", reason=why) from None
    if not card.name:
        raise IdCardError("read_failed", detail="no name on the card")
    return card


def encode_card_text(fields: dict[str, str], layout: tuple[tuple[str, int], ...]) -> bytes:
    """The inverse of `split_fields`, for the simulator and tests: each value space-padded to its width."""
    out = b""
    for name, size in layout:
        raw = fields.get(name, "").encode("utf-16-le")
        if len(raw) > size:
            raise ValueError(f"{name} does not fit in {size} bytes")
        out += raw + " ".encode("utf-16-le") * ((size - len(raw)) // 2)
    return out
