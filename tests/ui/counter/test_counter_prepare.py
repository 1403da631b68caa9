"""While nobody waits, the counter loads what its first login and first notice would otherwise load at a tap."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from printing.pdf import fonts
from ui.counter.window import CounterWindow


def test_the_notice_font_is_loaded_before_anyone_logs_in(qtbot: Any, make_window: Callable[..., CounterWindow]) -> None:
    window = make_window()
    key = fonts.main_font().key
    qtbot.waitUntil(lambda: key in fonts._registered, timeout=20_000)
    assert window.staff is None  # nobody had to log in or decide anything for it
