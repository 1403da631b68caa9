"""Render every kiosk screen in both languages and both text sizes to PNG.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m ui.kiosk.render_screens [OUT_DIR] [--size WxH ...]

Uses a throw-away data dir, the demo catalog, a recording scanner, a fake
ID-card reader and a fake printer that is out of paper (so the result
screen shows how that reads). Look at the pictures: anything cramped,
clipped or shown as boxes is a bug.

`walk()` drives one window through every screen and yields each screen's
name once it is showing; the screenshots here and the layout test
(`tests/ui/test_screen_fit.py`) both use it, so they see the same screens.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ITEM = "330106000173002001"
SIZE = (1600, 900)
# The screens a terminal meets: a hall's portrait self-service terminal, full HD, a cheap laptop panel, 5:4.
SCREEN_SIZES = ((1080, 1920), (1920, 1080), (1366, 768), (1280, 1024))


def pump(until: Callable[[], bool], timeout: float = 20.0) -> None:
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + timeout
    while not until():
        if time.monotonic() > deadline:
            raise TimeoutError("the screen did not get there in time")
        QApplication.processEvents()
        time.sleep(0.01)
    for _ in range(5):
        QApplication.processEvents()


@dataclass
class KioskDemo:
    """What `walk()` needs: services on a throw-away store, a good page and a file that is not a picture."""

    home: Path
    terminal: Any
    services: Any
    page: Path
    bad: Path


@contextmanager
def demo_kiosk(home: Path | None = None) -> Iterator[KioskDemo]:
    from kiosk.settings import load_settings
    from kiosk.terminal import Terminal
    from printing.drivers.fake import FakePrinter
    from ui.kiosk.demo import fake_devices, sample_page_png
    from ui.kiosk.services import KioskServices

    home = home or Path(tempfile.mkdtemp(prefix="onewindow-shots-"))
    FakePrinter.named("shots").set_paper_out()
    terminal = Terminal.open(load_settings(home, printer="fake:shots", idle_timeout_seconds=600))
    devices = fake_devices()
    services = KioskServices(terminal, scanner=devices["scanner"], id_reader=devices["id_reader"],
                             online_lookup=False)
    bad = home / "notes.txt"
    bad.write_text("not a picture")
    try:
        yield KioskDemo(home, terminal, services, sample_page_png(home), bad)
    finally:
        from ui.jobs import wait_idle

        wait_idle()
        services.close()


def walk(window: Any, demo: KioskDemo) -> Iterator[str]:
    """Drive `window` through every screen with demo data; yield each screen's name when it shows."""
    from kiosk.errors import SOMETHING_WENT_WRONG
    from ui.dialogs import ImportFileDialog
    from ui.kiosk.demo import APPLICANT

    def ready(name: str) -> str:
        pump(lambda: True)
        return name

    original_ask = ImportFileDialog.__dict__["ask"]
    nav = window.nav
    try:
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
        materials.capture("id_card", "scanner")
        ImportFileDialog.ask = classmethod(lambda cls, parent, start=None: demo.bad)  # type: ignore[method-assign]
        materials.import_file("photo_receipt")
        pump(lambda: not materials.busy)
        ImportFileDialog.ask = classmethod(lambda cls, parent, start=None: demo.page)  # type: ignore[method-assign]
        materials.import_file("household_register")
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
    finally:
        ImportFileDialog.ask = original_ask  # type: ignore[method-assign]


def open_window(demo: KioskDemo, lang: str, large: bool, size: tuple[int, int]) -> Any:
    from ui.kiosk.window import KioskWindow

    window = KioskWindow(demo.services, language=lang, large_text=large, speech=False)
    window.resize(*size)
    window.show()
    return window


def close_window(window: Any) -> None:
    window.close()
    window.deleteLater()
    pump(lambda: True)


def render(out: Path, sizes: tuple[tuple[int, int], ...] = (SIZE,)) -> list[Path]:
    from PySide6.QtWidgets import QApplication

    from ui.fonts import install_fonts

    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    install_fonts(app)
    shots: list[Path] = []
    with demo_kiosk() as demo:
        for lang in ("zh", "en"):
            for text in ("normal", "large"):
                window = open_window(demo, lang, text == "large", sizes[0])
                for name in walk(window, demo):
                    for width, height in sizes:
                        window.resize(width, height)
                        pump(lambda: True)
                        suffix = "" if sizes == (SIZE,) else f"_{width}x{height}"
                        path = out / f"{name}_{lang}_{text}{suffix}.png"
                        window.grab().save(str(path))
                        shots.append(path)
                close_window(window)
    return shots


def parse_sizes(argv: list[str]) -> tuple[list[str], tuple[tuple[int, int], ...]]:
    """`--size 1080x1920` (repeatable) or `--screens` for the four screen shapes; the rest are positional."""
    rest: list[str] = []
    sizes: list[tuple[int, int]] = []
    args = iter(argv)
    for arg in args:
        if arg == "--size":
            width, height = next(args).lower().split("x")
            sizes.append((int(width), int(height)))
        elif arg == "--screens":
            sizes += SCREEN_SIZES
        else:
            rest.append(arg)
    return rest, tuple(sizes) or (SIZE,)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    rest, sizes = parse_sizes(argv)
    out = Path(rest[0]) if rest else Path("out/screens")
    for path in render(out, sizes):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
