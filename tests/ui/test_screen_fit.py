"""Every kiosk and counter screen fits the screens terminals really have, in both text sizes.

Each screen is reached with demo data (the same walk the screenshot
scripts take), then the window is resized to exactly each screen size
(1080x1920, 1920x1080, 1366x768, 1280x1024) and audited: every label's
and button's text fits its widget (measured with the widget's own font and
style), every line edit's text or placeholder fits, and every widget lies
inside its parent and so inside the window (scrolled content only inside
its scroll area's content). A window whose layout will not shrink to the
screen is reported too. Deliberately elided text (the counter's service
picker on a narrow screen) counts only when the widget says so and its
tooltip holds the whole text.

Each walk runs in its own process (`tests/ui/screen_fit_run.py` says why).
The counter has one text size, so it is checked at that size in both
languages.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CASES = [("kiosk", "zh", "normal"), ("kiosk", "zh", "large"), ("kiosk", "en", "normal"), ("kiosk", "en", "large"),
         ("counter", "zh", "normal"), ("counter", "en", "normal")]


def _report(problems: list[str]) -> str:
    shown = problems[:60]
    more = f"\n... and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
    return f"{len(problems)} layout problems:\n" + "\n".join(shown) + more


@pytest.mark.parametrize(("terminal", "lang", "size"), CASES, ids=["-".join(c) for c in CASES])
def test_every_screen_fits_every_screen_size(terminal: str, lang: str, size: str) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-m", "tests.ui.screen_fit_run", terminal, lang, size], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=280)
    assert done.returncode == 0, done.stderr[-4000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(result["screens"]) == {"kiosk": 13, "counter": 14}[terminal], result["screens"]  # every screen walked
    assert not result["problems"], _report(result["problems"])
