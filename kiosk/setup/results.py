"""What a device test found, and the last set-up's results kept in the data dir for `onewindow doctor`.

Three outcomes, never colour alone: *pass* (the device did its job), *fail* (it is there and did not: the
technician has something to fix), *absent* (none is configured or found: fine for a counter without a
scanner, and said so). Each carries a bilingual reason and what the technician should do next.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from kiosk.errors import Message
from kiosk.fsutil import write_atomic

PASS, FAIL, ABSENT = "pass", "fail", "absent"
OUTCOMES = (PASS, FAIL, ABSENT)
RESULTS_FILE = "setup-results.json"

#: the devices in the order a technician meets them, with their names on screen and on paper
DEVICE_LABELS: dict[str, Message] = {
    "printer": Message("小票打印机", "Receipt printer"),
    "scanner": Message("扫描仪", "Scanner"),
    "camera": Message("高拍仪（摄像头）", "Document camera"),
    "id_reader": Message("身份证阅读器", "ID card reader"),
    "speech": Message("语音播报", "Read-aloud voice"),
}
OUTCOME_LABELS: dict[str, Message] = {
    PASS: Message("通过", "pass"),
    FAIL: Message("未通过", "fail"),
    ABSENT: Message("未连接", "absent"),
}
NOTHING_TO_DO = Message("无需处理。", "Nothing to do.")


@dataclass(frozen=True)
class DeviceResult:
    device: str  # a key of DEVICE_LABELS
    outcome: str  # pass | fail | absent
    reason: Message
    action: Message = NOTHING_TO_DO
    detail: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {self.outcome!r}")

    @property
    def label(self) -> Message:
        return DEVICE_LABELS.get(self.device, Message(self.device, self.device))

    def as_dict(self) -> dict[str, Any]:
        return {"device": self.device, "label": {"zh": self.label.zh, "en": self.label.en},
                "status": self.outcome, "reason": {"zh": self.reason.zh, "en": self.reason.en},
                "action": {"zh": self.action.zh, "en": self.action.en}, "detail": self.detail}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "DeviceResult":
        return cls(str(data["device"]), str(data["status"]), Message(**data["reason"]), Message(**data["action"]),
                   dict(data.get("detail") or {}))


@dataclass(frozen=True)
class SetupReport:
    """One run of the set-up: when, the enrollment it made (or None when only the devices were tested)."""

    at: str
    results: tuple[DeviceResult, ...]
    enrollment: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not any(r.outcome == FAIL for r in self.results)

    def as_dict(self) -> dict[str, Any]:
        return {"at": self.at, "ok": self.ok, "enrollment": self.enrollment,
                "results": [r.as_dict() for r in self.results]}


def new_report(results: list[DeviceResult], enrollment: dict[str, Any] | None) -> SetupReport:
    return SetupReport(datetime.now(timezone.utc).isoformat(timespec="seconds"), tuple(results), enrollment)


def results_path(home: Path) -> Path:
    return home / RESULTS_FILE


def save_report(home: Path, report: SetupReport) -> Path:
    path = results_path(home)
    write_atomic(path, json.dumps(report.as_dict(), ensure_ascii=False, indent=2).encode("utf-8"))
    return path


def load_report(home: Path) -> SetupReport | None:
    """The last set-up's report; None when there was none. A damaged file raises ValueError (doctor says so)."""
    path = results_path(home)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return SetupReport(str(data["at"]), tuple(DeviceResult.from_dict(r) for r in data["results"]),
                           data.get("enrollment"))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{path} is damaged: {exc}") from None
