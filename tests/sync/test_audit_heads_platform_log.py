"""The platform's own audit log: a chain written with each change, anchored in a file outside the database.

`onewindow platform audit verify` runs as a subprocess against the same home
the platform serves from.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from kiosk.audit import GENESIS, entry_hash
from sync.demo_data import submit_demo
from sync.server.cases import DecisionRefused, decide, list_cases
from sync.server.enrollment import revoke
from sync.server.models import PlatformAuditEntry
from sync.server.platform_audit import ANCHOR_ENV, ANCHOR_NAME
from tests.sync.conftest import engine_for, enroll, make_terminal


def platform_verify(home: Path, db_url: str | None = None, env: dict[str, str] | None = None) -> tuple[int, dict]:
    cmd = [sys.executable, "-m", "kiosk", "platform", "audit", "verify", "--home", str(home), "--json"]
    done = subprocess.run(cmd + (["--db", db_url] if db_url else []), capture_output=True, text=True, timeout=120,
                          env=env)
    assert done.stdout, done.stderr
    return done.returncode, json.loads(done.stdout)


def busy_platform(tmp_path: Path, platform) -> list[tuple[int, str, str]]:
    """Enrollment codes, an enrollment, a decision and a revocation: each writes an entry."""
    terminal = make_terminal(tmp_path / "t1")
    submit_demo(terminal, 1, pages=1, page_kb=5, seed=3)
    credential = enroll(terminal, platform)
    engine_for(terminal, credential).run_pass()
    decide(platform.store, list_cases(platform.store)[0]["case_no"], "accepted", "材料齐全", [], actor="staff:cli")
    assert revoke(platform.store, credential.device_id)
    with platform.store.transaction() as s:
        return [(e.id, e.action, e.hash) for e in s.scalars(select(PlatformAuditEntry).order_by(PlatformAuditEntry.id))]


def test_changes_are_chained_and_anchored_outside_the_database(tmp_path: Path, platform, db_url) -> None:
    rows = busy_platform(tmp_path, platform)
    assert [a for _, a, _ in rows] == ["enrollment_code.created", "device.enrolled", "case.decided", "device.revoked"]
    anchor = platform.home / ANCHOR_NAME
    lines = [json.loads(line) for line in anchor.read_text().splitlines()]
    assert [(x["id"], x["hash"]) for x in lines] == [(i, h) for i, _, h in rows]
    assert anchor.stat().st_mode & 0o077 == 0
    code, out = platform_verify(platform.home, db_url)
    assert code == 0 and out["ok"] and out["entries"] == 4 and out["anchored_through"] == rows[-1][0]


def test_a_refused_change_leaves_no_entry_and_no_anchor_line(tmp_path: Path, sqlite_platform) -> None:
    rows = busy_platform(tmp_path, sqlite_platform)
    case_no = list_cases(sqlite_platform.store)[0]["case_no"]
    with pytest.raises(DecisionRefused):
        decide(sqlite_platform.store, case_no, "accepted", "again", [])  # stale: refused, rolled back
    with sqlite_platform.store.transaction() as s:
        assert len(list(s.scalars(select(PlatformAuditEntry)))) == len(rows)
    assert len((sqlite_platform.home / ANCHOR_NAME).read_text().splitlines()) == len(rows)
    assert platform_verify(sqlite_platform.home)[0] == 0


def recompute(session) -> None:
    prev = GENESIS
    for e in session.scalars(select(PlatformAuditEntry).order_by(PlatformAuditEntry.id)):
        e.prev_hash = prev
        e.hash = entry_hash(prev, e.at, e.actor, e.action, e.subject, e.details)
        prev = e.hash


def test_an_edited_entry_is_caught_even_with_the_chain_recomputed(tmp_path: Path, sqlite_platform) -> None:
    rows = busy_platform(tmp_path, sqlite_platform)
    decided = next(i for i, a, _ in rows if a == "case.decided")
    with sqlite_platform.store.transaction() as s:
        s.get(PlatformAuditEntry, decided).actor = "someone-else"
    code, out = platform_verify(sqlite_platform.home)
    assert code == 2 and out["problems"][0]["entry_id"] == decided and "was edited" in out["problems"][0]["en"]

    with sqlite_platform.store.transaction() as s:
        recompute(s)
    code, out = platform_verify(sqlite_platform.home)
    assert code == 2
    assert [p["entry_id"] for p in out["problems"]] == [i for i, _, _ in rows if i >= decided]
    assert f"between #{decided} and #{decided}" in out["problems"][0]["en"] and out["problems"][0]["zh"]


def test_deleting_the_newest_entries_or_all_of_them_is_caught(tmp_path: Path, sqlite_platform) -> None:
    rows = busy_platform(tmp_path, sqlite_platform)
    with sqlite_platform.store.transaction() as s:
        s.execute(delete(PlatformAuditEntry).where(PlatformAuditEntry.id == rows[-1][0]))
    code, out = platform_verify(sqlite_platform.home)
    assert code == 2 and [p["entry_id"] for p in out["problems"]] == [rows[-1][0]]
    assert "truncated or wiped" in out["problems"][0]["en"] and "被截断或清空" in out["problems"][0]["zh"]

    with sqlite_platform.store.transaction() as s:
        s.execute(delete(PlatformAuditEntry))
    code, out = platform_verify(sqlite_platform.home)
    assert code == 2 and out["entries"] == 0 and len(out["problems"]) == len(rows)


def test_a_deleted_anchor_file_is_named_and_an_unanchored_entry_is_a_warning(tmp_path: Path, sqlite_platform) -> None:
    busy_platform(tmp_path, sqlite_platform)
    anchor = sqlite_platform.home / ANCHOR_NAME
    kept = anchor.read_text().splitlines()
    anchor.write_text("\n".join(kept[:-1]) + "\n")  # as a crash between the commit and the file would leave it
    code, out = platform_verify(sqlite_platform.home)
    assert code == 0 and out["warnings"] and "not in the anchor file" in out["warnings"][0]["en"]

    anchor.unlink()
    code, out = platform_verify(sqlite_platform.home)
    assert code == 2 and str(anchor) in out["problems"][0]["en"] and "不存在" in out["problems"][0]["zh"]


def test_the_anchor_file_can_live_elsewhere(tmp_path: Path, monkeypatch) -> None:
    from tests.sync.servers import PlatformServer

    elsewhere = tmp_path / "other-disk" / "platform-audit.log"
    monkeypatch.setenv(ANCHOR_ENV, str(elsewhere))
    server = PlatformServer(tmp_path / "platform")
    try:
        server.enroll_code()
    finally:
        server.stop()
    assert len(elsewhere.read_text().splitlines()) == 1 and not (tmp_path / "platform" / ANCHOR_NAME).exists()

    assert platform_verify(tmp_path / "platform", env=os.environ | {ANCHOR_ENV: str(elsewhere)})[0] == 0
    assert platform_verify(tmp_path / "platform", env={k: v for k, v in os.environ.items() if k != ANCHOR_ENV})[0] == 2


def test_an_entry_is_anchored_only_when_the_outer_transaction_commits(tmp_path: Path, sqlite_platform) -> None:
    """A savepoint released after the entry (as record_decision does) commits nothing yet."""
    from sync.server import platform_audit

    anchor = sqlite_platform.home / ANCHOR_NAME
    with pytest.raises(RuntimeError):
        with sqlite_platform.store.transaction() as s:
            platform_audit.record(s, actor="t", action="test", subject="x")
            with s.begin_nested():
                s.flush()
            assert not anchor.exists()
            raise RuntimeError("the change fails after the savepoint")
    assert not anchor.exists()
    with sqlite_platform.store.transaction() as s:
        assert list(s.scalars(select(PlatformAuditEntry))) == []
        entry = platform_audit.record(s, actor="t", action="test", subject="y")
        with s.begin_nested():
            s.flush()
    assert [json.loads(x)["hash"] for x in anchor.read_text().splitlines()] == [entry.hash]
