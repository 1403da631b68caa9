"""Render every kiosk screen in both languages and both text sizes to PNG.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m ui.kiosk.render_screens [OUT_DIR]

Uses a throw-away data dir, the demo catalog, a recording scanner, a fake
ID-card reader and a fake printer that is out of paper (so the result
screen shows how that reads). Look at the pictures: anything cramped,
clipped or shown as boxes is a bug.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from ui.screenshots import pump  # noqa: E402 - after the platform is chosen

ITEM = "330106000173002001"
SIZE = (1600, 900)


def render(out: Path) -> list[Path]:
    from PySide6.QtWidgets import QApplication

    from kiosk.demo import APPLICANT, fake_devices, sample_page_png
    from kiosk.settings import load_settings
    from kiosk.terminal import Devices, Terminal
    from ui.dialogs import ImportFileDialog
    from ui.fonts import install_fonts
    from ui.kiosk.window import KioskWindow

    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    install_fonts(app)
    home = Path(tempfile.mkdtemp(prefix="onewindow-shots-"))
    printer = "fake:shots"
    from printing.drivers.fake import FakePrinter

    FakePrinter.named("shots").set_paper_out()
    terminal = Terminal.open(load_settings(home, printer=printer, idle_timeout_seconds=600, device_no=1))
    devices = fake_devices()
    terminal.devices = Devices(scanner=devices["scanner"], id_reader=devices["id_reader"])
    page = sample_page_png(home)
    bad = home / "notes.txt"
    bad.write_text("not a picture")
    shots: list[Path] = []

    def shot(window: KioskWindow, name: str, lang: str, size: str) -> None:
        pump(lambda: True)
        path = out / f"{name}_{lang}_{size}.png"
        window.grab().save(str(path))
        shots.append(path)

    for lang in ("zh", "en"):
        for size in ("normal", "large"):
            window = KioskWindow(terminal, language=lang, large_text=size == "large", speech=False)
            window.resize(*SIZE)
            window.show()
            nav = window.nav
            shot(window, "01_welcome", lang, size)
            nav.show_browser()
            shot(window, "02_browser", lang, size)
            browser = nav.screens["browser"]
            browser.search.setText("sfz")
            shot(window, "03_search", lang, size)
            nav.show_guide(ITEM)
            shot(window, "04_guide", lang, size)
            nav.start_application(terminal.catalog.item(ITEM))
            ident = nav.screens["identity"]
            ident.name_field.set_raw(APPLICANT["name"])
            ident.id_field.set_raw("110105194912310021")
            ident.id_field.validate()
            ident.phone_field.set_raw(APPLICANT["phone"])
            shot(window, "05_identity_error", lang, size)
            ident.id_field.set_raw(APPLICANT["id_number"])
            ident.on_next()
            form = nav.screens["form"]
            form.view.field("renewal_reason").set_raw("expired")
            form.view.field("old_card_expiry").set_raw("2025-13-01")
            form.view.field("old_card_expiry").validate()
            shot(window, "06_form", lang, size)
            form.view.field("old_card_expiry").set_raw("2025-05-01")
            form.view.field("collection_method").set_raw("counter")
            form.on_next()
            materials = nav.screens["materials"]
            materials.capture("id_card", "scanner")
            ImportFileDialog.ask = classmethod(lambda cls, parent, start=None: bad)  # type: ignore[method-assign]
            materials.import_file("photo_receipt")
            pump(lambda: not materials.busy)
            ImportFileDialog.ask = classmethod(lambda cls, parent, start=None: page)  # type: ignore[method-assign]
            materials.import_file("household_register")
            pump(lambda: not materials.busy)
            shot(window, "07_materials", lang, size)
            materials.on_next()
            shot(window, "08_review", lang, size)
            nav.screens["review"].on_next()
            pump(lambda: "result" in nav.screens and nav.screens["result"].print_message is not None)
            shot(window, "09_result", lang, size)
            nav.screens["result"].rate_requested.emit()
            rating = nav.screens["rating"]
            rating.level_buttons[2].click()
            rating.reason_buttons["waiting_time"].click()
            shot(window, "10_rating_low", lang, size)
            receipt = nav.ctx.session.submitted.receipt_no
            window.end_session("done")
            nav.show_progress()
            progress = nav.screens["progress"]
            progress.field.set_raw(receipt)
            progress.lookup()
            pump(lambda: progress.result is not None)
            shot(window, "11_progress", lang, size)
            nav.show_browser()
            window.overlay.show_countdown(17)
            shot(window, "12_idle", lang, size)
            window.end_session("idle")
            window.notice.show_message(__import__("kiosk.errors", fromlist=["x"]).SOMETHING_WENT_WRONG)
            shot(window, "13_error", lang, size)
            window.close()
            window.deleteLater()
            pump(lambda: True)
    from ui.jobs import wait_idle

    wait_idle()
    return shots


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0]) if argv else Path("out/screens")
    for path in render(out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
