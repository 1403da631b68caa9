"""Render every kiosk screen in both languages and both text sizes to PNG.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m ui.kiosk.render_screens [OUT_DIR] [--size WxH ...]

Uses a throw-away data dir, the demo catalog, a recording scanner, a fake
ID-card reader and a fake printer that is out of paper (so the result
screen shows how that reads). Look at the pictures: anything cramped,
clipped or shown as boxes is a bug.

`walk()` drives one window through every screen and yields each screen's
name once it is showing; the screenshots here and the layout test
(`tests/ui/test_screen_fit.py`) both use it, so they see the same screens.

`walk_ticket()` does the same for taking a number and asking for help; it
needs a hall hub part on the terminal (`Terminal.hall`), given to `render`
as `hall` (`tests/ui/kiosk_ticket_shots.py` renders them with the in-memory
hall; the layout test is `tests/ui/test_kiosk_walks_fit.py`).
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from ui.screenshots import (  # noqa: E402,F401 - after the platform is chosen; close_window is part of the walk's API
    application, close_window, demo_terminal, main, pump, shoot, shown)

ITEM = "330106000173002001"
SIZE = (1600, 900)


@dataclass
class KioskDemo:
    """What `walk()` needs: a terminal on a throw-away store, a good page and a file that is not a picture."""

    home: Path
    terminal: Any
    page: Path
    bad: Path


@contextmanager
def demo_kiosk(home: Path | None = None) -> Iterator[KioskDemo]:
    from kiosk.demo import fake_devices, sample_page_png
    from kiosk.terminal import Devices
    from printing.drivers.fake import FakePrinter

    FakePrinter.named("shots").set_paper_out()
    with demo_terminal("onewindow-shots-", home, printer="fake:shots", idle_timeout_seconds=600) as terminal:
        devices = fake_devices()
        terminal.devices = Devices(scanner=devices["scanner"], id_reader=devices["id_reader"])
        bad = terminal.settings.home / "notes.txt"
        bad.write_text("not a picture")
        yield KioskDemo(terminal.settings.home, terminal, sample_page_png(terminal.settings.home), bad)


def walk(window: Any, demo: KioskDemo) -> Iterator[str]:
    """Drive `window` through every screen with demo data; yield each screen's name when it shows."""
    from kiosk.errors import SOMETHING_WENT_WRONG
    from kiosk.demo import APPLICANT

    def ready(name: str) -> str:
        pump(lambda: True)
        return name

    nav = window.nav
    yield ready("01_welcome")
    nav.show_browser()
    yield ready("02_browser")
    browser = nav.screens["browser"]
    browser.search.setText("sfz")
    yield ready("03_search")
    nav.show_guide(ITEM)
    yield ready("04_guide")
    nav.start_application(demo.terminal.catalog.item(ITEM))
    ident = nav.screens["identity"]
    ident.name_field.set_raw(APPLICANT["name"])
    ident.id_field.set_raw("110105194912310021")
    ident.id_field.validate()
    ident.phone_field.set_raw(APPLICANT["phone"])
    yield ready("05_identity_error")
    ident.id_field.set_raw(APPLICANT["id_number"])
    ident.on_next()
    form = nav.screens["form"]
    form.view.field("renewal_reason").set_raw("expired")
    form.view.field("old_card_expiry").set_raw("2025-13-01")
    form.view.field("old_card_expiry").validate()
    yield ready("06_form")
    form.view.field("old_card_expiry").set_raw("2025-05-01")
    form.view.field("collection_method").set_raw("counter")
    form.on_next()
    materials = nav.screens["materials"]
    materials.panel.capture("id_card", "scanner")
    materials.panel.import_path("photo_receipt", demo.bad)  # as if chosen in the kiosk's USB stick picker
    pump(lambda: not materials.busy)
    materials.panel.import_path("household_register", demo.page)
    pump(lambda: not materials.busy)
    yield ready("07_materials")
    materials.on_next()
    yield ready("08_review")
    nav.screens["review"].on_next()
    pump(lambda: "result" in nav.screens and nav.screens["result"].print_message is not None)
    yield ready("09_result")
    nav.screens["result"].rate_requested.emit()
    rating = nav.screens["rating"]
    rating.level_buttons[2].click()
    rating.reason_buttons["waiting_time"].click()
    yield ready("10_rating_low")
    receipt = nav.ctx.session.submitted.receipt_no
    window.end_session("done")
    nav.show_progress()
    progress = nav.screens["progress"]
    progress.field.set_raw(receipt)
    progress.lookup()
    pump(lambda: progress.result is not None)
    yield ready("11_progress")
    nav.show_browser()
    window.overlay.show_countdown(17)
    yield ready("12_idle")
    window.end_session("idle")
    window.notice.show_message(SOMETHING_WENT_WRONG)
    yield ready("13_error")


def walk_ticket(window: Any, demo: KioskDemo, acknowledge: Callable[[str], None],
                set_reachable: Callable[[bool], None]) -> Iterator[str]:
    """Take numbers and ask for help on `window`, whose terminal has a hall part with the demo lines.

    `acknowledge(help_id)` plays a counter taking the call for help; `set_reachable(False)` the hub going away.
    The demo printer is out of paper (`demo_kiosk`), so the number screens show how that reads.
    """
    from kiosk.queue.model import Priority
    from ui.kiosk.help import HelpState

    def ready(name: str) -> str:
        pump(lambda: True)
        return name

    nav = window.nav
    window.end_session("done")
    nav.hall_attached()
    yield ready("t01_welcome_take_a_number")
    nav.screens["welcome"].ticket_button.click()
    lines = nav.screens["ticket_line"]
    pump(lambda: bool(lines.line_buttons))
    yield ready("t02_lines")
    next(iter(lines.line_buttons.values())).click()
    yield ready("t03_priority")
    nav.screens["ticket_priority"].buttons[Priority.ELDERLY].click()
    pump(lambda: "ticket_result" in nav.screens and nav.screens["ticket_result"].printed is not None)
    yield ready("t04_number_paper_out")
    window.top.help_button.click()
    pump(lambda: window.help.state is HelpState.WAITING)
    yield ready("t05_help_waiting")
    assert window.help.help_id is not None
    acknowledge(window.help.help_id)
    window.help.poll()
    pump(lambda: window.help.state is HelpState.COMING)
    yield ready("t06_help_coming")
    window.end_session("done")
    set_reachable(False)
    nav.screens["welcome"].ticket_button.click()
    lines = nav.screens["ticket_line"]
    pump(lambda: bool(lines.line_buttons))
    list(lines.line_buttons.values())[-1].click()
    nav.screens["ticket_priority"].buttons[Priority.APPOINTMENT].click()
    pump(lambda: "ticket_result" in nav.screens and nav.screens["ticket_result"].printed is not None)
    yield ready("t07_number_offline")
    window.top.help_button.click()
    pump(lambda: window.help.state is HelpState.DESK)
    yield ready("t08_help_service_desk")
    window.end_session("done")
    set_reachable(True)


def open_window(demo: KioskDemo, lang: str, large: bool, size: tuple[int, int]) -> Any:
    from ui.kiosk.window import KioskWindow

    return shown(KioskWindow(demo.terminal, language=lang, large_text=large, speech=False), size)


@dataclass(frozen=True)
class DemoHall:
    """A hall part for the ticket screens and what a walk needs to play the hall's side."""

    part: Any  # kiosk.queue.model.HallPart
    acknowledge: Callable[[str], None]
    set_reachable: Callable[[bool], None]


def render(out: Path, sizes: tuple[tuple[int, int], ...] = (SIZE,), *, hall: DemoHall | None = None,
           only_ticket: bool = False) -> list[Path]:
    """Every screen; with `hall` the ticket and help screens too (`only_ticket`: those alone)."""
    application(out)
    shots: list[Path] = []
    with demo_kiosk() as demo:
        if hall is not None:
            demo.terminal.hall = hall.part
        for lang in ("zh", "en"):
            for text in ("normal", "large"):
                window = open_window(demo, lang, text == "large", sizes[0])
                if not only_ticket:
                    shots += shoot(window, walk(window, demo), out, sizes, lambda name: f"{name}_{lang}_{text}", SIZE)
                if hall is not None:
                    shots += shoot(window, walk_ticket(window, demo, hall.acknowledge, hall.set_reachable), out,
                                   sizes, lambda name: f"{name}_{lang}_{text}", SIZE)
                close_window(window)
    return shots


if __name__ == "__main__":
    raise SystemExit(main(None, render, "out/screens", SIZE))
