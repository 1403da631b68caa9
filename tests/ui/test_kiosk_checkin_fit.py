"""Checking in fits every screen a terminal has, in both languages and text sizes.

The same audit as `test_screen_fit.py` (every text fits its widget, every widget lies inside the window),
over the screens `tests.ui.kiosk_checkin_shots.walk_checkin` reaches, one walk per process.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ui.kiosk_checkin_shots import SCREENS

ROOT = Path(__file__).resolve().parents[2]
CASES = [("zh", "normal"), ("zh", "large"), ("en", "normal"), ("en", "large")]


@pytest.mark.parametrize(("lang", "size"), CASES, ids=["-".join(c) for c in CASES])
def test_check_in_screens_fit_every_screen_size(lang: str, size: str) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-m", "tests.ui.kiosk_checkin_fit_run", lang, size], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=280)
    assert done.returncode == 0, done.stderr[-4000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["screens"] == SCREENS
    assert not result["problems"], f"{len(result['problems'])} layout problems:\n" + "\n".join(result["problems"][:60])
