"""The real `onewindow sync` process killed with SIGKILL at random moments, then resumed:
the platform ends with every application exactly once and every attachment intact."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.store import close_all
from kiosk.store.models import OutboxItem
from sync.demo_data import submit_demo
from sync.linksim import BadLink
from tests.sync.conftest import enroll, make_terminal
from tests.sync.test_faults import assert_arrived_once

RUNS = 20


def sync_cmd(home: Path) -> list[str]:
    return [sys.executable, "-m", "kiosk", "--home", str(home), "sync", "--until-idle", "--json",
            "--backoff-base", "0.05", "--backoff-cap", "0.2", "--timeout", "60", "--read-timeout", "5",
            "--connect-timeout", "2"]


@pytest.mark.slow
def test_sync_survives_sigkill_at_random_moments(tmp_path: Path, sqlite_platform) -> None:
    home = tmp_path / "t"
    terminal = make_terminal(home)
    submit_demo(terminal, 8, pages=3, page_kb=100, seed=21)
    link = BadLink(sqlite_platform.port, rate=1_500_000, cut_every=400_000, seed=3)
    enroll(terminal, sqlite_platform, url=link.url())
    close_all()  # the child processes own the store now
    env = {**os.environ, "ONEWINDOW_CONFIG": str(tmp_path / "none.toml"), "PYTHONUNBUFFERED": "1"}
    rng = random.Random(7)
    killed = 0
    try:
        for _ in range(RUNS):
            proc = subprocess.Popen(sync_cmd(home), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.6, 2.2))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                killed += 1
            proc.wait(30)
        final = subprocess.run(sync_cmd(home), env=env, capture_output=True, text=True, timeout=120)
        assert final.returncode == 0, final.stderr
    finally:
        link.close()
    assert killed >= RUNS // 2  # most runs really were killed mid-way
    terminal = make_terminal(home)
    with terminal.store.transaction() as s:
        assert {i.state for i in s.scalars(select(OutboxItem))} == {"sent"}
    assert_arrived_once(terminal, sqlite_platform)
