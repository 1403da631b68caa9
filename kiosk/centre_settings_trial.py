"""Settings from the centre on this terminal: the trial of a new document, its confirmation or rollback, and
the outcomes kept for the platform (what the centre may set, and how it ranks: `kiosk.centre_settings`).

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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from kiosk.centre_settings import check_values
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
