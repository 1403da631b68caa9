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

from tests.ui.scratch import scratch

ROOT = Path(__file__).resolve().parents[2]
CASES = [("kiosk", "zh", "normal"), ("kiosk", "zh", "large"), ("kiosk", "en", "normal"), ("kiosk", "en", "large"),
         ("counter", "zh", "normal"), ("counter", "en", "normal")]


def _report(problems: list[str]) -> str:
    shown = problems[:60]
    more = f"\n... and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
    return f"{len(problems)} layout problems:\n" + "\n".join(shown) + more


@pytest.mark.parametrize(("terminal", "lang", "size"), CASES, ids=["-".join(c) for c in CASES])
def test_every_screen_fits_every_screen_size(terminal: str, lang: str, size: str, tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TMPDIR=str(scratch(tmp_path)))
    done = subprocess.run([sys.executable, "-m", "tests.ui.screen_fit_run", terminal, lang, size], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=280)
    assert done.returncode == 0, done.stderr[-4000:]
    assert not list(scratch(tmp_path).iterdir())  # the walk's home went with it, not left in /tmp
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(result["screens"]) == {"kiosk": 13, "counter": 15}[terminal], result["screens"]  # every screen walked
    assert not result["problems"], _report(result["problems"])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_search_results_start_on_the_first_screen_in_large_text(qtbot, tmp_path, lang: str) -> None:  # noqa: ANN001
    """In large text the department buttons alone fill a 1366x768 screen: while searching they make way, and the
    first result lies whole inside the visible part of the list at every screen size."""
    from tests.ui.kiosk_helpers import make_terminal, make_window, screen
    from ui.screenshots import SCREEN_SIZES

    window = make_window(qtbot, make_terminal(tmp_path), language=lang, large_text=True)
    window.nav.show_browser()
    browser = screen(window, "browser")
    for query in ("sfz", "social" if lang == "en" else "社会保障"):
        browser.search.setText(query)
        qtbot.waitUntil(lambda: bool(browser.item_buttons))
        assert not browser.groups_box.isVisible() and not browser.by_department.isVisible()
        first = next(iter(browser.item_buttons.values()))
        for width, height in SCREEN_SIZES:
            window.resize(width, height)
            qtbot.waitUntil(lambda w=width, h=height: window.width() == w and window.height() == h)
            qtbot.waitUntil(lambda: first.visibleRegion().boundingRect().size() == first.size(), timeout=5_000)
            viewport = browser.scroll.viewport()
            top = first.mapTo(viewport, first.rect().topLeft()).y()
            assert 0 <= top and top + first.height() <= viewport.height(), (query, width, height, top)
    browser.search.clear()  # back to browsing: the groups come back
    qtbot.waitUntil(browser.groups_box.isVisible)
