"""A power cut while a kiosk issues offline tickets: a real process killed with SIGKILL at the worst
moments. A number a citizen holds is always in the store; no number is ever issued twice."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.queue import offline
from kiosk.queue.model import NumberBlock, Priority
from kiosk.settings import load_settings
from kiosk.store import close_all, open_store
from kiosk.store.models import HallOfflineTicket

ROOT = Path(__file__).resolve().parents[2]


def _run_until_stopped(home: Path, count: int, stop_at: int, where: str) -> list[str]:
    proc = subprocess.Popen([sys.executable, "-m", "tests.hall.offline_child", str(home), str(count), str(stop_at),
                             where], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    printed: list[str] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("STOPPED"):
            os.kill(proc.pid, signal.SIGKILL)
            break
        printed.append(line.split()[1])
    proc.wait(30)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read() if proc.stderr else ""
    return printed


def _stored(home: Path) -> list[str]:
    close_all()
    store = open_store(load_settings(home))
    with store.transaction() as s:
        return [r.number for r in s.scalars(select(HallOfflineTicket).order_by(HallOfflineTicket.number_value))]


def _issue_more(home: Path, n: int) -> list[str]:
    store = open_store(load_settings(home))
    return [offline.issue_offline(store, ticket_id=str(uuid.uuid4()), category="A", priority=Priority.NORMAL,
                                  kiosk_slot=1, issued_by="kiosk-1").ticket.number for _ in range(n)]


def test_killed_inside_the_commit_leaves_no_trace_of_the_ticket(home):
    open_store(load_settings(home))  # the schema, before the child
    printed = _run_until_stopped(home, 10, 4, "in_commit")
    assert printed == ["A5001", "A5002", "A5003"]
    assert _stored(home) == printed  # the fourth was never stored, and nobody holds it
    assert _issue_more(home, 2) == ["A5004", "A5005"]


def test_killed_after_storing_before_printing_never_reissues_the_number(home):
    store = open_store(load_settings(home))
    offline.store_blocks(store, [NumberBlock(offline.service_day(), "A", 11, 15)])
    printed = _run_until_stopped(home, 10, 4, "before_print")
    assert printed == ["A011", "A012", "A013"]
    stored = _stored(home)
    assert stored == ["A011", "A012", "A013", "A014"]  # stored first: handed over later, never issued again
    assert _issue_more(home, 3) == ["A015", "A5001", "A5002"]


@pytest.mark.slow
def test_random_kills_never_lose_or_repeat_a_number(home):
    store = open_store(load_settings(home))
    offline.store_blocks(store, [NumberBlock(offline.service_day(), "A", 1, 40)])
    rng = random.Random(20261130)
    held: list[str] = []
    for _ in range(6):
        held += _run_until_stopped(home, 30, rng.randint(1, 12), rng.choice(["in_commit", "before_print"]))
    stored = _stored(home)
    assert len(held) == len(set(held)), "a number was printed twice"
    assert set(held) <= set(stored), "a printed number is missing from the store"
    assert len(stored) == len(set(stored))
