"""Every kiosk and counter screen fits the screens terminals really have, in both text sizes.

Each screen is reached with demo data (the same walk the screenshot
scripts take), then the window is resized to exactly each screen size and
audited: every label's and button's text fits its widget (measured with
the widget's own font and style), every line edit's text or placeholder
fits, and every widget lies inside its parent and so inside the window
(scrolled content only inside its scroll area's content). A window whose
layout will not shrink to the screen is reported too.

The counter has one text size (its sheet is denser than the kiosk's and
has no large mode), so it is checked at that size in both languages.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.layout_audit import audit_at
from ui.kiosk.render_screens import SCREEN_SIZES


def _report(problems: list[str]) -> str:
    shown = problems[:60]
    more = f"\n... and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
    return f"{len(problems)} layout problems:\n" + "\n".join(shown) + more


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
def test_every_kiosk_screen_fits_every_screen_size(qapp, tmp_path: Path, lang: str, large: bool) -> None:  # noqa: ANN001
    from ui.kiosk.render_screens import close_window, demo_kiosk, open_window, walk

    problems: list[str] = []
    with demo_kiosk(tmp_path) as demo:
        window = open_window(demo, lang, large, SCREEN_SIZES[0])
        try:
            screens = 0
            for name in walk(window, demo):
                screens += 1
                for width, height in SCREEN_SIZES:
                    problems += [f"{name} {width}x{height}: {p}" for p in audit_at(window, (width, height))]
        finally:
            close_window(window)
    assert screens == 13
    assert not problems, _report(problems)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_counter_screen_fits_every_screen_size(qapp, tmp_path: Path, lang: str) -> None:  # noqa: ANN001
    from ui.counter.render_screens import close_window, demo_counter, open_window, walk

    problems: list[str] = []
    with demo_counter(tmp_path) as demo:
        window = open_window(demo, lang, SCREEN_SIZES[0])
        try:
            screens = 0
            for name in walk(window, demo):
                screens += 1
                for width, height in SCREEN_SIZES:
                    problems += [f"{name} {width}x{height}: {p}" for p in audit_at(window, (width, height))]
        finally:
            close_window(window)
    assert screens == 13
    assert not problems, _report(problems)
