"""Render every counter screen at 1920x1080, in Chinese and English, to PNG.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m ui.counter.render_screens [OUT_DIR]

Uses a throw-away data dir filled by `kiosk.demo_hall` (staff, a fortnight
of cases and ratings, kiosk cases with JPEG, PDF and G4 TIFF pages, an
online case and a crash-left draft). Look at the pictures: anything
cramped, clipped or shown as boxes is a bug.
"""
from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from ui.screenshots import pump as pump_events  # noqa: E402 - after the platform is chosen

SIZE = (1920, 1080)


def pump(until: Callable[[], bool], timeout: float = 30.0) -> None:
    pump_events(until, timeout)


def render(out: Path) -> list[Path]:
    from PySide6.QtWidgets import QApplication

    from kiosk import demo_hall as demo
    from kiosk.demo import fake_devices
    from kiosk.settings import load_settings
    from kiosk.terminal import Devices, Terminal
    from ui.counter.context import CounterContext
    from ui.counter.window import CounterWindow
    from ui.dialogs import ConfirmDialog
    from ui.fonts import install_fonts
    from ui.jobs import running_jobs, wait_idle

    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    install_fonts(app)
    home = Path(tempfile.mkdtemp(prefix="onewindow-counter-shots-"))
    terminal = Terminal.open(load_settings(home, document_printer="cups:shots-nowhere", device_no=1))
    today = date.today()
    hall = demo.populate(terminal, today=today)
    terminal.devices = Devices(scanner=fake_devices()["scanner"])
    ctx = CounterContext(terminal, today=today)
    ConfirmDialog.ask = classmethod(lambda cls, *a, **k: True)  # type: ignore[method-assign]
    shots: list[Path] = []

    def idle() -> None:
        pump(lambda: running_jobs() == 0)

    def shot(window: CounterWindow, name: str, lang: str) -> None:
        idle()
        path = out / f"counter_{name}_{lang}.png"
        window.grab().save(str(path))
        shots.append(path)

    for lang in ("zh", "en"):
        window = CounterWindow(ctx, language=lang, lock_seconds=3600)
        window.resize(*SIZE)
        window.show()
        shot(window, "01_login", lang)
        window.login.user.setText("nobody")
        window.login.password.setText("wrong-password")
        window.login.submit()
        pump(lambda: window.login.error.isVisible())
        shot(window, "02_login_failed", lang)
        window.login.user.setText("lead1")
        window.login.password.setText(demo.PASSWORD)
        window.login.submit()
        pump(lambda: window.staff is not None)
        worklist = window.screens["worklist"]
        pump(lambda: worklist.loads > 0)
        shot(window, "03_worklist", lang)
        worklist.source_buttons["online"].click()
        pump(lambda: worklist.loads > 1)
        shot(window, "04_worklist_online", lang)
        window.open_case(hall.kiosk_ids[0])
        review = window.screens["review"]
        pump(lambda: review.detail is not None and review.current_code in review.pages)
        shot(window, "05_review", lang)
        review.reason.setPlainText("")
        review.mark(review_check("valid"))
        pump(lambda: not review.busy)
        pump(lambda: review.current_code in review.pages)
        review.viewer.show_page(1)
        review.viewer.step_zoom(1)
        review.viewer.step_zoom(1)
        review.reason.setPlainText("户口簿首页缺失，请补交首页" if lang == "zh" else "The front page is missing")
        review.mark(review_check("missing"))
        pump(lambda: not review.busy)
        shot(window, "06_review_marked_zoomed", lang)
        review.ask_supplement()
        pump(lambda: review.last_outcome is not None)
        shot(window, "07_review_decided", lang)
        window.show_screen("walkin")
        walkin = window.screens["walkin"]
        walkin.name_field.set_raw("张三")
        walkin.id_field.set_raw("110105194912310021")
        walkin.id_field.validate()
        walkin.capture("id_card", "scanner")
        pump(lambda: not walkin.materials_busy)
        shot(window, "08_walkin", lang)
        window.show_screen("drafts")
        pump(lambda: window.screens["drafts"].loads > 0)
        shot(window, "09_drafts", lang)
        window.show_screen("deadlines")
        pump(lambda: window.screens["deadlines"].loads > 0)
        shot(window, "10_deadlines_hall", lang)
        window.show_screen("dashboard")
        pump(lambda: window.screens["dashboard"].loads > 0)
        shot(window, "11_dashboard", lang)
        window.lock()
        shot(window, "12_locked", lang)
        window.logout()
        window.login.user.setText("clerk1")
        window.login.password.setText(demo.PASSWORD)
        window.login.submit()
        pump(lambda: window.staff is not None)
        window.show_screen("deadlines")
        pump(lambda: window.screens["deadlines"].loads > 0)
        shot(window, "13_clerk_deadlines", lang)
        window.logout()
        idle()
        window.close()
        window.deleteLater()
        pump(lambda: True)
        if lang == "zh":  # the second round must decide on fresh cases
            hall.kiosk_ids = hall.kiosk_ids[1:]
    wait_idle()
    return shots


def review_check(value: str):  # noqa: ANN201
    from kiosk.review import MaterialCheck

    return MaterialCheck(value)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0]) if argv else Path("out/counter")
    for path in render(out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
