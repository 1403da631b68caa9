"""Render every counter screen, in Chinese and English, to PNG.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m ui.counter.render_screens [OUT_DIR] [--size WxH ...]

Uses a throw-away data dir filled by `kiosk.demo_hall` (staff, a fortnight
of cases and ratings, kiosk cases with JPEG, PDF and G4 TIFF pages, an
online case and a crash-left draft). Look at the pictures: anything
cramped, clipped or shown as boxes is a bug.

`walk()` drives one window through every screen and yields each screen's
name once it is showing; the screenshots here and the layout test
(`tests/ui/test_screen_fit.py`) both use it.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from ui.screenshots import application, demo_terminal, main, shoot, shown  # noqa: E402 - after the platform is chosen
from ui.screenshots import close_window as close_after_walk  # noqa: E402
from ui.screenshots import pump as pump_events  # noqa: E402

SIZE = (1920, 1080)


def pump(until: Callable[[], bool], timeout: float = 30.0) -> None:
    pump_events(until, timeout)


def idle() -> None:
    from ui.jobs import running_jobs

    pump(lambda: running_jobs() == 0)


@dataclass
class CounterDemo:
    """What `walk()` needs: the counter's context on a populated throw-away store and the demo hall's case ids."""

    home: Path
    terminal: Any
    ctx: Any
    hall: Any


@contextmanager
def demo_counter(home: Path | None = None) -> Iterator[CounterDemo]:
    from kiosk import demo_hall as demo
    from kiosk.demo import fake_devices
    from kiosk.terminal import Devices
    from ui.counter.context import CounterContext

    with demo_terminal("onewindow-counter-shots-", home, document_printer="cups:shots-nowhere") as terminal:
        today = date.today()
        hall = demo.populate(terminal, today=today)
        terminal.devices = Devices(scanner=fake_devices()["scanner"])
        yield CounterDemo(terminal.settings.home, terminal, CounterContext(terminal, today=today), hall)


def walk(window: Any, demo: CounterDemo) -> Iterator[str]:
    """Drive `window` through every screen; yield each screen's name when it shows.

    Deciding uses up the first kiosk case, so a second walk decides on the next one.
    """
    from kiosk import demo_hall as demo_data
    from ui.dialogs import ConfirmDialog

    def ready(name: str) -> str:
        idle()
        return name

    original_ask = ConfirmDialog.__dict__["ask"]
    ConfirmDialog.ask = classmethod(lambda cls, *a, **k: True)  # type: ignore[method-assign]
    hall = demo.hall
    try:
        yield ready("01_login")
        window.login.user.setText("nobody")
        window.login.password.setText("wrong-password")
        window.login.submit()
        pump(lambda: window.login.error.isVisible())
        yield ready("02_login_failed")
        window.login.user.setText("lead1")
        window.login.password.setText(demo_data.PASSWORD)
        window.login.submit()
        pump(lambda: window.staff is not None)
        worklist = window.screens["worklist"]
        pump(lambda: worklist.loads > 0)
        yield ready("03_worklist")
        worklist.source_buttons["online"].click()
        pump(lambda: worklist.loads > 1)
        yield ready("04_worklist_online")
        window.open_case(hall.kiosk_ids[0])
        review = window.screens["review"]
        pump(lambda: review.detail is not None and review.current_code in review.pages)
        yield ready("05_review")
        review.reason.setPlainText("")
        review.mark(review_check("valid"))
        pump(lambda: not review.busy)
        pump(lambda: review.current_code in review.pages)
        review.viewer.show_page(1)
        review.viewer.step_zoom(1)
        review.viewer.step_zoom(1)
        review.reason.setPlainText("户口簿首页缺失，请补交首页" if window_language() == "zh" else "The front page is missing")
        review.mark(review_check("missing"))
        pump(lambda: not review.busy)
        yield ready("06_review_marked_zoomed")
        review.ask_supplement()
        pump(lambda: review.last_outcome is not None)
        yield ready("07_review_decided")
        window.show_screen("walkin")
        walkin = window.screens["walkin"]
        walkin.name_field.set_raw("张三")
        walkin.id_field.set_raw("110105194912310021")
        walkin.id_field.validate()
        walkin.panel.capture("id_card", "scanner")
        pump(lambda: not walkin.materials_busy)
        yield ready("08_walkin")
        window.show_screen("drafts")
        pump(lambda: window.screens["drafts"].loads > 0)
        yield ready("09_drafts")
        window.show_screen("deadlines")
        pump(lambda: window.screens["deadlines"].loads > 0)
        yield ready("10_deadlines_hall")
        window.show_screen("dashboard")
        pump(lambda: window.screens["dashboard"].loads > 0)
        yield ready("11_dashboard")
        window.show_screen("print_queue")
        pump(lambda: window.screens["print_queue"].loads > 0)
        yield ready("11b_print_queue")
        window.show_screen("onsite")
        onsite_page = window.screens["onsite"]
        onsite_page.number.setText("ZJ3301062026000123")  # the demo hall's online case
        onsite_page.find()
        pump(lambda: onsite_page.loads > 0 and not onsite_page.busy)
        yield ready("11c_onsite")
        window.lock()
        yield ready("12_locked")
        window.logout()
        window.login.user.setText("clerk1")
        window.login.password.setText(demo_data.PASSWORD)
        window.login.submit()
        pump(lambda: window.staff is not None)
        window.show_screen("deadlines")
        pump(lambda: window.screens["deadlines"].loads > 0)
        yield ready("13_clerk_deadlines")
        window.logout()
        idle()
    finally:
        ConfirmDialog.ask = original_ask  # type: ignore[method-assign]
        hall.kiosk_ids = hall.kiosk_ids[1:]  # the next walk must decide on a fresh case


def window_language() -> str:
    from ui import i18n

    return i18n.lang()


def open_window(demo: CounterDemo, lang: str, size: tuple[int, int]) -> Any:
    from ui.counter.window import CounterWindow

    return shown(CounterWindow(demo.ctx, language=lang, lock_seconds=3600), size)


def close_window(window: Any) -> None:
    idle()
    close_after_walk(window)


def render(out: Path, sizes: tuple[tuple[int, int], ...] = (SIZE,)) -> list[Path]:
    application(out)
    shots: list[Path] = []
    with demo_counter() as demo:
        for lang in ("zh", "en"):
            window = open_window(demo, lang, sizes[0])
            shots += shoot(window, walk(window, demo), out, sizes, lambda name: f"counter_{name}_{lang}", SIZE)
            close_window(window)
    return shots


def review_check(value: str):  # noqa: ANN201
    from kiosk.review import MaterialCheck

    return MaterialCheck(value)


if __name__ == "__main__":
    raise SystemExit(main(None, render, "out/counter", SIZE))
