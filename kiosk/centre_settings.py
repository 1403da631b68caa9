"""Settings from the centre: which settings the platform may set, how they rank, and their trial on this terminal.

What the centre may set (`CENTRE_KEYS`): what a hall's management decides for all its terminals and can
check from afar: the hall's name, address and phone on receipts, the kiosk's language, idle timeout and
text size, upload limits, how long receipts may wait for the printer, retention, supplement days, the
queue's target wait, the status address on receipts, and the names of the devices a hall standardises on
(receipt printer and its profile and paper, A4 queue, scanner, camera). What it may never set: the data
dir, the hall code, the device number and kind, the platform's address, the key dir, the catalog file, the
hall hub's address and the ID card reader's port and library. Those say who this terminal is, whom it
trusts and what code it loads; a pushed value there could move a terminal into another hall, point it at
another platform or make it load a library, and a mistake would cut it off from the very platform that
could correct it. A centre printer address may not be a `file:` one either: a push must never make
receipts with citizens' data land in a file on the terminal's disk.

Precedence, lowest first: the defaults, then the local file and the centre in the order below, then the
environment (`ONEWINDOW_<NAME>`, what a technician sets for one run, always wins):
- policy keys (`DEVICE_KEYS` excluded): defaults < local file < centre. The centre exists to change these
  across a hall without a visit; a value left in a file by set-up must not silently keep a terminal out.
- device keys (`DEVICE_KEYS`): defaults < centre < local file. The centre names the printer the hall
  standardised on; a technician who wrote this machine's own printer into its file knows better.

The trial of a new document on this terminal is `kiosk.centre_settings_trial`.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kiosk.errors import Message, UserFacingError

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _text(max_len: int, *, empty: bool = False) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if not empty and not value.strip():
            return "must not be empty / 不能为空"
        if len(value) > max_len:
            return f"at most {max_len} characters / 最多{max_len}个字符"
        if _CONTROL.search(value):
            return "no control characters / 不能含控制字符"
        return None
    return check


def _between(low: int, high: int) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        return None if low <= value <= high else f"{low} to {high} / 应在{low}到{high}之间"
    return check


def _one_of(*allowed: Any) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        return None if value in allowed else "one of " + ", ".join(map(str, allowed)) + " / 只能是" + "、".join(map(str, allowed))
    return check


def _phone(value: Any) -> str | None:
    return None if re.fullmatch(r"[0-9+\-() ]{3,40}", value) else "digits, +, -, (, ) and spaces, 3 to 40 / 3到40个数字或+-()"


def _status_url(value: Any) -> str | None:
    if not re.fullmatch(r"https?://[^\s]{1,300}", value) or "{receipt_no}" not in value:
        return "an http(s) address containing {receipt_no} / 须为含 {receipt_no} 的 http(s) 地址"
    return None


def _receipt_printer(value: Any) -> str | None:
    if value.strip().lower().startswith("file:"):
        return "a file: printer cannot be set from the centre / 不能从平台设置 file: 打印机"
    return _text(200, empty=True)(value)


def _document_printer(value: Any) -> str | None:
    if not re.fullmatch(r"cups:[A-Za-z0-9_.@-]{0,127}", value):
        return "cups: or cups:QUEUE / 须为 cups: 或 cups:队列名"
    return None


def _profile(value: Any) -> str | None:
    return None if re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", value) else "a profile name (letters, digits, _ . -) / 打印机型号名"


@dataclass(frozen=True)
class Rule:
    kind: type
    check: Callable[[Any], str | None]


CENTRE_KEYS: dict[str, Rule] = {
    "hall_name_zh": Rule(str, _text(100)),
    "hall_name_en": Rule(str, _text(100)),
    "hall_address_zh": Rule(str, _text(200)),
    "hall_address_en": Rule(str, _text(200)),
    "hall_phone": Rule(str, _phone),
    "language": Rule(str, _one_of("zh", "en")),
    "idle_timeout_seconds": Rule(int, _between(30, 1800)),
    "large_text": Rule(bool, lambda _v: None),
    "max_file_bytes": Rule(int, _between(1024 * 1024, 200 * 1024 * 1024)),
    "max_files_per_material": Rule(int, _between(1, 100)),
    "receipt_print_window_minutes": Rule(int, _between(0, 1440)),
    "retention_days": Rule(int, _between(1, 3650)),
    "supplement_days": Rule(int, _between(1, 90)),
    "queue_target_wait_minutes": Rule(int, _between(1, 480)),
    "status_url_template": Rule(str, _status_url),
    "printer": Rule(str, _receipt_printer),
    "printer_profile": Rule(str, _profile),
    "receipt_paper_mm": Rule(int, _one_of(58, 80)),
    "document_printer": Rule(str, _document_printer),
    "scanner": Rule(str, _text(200, empty=True)),
    "camera": Rule(str, _text(100, empty=True)),
}
DEVICE_KEYS = frozenset({"printer", "printer_profile", "receipt_paper_mm", "document_printer", "scanner", "camera"})
# every other field of `kiosk.settings.Settings` (a test keeps the two lists and the fields in step)
NEVER_KEYS = frozenset({"home", "hall_code", "device_no", "device_kind", "platform_url", "catalog_path", "key_dir",
                        "hall_url", "id_reader", "id_reader_port", "id_reader_baudrate", "id_reader_library",
                        "progress_url"})


class CentreSettingsInvalid(UserFacingError):
    """Values the centre may not set, or not like this; `problems` names each (English / Chinese)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__(Message("平台设置无效：" + "；".join(zh for zh, _ in problems),
                                 "Invalid centre settings: " + "; ".join(en for _, en in problems)),
                         code="centre_settings_invalid")


def _kind_name(kind: type) -> tuple[str, str]:
    return {bool: (" true 或 false", "true or false"), int: ("整数", "a whole number"),
            str: ("文字", "text")}[kind]


def check_values(values: Any) -> dict[str, Any]:
    """The values as they are if every key may be set from the centre and every value has its type and range;
    else `CentreSettingsInvalid` naming each problem. Types are strict (JSON `true`, not "yes"): a document
    signed by the platform says exactly what it means."""
    if not isinstance(values, dict):
        raise CentreSettingsInvalid([("设置值应为键值表", "the values must be a table of keys")])
    problems: list[tuple[str, str]] = []
    for key in sorted(values):
        value = values[key]
        rule = CENTRE_KEYS.get(key)
        if rule is None:
            if key in NEVER_KEYS:
                problems.append((f"{key} 只能在本机设置，平台不能设置", f"{key} is set on the terminal only, never "
                                                               "from the centre"))
            else:
                problems.append((f"没有设置项 {key}", f"there is no setting {key}"))
            continue
        if type(value) is not rule.kind:  # bool is an int in Python: compare the type itself
            zh_kind, en_kind = _kind_name(rule.kind)
            problems.append((f"{key} 应为{zh_kind}，而不是 {value!r}", f"{key} must be {en_kind}, not {value!r}"))
            continue
        problem = rule.check(value)
        if problem:
            en, _, zh = problem.partition(" / ")
            problems.append((f"{key}：{zh or en}（{value!r}）", f"{key}: {en} ({value!r})"))
    if problems:
        raise CentreSettingsInvalid(problems)
    return dict(values)


def parse_value(key: str, text: str) -> Any:
    """A value typed at the platform's command line, as the type its key takes (`check_values` then judges
    it); an unknown key or a word that is not of the key's type is refused with both languages."""
    rule = CENTRE_KEYS.get(key)
    if rule is None:
        check_values({key: text})  # raises, naming why the key cannot be set
    assert rule is not None
    if rule.kind is bool:
        lowered = text.strip().lower()
        if lowered in ("true", "yes", "on", "1"):
            return True
        if lowered in ("false", "no", "off", "0"):
            return False
    elif rule.kind is int:
        if re.fullmatch(r"-?[0-9]{1,12}", text.strip()):
            return int(text.strip())
    else:
        return text
    zh_kind, en_kind = _kind_name(rule.kind)
    raise CentreSettingsInvalid([(f"{key} 应为{zh_kind}，而不是 {text!r}", f"{key} must be {en_kind}, not {text!r}")])


def layer(file_values: dict[str, Any], centre: dict[str, Any]) -> dict[str, Any]:
    """The local file's values with the centre's laid over them as the module's precedence says (the
    environment is laid over the result by `kiosk.settings.load_settings`)."""
    merged = dict(file_values)
    for key, value in centre.items():
        if key not in CENTRE_KEYS:
            continue
        if key in DEVICE_KEYS and key in file_values:
            continue  # the technician's own device name for this machine wins
        merged[key] = value
    return merged


