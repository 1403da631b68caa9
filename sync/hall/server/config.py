"""The hub's settings: `hall.toml` in its home, with defaults for everything.

Lines (categories) come from the catalog's departments, lettered A, B, C... in the order of their
department codes (stable when items move); `[[categories]]` entries override one by its code (name,
departments, minutes_per_ticket) or add one, and `categories_from_catalog = false` keeps only those.

    public_url = "http://192.168.1.20:8770"   # the address a phone on the hall's network reaches
    follower_recheck_seconds = 15             # an unpaired device's open WebSocket is closed within this
    [queue]
    fairness_minutes = 20   # a normal ticket waiting this long goes before any priority ticket
    priority_run = 3        # at most this many priority tickets in a row while normal tickets wait
    [[categories]]
    code = "A"
    name = { zh = "社会保障", en = "Social security" }
    departments = ["hrss", "healthcare_security"]
    minutes_per_ticket = 8
    [counters]
    3 = ["A", "B"]          # the lines counter 3 serves unless it opens with its own list
"""
from __future__ import annotations

import string
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.catalog import Catalog, demo_catalog_path, read_catalog_file
from kiosk.errors import Message, UserFacingError
from kiosk.queue.model import Category

CONFIG_NAME = "hall.toml"
LETTERS = string.ascii_uppercase


@dataclass(frozen=True)
class HubConfig:
    categories: tuple[Category, ...]
    counter_categories: dict[int, tuple[str, ...]] = field(default_factory=dict)
    fairness_minutes: float = 20.0
    priority_run: int = 3
    public_url: str | None = None
    max_body_bytes: int = 1024 * 1024
    recent_calls: int = 8
    follower_recheck_seconds: float = 15.0  # a WebSocket of a device unpaired meanwhile is closed within this

    def category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.categories)


def _invalid(detail: str) -> UserFacingError:
    return UserFacingError(Message(f"叫号服务器配置文件 {CONFIG_NAME} 有误：{detail}",
                                   f"The hall hub's {CONFIG_NAME} is not valid: {detail}"), code="hall_config")


def catalog_categories(catalog: Catalog) -> tuple[Category, ...]:
    departments = sorted(catalog.departments(), key=lambda d: d.code)
    return tuple(Category(LETTERS[i], d.name.as_message(), (d.code,))
                 for i, d in enumerate(departments[:len(LETTERS)]))


def _category(raw: Any, base: Category | None) -> Category:
    if not isinstance(raw, dict) or not isinstance(raw.get("code"), str):
        raise _invalid("[[categories]] entries need a code")
    code = raw["code"]
    if len(code) != 1 or code not in LETTERS:
        raise _invalid(f"category code {code!r} must be one capital letter")
    name = raw.get("name")
    if name is not None:
        if not (isinstance(name, dict) and isinstance(name.get("zh"), str) and isinstance(name.get("en"), str)):
            raise _invalid(f"category {code}: name must be {{ zh = ..., en = ... }}")
        message = Message(name["zh"], name["en"])
    elif base is not None:
        message = base.name
    else:
        raise _invalid(f"category {code} needs a name")
    departments = raw.get("departments", list(base.departments) if base else [])
    if not (isinstance(departments, list) and all(isinstance(d, str) for d in departments)):
        raise _invalid(f"category {code}: departments must be a list of codes")
    minutes = raw.get("minutes_per_ticket", base.minutes_per_ticket if base else 6.0)
    if isinstance(minutes, bool) or not isinstance(minutes, (int, float)) or not 0 < minutes <= 240:
        raise _invalid(f"category {code}: minutes_per_ticket must be a number of minutes (0-240]")
    return Category(code, message, tuple(departments), float(minutes))


def load_config(home: Path, catalog_path: Path | None = None) -> HubConfig:
    path = home / CONFIG_NAME
    raw: dict[str, Any] = {}
    if path.exists():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise _invalid(str(exc)) from exc
    queue = raw.get("queue", {})
    if not isinstance(queue, dict):
        raise _invalid("[queue] must be a table")
    catalog_file = catalog_path or (Path(raw["catalog"]) if isinstance(raw.get("catalog"), str) else None)
    derived: tuple[Category, ...] = ()
    if queue.get("categories_from_catalog", True):
        derived = catalog_categories(read_catalog_file(catalog_file or demo_catalog_path()))
    by_code = {c.code: c for c in derived}
    entries = raw.get("categories", [])
    if not isinstance(entries, list):
        raise _invalid("categories must be [[categories]] entries")
    for entry in entries:
        code = entry.get("code") if isinstance(entry, dict) else None
        by_code[str(code)] = _category(entry, by_code.get(str(code)))
    categories = tuple(sorted(by_code.values(), key=lambda c: c.code))
    if not categories:
        raise _invalid("no categories (the catalog has no departments and none are configured)")
    counters: dict[int, tuple[str, ...]] = {}
    for key, codes in (raw.get("counters") or {}).items():
        if not str(key).isdigit() or not isinstance(codes, list) or any(c not in by_code for c in codes):
            raise _invalid(f"[counters] {key} must be a counter number with a list of known category codes")
        counters[int(key)] = tuple(codes)
    fairness = queue.get("fairness_minutes", 20.0)
    run = queue.get("priority_run", 3)
    if isinstance(fairness, bool) or not isinstance(fairness, (int, float)) or fairness <= 0:
        raise _invalid("fairness_minutes must be a positive number")
    if isinstance(run, bool) or not isinstance(run, int) or run < 1:
        raise _invalid("priority_run must be a whole number of at least 1")
    public_url = raw.get("public_url")
    if public_url is not None and not (isinstance(public_url, str) and public_url.startswith(("http://", "https://"))):
        raise _invalid("public_url must be an http:// or https:// address")
    recheck = raw.get("follower_recheck_seconds", 15.0)
    if isinstance(recheck, bool) or not isinstance(recheck, (int, float)) or not 0.1 <= recheck <= 3600:
        raise _invalid("follower_recheck_seconds must be a number of seconds (0.1-3600)")
    return HubConfig(categories, counters, float(fairness), run, public_url.rstrip("/") if public_url else None,
                     follower_recheck_seconds=float(recheck))
