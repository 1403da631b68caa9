"""Checking what a citizen typed against the catalog's form schema.

The kiosk, the counter and `onewindow submit` all call `check_form` and
`check_applicant`, so the three accept exactly the same input. Values come
back normalised (full-width digits folded, ID numbers upper-cased, money as
a two-decimal string) so the platform sees one spelling.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from kiosk.catalog import FormField, ServiceItem
from kiosk.errors import Message, Problem
from kiosk.identity import InvalidIdentity, parse_credit_code, parse_mobile, parse_phone, parse_resident_id

NAME_MAX = 50
# Bidirectional overrides and zero-width characters can make a name display
# as something other than what is stored; C0/C1 controls break printers.
_FORBIDDEN = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufff9-\ufffb]")
_NAME_ALLOWED_PUNCT = set("·•・.-' ")


def _clean_text(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        value = str(value)
    return value.strip()


def _has_forbidden(text: str) -> bool:
    if _FORBIDDEN.search(text):
        return True
    return any(0xD800 <= ord(c) <= 0xDFFF for c in text)


def check_name(raw: Any) -> tuple[str | None, Message | None]:
    """Names keep every character exactly (rare characters such as 𠮷 included)."""
    name = _clean_text(raw)
    if not name:
        return None, Message("请填写姓名。", "Please enter the name.")
    if len(name) > NAME_MAX:
        return None, Message(f"姓名不能超过{NAME_MAX}个字。", f"A name has at most {NAME_MAX} characters.")
    for ch in name:
        cat = unicodedata.category(ch)
        if not (cat.startswith("L") or cat.startswith("M") or ch in _NAME_ALLOWED_PUNCT):
            return None, Message("姓名只能包含文字、间隔号“·”、空格或连字符。",
                                 "A name may hold only letters, the middle dot '·', spaces or hyphens.")
    return name, None


def _check_value(field: FormField, raw: Any) -> tuple[Any, Message | None]:
    label = field.label
    text = _clean_text(raw)
    if text is None or text == "":
        if field.required:
            return None, Message(f"请填写“{label.zh}”。", f"Please fill in '{label.en}'.")
        return None, None
    if _has_forbidden(text):
        return None, Message(f"“{label.zh}”含有不允许的控制字符。", f"'{label.en}' contains characters that are not allowed.")
    try:
        if field.type in ("text", "address"):
            limit = field.max_length or 200
            if len(text) > limit:
                return None, Message(f"“{label.zh}”不能超过{limit}个字。",
                                     f"'{label.en}' has at most {limit} characters.")
            if "\n" in text and field.type == "text" and limit <= 100:
                return None, Message(f"“{label.zh}”只能填写一行。", f"'{label.en}' takes a single line.")
            return text, None
        if field.type == "id_number":
            return parse_resident_id(text).number, None
        if field.type == "credit_code":
            return parse_credit_code(text).code, None
        if field.type == "phone":
            return parse_phone(text), None
        if field.type == "date":
            return _check_date(field, text)
        if field.type == "choice":
            values = [o.value for o in field.options]
            if text not in values:
                return None, Message(f"“{label.zh}”请从给定选项中选择。", f"Choose '{label.en}' from the options given.")
            return text, None
        if field.type == "money":
            return _check_money(field, text)
        if field.type == "integer":
            return _check_integer(field, text)
    except InvalidIdentity as exc:
        return None, Message(f"“{label.zh}”：{exc.message.zh}", f"'{label.en}': {exc.message.en}")
    return None, Message(f"“{label.zh}”类型未知。", f"'{label.en}' has an unknown type.")


def _bound_date(value: Any, today: date) -> date | None:
    if value is None:
        return None
    if value == "today":
        return today
    return date.fromisoformat(str(value))


def _check_date(field: FormField, text: str) -> tuple[Any, Message | None]:
    label = field.label
    text = unicodedata.normalize("NFKC", text)
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    if not match:
        return None, Message(f"“{label.zh}”请按 年-月-日 填写，如 2026-01-31。",
                             f"Enter '{label.en}' as year-month-day, such as 2026-01-31.")
    try:
        value = date(*(int(g) for g in match.groups()))
    except ValueError:
        return None, Message(f"“{label.zh}”不是一个存在的日期。", f"'{label.en}' is not a real date.")
    today = date.today()
    low, high = _bound_date(field.min, today), _bound_date(field.max, today)
    if low and value < low:
        return None, Message(f"“{label.zh}”不能早于{low.isoformat()}。", f"'{label.en}' cannot be before {low.isoformat()}.")
    if high and value > high:
        return None, Message(f"“{label.zh}”不能晚于{high.isoformat()}。", f"'{label.en}' cannot be after {high.isoformat()}.")
    return value.isoformat(), None


def _check_money(field: FormField, text: str) -> tuple[Any, Message | None]:
    label = field.label
    compact = unicodedata.normalize("NFKC", text).replace(",", "").replace("¥", "").replace("元", "").strip()
    if not re.fullmatch(r"\d{1,12}(\.\d{1,2})?", compact):
        return None, Message(f"“{label.zh}”请填写金额，最多两位小数，如 1200.50。",
                             f"Enter '{label.en}' as an amount with at most two decimals, such as 1200.50.")
    value = Decimal(compact).quantize(Decimal("0.01"))
    try:
        low = Decimal(str(field.min)) if field.min is not None else None
        high = Decimal(str(field.max)) if field.max is not None else None
    except InvalidOperation:
        low = high = None
    if low is not None and value < low:
        return None, Message(f"“{label.zh}”不能少于{low}元。", f"'{label.en}' cannot be less than {low} yuan.")
    if high is not None and value > high:
        return None, Message(f"“{label.zh}”不能超过{high}元。", f"'{label.en}' cannot be more than {high} yuan.")
    return f"{value:.2f}", None


def _check_integer(field: FormField, text: str) -> tuple[Any, Message | None]:
    label = field.label
    compact = unicodedata.normalize("NFKC", text).strip()
    if not re.fullmatch(r"-?\d{1,12}", compact):
        return None, Message(f"“{label.zh}”请填写整数。", f"Enter a whole number for '{label.en}'.")
    value = int(compact)
    if field.min is not None and value < int(field.min):
        return None, Message(f"“{label.zh}”不能小于{field.min}。", f"'{label.en}' cannot be less than {field.min}.")
    if field.max is not None and value > int(field.max):
        return None, Message(f"“{label.zh}”不能大于{field.max}。", f"'{label.en}' cannot be more than {field.max}.")
    return value, None


def check_field(field: FormField, raw: Any) -> tuple[Any, Message | None]:
    """One field, for inline validation as the citizen types."""
    return _check_value(field, raw)


def check_form(item: ServiceItem, values: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    problems: list[Problem] = []
    clean: dict[str, Any] = {}
    if not isinstance(values, dict):
        return {}, [Problem("form", Message("表单内容格式不正确。", "The form must be a set of named fields."))]
    for key in values:
        if item.field(key) is None:
            problems.append(Problem(f"form.{key}", Message(f"表单中没有“{key}”这一项。", f"The form has no field '{key}'.")))
    for field in item.form:
        value, problem = _check_value(field, values.get(field.key))
        if problem:
            problems.append(Problem(f"form.{field.key}", problem))
        elif value is not None:
            clean[field.key] = value
    return clean, problems


ID_TYPES = {"resident": Message("居民身份证", "Resident identity card")}


def check_applicant(applicant: Any) -> tuple[dict[str, str], list[Problem]]:
    if not isinstance(applicant, dict):
        return {}, [Problem("applicant", Message("请填写申请人信息。", "Please give the applicant's details."))]
    problems: list[Problem] = []
    clean: dict[str, str] = {}
    name, msg = check_name(applicant.get("name"))
    if msg:
        problems.append(Problem("applicant.name", msg))
    else:
        clean["name"] = name or ""
    id_type = applicant.get("id_type", "resident")
    if id_type not in ID_TYPES:
        problems.append(Problem("applicant.id_type", Message("证件类型不受支持。", "This kind of identity document is not supported.")))
    else:
        clean["id_type"] = id_type
        try:
            clean["id_number"] = parse_resident_id(str(applicant.get("id_number") or "")).number
        except InvalidIdentity as exc:
            problems.append(Problem("applicant.id_number", exc.message))
    phone = str(applicant.get("phone") or "").strip()
    try:  # optional: progress is found by ID card or receipt; a mobile number only adds text messages
        clean["phone"] = parse_mobile(phone) if phone else ""
    except InvalidIdentity as exc:
        problems.append(Problem("applicant.phone", exc.message))
    unknown = set(applicant) - {"name", "id_type", "id_number", "phone"}
    for key in sorted(unknown):
        problems.append(Problem(f"applicant.{key}", Message(f"申请人信息中没有“{key}”这一项。",
                                                            f"The applicant has no field '{key}'.")))
    return clean, problems
