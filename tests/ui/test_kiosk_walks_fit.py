"""Taking a number and the help states, checking in, and the licence step fit every screen a terminal has,
in both languages and text sizes.

The same audit as `test_screen_fit.py` (every text fits its widget, every widget lies inside the window),
over the screens each walk reaches, one walk per process (`tests/ui/kiosk_walk_fit_run.py`).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ui.kiosk_checkin_shots import SCREENS as CHECKIN_SCREENS
from tests.ui.kiosk_licence_shots import SCREENS as LICENCE_SCREENS
from tests.ui.scratch import scratch

ROOT = Path(__file__).resolve().parents[2]
TICKET_SCREENS = ["t01_welcome_take_a_number", "t02_lines", "t03_priority", "t04_number_paper_out",
                  "t05_help_waiting", "t06_help_coming", "t07_number_offline", "t08_help_service_desk"]
WALKS = {"ticket": TICKET_SCREENS, "checkin": CHECKIN_SCREENS, "licence": LICENCE_SCREENS}
CASES = [(walk, lang, size) for walk in WALKS for lang in ("zh", "en") for size in ("normal", "large")]


@pytest.mark.parametrize(("walk", "lang", "size"), CASES, ids=["-".join(c) for c in CASES])
def test_the_walk_fits_every_screen_size(walk: str, lang: str, size: str, tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TMPDIR=str(scratch(tmp_path)))
    done = subprocess.run([sys.executable, "-m", "tests.ui.kiosk_walk_fit_run", walk, lang, size], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=280)
    assert done.returncode == 0, done.stderr[-4000:]
    assert not list(scratch(tmp_path).iterdir())  # the walk's home went with it, not left in /tmp
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["screens"] == WALKS[walk]
    assert not result["problems"], f"{len(result['problems'])} layout problems:\n" + "\n".join(result["problems"][:60])
