"""Taking a number and the help states fit every screen a terminal has, in both languages and text sizes.

The same audit as `test_screen_fit.py` (every text fits its widget, every widget lies inside the window),
over the screens `ui.kiosk.render_screens.walk_ticket` reaches with the in-memory hall, one walk per process.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CASES = [("zh", "normal"), ("zh", "large"), ("en", "normal"), ("en", "large")]


@pytest.mark.parametrize(("lang", "size"), CASES, ids=["-".join(c) for c in CASES])
def test_ticket_and_help_screens_fit_every_screen_size(lang: str, size: str) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-m", "tests.ui.kiosk_ticket_fit_run", lang, size], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=280)
    assert done.returncode == 0, done.stderr[-4000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["screens"] == ["t01_welcome_take_a_number", "t02_lines", "t03_priority", "t04_number_paper_out",
                                 "t05_help_waiting", "t06_help_coming", "t07_number_offline",
                                 "t08_help_service_desk"]
    assert not result["problems"], f"{len(result['problems'])} layout problems:\n" + "\n".join(result["problems"][:60])
