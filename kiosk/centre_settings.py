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

The trial, kept in `<home>/centre-settings/state.json` (one file, written atomically): a new document
is kept as the "trial" beside the last "good" one. Every window start calls `begin_window_start` before
it reads the settings: it counts the start against the trial, and when `MAX_TRIAL_STARTS` starts with it
have not been confirmed (the window crashed, hung and was killed, or exited before being up for
`confirm_after_seconds()`), it drops the trial and goes back to the good document, noting why for the
platform. `confirm_window_start`, called by the window once it has been up and healthy, makes the trial
the good one. Files, not the store: the settings are read before the store opens, and the store's own
location comes from them.
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from kiosk.errors import Message, UserFacingError
from kiosk.fsutil import write_atomic

log = logging.getLogger("onewindow.centre_settings")

STATE_DIR = "centre-settings"
STATE_FILE = "state.json"
MAX_TRIAL_STARTS = 2  # starts of the window with a trial that did not confirm it before it is dropped
CONFIRM_AFTER_SECONDS = 30.0  # up and healthy this long: the trial becomes the good settings
MAX_REPORTS = 20  # outcomes kept for the platform while offline; the oldest go first


def confirm_after_seconds() -> float:
    """How long the window must be up before it confirms; `ONEWINDOW_SETTINGS_CONFIRM_SECONDS` for labs and
    tests (a kiosk in the field keeps the default)."""
    raw = os.environ.get("ONEWINDOW_SETTINGS_CONFIRM_SECONDS")
    try:
        return max(0.0, float(raw)) if raw else CONFIRM_AFTER_SECONDS
    except ValueError:
        return CONFIRM_AFTER_SECONDS


# --- what the centre may set ------------------------------------------------------------------------------

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


# --- the trial on this terminal ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Document:
    """One signed settings document as received: its version, values, and the signed text kept for audit."""

    version: int
    values: dict[str, Any]
    signed: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {"version": self.version, "values": self.values, "signed": self.signed}

    @staticmethod
    def from_json(raw: Any) -> "Document | None":
        if raw is None:
            return None
        return Document(version=int(raw["version"]), values=check_values(raw["values"]), signed=dict(raw["signed"]))


@dataclass
class State:
    good: Document | None = None
    trial: Document | None = None
    trial_starts: int = 0  # window starts with the trial that have not (yet) confirmed it
    highest_version: int = 0  # the newest version ever taken in, good, trial or rolled back: older is refused
    reports: list[dict[str, Any]] | None = None  # outcomes the platform has not heard of yet

    def as_json(self) -> dict[str, Any]:
        return {"good": self.good.as_json() if self.good else None,
                "trial": self.trial.as_json() if self.trial else None, "trial_starts": self.trial_starts,
                "highest_version": self.highest_version, "reports": list(self.reports or [])}


def state_path(home: Path) -> Path:
    return Path(home) / STATE_DIR / STATE_FILE


@contextmanager
def _changing(home: Path) -> Iterator[None]:
    """One read-modify-write of the state at a time: the window's confirmation, its sync worker and a
    `onewindow sync` beside it all change the one file (an exclusive `flock` on a file beside it)."""
    folder = Path(home) / STATE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def read_state(home: Path) -> State:
    """The state on disk; a damaged file counts as none (logged): the terminal then runs on its local file,
    which is how it ran before the centre ever sent anything."""
    path = state_path(home)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return State(good=Document.from_json(raw.get("good")), trial=Document.from_json(raw.get("trial")),
                     trial_starts=int(raw.get("trial_starts", 0)), highest_version=int(raw.get("highest_version", 0)),
                     reports=list(raw.get("reports") or []))
    except FileNotFoundError:
        return State(reports=[])
    except (OSError, ValueError, KeyError, TypeError, AttributeError, UserFacingError) as exc:
        log.error("centre settings state %s is damaged (%s); running on the local settings only", path, exc)
        return State(reports=[])


def write_state(home: Path, state: State) -> None:
    path = state_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(state.as_json(), ensure_ascii=False, indent=1).encode("utf-8"), mode=0o600)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def note(state: State, version: int, outcome: str, reason_zh: str = "", reason_en: str = "") -> None:
    """Keep an outcome for the platform ("applied", "rolled_back", "refused"), bounded while offline."""
    reports = state.reports if state.reports is not None else []
    reason = {"zh": reason_zh[:250], "en": reason_en[:250]}
    if reports and (reports[-1]["version"], reports[-1]["outcome"], reports[-1]["reason"]) == (version, outcome, reason):
        return  # the same refusal at every pass while offline: once is enough
    reports.append({"version": version, "outcome": outcome, "at": _now(), "reason": reason})
    state.reports = reports[-MAX_REPORTS:]


def active_values(home: Path) -> dict[str, Any]:
    """The centre's values this terminal runs on: the trial while one is on trial, else the good ones."""
    state = read_state(home)
    document = state.trial or state.good
    return dict(document.values) if document else {}


def stage(home: Path, document: Document) -> State:
    """Keep a verified, valid document as the trial for the next window start (the caller checked that its
    version is newer than `highest_version`)."""
    check_values(document.values)
    with _changing(home):
        state = read_state(home)
        if document.version <= state.highest_version:
            raise ValueError(f"version {document.version} is not newer than {state.highest_version}")
        state.trial = document
        state.trial_starts = 0
        state.highest_version = document.version
        write_state(home, state)
    log.info("centre settings version %s kept as the trial for the next start", document.version)
    return state


def refuse(home: Path, version: int, reason: Message) -> None:
    """Note a refused document for the platform; nothing else changes."""
    with _changing(home):
        state = read_state(home)
        note(state, version, "refused", reason.zh, reason.en)
        write_state(home, state)
    log.warning("centre settings version %s refused: %s", version, reason.en)


@dataclass(frozen=True)
class StartChoice:
    """What `begin_window_start` decided for this start."""

    version: int  # the centre version this start runs on (0: none)
    on_trial: bool  # True: this start must confirm the trial
    rolled_back: int | None = None  # the trial version dropped at this start, if any


def begin_window_start(home: Path) -> StartChoice:
    """Count this window start against the trial, or drop a trial that failed `MAX_TRIAL_STARTS` starts.

    The count is on disk before the window is built, so a crash at any later point counts.
    """
    with _changing(home):
        return _begin(home)


def _begin(home: Path) -> StartChoice:
    state = read_state(home)
    if state.trial is None:
        return StartChoice(version=state.good.version if state.good else 0, on_trial=False)
    if state.trial_starts >= MAX_TRIAL_STARTS:
        dropped = state.trial.version
        back_to = state.good.version if state.good else 0
        back_zh = f"上一次可用的平台设置（版本 {back_to}）" if back_to else "本机自己的设置"
        back_en = f"the last good settings (version {back_to})" if back_to else "the terminal's own settings"
        note(state, dropped, "rolled_back",
             f"窗口用这些设置启动{state.trial_starts}次均未成功（崩溃或提前退出），已恢复{back_zh}。",
             f"The window did not start successfully with these settings {state.trial_starts} times (a crash or "
             f"an exit before it was up), so {back_en} are back.")
        state.trial = None
        state.trial_starts = 0
        write_state(home, state)
        log.error("centre settings version %s rolled back to version %s after %s failed starts", dropped, back_to,
                  MAX_TRIAL_STARTS)
        return StartChoice(version=back_to, on_trial=False, rolled_back=dropped)
    state.trial_starts += 1
    write_state(home, state)
    log.info("starting with centre settings version %s on trial (start %s of %s)", state.trial.version,
             state.trial_starts, MAX_TRIAL_STARTS)
    return StartChoice(version=state.trial.version, on_trial=True)


def confirm_window_start(home: Path, version: int) -> bool:
    """The window has been up and healthy on trial `version`: it becomes the good one. False when another
    version is on trial by now (a sync kept a newer one meanwhile: that one gets its own start)."""
    with _changing(home):
        return _confirm(home, version)


def _confirm(home: Path, version: int) -> bool:
    state = read_state(home)
    if state.trial is None or state.trial.version != version:
        return False
    state.good = state.trial
    state.trial = None
    state.trial_starts = 0
    note(state, version, "applied")
    write_state(home, state)
    log.info("centre settings version %s confirmed after a healthy start", version)
    return True


def take_reports(home: Path) -> list[dict[str, Any]]:
    return list(read_state(home).reports or [])


def forget_reports(home: Path, sent: list[dict[str, Any]]) -> None:
    """Drop the reports the platform acknowledged (newer ones noted meanwhile stay)."""
    with _changing(home):
        state = read_state(home)
        state.reports = [r for r in (state.reports or []) if r not in sent]
        write_state(home, state)
