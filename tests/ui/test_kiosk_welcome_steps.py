"""The welcome screen's three steps: shown under the choices where they fit without scrolling, gone where they
do not (the choices stay in view), and worded for this terminal's devices."""
from __future__ import annotations

import pytest

from tests.ui.kiosk_helpers import make_terminal, make_window, screen
from ui.screenshots import SCREEN_SIZES


def settle(qtbot, window, width: int, height: int) -> None:  # noqa: ANN001
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.width() == width and window.height() == height)
    qtbot.wait(100)  # the fit is decided in the turn after the layout settles


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
def test_the_steps_show_only_where_they_fit_without_scrolling(qtbot, tmp_path, large: bool) -> None:  # noqa: ANN001
    window = make_window(qtbot, make_terminal(tmp_path), large_text=large)
    welcome = screen(window, "welcome")
    seen = {}
    for width, height in SCREEN_SIZES:
        settle(qtbot, window, width, height)
        shown = welcome.steps.isVisible()
        seen[(width, height)] = shown
        assert not welcome.scroll.verticalScrollBar().isVisible(), (width, height, shown)
        viewport = welcome.scroll.viewport()
        for widget in [welcome.apply_button, welcome.progress_button, welcome.rate_button] + (
                [welcome.steps] if shown else []):
            top = widget.mapTo(viewport, widget.rect().topLeft()).y()
            assert 0 <= top and top + widget.height() <= viewport.height(), (width, height, widget.objectName())
        qtbot.wait(300)
        assert welcome.steps.isVisible() == shown, (width, height)  # settled: no flicker between the two
    assert seen[(1080, 1920)], seen  # the tall portrait kiosk has room for them in both text sizes
    if large:
        assert not seen[(1366, 768)], seen  # large text on a small landscape screen: the choices alone
    # back to a size that has room: they come back
    settle(qtbot, window, 1080, 1920)
    assert welcome.steps.isVisible()
    assert "办事只需三步" in welcome.speech_text()


def test_the_steps_promise_only_the_devices_this_kiosk_has(qtbot, tmp_path) -> None:  # noqa: ANN001
    window = make_window(qtbot, make_terminal(tmp_path / "with"), language="en")
    steps = screen(window, "welcome").steps
    assert "Lay your ID card on the reader" in steps.steps[1].text()
    assert "on the scanner" in steps.steps[2].text()
    window.close()

    bare = make_window(qtbot, make_terminal(tmp_path / "bare"), language="en", devices={})
    steps = screen(bare, "welcome").steps
    assert "ID number" in steps.steps[1].text() and "reader" not in steps.steps[1].text()
    assert "counter" in steps.steps[2].text() and "scanner" not in steps.steps[2].text()
    assert [mark in label.text() for mark, label in zip("①②③", steps.steps, strict=True)] == [True] * 3
