"""`onewindow audit verify`: the local chain, then the heads the platform holds for this terminal.

The chain alone is checked as before. The platform's heads are the
authority for every entry older than the last sync: a copy of the last
accepted head is kept locally too, but it sits in the same database as the
log, so it is only used (and said to be only used) when the platform cannot
be asked.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import func, select

from kiosk import audit
from kiosk.errors import Message
from kiosk.store.models import AuditEntry
from kiosk.terminal import Terminal

PlatformCheck = Literal["checked", "unreachable", "not_enrolled"]

ONLY_LOCAL = Message("只做了本机检查：平台无法核对，截断、修改或重算整条链在本机无法可靠察觉。",
                     "Only the local check was possible: the platform could not be asked, and truncating, editing "
                     "or recomputing the whole chain cannot be reliably detected on this terminal alone.")


@dataclass
class AuditVerification:
    rows: int
    breaks: list[audit.ChainBreak]
    platform: PlatformCheck
    mismatches: list[audit.HeadMismatch] = field(default_factory=list)
    platform_head: audit.PlatformHead | None = None  # the newest head the check used
    heads_checked: int = 0
    unanchored: int = 0  # entries newer than that head: checked locally only
    discrepancies: list[Message] = field(default_factory=list)
    notes: list[Message] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks and not self.mismatches

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "rows": self.rows, "platform": self.platform,
                "breaks": [{"entry_id": b.entry_id, "problem": b.problem} for b in self.breaks],
                "mismatches": [{"entry_id": m.entry_id, "platform_hash": m.platform_hash, "local_hash": m.local_hash,
                                "zh": m.message.zh, "en": m.message.en} for m in self.mismatches],
                "platform_head": self.platform_head.as_dict() if self.platform_head else None,
                "heads_checked": self.heads_checked, "unanchored": self.unanchored,
                "discrepancies": [{"zh": d.zh, "en": d.en} for d in self.discrepancies],
                "notes": [{"zh": n.zh, "en": n.en} for n in self.notes]}


def verify_audit(t: Terminal) -> AuditVerification:
    answer = t.sync.audit_heads() if t.sync is not None else audit.PlatformHeads(
        False, enrolled=False, note=Message("本程序未安装平台连接部分。", "This build has no platform link."))
    with t.store.transaction() as s:
        breaks = audit.verify_chain(s)
        rows = int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)
        noted = audit.acknowledged_head(s)
        acked = noted if noted is not None and not noted.empty else None  # the empty head proves no entry
        if answer.reached:
            heads = list(answer.heads)
            result = AuditVerification(rows, breaks, "checked", audit.compare_with_platform(s, heads),
                                       heads_checked=len(heads), discrepancies=list(answer.discrepancies))
            if not heads:
                result.notes.append(Message("平台尚未收到本终端的审计头（尚未同步过），只做了本机检查。",
                                            "The platform holds no audit head of this terminal yet (it has not "
                                            "synced); only the local check was possible."))
        else:
            never_synced = not answer.enrolled and noted is None
            heads = [acked] if acked is not None else []
            result = AuditVerification(rows, breaks, "not_enrolled" if never_synced else "unreachable",
                                       audit.compare_with_platform(s, heads), heads_checked=len(heads))
            if answer.note is not None:
                result.notes.append(answer.note)
            if not never_synced:
                result.notes.append(ONLY_LOCAL)
            if acked is not None:
                result.notes.append(Message(
                    f"已与本机记录的平台最近确认的审计头（#{acked.last_id}）比对；该记录与日志同在本机数据库，也可能被改动。",
                    f"Compared with this terminal's note of the head the platform last accepted (#{acked.last_id}); "
                    "that note lives in the same database as the log and could have been edited too."))
        result.platform_head = max(heads, key=lambda h: h.last_id) if heads else None
        newest = result.platform_head.last_id if result.platform_head else 0
        result.unanchored = int(s.scalar(select(func.count()).select_from(AuditEntry)
                                         .where(AuditEntry.id > newest)) or 0)
    if result.unanchored and result.platform == "checked" and result.platform_head is not None:
        result.notes.append(Message(
            f"#{newest} 之后的 {result.unanchored} 条记录尚未同步到平台，只能在本机核对。",
            f"The {result.unanchored} entries after #{newest} have not reached the platform yet and could only be "
            "checked locally."))
    return result
