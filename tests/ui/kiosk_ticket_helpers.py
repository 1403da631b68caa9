"""Taking a number and asking for help on the kiosk, driven like a citizen: the hall at the test's edge.

The hall hub is `tests.helpers.fake_hall.FakeHall` (set as `terminal.hall`).
Until `kiosk.usecases.queue` lands (another branch writes it, with the
signatures of issue 13), `use_queue_placeholder` puts a thin stand-in under
that name for one test, through `monkeypatch`; once the real module exists
it is used as it is.
"""
from __future__ import annotations

import importlib
import sys
import types
from pathlib import Path
from typing import Any

from kiosk.errors import Message
from kiosk.queue.model import HallUnavailable, Priority
from kiosk.terminal import Terminal
from tests.helpers.fake_hall import FakeHall
from tests.ui.kiosk_helpers import make_terminal, make_window, screen, tap
from ui.kiosk.window import KioskWindow

NO_HUB = Message("本机没有配置叫号服务器。", "No queue server is set up for this terminal.")


def _placeholder() -> types.ModuleType:
    """kiosk.usecases.queue as its signatures promise it, delegating to `Terminal.hall`."""
    module = types.ModuleType("kiosk.usecases.queue")

    def hall(t: Terminal) -> Any:
        if t.hall is None:
            raise HallUnavailable(NO_HUB)
        return t.hall

    module.hall_status = lambda t: hall(t).status()  # type: ignore[attr-defined]
    module.queue_categories = lambda t: hall(t).categories()  # type: ignore[attr-defined]
    module.take_ticket = lambda t, category, priority: hall(t).issue(category, priority)  # type: ignore[attr-defined]
    module.request_help = lambda t, step, step_label: hall(t).request_help(step, step_label)  # type: ignore[attr-defined]
    module.help_request = lambda t, help_id: hall(t).help_request(help_id)  # type: ignore[attr-defined]
    module.hall_state = lambda t: hall(t).state()  # type: ignore[attr-defined]
    return module


def queue_module_missing() -> bool:
    try:
        importlib.import_module("kiosk.usecases.queue")
    except ImportError:
        return True
    return False


def use_queue_placeholder(monkeypatch: Any) -> None:
    """For one test: the stand-in, only while the real module is missing."""
    if queue_module_missing():
        import kiosk.usecases

        module = _placeholder()
        monkeypatch.setitem(sys.modules, "kiosk.usecases.queue", module)
        monkeypatch.setattr(kiosk.usecases, "queue", module, raising=False)


def install_queue_placeholder() -> None:
    """For a process of its own (the screenshot and screen-fit runs): the stand-in for good."""
    if queue_module_missing():
        import kiosk.usecases

        module = _placeholder()
        sys.modules["kiosk.usecases.queue"] = module
        kiosk.usecases.queue = module  # type: ignore[attr-defined]


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
