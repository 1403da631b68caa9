"""Screenshots of checking in for an appointment, and of the counter's appointments page.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.ui.kiosk_checkin_shots [OUT_DIR] [--size WxH ...]

The kiosk walk (`walk_checkin`) uses the in-memory hall as the hub (`tests.ui.kiosk_ticket_shots`), bookings
written into the store as a sync pass leaves them, and a camera frame source fed with a real QR code image.
`tests/ui/test_kiosk_walks_fit.py` audits the same walk's layout at every screen size.
"""
from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

_WALKS = itertools.count()
SCREENS = ["c01_welcome_check_in", "c02_checkin_camera", "c03_checkin_no_booking", "c04_checked_in_number",
           "c05_checked_in_again", "c06_welcome_card_without_booking", "c07_checked_in_without_hub"]


def desk_frame(qr_text: str | None = None) -> Any:
    """What the kiosk's camera sees: the desk, and a phone showing a QR code when `qr_text` is given."""
    import numpy as np
    import qrcode
    from PIL import Image, ImageDraw

    frame = Image.new("RGB", (1280, 960), (88, 94, 102))
    ImageDraw.Draw(frame).rectangle((380, 140, 900, 860), fill=(30, 30, 34))  # the phone
    if qr_text:
        frame.paste(qrcode.make(qr_text, box_size=9).convert("RGB"), (430, 260))
    return np.asarray(frame, dtype=np.uint8).copy()


def walk_checkin(window: Any, demo: Any, hall: Any) -> Iterator[str]:
    """Check in on `window` (its terminal has `hall` as hub) by camera and by scanner, refused and accepted."""
    from kiosk.devices.camera import FrameSource
    from kiosk.identity import resident_id_check_char
    from tests.ui.checkin_helpers import book
    from ui.screenshots import pump

    def ready(name: str) -> str:
        pump(lambda: True)
        return name

    nav, terminal = window.nav, demo.terminal
    camera = FrameSource("kiosk camera")
    terminal.devices.camera = camera
    terminal.hall = hall
    day = f"{next(_WALKS) % 28 + 1:02d}"  # fresh citizens for each walk over the same store
    holder = "110105195003" + day + "002"
    holder += resident_id_check_char(holder)
    code = book(terminal, id_number=holder, name="欧阳小明")
    window.end_session("done")
    nav.hall_attached()
    pump(lambda: nav.screens["welcome"].checkin_button.isVisibleTo(nav.screens["welcome"]))
    yield ready("c01_welcome_check_in")
    nav.screens["welcome"].checkin_button.click()
    checkin = nav.screens["checkin"]
    camera.push_array(desk_frame())
    pump(lambda: checkin.qr.looks >= 1 and not checkin.preview.pixmap().isNull())
    yield ready("c02_checkin_camera")
    nav.checkin.by_code("23456789", checkin)  # not one of this hall's bookings (its check character fails)
    pump(lambda: checkin.problem is not None)
    yield ready("c03_checkin_no_booking")
    camera.push_array(desk_frame(code))
    pump(lambda: "checkin_result" in nav.screens and nav.screens["checkin_result"].printed is not None)
    yield ready("c04_checked_in_number")
    window.end_session("done")
    nav.checkin.code_on_welcome(code)  # the scanner at the welcome screen: the same booking again
    pump(lambda: "checkin_result" in nav.screens and nav.screens["checkin_result"].printed is not None)
    yield ready("c05_checked_in_again")
    window.end_session("done")
    stranger = "110105198001" + day + "003"
    nav.checkin.card_on_welcome(_card(stranger + resident_id_check_char(stranger)))
    pump(lambda: nav.screens["welcome"].checkin_note.isVisibleTo(nav.screens["welcome"]))
    yield ready("c06_welcome_card_without_booking")
    window.end_session("done")
    terminal.hall = None
    other = "110105196505" + day + "004"
    other += resident_id_check_char(other)
    book(terminal, id_number=other, name="李四")
    nav.checkin.card_on_welcome(_card(other))
    pump(lambda: "checkin_result" in nav.screens)
    yield ready("c07_checked_in_without_hub")
    window.end_session("done")
    terminal.devices.camera = None


def _card(id_number: str) -> Any:
    from kiosk.devices.id_card_reader import IdCardData

    return IdCardData("某某", id_number)


def counter_page(out: Path, sizes: tuple[tuple[int, int], ...]) -> list[Path]:
    """The counter's appointments page with bookings in every state, in both languages."""
    from datetime import date

    from kiosk import demo_hall
    from kiosk.identity import resident_id_check_char
    from kiosk.usecases.appointments import check_in_by_id_number
    from tests.ui.checkin_helpers import book, open_slot
    from ui.counter.context import CounterContext
    from ui.counter.window import CounterWindow
    from ui.screenshots import close_window, demo_terminal, pump, shown

    paths: list[Path] = []
    with demo_terminal("onewindow-appointments-shots-") as terminal:
        demo_hall.add_staff(terminal)
        start, end = open_slot()
        people = [("张三", "booked"), ("欧阳小明", "checked_in"), ("Maria Rossi-Bianchi", "booked"),
                  ("王五", "no_show"), ("赵六", "cancelled")]
        for n, (name, state) in enumerate(people):
            number = f"11010519600101{n:03d}"
            number += resident_id_check_char(number)
            slot = (start, end) if state != "no_show" else ("00:00", "00:01")
            book(terminal, id_number=number, name=name, slot=slot, state="booked" if state == "checked_in" else state)
            if state == "checked_in":
                check_in_by_id_number(terminal, number, actor="kiosk:1")
        for lang in ("zh", "en"):
            window = shown(CounterWindow(CounterContext(terminal, today=date.today()), language=lang), sizes[0])
            window.login.user.setText("lead1")
            window.login.password.setText(demo_hall.PASSWORD)
            window.login.button.click()
            pump(lambda: window.staff is not None)
            window.show_screen("appointments")
            screen = window.screens["appointments"]
            pump(lambda: screen.loads > 0)
            for width, height in sizes:
                window.resize(width, height)
                pump(lambda: True)
                path = out / f"counter_appointments_{lang}_{width}x{height}.png"
                window.grab().save(str(path))
                paths.append(path)
            close_window(window)
    return paths


def render(out: Path, sizes: tuple[tuple[int, int], ...]) -> list[Path]:
    from tests.ui.kiosk_ticket_shots import demo_hall
    from ui.kiosk.render_screens import close_window, demo_kiosk, open_window
    from ui.screenshots import application, shoot

    application(out)
    shots: list[Path] = []
    hall = demo_hall()
    with demo_kiosk() as demo:
        for lang in ("zh", "en"):
            for text in ("normal", "large"):
                window = open_window(demo, lang, text == "large", sizes[0])
                shots += shoot(window, walk_checkin(window, demo, hall.part), out, sizes,  # type: ignore[attr-defined]
                               lambda name: f"{name}_{lang}_{text}", (0, 0))
                close_window(window)
    return shots + counter_page(out, sizes)


def main(argv: list[str]) -> int:
    from ui.screenshots import SIZE, parse_sizes

    rest, sizes = parse_sizes(argv, default=(SIZE,))
    out = Path(rest[0]) if rest else Path("out/checkin-screens")
    for path in render(out, sizes):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
