"""The terminal's audit heads kept by the platform: forgeries older than the last sync are caught.

A real platform over HTTP, a real terminal store, applications submitted
(each writes an audit entry), a real sync pass, then the database edited the
way someone with a copy of the data dir would: `onewindow audit verify` runs
as a subprocess, as an operator would run it.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import delete, select

from kiosk import audit
from kiosk.audit import ACK_KEY, HEAD_KEY, entry_hash, verify_chain
from kiosk.store.models import AuditEntry, KeyValue
from kiosk.terminal import Terminal
from sync.demo_data import submit_demo
from sync.protocol import PROTOCOL_HEADER
from sync.server.models import AuditHead, AuditHeadDiscrepancy, PlatformAuditEntry
from tests.sync.conftest import engine_for, enroll, make_terminal, record_requests


def verify(home: Path) -> tuple[int, dict]:
    done = subprocess.run([sys.executable, "-m", "kiosk", "--home", str(home), "audit", "verify", "--json"],
                          capture_output=True, text=True, timeout=120)
    assert done.stdout, done.stderr
    return done.returncode, json.loads(done.stdout)


def verify_text(home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk", "--home", str(home), "audit", "verify"],
                          capture_output=True, text=True, timeout=120)


def entries(terminal: Terminal) -> list[tuple[int, str]]:
    with terminal.store.transaction() as s:
        return [(e.id, e.hash) for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def set_local_head(session, value: str | None) -> None:
    row = session.get(KeyValue, HEAD_KEY)
    if value is None:
        if row is not None:
            session.delete(row)
    else:
        row.value = value


def recompute_chain(session) -> None:
    """What a forger without any secret does: every hash again, in order, and the head beside it."""
    prev = "0" * 64
    last = None
    for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id)):
        e.prev_hash = prev
        e.hash = entry_hash(prev, e.at, e.actor, e.action, e.subject, e.details)
        prev, last = e.hash, e
    set_local_head(session, f"{last.id}:{last.hash}" if last else None)


def synced_terminal(tmp_path: Path, platform, n: int = 3):
    home = tmp_path / "t1"
    terminal = make_terminal(home)
    submit_demo(terminal, n, pages=1, page_kb=5, seed=7)
    credential = enroll(terminal, platform)
    engine = engine_for(terminal, credential)
    engine.platform_entries_wait = 0  # one head a pass, at its end, the feed's statuses with it
    report = engine.run_pass()
    assert report.online and report.sent == n, report.errors
    assert report.audit_head == {"result": "accepted", "last_id": entries(terminal)[-1][0]}
    return home, terminal, credential, engine


def platform_heads(platform) -> list[tuple[int, int, str]]:
    with platform.store.transaction() as s:
        return [(h.last_id, h.entry_count, h.hash) for h in s.scalars(select(AuditHead).order_by(AuditHead.id))]


def discrepancies(platform) -> list[str]:
    with platform.store.transaction() as s:
        return [d.problem_en for d in s.scalars(select(AuditHeadDiscrepancy).order_by(AuditHeadDiscrepancy.id))]


def test_each_sync_sends_the_head_and_the_platform_keeps_its_history(tmp_path: Path, platform) -> None:
    home, terminal, credential, engine = synced_terminal(tmp_path, platform)
    first = entries(terminal)
    assert platform_heads(platform) == [(first[-1][0], len(first), first[-1][1])]
    assert engine.run_pass().audit_head == {"result": "unchanged", "last_id": first[-1][0]}
    assert len(platform_heads(platform)) == 1

    submit_demo(terminal, 2, pages=1, page_kb=5, seed=8)
    assert engine.run_pass().audit_head["result"] == "accepted"
    now = entries(terminal)
    assert platform_heads(platform)[-1] == (now[-1][0], len(now), now[-1][1])
    assert len(platform_heads(platform)) == 2

    code, out = verify(home)
    assert code == 0, out
    assert out["platform"] == "checked" and out["heads_checked"] == 2 and out["unanchored"] == 0
    assert out["platform_head"]["last_id"] == now[-1][0]


def test_a_pass_that_pushes_carries_the_head_and_the_feeds_statuses_wait_for_the_next(
        tmp_path: Path, platform, monkeypatch: pytest.MonkeyPatch) -> None:
    """The head rides with the push (one request fewer a pass); the statuses the same pass's feed brings
    back are the platform's own word and wait for the next head; a local entry never waits."""
    asked = record_requests(monkeypatch)
    terminal = make_terminal(tmp_path / "t1")
    submit_demo(terminal, 2, pages=1, page_kb=5, seed=21)
    credential = enroll(terminal, platform, role="kiosk")
    engine = engine_for(terminal, credential)
    submitted = entries(terminal)
    report = engine.run_pass()
    assert report.sent == 2 and report.audit_head == {"result": "accepted", "last_id": submitted[-1][0]}
    assert "POST audit/heads" not in asked and asked.count("POST applications") == 1
    assert platform_heads(platform) == [(submitted[-1][0], len(submitted), submitted[-1][1])]
    after = entries(terminal)
    with terminal.store.transaction() as s:  # what came after it: the feed's two statuses, by the platform
        assert [a for a in s.scalars(select(AuditEntry.actor).where(AuditEntry.id > submitted[-1][0]))] == [
            "platform", "platform"]

    asked.clear()  # nothing new of its own: the statuses wait, no request
    assert engine.run_pass().audit_head == {"result": "waiting", "last_id": submitted[-1][0]}
    assert "POST audit/heads" not in asked and len(platform_heads(platform)) == 1

    submit_demo(terminal, 1, pages=1, page_kb=5, seed=22)  # the next push carries them with its own entry
    asked.clear()
    report = engine.run_pass()
    pushed = entries(terminal)[len(after)]
    assert report.sent == 1 and report.audit_head == {"result": "accepted", "last_id": pushed[0]}
    assert "POST audit/heads" not in asked and platform_heads(platform)[-1][:1] == (pushed[0],)

    with terminal.store.transaction() as s:  # a local entry (a login, a staff action) is sent the same pass
        audit.record(s, actor="staff:1", action="login", subject="staff:1")
    asked.clear()
    report = engine.run_pass()
    assert report.audit_head == {"result": "accepted", "last_id": entries(terminal)[-1][0]}
    assert asked.count("POST audit/heads") == 1 and platform_heads(platform)[-1][0] == entries(terminal)[-1][0]

    code, out = verify(tmp_path / "t1")
    assert code == 0 and out["platform"] == "checked", out


def test_the_platforms_word_waits_at_most_the_set_time(tmp_path: Path, sqlite_platform) -> None:
    terminal = make_terminal(tmp_path / "t1")
    submit_demo(terminal, 1, pages=1, page_kb=5, seed=23)
    engine = engine_for(terminal, enroll(terminal, sqlite_platform, role="kiosk"))
    engine.run_pass()
    assert engine.run_pass().audit_head["result"] == "waiting"
    engine.platform_entries_wait = 0.05
    time.sleep(0.1)
    assert engine.run_pass().audit_head == {"result": "accepted", "last_id": entries(terminal)[-1][0]}
    assert platform_heads(sqlite_platform)[-1][0] == entries(terminal)[-1][0]


def test_an_empty_log_is_sent_once_not_every_pass(tmp_path: Path, sqlite_platform,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal that has recorded nothing yet (just enrolled, no citizen served) noted no head, so each
    idle pass sent the empty one again: two requests where one would do. The platform's answer to it is
    noted as the empty head; the first entry after it is sent as any head is, without an anchor."""
    asked = record_requests(monkeypatch)
    home = tmp_path / "t1"
    terminal = make_terminal(home)
    engine = engine_for(terminal, enroll(terminal, sqlite_platform, role="kiosk"))
    assert entries(terminal) == []
    assert engine.run_pass().audit_head == {"result": "unchanged", "last_id": 0}
    assert asked.count("POST audit/heads") == 1 and platform_heads(sqlite_platform) == []

    asked.clear()
    assert engine.run_pass().audit_head == {"result": "unchanged", "last_id": 0}
    assert "POST audit/heads" not in asked
    code, out = verify(home)
    assert code == 0 and out["platform"] == "checked" and out["heads_checked"] == 0, out

    with terminal.store.transaction() as s:
        audit.record(s, actor=audit.PLATFORM_ACTOR, action="staff_synced", subject="staff:1")
        audit.record(s, actor="staff:1", action="login", subject="staff:1")
    asked.clear()
    now = entries(terminal)
    assert engine.run_pass().audit_head == {"result": "accepted", "last_id": now[-1][0]}
    assert asked.count("POST audit/heads") == 1
    assert platform_heads(sqlite_platform) == [(now[-1][0], 2, now[-1][1])] and discrepancies(sqlite_platform) == []

    with terminal.store.transaction() as s:  # a log wiped after that is sent again, and refused
        s.execute(delete(AuditEntry))
        s.execute(delete(KeyValue).where(KeyValue.key == HEAD_KEY))
    assert engine.run_pass().audit_head["result"] == "refused"
    assert "truncated or wiped" in discrepancies(sqlite_platform)[0]


def test_a_lost_acknowledgement_is_recovered_with_the_anchor_the_platform_names(tmp_path: Path, sqlite_platform) -> None:
    home, terminal, credential, engine = synced_terminal(tmp_path, sqlite_platform)
    with terminal.store.transaction() as s:  # a crash between the platform's answer and the local note
        s.delete(s.get(KeyValue, ACK_KEY))
    submit_demo(terminal, 1, pages=1, page_kb=5, seed=9)
    assert engine.run_pass().audit_head["result"] == "accepted"
    assert len(platform_heads(sqlite_platform)) == 2 and discrepancies(sqlite_platform) == []


def test_deleting_the_last_entry_and_fixing_the_head_is_caught(tmp_path: Path, sqlite_platform) -> None:
    home, terminal, credential, engine = synced_terminal(tmp_path, sqlite_platform)
    (last_id, _), (prev_id, prev_hash) = entries(terminal)[-1], entries(terminal)[-2]
    with terminal.store.transaction() as s:
        s.execute(delete(AuditEntry).where(AuditEntry.id == last_id))
        set_local_head(s, f"{prev_id}:{prev_hash}")
        assert verify_chain(s) == []  # the local chain alone cannot tell

    code, out = verify(home)
    assert code == 2 and not out["ok"]
    assert [m["entry_id"] for m in out["mismatches"]] == [last_id]
    assert "已不存在" in out["mismatches"][0]["zh"] and "is gone" in out["mismatches"][0]["en"]
    text = verify_text(home)
    assert text.returncode == 2 and f"条目 #{last_id}" in text.stdout and f"entry #{last_id}" in text.stdout

    # the next sync's head is refused and recorded, once per distinct claim
    report = engine.run_pass()
    assert report.audit_head["result"] == "refused" and any("audit head refused" in e for e in report.errors)
    assert platform_heads(sqlite_platform)[-1][0] == last_id  # the platform's head did not move back
    assert len(discrepancies(sqlite_platform)) == 1 and "no longer has entry" in discrepancies(sqlite_platform)[0]
    engine.run_pass()
    assert len(discrepancies(sqlite_platform)) == 1

    # a new entry takes the removed one's number (SQLite reuses it): a different hash there; the refused
    # head never holds up the applications of the same pass
    submit_demo(terminal, 1, pages=1, page_kb=5, seed=10)
    assert entries(terminal)[-1][0] == last_id
    report = engine.run_pass()
    assert report.sent == 1 and report.audit_head["result"] == "refused"
    assert len(discrepancies(sqlite_platform)) == 2 and "different hash" in discrepancies(sqlite_platform)[1]
    code, out = verify(home)
    assert code == 2 and len(out["discrepancies"]) == 2 and out["mismatches"][0]["entry_id"] == last_id


def test_editing_an_entry_and_recomputing_the_chain_is_caught(tmp_path: Path, platform) -> None:
    home, terminal, credential, engine = synced_terminal(tmp_path, platform)
    submit_demo(terminal, 1, pages=1, page_kb=5, seed=11)
    engine.run_pass()  # two heads on the platform now
    heads = platform_heads(platform)
    assert len(heads) == 2
    target = entries(terminal)[0][0]
    with terminal.store.transaction() as s:
        row = s.get(AuditEntry, target)
        row.actor = "someone-else"
        recompute_chain(s)
        assert verify_chain(s) == []  # a recomputed chain is perfect locally

    code, out = verify(home)
    assert code == 2
    assert [m["entry_id"] for m in out["mismatches"]] == [heads[0][0], heads[1][0]]
    first = out["mismatches"][0]
    assert first["platform_hash"] == heads[0][2] and first["local_hash"] != heads[0][2]
    assert f"#1 至 #{heads[0][0]}" in first["zh"] and f"between #1 and #{heads[0][0]}" in first["en"]

    report = engine.run_pass()
    assert report.audit_head["result"] == "refused"
    assert "different hash" in discrepancies(platform)[0]
    assert platform_heads(platform) == heads


def test_an_edit_after_a_matching_head_is_located_after_it(tmp_path: Path, sqlite_platform) -> None:
    home, terminal, credential, engine = synced_terminal(tmp_path, sqlite_platform)
    submit_demo(terminal, 2, pages=1, page_kb=5, seed=12)
    engine.run_pass()
    heads = platform_heads(sqlite_platform)
    with terminal.store.transaction() as s:
        s.get(AuditEntry, heads[0][0] + 1).details = {"forged": True}
        recompute_chain(s)
    code, out = verify(home)
    assert code == 2 and [m["entry_id"] for m in out["mismatches"]] == [heads[1][0]]
    assert f"between #{heads[0][0] + 1} and #{heads[1][0]}" in out["mismatches"][0]["en"]
    assert f"up to #{heads[0][0]} it still matches" in out["mismatches"][0]["en"]


def test_wiping_the_log_is_caught(tmp_path: Path, sqlite_platform) -> None:
    home, terminal, credential, engine = synced_terminal(tmp_path, sqlite_platform)
    last_id = entries(terminal)[-1][0]
    with terminal.store.transaction() as s:
        s.execute(delete(AuditEntry))
        s.execute(delete(KeyValue).where(KeyValue.key.in_([HEAD_KEY, ACK_KEY])))
        assert verify_chain(s) == []

    code, out = verify(home)
    assert code == 2 and out["rows"] == 0
    assert [m["entry_id"] for m in out["mismatches"]] == [last_id] and out["mismatches"][0]["local_hash"] is None

    report = engine.run_pass()
    assert report.audit_head["result"] == "refused"
    assert "truncated or wiped" in discrepancies(sqlite_platform)[0]


def test_tampering_newer_than_the_last_sync_is_said_to_be_checked_locally_only(tmp_path: Path, sqlite_platform) -> None:
    home, terminal, credential, engine = synced_terminal(tmp_path, sqlite_platform)
    synced_last = entries(terminal)[-1][0]
    submit_demo(terminal, 2, pages=1, page_kb=5, seed=13)  # not synced
    (last_id, _), (prev_id, prev_hash) = entries(terminal)[-1], entries(terminal)[-2]
    with terminal.store.transaction() as s:
        s.execute(delete(AuditEntry).where(AuditEntry.id == last_id))
        set_local_head(s, f"{prev_id}:{prev_hash}")

    code, out = verify(home)
    assert code == 0 and out["platform"] == "checked"
    assert out["platform_head"]["last_id"] == synced_last and out["unanchored"] == 1
    assert any("only be checked locally" in n["en"] and "只能在本机核对" in n["zh"] for n in out["notes"])


def test_offline_only_the_local_check_is_possible_and_says_so(tmp_path: Path, sqlite_platform) -> None:
    home, terminal, credential, engine = synced_terminal(tmp_path, sqlite_platform)
    sqlite_platform.stop()
    code, out = verify(home)
    assert code == 4 and out["ok"] and out["platform"] == "unreachable"
    assert any("Only the local check was possible" in n["en"] and "只做了本机检查" in n["zh"] for n in out["notes"])
    text = verify_text(home)
    assert text.returncode == 4 and "只做了本机检查" in text.stdout

    # a careless forger who leaves the local note of the platform's head is still caught offline
    last_id = entries(terminal)[-1][0]
    with terminal.store.transaction() as s:
        s.execute(delete(AuditEntry).where(AuditEntry.id == last_id))
        prev = s.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
        set_local_head(s, f"{prev.id}:{prev.hash}")
    code, out = verify(home)
    assert code == 2 and [m["entry_id"] for m in out["mismatches"]] == [last_id]


def test_a_never_enrolled_terminal_checks_locally_and_passes(tmp_path: Path) -> None:
    home = tmp_path / "t0"
    terminal = make_terminal(home)
    submit_demo(terminal, 1, pages=1, page_kb=5, seed=14)
    code, out = verify(home)
    assert code == 0 and out["platform"] == "not_enrolled" and out["notes"]


# --- the platform's side of the protocol, over HTTP -----------------------------------------------

def post_head(platform, token: str, body: dict) -> requests.Response:
    return requests.post(platform.url("/api/v1/audit/heads"), json=body, timeout=10,
                         headers={"Authorization": f"Bearer {token}"})


def test_the_platform_refuses_a_head_that_rewinds(tmp_path: Path, sqlite_platform) -> None:
    home, terminal, credential, engine = synced_terminal(tmp_path, sqlite_platform, n=3)
    held_id, held_count, held_hash = platform_heads(sqlite_platform)[-1]
    h = "ab" * 32

    no_anchor = post_head(sqlite_platform, credential.token, {"last_id": held_id + 5, "count": held_count + 5, "hash": h})
    assert no_anchor.status_code == 200 and no_anchor.json()["result"] == "anchor_needed"
    assert no_anchor.json()["anchor_id"] == held_id

    for body, words in [
        ({"last_id": held_id - 1, "count": held_count - 1, "hash": h,
          "anchor": {"last_id": held_id, "count": held_count - 1, "hash": None}}, "no longer has entry"),
        ({"last_id": held_id + 1, "count": held_count + 1, "hash": h,
          "anchor": {"last_id": held_id, "count": held_count, "hash": "cd" * 32}}, "different hash"),
        ({"last_id": held_id + 1, "count": held_count, "hash": h,
          "anchor": {"last_id": held_id, "count": held_count - 1, "hash": held_hash}}, "removed or inserted"),
        ({"last_id": held_id + 1, "count": held_count + 4, "hash": h,
          "anchor": {"last_id": held_id, "count": held_count, "hash": held_hash}}, "impossible"),
        ({"last_id": 0, "count": 0, "hash": "0" * 64,
          "anchor": {"last_id": held_id, "count": 0, "hash": None}}, "truncated or wiped"),
    ]:
        answer = post_head(sqlite_platform, credential.token, body)
        assert answer.status_code == 409 and answer.headers[PROTOCOL_HEADER]
        assert answer.json()["code"] == "audit_head_rewound" and words in answer.json()["reason"]["en"]
        assert answer.json()["reason"]["zh"]
    assert platform_heads(sqlite_platform)[-1] == (held_id, held_count, held_hash)
    assert len(discrepancies(sqlite_platform)) == 5

    record = requests.get(sqlite_platform.url("/api/v1/audit/heads"), timeout=10,
                          headers={"Authorization": f"Bearer {credential.token}"}).json()
    assert [x["last_id"] for x in record["heads"]] == [held_id] and len(record["discrepancies"]) == 5

    good = post_head(sqlite_platform, credential.token, {"last_id": held_id + 2, "count": held_count + 2, "hash": h,
                                                          "anchor": {"last_id": held_id, "count": held_count,
                                                                     "hash": held_hash}})
    assert good.status_code == 200 and good.json()["result"] == "accepted"
    bad = post_head(sqlite_platform, credential.token, {"last_id": held_id + 2, "count": held_count + 2, "hash": "x"})
    assert bad.status_code == 422 and bad.json()["reason"]["zh"]
    with sqlite_platform.store.transaction() as s:  # refusals are in the platform's own audit too
        actions = list(s.scalars(select(PlatformAuditEntry.action)))
    assert actions.count("audit_head.refused") == 5 and "device.enrolled" in actions


def test_heads_are_per_device(tmp_path: Path, sqlite_platform) -> None:
    home, terminal, credential, engine = synced_terminal(tmp_path, sqlite_platform)
    other = make_terminal(tmp_path / "t2", device_no=2)
    submit_demo(other, 1, pages=1, page_kb=5, seed=15)
    other_credential = enroll(other, sqlite_platform, name="kiosk-2")
    other_engine = engine_for(other, other_credential)
    other_engine.platform_entries_wait = 0
    assert other_engine.run_pass().audit_head["result"] == "accepted"
    record = requests.get(sqlite_platform.url("/api/v1/audit/heads"), timeout=10,
                          headers={"Authorization": f"Bearer {other_credential.token}"}).json()
    assert [(x["last_id"], x["hash"]) for x in record["heads"]] == [entries(other)[-1]]


def post_push(platform, token: str, body: dict) -> requests.Response:
    return requests.post(platform.url("/api/v1/applications"), json=body, timeout=10,
                         headers={"Authorization": f"Bearer {token}"})


def test_a_head_in_a_push_that_does_not_fit_or_fails_never_fails_the_applications(
        tmp_path: Path, sqlite_platform, monkeypatch: pytest.MonkeyPatch) -> None:
    """The applications are taken in first; a head that does not fit is answered `invalid`, one the platform
    fails on is left unanswered (the terminal then sends it on its own), and neither is recorded."""
    from kiosk.store.models import OutboxItem
    from sync.server import audit_heads

    terminal = make_terminal(tmp_path / "t1")
    submit_demo(terminal, 5, pages=1, page_kb=5, seed=24)
    credential = enroll(terminal, sqlite_platform, role="kiosk")
    with terminal.store.transaction() as s:
        docs = [i.payload for i in s.scalars(select(OutboxItem).where(OutboxItem.kind == "application"))]
    assert len(docs) == 5
    hostile = [{"last_id": -1, "count": 0, "hash": "x"}, "不是审计头", [[[]]], {"last_id": 1, "count": 1},
               {"last_id": 2**62 + 1, "count": 1, "hash": "ab" * 32}]
    for doc, head in zip(docs, hostile):
        answer = post_push(sqlite_platform, credential.token, {"applications": [doc], "audit_head": head})
        assert answer.status_code == 200, answer.text
        assert answer.json()["results"][0]["result"] == "created"
        assert answer.json()["audit_head"]["result"] == "invalid"
        assert answer.json()["audit_head"]["reason"]["zh"] and answer.json()["audit_head"]["reason"]["en"]
    assert platform_heads(sqlite_platform) == [] and discrepancies(sqlite_platform) == []

    def broken(*_args, **_kwargs):
        raise RuntimeError("the database went away mid-request")

    monkeypatch.setattr(audit_heads, "receive", broken)
    good_head = {"last_id": 1, "count": 1, "hash": "ab" * 32}
    answer = post_push(sqlite_platform, credential.token, {"applications": [docs[0]], "audit_head": good_head})
    assert answer.status_code == 200 and answer.json()["results"][0]["result"] == "duplicate"
    assert answer.json().get("audit_head") is None
    monkeypatch.undo()

    # the terminal's own pass: applications confirmed, and its head accepted (sent with a push or alone)
    report = engine_for(terminal, credential).run_pass()
    assert report.sent == 5 and report.audit_head["result"] == "accepted" and report.errors == []
    assert platform_heads(sqlite_platform)[-1][0] == report.audit_head["last_id"]


def test_an_older_platform_that_ignores_the_head_in_a_push_gets_it_on_its_own(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A platform from before heads rode with pushes ignores the field and answers none: the pass sends the
    head at its end, as it always did."""
    from tests.sync.servers import PlatformServer

    def older(app):  # type: ignore[no-untyped-def]
        async def without_head(scope, receive, send):  # type: ignore[no-untyped-def]
            if scope["type"] == "http" and scope["method"] == "POST" and scope["path"].endswith("/applications"):
                chunks = []
                while True:
                    message = await receive()
                    chunks.append(message.get("body", b""))
                    if not message.get("more_body"):
                        break
                body = json.loads(b"".join(chunks))
                body.pop("audit_head", None)
                data = json.dumps(body).encode()
                sent = False

                async def replay():  # type: ignore[no-untyped-def]
                    nonlocal sent
                    if sent:
                        return {"type": "http.disconnect"}
                    sent = True
                    return {"type": "http.request", "body": data, "more_body": False}

                headers = [(k, v) for k, v in scope["headers"] if k != b"content-length"]
                headers.append((b"content-length", str(len(data)).encode()))
                return await app({**scope, "headers": headers}, replay, send)
            return await app(scope, receive, send)
        return without_head

    server = PlatformServer(tmp_path / "platform", wrap=older)
    try:
        asked = record_requests(monkeypatch)
        terminal = make_terminal(tmp_path / "t1")
        submit_demo(terminal, 1, pages=1, page_kb=5, seed=25)
        report = engine_for(terminal, enroll(terminal, server, role="kiosk")).run_pass()
        assert report.sent == 1 and report.audit_head["result"] == "accepted"
        assert asked.count("POST audit/heads") == 1
        assert platform_heads(server)[-1][0] == report.audit_head["last_id"]
    finally:
        server.stop()
