"""Electronic licence identifiers (GB/T 36902) and their check character (ISO 7064 MOD 37,36).

`1.2.156.3005.2.<licence type>.<issuer's credit code>.<serial>.<version>.<check>`: the check character is
computed over the characters after the fixed prefix and before the check, dots left out. A terminal checks
an identifier before it shows or attaches anything naming it, so a mistyped or altered identifier is
refused with the part that is wrong, never looked up as if it were someone's licence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kiosk.errors import Message, UserFacingError

PREFIX = "1.2.156.3005.2."
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MOD = 36  # ISO 7064 hybrid system MOD 37,36: M = 36, M + 1 = 37
MAX_LENGTH = 128
_FIELD = re.compile(r"[0-9A-Z]+")


@dataclass(frozen=True)
class LicenceIdentifier:
    licence_type: str
    issuer_code: str
    serial: str
    version: str
    check: str

    def __str__(self) -> str:
        return f"{PREFIX}{self.licence_type}.{self.issuer_code}.{self.serial}.{self.version}.{self.check}"


class InvalidIdentifier(UserFacingError):
    pass


def _value(char: str) -> int:
    return ALPHABET.index(char)


def check_character(body: str) -> str:
    """The MOD 37,36 check character for `body` (the fields after the prefix, dots left out)."""
    p = MOD
    for char in body:
        s = (p % (MOD + 1)) + _value(char)
        s %= MOD
        p = ((s or MOD) * 2) % (MOD + 1)
    return ALPHABET[(MOD + 1 - p) % MOD]


def parse_identifier(text: str) -> LicenceIdentifier:
    """The identifier's parts, or `InvalidIdentifier` naming the problem (in both languages)."""
    raw = text.strip() if isinstance(text, str) else ""
    if not raw or len(raw) > MAX_LENGTH:
        raise InvalidIdentifier(Message("证照标识为空或过长。", "The licence identifier is empty or too long."),
                                code="licence_id_length")
    if not raw.startswith(PREFIX):
        raise InvalidIdentifier(Message(f"证照标识应以“{PREFIX}”开头。",
                                        f"A licence identifier begins with '{PREFIX}'."), code="licence_id_prefix")
    parts = raw[len(PREFIX):].split(".")
    if len(parts) != 5:
        raise InvalidIdentifier(Message("证照标识应有五段：证照类型、颁发机构代码、顺序号、版本号、校验位。",
                                        "A licence identifier has five fields after the prefix: licence type, "
                                        "issuer code, serial, version and check character."), code="licence_id_fields")
    names = (("证照类型代码", "licence type"), ("颁发机构代码", "issuer code"), ("顺序号", "serial"),
             ("版本号", "version"), ("校验位", "check character"))
    for part, (zh, en) in zip(parts, names):
        if not _FIELD.fullmatch(part):
            raise InvalidIdentifier(Message(f"证照标识的{zh}“{part}”含有数字和大写字母以外的字符或为空。",
                                            f"The {en} '{part}' of the licence identifier is empty or has characters "
                                            "other than digits and capital letters."), code="licence_id_chars")
    if len(parts[4]) != 1:
        raise InvalidIdentifier(Message("证照标识的校验位应为一个字符。", "The check character must be one character."),
                                code="licence_id_check")
    expected = check_character("".join(parts[:4]))
    if parts[4] != expected:
        raise InvalidIdentifier(Message(f"证照标识校验位不符（应为 {expected}），标识有误。",
                                        f"The check character does not match (expected {expected}): the identifier "
                                        "is wrong."), code="licence_id_check")
    return LicenceIdentifier(*parts)


def make_identifier(licence_type: str, issuer_code: str, serial: str, version: str = "001") -> str:
    """A new identifier with its check character (the platform's licence store issues with this)."""
    body = "".join((licence_type, issuer_code, serial, version))
    for part in (licence_type, issuer_code, serial, version):
        if not _FIELD.fullmatch(part):
            raise ValueError(f"not a licence identifier field: {part!r}")
    return f"{PREFIX}{licence_type}.{issuer_code}.{serial}.{version}.{check_character(body)}"
