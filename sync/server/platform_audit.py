"""The platform's own audit log: enrollment codes, enrollments, revocations, decisions, refused heads.

A hash chain like the terminal's (`kiosk.audit.entry_hash`), written in the
transaction of the change it records. A chain without a secret proves
nothing against whoever can write the database, so after each commit the
newest entry's id and hash are also appended to a file outside the database
(`<home>/audit-heads.log`, or the path in `ONEWINDOW_PLATFORM_AUDIT_ANCHOR`),
and `verify` compares the two: an entry edited (chain recomputed), removed
or wiped before the last line of that file no longer matches it.

Limits, honestly: the file is only as append-only as its storage. Someone
with root (or the platform's own user) on the platform machine can rewrite
the database and the file together. What holds against that is an anchor the
platform cannot rewrite: the file on a filesystem with `chattr +a` set by
root (append-only even for its owner), forwarded line by line to a remote
log host (rsyslog/journald remote), or its newest line published somewhere
outside the machine (a transparency log, a signed timestamp, a printed
daily figure). The file is written after the commit: a crash between the two
leaves the newest entry unanchored, which `verify` names as such.
"""
from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session, SessionTransaction

from kiosk.audit import GENESIS, entry_hash
from kiosk.errors import Message
from sync.server.models import PlatformAuditEntry, utcnow

log = logging.getLogger("onewindow.platform.audit")

ANCHOR_ENV = "ONEWINDOW_PLATFORM_AUDIT_ANCHOR"
ANCHOR_NAME = "audit-heads.log"
_PENDING = "platform_audit_pending"
# pg_advisory_xact_lock key: one writer of the chain at a time. The chain is one order for the whole platform,
# so this lock is global: it is taken by audited acts (enrollment, revocation, decisions, licence uses, hall
# statistics, refused audit heads), never by pushing applications or uploading files. A transaction that also
# writes a hall's feed takes the feed's lock first (7301 with the hall, `sync.server.cases.feed_lock`), then this.
_LOCK_KEY = 7302


def anchor_path(home: Path | str) -> Path:
    configured = os.environ.get(ANCHOR_ENV)
    return Path(configured).expanduser() if configured else Path(home) / ANCHOR_NAME


def record(session: Session, *, actor: str, action: str, subject: str,
           details: dict[str, Any] | None = None) -> PlatformAuditEntry:
    """Append one entry; call inside the transaction that makes the change it describes."""
    details = details or {}
    if session.get_bind().dialect.name == "postgresql":  # SQLite writers are serialised by BEGIN IMMEDIATE
        session.execute(text(f"SELECT pg_advisory_xact_lock({_LOCK_KEY})"))
    last = session.scalar(select(PlatformAuditEntry).order_by(PlatformAuditEntry.id.desc()).limit(1))
    prev_hash = last.hash if last else GENESIS
    at = utcnow()
    actor, subject = actor[:64], subject[:64]
    entry = PlatformAuditEntry(at=at, actor=actor, action=action, subject=subject, details=details,
                               prev_hash=prev_hash, hash=entry_hash(prev_hash, at, actor, action, subject, details))
    session.add(entry)
    session.flush()
    home = session.info.get("platform_home")
    if home is not None:
        session.info.setdefault(_PENDING, []).append((anchor_path(home), entry.id, entry.hash, at.isoformat()))
    return entry


@event.listens_for(Session, "after_commit")
def _anchor_after_commit(session: Session) -> None:
    """Only a committed entry is anchored: a rolled-back one must never appear in the file. (This event
    also follows a savepoint's release, which commits nothing yet.)"""
    if session.in_nested_transaction():
        return
    pending = session.info.pop(_PENDING, None)
    for path, entry_id, digest, at in pending or []:
        try:
            append_anchor(path, entry_id, digest, at)
        except OSError:
            log.exception("platform audit entry %s could not be anchored in %s", entry_id, path)


@event.listens_for(Session, "after_transaction_end")
def _forget_at_the_end(session: Session, transaction: SessionTransaction) -> None:
    """After a commit the lines are written (after_commit runs first); after a rollback they must go.
    Only the outermost transaction counts: `record` is never called inside a savepoint."""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def append_anchor(path: Path, entry_id: int, digest: str, at: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"id": entry_id, "hash": digest, "at": at}, separators=(",", ":")) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)


# --- verify ---------------------------------------------------------------------------------------

@dataclass
class PlatformAuditReport:
    entries: int = 0
    anchor_file: str = ""
    anchored_through: int | None = None  # the last entry id the file names
    problems: list[tuple[int | None, Message]] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "entries": self.entries, "anchor_file": self.anchor_file,
                "anchored_through": self.anchored_through,
                "problems": [{"entry_id": i, "zh": m.zh, "en": m.en} for i, m in self.problems],
                "warnings": [{"zh": m.zh, "en": m.en} for m in self.warnings]}


def _short(h: str | None) -> str:
    return (h[:12] + "…") if h else "-"


def verify(session: Session, anchor: Path) -> PlatformAuditReport:
    """The chain itself, then every head in the anchor file against the entry it names."""
    report = PlatformAuditReport(anchor_file=str(anchor))
    hashes: dict[int, str] = {}
    prev_hash = GENESIS
    for e in session.scalars(select(PlatformAuditEntry).order_by(PlatformAuditEntry.id)):
        if e.prev_hash != prev_hash:
            report.problems.append((e.id, Message(f"条目 #{e.id} 的前序哈希不符：之前的条目被修改或删除。",
                                                  f"entry #{e.id}: the previous hash does not match; an entry "
                                                  "before it was changed or removed.")))
        if entry_hash(e.prev_hash, e.at, e.actor, e.action, e.subject, e.details) != e.hash:
            report.problems.append((e.id, Message(f"条目 #{e.id} 的内容与其哈希不符：该条目被修改。",
                                                  f"entry #{e.id}: its content does not match its hash; the "
                                                  "entry was edited.")))
        prev_hash = e.hash
        hashes[e.id] = e.hash
    report.entries = len(hashes)
    newest = max(hashes) if hashes else None
    try:
        lines = anchor.read_text(encoding="ascii").splitlines()
    except FileNotFoundError:
        if hashes:
            report.problems.append((None, Message(
                f"审计锚定文件 {anchor} 不存在，但数据库有 {len(hashes)} 条审计记录：文件被删除，无法从外部核对。",
                f"the audit anchor file {anchor} is missing while the database holds {len(hashes)} entries: it "
                "was deleted, and nothing outside the database can vouch for them.")))
        else:
            report.warnings.append(Message("尚无审计记录，也无锚定文件（新平台；若数据库与文件一并被清空，本检查无法察觉）。",
                                           "no audit entries and no anchor file yet (a new platform; had the database "
                                           "and the file both been wiped, this check could not tell)."))
        return report
    except (OSError, UnicodeDecodeError) as exc:
        report.problems.append((None, Message(f"无法读取审计锚定文件 {anchor}：{exc}",
                                              f"the audit anchor file {anchor} cannot be read: {exc}")))
        return report
    previous_id = 0
    good_through = 0
    for n, line in enumerate(lines, start=1):
        try:
            raw = json.loads(line)
            entry_id, digest = int(raw["id"]), str(raw["hash"])
        except (ValueError, KeyError, TypeError):
            report.problems.append((None, Message(f"锚定文件第 {n} 行无法解析：文件被改动。",
                                                  f"line {n} of the anchor file cannot be read: the file was altered.")))
            continue
        if entry_id <= previous_id:
            report.problems.append((entry_id, Message(f"锚定文件第 {n} 行（#{entry_id}）未按顺序：文件被改动。",
                                                      f"line {n} of the anchor file (#{entry_id}) is out of order: "
                                                      "the file was altered.")))
        previous_id = max(previous_id, entry_id)
        held = hashes.get(entry_id)
        if held is None:
            report.problems.append((entry_id, Message(
                f"条目 #{entry_id} 已不在数据库中（锚定文件第 {n} 行记录其哈希 {_short(digest)}）：审计记录被截断或清空。",
                f"entry #{entry_id} is no longer in the database (line {n} of the anchor file holds its hash "
                f"{_short(digest)}): the audit log was truncated or wiped.")))
        elif held != digest:
            report.problems.append((entry_id, Message(
                f"条目 #{entry_id} 与锚定文件第 {n} 行不符：文件 {_short(digest)}，数据库 {_short(held)}；"
                f"#{good_through + 1} 至 #{entry_id} 之间的条目被修改、删除或重算。",
                f"entry #{entry_id} differs from line {n} of the anchor file: file {_short(digest)}, database "
                f"{_short(held)}; an entry between #{good_through + 1} and #{entry_id} was edited, removed or the "
                "chain recomputed.")))
        else:
            good_through = entry_id
    report.anchored_through = previous_id or None
    if newest is not None and newest > previous_id:
        later = sum(1 for i in hashes if i > previous_id)
        report.warnings.append(Message(
            f"最新的 {later} 条审计记录（#{previous_id + 1} 起）不在锚定文件中，只能在数据库内核对"
            f"（写入文件前进程中断最多留下一条）。",
            f"the newest {later} entries (from #{previous_id + 1}) are not in the anchor file and could only be "
            "checked inside the database (a crash before the file was written leaves at most one)."))
    return report
