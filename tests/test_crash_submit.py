"""A power cut during `onewindow submit`: SIGKILL at random moments leaves all or nothing."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.settings import load_settings
from kiosk.store import close_all
from kiosk.store.models import Application, OutboxItem
from kiosk.terminal import Terminal
from tests.conftest import ID_CARD_ITEM
from tests.helpers.files import jpeg_bytes, write

RUNS = 24


def _prepare(tmp: Path, home: Path) -> Path:
    out = subprocess.run([sys.executable, "-m", "kiosk", "--home", str(home), "submit", "--example", ID_CARD_ITEM],
                         capture_output=True, text=True, check=True).stdout
    doc = json.loads(out)
    for i, code in enumerate(doc["materials"]):
        # several ~1 MB files so the kill often lands while bytes are being written
        doc["materials"][code] = [str(write(tmp / f"{code}{k}.jpg", jpeg_bytes(900, 900, seed=0))) for k in range(2)]
    path = tmp / "app.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.slow
def test_sigkill_leaves_whole_application_or_nothing(tmp_path):
    home = tmp_path / "home"
    app_file = _prepare(tmp_path, home)
    rng = random.Random(20261123)
    # Measure one full run to spread the kills over its whole length.
    start = time.monotonic()
    subprocess.run([sys.executable, "-m", "kiosk", "--home", str(home), "submit", str(app_file)],
                   check=True, capture_output=True)
    full = time.monotonic() - start
    completed = 1
    killed = 0
    window = full * 1.1
    # Kill RUNS submissions at random moments over a whole run. A machine under load makes a run's length
    # vary; a run that finished before its kill moves the window earlier, so the kills keep landing mid-way.
    for _ in range(RUNS * 4):
        if killed >= RUNS:
            break
        proc = subprocess.Popen([sys.executable, "-m", "kiosk", "--home", str(home), "submit", str(app_file)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.05, max(0.06, window)))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            killed += 1
        else:
            window *= 0.8
        proc.wait()
        if proc.returncode == 0:
            completed += 1
    assert killed == RUNS, f"only {killed} runs were killed mid-way"

    close_all()
    terminal = Terminal.open(load_settings(home))
    with terminal.store.transaction() as s:
        apps = list(s.scalars(select(Application)))
        for app in apps:
            assert app.receipt_no and app.status == "submitted"
            assert len(app.materials) == 3
            for material in app.materials:
                assert len(material.files) == 1  # two scans of one material become one document
                for f in material.files:
                    assert terminal.attachments.verify(f.attachment_sha256) is None
            outbox = [o for o in s.scalars(select(OutboxItem))
                      if o.ref_id == app.id]
            assert len(outbox) == 1
    # Every run that reported success is stored; killed runs stored all or nothing.
    assert len(apps) >= completed
    assert len({a.receipt_no for a in apps}) == len(apps)
