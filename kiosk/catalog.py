"""The service catalog: what a hall can accept, with each item's service guide.

A guide follows the national service guide (办事指南) fields. A catalog with
an incomplete guide is refused whole, with every missing field of every item
listed, because a kiosk that shows a guide without its time limit or
materials list misleads the citizen.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from kiosk.assets import asset
from kiosk.canonical import content_hash
from kiosk.errors import Message, UserFacingError

ITEM_TYPES = {
    "administrative_licence": Message("行政许可", "Administrative licence"),
    "administrative_confirmation": Message("行政确认", "Administrative confirmation"),
    "administrative_payment": Message("行政给付", "Administrative payment"),
    "public_service": Message("公共服务", "Public service"),
    "other_power": Message("其他行政权力", "Other administrative power"),
}
FIELD_TYPES = {"text", "id_number", "credit_code", "phone", "date", "choice", "address", "money", "integer"}
MATERIAL_FORMS = {
    "original": Message("原件", "Original"),
    "copy": Message("复印件", "Copy"),
    "original_and_copy": Message("原件及复印件", "Original and copy"),
}
COLOURS = {"bilevel", "grayscale", "colour"}
ITEM_KEYS = ("code", "name", "department", "theme", "item_type", "legal_limit_days", "promised_limit_days", "fee",
             "online_depth", "legal_basis", "where", "conditions", "materials", "form")
MATERIAL_KEYS = ("code", "name", "form", "copies", "required", "notes", "colour")
FIELD_KEYS = ("key", "label", "type", "required")
LICENCE_TYPE = re.compile(r"[0-9A-Z]{1,32}")
# What a field may take from the citizen's ID card when it is read (`kiosk.card_prefill`), per field type.
FROM_CARD = {"valid_to": "date", "birth": "date", "address": "address"}


@dataclass(frozen=True)
class Text:
    zh: str
    en: str

    def get(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh

    def as_message(self) -> Message:
        return Message(self.zh, self.en)


@dataclass(frozen=True)
class Option:
    value: str
    label: Text


@dataclass(frozen=True)
class FormField:
    key: str
    label: Text
    type: str
    required: bool
    max_length: int | None = None
    min: Any = None
    max: Any = None
    options: tuple[Option, ...] = ()
    help: Text | None = None
    from_card: str | None = None  # a key of FROM_CARD: filled in from the ID card, still changeable


@dataclass(frozen=True)
class MaterialSpec:
    code: str
    name: Text
    form: str
    copies: int
    required: bool
    notes: Text
    colour: str
    # the electronic licence types (GB/T 36902 type codes) that can stand for this material, if the citizen
    # consents and holds a valid one; optional in the catalog (`licence_types`), empty when none can
    licence_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class Department:
    code: str
    name: Text


@dataclass(frozen=True)
class ServiceItem:
    code: str
    name: Text
    department: Department
    theme: Department
    item_type: str
    legal_limit_days: int
    promised_limit_days: int
    fee_amount: Decimal
    fee_note: Text
    online_depth: int
    legal_basis: Text
    where: Text
    conditions: Text
    materials: tuple[MaterialSpec, ...]
    form: tuple[FormField, ...]

    def material(self, code: str) -> MaterialSpec | None:
        return next((m for m in self.materials if m.code == code), None)

    def field(self, key: str) -> FormField | None:
        return next((f for f in self.form if f.key == key), None)


@dataclass(frozen=True)
class Catalog:
    version: str
    etag: str
    items: tuple[ServiceItem, ...]
    document: dict[str, Any]

    def item(self, code: str) -> ServiceItem | None:
        return next((i for i in self.items if i.code == code), None)

    def departments(self) -> list[Department]:
        seen: dict[str, Department] = {}
        for item in self.items:
            seen.setdefault(item.department.code, item.department)
        return list(seen.values())


class CatalogInvalid(UserFacingError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        listing = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            Message(f"服务目录不完整，共{len(problems)}处问题：\n{listing}",
                    f"The service catalog is incomplete ({len(problems)} problems):\n{listing}"),
            code="catalog_invalid",
        )


class _Checker:
    """Collects every problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def text(self, where: str, value: Any, key: str) -> Text | None:
        if value is None:
            self.problems.append(f"{where}: missing {key}")
            return None
        if not isinstance(value, dict) or not all(isinstance(value.get(k), str) and value.get(k).strip()
                                                  for k in ("zh", "en")):
            self.problems.append(f"{where}: {key} needs non-empty 'zh' and 'en' texts")
            return None
        return Text(value["zh"], value["en"])

    def integer(self, where: str, value: Any, key: str, low: int, high: int) -> int | None:
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            self.problems.append(f"{where}: {key} must be a whole number from {low} to {high}")
            return None
        return value


def _parse_field(chk: _Checker, where: str, raw: Any) -> FormField | None:
    if not isinstance(raw, dict):
        chk.problems.append(f"{where}: a form field must be an object")
        return None
    missing = [k for k in FIELD_KEYS if k not in raw]
    for key in missing:
        chk.problems.append(f"{where}: missing {key}")
    where = f"{where} ({raw.get('key', '?')})"
    label = chk.text(where, raw.get("label"), "label") if "label" in raw else None
    ftype = raw.get("type")
    if "type" in raw and ftype not in FIELD_TYPES:
        chk.problems.append(f"{where}: unknown field type {ftype!r}")
    options: list[Option] = []
    if ftype == "choice":
        raw_options = raw.get("options")
        if not isinstance(raw_options, list) or not raw_options:
            chk.problems.append(f"{where}: missing options")
        else:
            for opt in raw_options:
                if not isinstance(opt, dict) or not opt.get("value") or not opt.get("zh") or not opt.get("en"):
                    chk.problems.append(f"{where}: every option needs value, zh and en")
                else:
                    options.append(Option(str(opt["value"]), Text(opt["zh"], opt["en"])))
    max_length = raw.get("max_length")
    if ftype in ("text", "address"):
        if max_length is None:
            chk.problems.append(f"{where}: missing max_length")
        else:
            chk.integer(where, max_length, "max_length", 1, 2000)
    help_text = chk.text(where, raw["help"], "help") if "help" in raw else None
    from_card = raw.get("from_card")
    if from_card is not None and FROM_CARD.get(from_card) != ftype:
        chk.problems.append(f"{where}: from_card must be one of {sorted(FROM_CARD)} matching the field's type")
    if missing or label is None or ftype not in FIELD_TYPES:
        return None
    return FormField(key=str(raw["key"]), label=label, type=ftype, required=bool(raw["required"]),
                     max_length=max_length, min=raw.get("min"), max=raw.get("max"), options=tuple(options),
                     help=help_text, from_card=from_card)


def _parse_material(chk: _Checker, where: str, raw: Any) -> MaterialSpec | None:
    if not isinstance(raw, dict):
        chk.problems.append(f"{where}: a material must be an object")
        return None
    missing = [k for k in MATERIAL_KEYS if k not in raw]
    for key in missing:
        chk.problems.append(f"{where}: missing {key}")
    where = f"{where} ({raw.get('code', '?')})"
    name = chk.text(where, raw.get("name"), "name") if "name" in raw else None
    notes = chk.text(where, raw.get("notes"), "notes") if "notes" in raw else None
    if "form" in raw and raw["form"] not in MATERIAL_FORMS:
        chk.problems.append(f"{where}: form must be one of {sorted(MATERIAL_FORMS)}")
    if "colour" in raw and raw["colour"] not in COLOURS:
        chk.problems.append(f"{where}: colour must be one of {sorted(COLOURS)}")
    copies = chk.integer(where, raw.get("copies"), "copies", 1, 20) if "copies" in raw else None
    licence_types = raw.get("licence_types", [])
    if not (isinstance(licence_types, list) and all(isinstance(t, str) and LICENCE_TYPE.fullmatch(t)
                                                    for t in licence_types)):
        chk.problems.append(f"{where}: licence_types must be a list of licence type codes (digits and capital "
                            "letters, up to 32)")
        licence_types = []
    if missing or name is None or notes is None or copies is None:
        return None
    return MaterialSpec(code=str(raw["code"]), name=name, form=raw["form"], copies=copies,
                        required=bool(raw["required"]), notes=notes, colour=raw["colour"],
                        licence_types=tuple(dict.fromkeys(licence_types)))


def _parse_item(chk: _Checker, index: int, raw: Any) -> ServiceItem | None:
    where = f"item {index + 1}"
    if not isinstance(raw, dict):
        chk.problems.append(f"{where}: must be an object")
        return None
    if raw.get("code"):
        where = f"item {index + 1} [{raw['code']}]"
    before = len(chk.problems)
    for key in ITEM_KEYS:
        if key not in raw or raw[key] in (None, "", [], {}):
            chk.problems.append(f"{where}: missing {key}")
    name = chk.text(where, raw["name"], "name") if raw.get("name") else None
    legal_basis = chk.text(where, raw["legal_basis"], "legal_basis") if raw.get("legal_basis") else None
    where_text = chk.text(where, raw["where"], "where") if raw.get("where") else None
    conditions = chk.text(where, raw["conditions"], "conditions") if raw.get("conditions") else None
    departments: list[Department | None] = []
    for key in ("department", "theme"):
        dep = raw.get(key)
        if dep:
            if not isinstance(dep, dict) or not dep.get("code"):
                chk.problems.append(f"{where}: {key} needs a code")
                departments.append(None)
            else:
                text = chk.text(where, dep, key)
                departments.append(Department(dep["code"], text) if text else None)
        else:
            departments.append(None)
    if raw.get("item_type") and raw["item_type"] not in ITEM_TYPES:
        chk.problems.append(f"{where}: unknown item_type {raw['item_type']!r}")
    legal = chk.integer(where, raw["legal_limit_days"], "legal_limit_days", 0, 3650) if "legal_limit_days" in raw else None
    promised = (chk.integer(where, raw["promised_limit_days"], "promised_limit_days", 0, 3650)
                if "promised_limit_days" in raw else None)
    if legal is not None and promised is not None and promised > legal:
        chk.problems.append(f"{where}: promised_limit_days is longer than legal_limit_days")
    depth = chk.integer(where, raw["online_depth"], "online_depth", 1, 4) if "online_depth" in raw else None
    fee_amount = Decimal("0")
    fee_note: Text | None = None
    fee = raw.get("fee")
    if fee:
        try:
            fee_amount = Decimal(str(fee.get("amount")))
            if fee_amount < 0:
                raise InvalidOperation
        except (InvalidOperation, AttributeError):
            chk.problems.append(f"{where}: fee.amount must be a non-negative amount such as \"20.00\"")
        fee_note = chk.text(where, fee.get("note") if isinstance(fee, dict) else None, "fee.note")
    materials = [_parse_material(chk, f"{where} material {i + 1}", m) for i, m in enumerate(raw.get("materials") or [])]
    fields = [_parse_field(chk, f"{where} field {i + 1}", f) for i, f in enumerate(raw.get("form") or [])]
    codes = [m.code for m in materials if m]
    if len(codes) != len(set(codes)):
        chk.problems.append(f"{where}: material codes repeat")
    keys = [f.key for f in fields if f]
    if len(keys) != len(set(keys)):
        chk.problems.append(f"{where}: form field keys repeat")
    if len(chk.problems) != before:
        return None
    assert name and legal_basis and where_text and conditions and fee_note and departments[0] and departments[1]
    return ServiceItem(
        code=str(raw["code"]), name=name, department=departments[0], theme=departments[1],
        item_type=raw["item_type"], legal_limit_days=legal or 0, promised_limit_days=promised or 0,
        fee_amount=fee_amount, fee_note=fee_note, online_depth=depth or 1, legal_basis=legal_basis,
        where=where_text, conditions=conditions,
        materials=tuple(m for m in materials if m), form=tuple(f for f in fields if f),
    )


def parse_catalog(document: Any) -> Catalog:
    """Check a whole catalog document; raise `CatalogInvalid` listing every problem."""
    chk = _Checker()
    if not isinstance(document, dict):
        raise CatalogInvalid(["the catalog must be a JSON object"])
    if not document.get("version"):
        chk.problems.append("catalog: missing version")
    raw_items = document.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        chk.problems.append("catalog: missing items")
        raw_items = []
    items = [_parse_item(chk, i, raw) for i, raw in enumerate(raw_items)]
    codes = [i.code for i in items if i]
    if len(codes) != len(set(codes)):
        chk.problems.append("catalog: item codes repeat")
    if chk.problems:
        raise CatalogInvalid(chk.problems)
    return Catalog(version=str(document["version"]), etag=content_hash(document),
                   items=tuple(i for i in items if i), document=document)


def read_catalog_file(path: Path) -> Catalog:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserFacingError(Message(f"找不到服务目录文件 {path}。", f"Catalog file {path} not found."),
                              code="catalog_missing") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CatalogInvalid([f"{path}: not valid JSON ({exc})"]) from None
    return parse_catalog(document)


def demo_catalog_path() -> Path:
    return asset("catalog", "demo_catalog.json")
