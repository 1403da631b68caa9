"""Taking a number and asking for help on the kiosk, driven like a citizen: the hall at the test's edge.

The hall hub is `tests.helpers.fake_hall.FakeHall` (set as `terminal.hall`); the windows reach it through
the real use cases (`kiosk.usecases.queue`). tests/ui/test_hall_windows_real_hub.py drives the same windows
against a real hub process.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from kiosk.queue.model import Priority
from tests.helpers.fake_hall import FakeHall
from tests.ui.kiosk_helpers import make_terminal, make_window, screen, tap
from ui.kiosk.window import KioskWindow

def hall_window(qtbot: Any, home: Path, *, hall: FakeHall | None = None, language: str = "zh",
                large_text: bool = False, **settings: Any) -> tuple[KioskWindow, FakeHall]:
    terminal = make_terminal(home, **settings)
    hall = hall or FakeHall(counter_no=None, device_name="kiosk-1")
    terminal.hall = hall
    window = make_window(qtbot, terminal, language=language, large_text=large_text)
    return window, hall


def take_number(qtbot: Any, window: KioskWindow, category: str = "A",
                priority: Priority = Priority.NORMAL) -> Any:
    """From the welcome screen to the number on screen, by taps; returns the result screen."""
    welcome = screen(window, "welcome")
    tap(qtbot, welcome.ticket_button)
    lines = screen(window, "ticket_line")
    qtbot.waitUntil(lambda: category in lines.line_buttons, timeout=10_000)
    tap(qtbot, lines.line_buttons[category])
    choose = screen(window, "ticket_priority")
    tap(qtbot, choose.buttons[priority])
    qtbot.waitUntil(lambda: window.nav.current() is not None and window.nav.current().name == "ticket_result",
                    timeout=10_000)
    return screen(window, "ticket_result")
