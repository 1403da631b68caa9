"""Identity numbers a hall sees every day, checked the way the standards say.

- Resident identity number, GB 11643-1999 (18 characters, ISO 7064 MOD 11-2).
- Unified social credit code, GB 32100-2015 (18 characters, MOD 31), whose
  characters 9-17 are an organisation code with its own GB 11714 check.
- Mainland mobile numbers.

Input typed through a Chinese input method often arrives full-width
("１１０１…Ｘ") or with spaces; it is normalised before checking.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from kiosk.errors import Message


class InvalidIdentity(ValueError):
    """An identity value that fails its standard; `message` says why, in both languages."""

    def __init__(self, reason: str, message: Message) -> None:
        super().__init__(message.both())
        self.reason = reason
        self.message = message


def _squeeze(text: str) -> str:
    """NFKC turns full-width digits and letters into ASCII; separators go."""
    text = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"[\s\-_.·]", "", text)


def mask_id(number: str) -> str:
    """Keep the first and last four characters: enough to recognise, not to reuse."""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


# --- resident identity number ---------------------------------------------

_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"
_PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83",
}


@dataclass(frozen=True)
class ResidentId:
    number: str
    region_code: str
    birth_date: date
    sex: str  # "male" or "female", from the parity of the sequence code

    @property
    def masked(self) -> str:
        return mask_id(self.number)


def resident_id_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS))
    return _ID_CHECK[total % 11]


def parse_resident_id(text: str, *, today: date | None = None) -> ResidentId:
    number = _squeeze(text).upper()
    if not number:
        raise InvalidIdentity("empty", Message("请输入身份证号码。", "Please enter the ID number."))
    if len(number) != 18:
        raise InvalidIdentity(
            "length",
            Message(f"身份证号码应为18位，您输入了{len(number)}位。",
                    f"An ID number has 18 characters; {len(number)} were entered."),
        )
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise InvalidIdentity(
            "characters",
            Message("身份证号码前17位应为数字，最后一位为数字或X。",
                    "The first 17 characters of an ID number are digits; the last is a digit or X."),
        )
    if number[:2] not in _PROVINCES:
        raise InvalidIdentity(
            "region", Message("身份证号码的地区码无效。", "The region code of the ID number is not valid.")
        )
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdentity(
            "birth_date", Message("身份证号码中的出生日期不存在。", "The birth date in the ID number does not exist.")
        ) from None
    today = today or date.today()
    if born > today or born.year < 1880:
        raise InvalidIdentity(
            "birth_date",
            Message("身份证号码中的出生日期不合理。", "The birth date in the ID number is impossible."),
        )
    if resident_id_check_char(number[:17]) != number[17]:
        raise InvalidIdentity(
            "check",
            Message("身份证号码校验位不正确，请核对后重新输入。",
                    "The ID number's check character is wrong; please check it and enter it again."),
        )
    sex = "male" if int(number[16]) % 2 else "female"
    return ResidentId(number=number, region_code=number[:6], birth_date=born, sex=sex)


# --- unified social credit code ---------------------------------------------

CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
_ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
# Registration authorities in GB 32100-2015 Appendix A (1 = organisation
# establishment offices, 5 = civil affairs, 9 = market regulation, Y = others, ...).
_AUTHORITIES = set("123456789ANY")


@dataclass(frozen=True)
class CreditCode:
    code: str
    authority: str
    entity_type: str
    region_code: str
    organisation_code: str


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_CHARSET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS))
    return CREDIT_CHARSET[(31 - total % 31) % 31]


def organisation_code_check_char(body8: str) -> str:
    """GB 11714: digits are their value, letters A..Z are 10..35."""
    total = 0
    for c, w in zip(body8, _ORG_WEIGHTS):
        value = int(c) if c.isdigit() else ord(c) - ord("A") + 10
        total += value * w
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def parse_credit_code(text: str) -> CreditCode:
    code = _squeeze(text).upper()
    if not code:
        raise InvalidIdentity("empty", Message("请输入统一社会信用代码。", "Please enter the unified social credit code."))
    if len(code) != 18:
        raise InvalidIdentity(
            "length",
            Message(f"统一社会信用代码应为18位，您输入了{len(code)}位。",
                    f"A unified social credit code has 18 characters; {len(code)} were entered."),
        )
    if any(c not in CREDIT_CHARSET for c in code):
        raise InvalidIdentity(
            "characters",
            Message("统一社会信用代码只含数字和大写字母（不含I、O、Z、S、V）。",
                    "A credit code holds digits and capital letters other than I, O, Z, S and V."),
        )
    if code[0] not in _AUTHORITIES or not code[2:8].isdigit():
        raise InvalidIdentity(
            "structure",
            Message("统一社会信用代码的登记管理部门码或行政区划码无效。",
                    "The registration authority or region code of the credit code is not valid."),
        )
    if organisation_code_check_char(code[8:16]) != code[16]:
        raise InvalidIdentity(
            "organisation_check",
            Message("统一社会信用代码中的组织机构代码校验位不正确。",
                    "The check character of the organisation code inside the credit code is wrong."),
        )
    if credit_code_check_char(code[:17]) != code[17]:
        raise InvalidIdentity(
            "check",
            Message("统一社会信用代码校验位不正确，请核对后重新输入。",
                    "The credit code's check character is wrong; please check it and enter it again."),
        )
    return CreditCode(code=code, authority=code[0], entity_type=code[1],
                      region_code=code[2:8], organisation_code=code[8:17])


# --- phone numbers --------------------------------------------------------------


def parse_mobile(text: str) -> str:
    number = _squeeze(text).replace("(", "").replace(")", "")
    if number.startswith("+86"):
        number = number[3:]
    elif number.startswith("0086"):
        number = number[4:]
    elif number.startswith("86") and len(number) == 13:
        number = number[2:]
    if not number:
        raise InvalidIdentity("empty", Message("请输入手机号码。", "Please enter the mobile number."))
    if not re.fullmatch(r"1[3-9]\d{9}", number):
        raise InvalidIdentity(
            "mobile",
            Message("手机号码应为以1开头的11位数字。", "A mobile number has 11 digits and starts with 1."),
        )
    return number


def parse_phone(text: str) -> str:
    """A mobile number, or a landline with its area code (010-12345678)."""
    raw = unicodedata.normalize("NFKC", text or "").strip()
    compact = re.sub(r"[\s()]", "", raw)
    # Area codes: 010 and 02X have three digits, all others four.
    landline = re.fullmatch(r"(0[12]\d|0[3-9]\d{2})-?(\d{7,8})(?:-(\d{1,6}))?", compact)
    if landline:
        area, local, ext = landline.groups()
        return f"{area}-{local}" + (f"-{ext}" if ext else "")
    try:
        return parse_mobile(raw)
    except InvalidIdentity as exc:
        if exc.reason == "empty":
            raise
        raise InvalidIdentity(
            "phone",
            Message("电话号码格式不正确：请填写11位手机号码，或带区号的固定电话（如 0571-88888888）。",
                    "The phone number is not valid: enter an 11-digit mobile number or a landline "
                    "with its area code (such as 0571-88888888)."),
        ) from None
