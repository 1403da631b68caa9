"""What a printer says about itself: the DLE EOT real-time status bytes.

DLE EOT n (0x10 0x04 n) is answered even when the printer is offline, which
is exactly when we need it. Each answer byte has bit 1 and bit 4 set and
bits 0 and 7 clear; anything else is not a status byte (a printer that does
not speak DLE EOT, or noise), and is treated as "unknown", not as an error.
"""
from __future__ import annotations

from dataclasses import dataclass

from kiosk.errors import Message

DLE_EOT = b"\x10\x04"
PRINTER_STATUS, OFFLINE_CAUSE, ERROR_CAUSE, PAPER_SENSOR = 1, 2, 3, 4

REASON_TEXT: dict[str, Message] = {
    "paper_out": Message("打印纸已用完", "it is out of paper"),
    "cover_open": Message("打印机盖未关好", "its cover is open"),
    "offline": Message("打印机处于离线状态", "it is offline"),
    "error": Message("打印机故障（可能卡纸或切刀故障）", "it reports an error (a paper jam or cutter fault)"),
}


def is_status_byte(value: int) -> bool:
    return (value & 0x93) == 0x12


@dataclass(frozen=True)
class PrinterStatus:
    """The printer's answers; `None` where it did not answer that question."""

    printer: int | None = None
    offline_cause: int | None = None
    paper: int | None = None

    @property
    def known(self) -> bool:
        return self.printer is not None

    @property
    def reasons(self) -> tuple[str, ...]:
        found: list[str] = []
        if self.paper is not None and self.paper & 0x60:
            found.append("paper_out")
        if self.offline_cause is not None:
            if self.offline_cause & 0x04:
                found.append("cover_open")
            if self.offline_cause & 0x20 and "paper_out" not in found:
                found.append("paper_out")
            if self.offline_cause & 0x40:
                found.append("error")
        if self.printer is not None and self.printer & 0x08 and not found:
            found.append("offline")
        return tuple(found)

    @property
    def ready(self) -> bool:
        return not self.reasons

    @property
    def paper_near_end(self) -> bool:
        return self.paper is not None and bool(self.paper & 0x0C)

    def message(self) -> Message:
        parts = [REASON_TEXT[r] for r in self.reasons] or [Message("状态未知", "its status is unknown")]
        return Message("，".join(p.zh for p in parts), ", ".join(p.en for p in parts))

    def as_dict(self) -> dict[str, object]:
        return {"known": self.known, "ready": self.ready, "reasons": list(self.reasons),
                "paper_near_end": self.paper_near_end}
