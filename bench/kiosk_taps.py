#!/usr/bin/env python3
"""How many taps and key presses a citizen needs at the kiosk, on the shortest path.

Not a test: it drives the real kiosk window (offscreen, 1080×1920 portrait,
large-text mode) through the three most asked-for service items, with the ID
card reader (the simulator on a pseudo-terminal, read through the real serial
driver) and without it, a document camera in both cases (synthetic frames:
the citizen lays each page under it), and prints a table. A tap is one touch
(a press and release on a control, or one swipe to bring a control into
view); a key press is one key of the on-screen keyboard. Digits go on the
kiosk's number pad, so they count as taps. Chinese typed without a card is
counted as pinyin letters plus one choice per character, estimated at 4 key
presses per character (张三 is "zhang"+"san": 10).

The bench counts each touch it makes, and an event filter on the application
counts every mouse release and key press that reached any widget; the two
must agree, so a step that needed a hidden key press cannot slip through.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/kiosk_taps.py

Target (issue 11): ID card renewal with card and camera in at most 12 taps
and 0 key presses. The last line says whether it is met.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEvent, QObject, Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QPushButton, QWidget  # noqa: E402

ITEMS = {"330106000173002001": "ID card renewal", "330106000177001001": "Social security card",
         "330106000186001001": "Medical insurance enrolment"}
# What the citizen answers (the shortest acceptable answers; optional fields are left alone).
ANSWERS = {
    "330106000173002001": {"renewal_reason": "expired", "old_card_expiry": "2026-12-20", "collection_method": "counter"},
    "330106000177001001": {"bank": "icbc", "collection_method": "instant"},
    "330106000186001001": {"insured_category": "elderly", "insurance_year": "2027",
                           "residence_address": "浙江省杭州市西湖区文三路100号"},
}
CARD_NAME, CARD_ADDRESS, CARD_VALID_TO = "张三", "浙江省杭州市西湖区文三路100号", "2026-12-20"
KEYS_PER_HANZI = 4
TARGET_TAPS = 12
SIZE = (1080, 1920)


class InputCounter(QObject):
    """Every mouse release and key press that reached a widget, whatever sent it."""

    def __init__(self) -> None:
        super().__init__()
        self.releases = 0
        self.keys = 0

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if isinstance(obj, QWidget) and not obj.isWindow():
            if event.type() == QEvent.Type.MouseButtonRelease:
                self.releases += 1
            elif event.type() == QEvent.Type.KeyPress:
                self.keys += 1
        return False


@dataclass
class Walk:
    taps: int = 0
    keys: int = 0
    steps: list[str] = field(default_factory=list)


def wait(until: Any, timeout: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not until():
        if time.monotonic() > deadline:
            raise TimeoutError(f"the kiosk did not get there in time: {what}")
        QApplication.processEvents()
        time.sleep(0.01)


class Citizen:
    def __init__(self, window: Any, walk: Walk) -> None:
        self.window = window
        self.walk = walk

    def tap(self, button: QWidget, why: str) -> None:
        wait(lambda: button.isVisible() and button.isEnabled(), 10, why)
        screen = self.window.nav.current()
        scroll = getattr(screen, "scroll", None)
        if scroll is not None and scroll.widget() is not None and scroll.widget().isAncestorOf(button) \
                and button.visibleRegion().boundingRect().height() < button.height():
            scroll.ensureWidgetVisible(button, 0, 40)  # one swipe brings it up
            self.walk.taps += 1
            self.walk.steps.append(f"swipe to {why}")
            QApplication.processEvents()
        if not self.window.isActiveWindow():  # offscreen, nothing activates the window as a touch screen does
            self.window.activateWindow()
            QApplication.setActiveWindow(self.window)
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)
        self.walk.taps += 1
        self.walk.steps.append(why)
        QApplication.processEvents()

    def type_chinese(self, edit: Any, text: str, why: str) -> None:
        """The pinyin keyboard's presses are estimated (QTest cannot drive an input method); the text is committed whole."""
        edit.setFocus()
        edit.setText(text)
        edit.textEdited.emit(text)
        self.walk.keys += KEYS_PER_HANZI * len(text)
        self.walk.steps.append(f"type {why} ({KEYS_PER_HANZI * len(text)} keys)")

    def on(self, name: str) -> Any:
        try:
            wait(lambda: self.window.nav.current() is not None and self.window.nav.current().name == name, 30, name)
        except TimeoutError:
            from PySide6.QtWidgets import QLabel

            current = self.window.nav.current()
            said = [w.text() for w in self.window.findChildren(QLabel) if w.isVisible() and w.text()][:6]
            raise TimeoutError(f"expected {name}, on {current and current.name}; the screen says: {said}") from None
        return self.window.nav.current()


def pad_digits(citizen: Citizen, pad: Any, digits: str, why: str) -> None:
    for ch in digits:
        citizen.tap(pad.keys[ch], f"{why}: {ch}")


def pick_date(citizen: Citizen, field: Any, picker: Any, value: str) -> None:
    from datetime import date

    target = date.fromisoformat(value)
    citizen.tap(field.edit, f"open the date picker of {field.key}")
    years = target.year - picker.date().year
    for step in (10, 1):
        while abs(years) >= step:
            sign = 1 if years > 0 else -1
            citizen.tap(picker.year_keys[sign * step], f"year {sign * step:+d}")
            years -= sign * step
    if picker.date().month != target.month:
        citizen.tap(picker.month_keys[target.month], f"month {target.month}")
    if picker.date().day != target.day:
        citizen.tap(picker.day_keys[target.day], f"day {target.day}")


def run(code: str, with_card: bool, home: Path) -> Walk:
    import numpy as np  # noqa: F401 - the frames are numpy arrays

    from kiosk.devices.camera import FrameSource
    from kiosk.devices.idcard.serial_reader import SerialIdCardReader
    from kiosk.devices.idcard.simulator import ReaderSimulator
    from kiosk.materials.samples import platen_frame
    from kiosk.settings import load_settings
    from kiosk.terminal import Devices, Terminal
    from ui.kiosk.window import KioskWindow

    walk = Walk()
    terminal = Terminal.open(load_settings(home, device_no=1, idle_timeout_seconds=600, printer="fake:taps"))
    source = FrameSource("bench camera")
    scene: dict[str, Any] = {"page": False, "variant": 0}
    frames = QTimer()
    frames.setInterval(60)
    tick = [0]

    def push() -> None:
        tick[0] += 1
        source.push_array(platen_frame(seed=tick[0], **scene))

    frames.timeout.connect(push)
    frames.start()
    sim = ReaderSimulator() if with_card else None
    reader = None
    if sim is not None:
        sim.__enter__()
        reader = SerialIdCardReader(sim.path, timeout=1.0, read_timeout=1.0)
    terminal.devices = Devices(camera=source, id_reader=reader)
    window = KioskWindow(terminal, language="zh", large_text=True, speech=False, sync_poll_ms=1000)
    window.resize(*SIZE)
    window.show()
    citizen = Citizen(window, walk)
    try:
        welcome = citizen.on("welcome")
        citizen.tap(welcome.apply_button, "办理业务")
        browser = citizen.on("browser")
        wait(lambda: code in browser.item_buttons, 10, "service list")
        citizen.tap(browser.item_buttons[code], "choose the service")
        guide = citizen.on("guide")
        citizen.tap(guide.next_button, "guide: next")
        ident = citizen.on("identity")
        if sim is not None:
            sim.place("resident")  # laid on the reader: no tap
            wait(lambda: ident.id_field.raw() != "", 15, "the card read")
            walk.steps.append("lay the ID card on the reader")
        else:
            citizen.tap(ident.name_field.edit, "name field")
            citizen.type_chinese(ident.name_field.edit, CARD_NAME, "name")
            from kiosk.demo import APPLICANT

            citizen.tap(ident.id_field.edit, "ID number field")
            pad_digits(citizen, ident.pads["id_number"], APPLICANT["id_number"], "ID number")
        citizen.tap(ident.next_button, "identity: next")
        form = citizen.on("form")
        specs = {spec.key: spec for spec in form.item.form}
        for key, value in ANSWERS[code].items():
            spec = specs[key]
            widget = form.view.field(key)
            if not spec.required or (hasattr(widget, "raw") and widget.raw()):
                walk.steps.append(f"{key}: kept {widget.raw()!r}" if spec.required else f"{key}: skipped")
                continue  # filled in from the card (the citizen checks it), or not needed
            if hasattr(widget, "buttons"):
                citizen.tap(widget.buttons[value], f"{key}: {value}")
            elif spec.type == "date":
                pick_date(citizen, widget, form.helpers[key], value)
            elif key in form.helpers:
                citizen.tap(widget.edit, f"{key} field")
                pad_digits(citizen, form.helpers[key], value, key)
            else:
                citizen.tap(widget.edit, f"{key} field")
                citizen.type_chinese(widget.edit, value, key)
        citizen.tap(form.next_button, "form: next")
        materials = citizen.on("materials")
        for n, (mcode, row) in enumerate(materials.rows.items(), start=1):
            if not row.spec.required:
                continue
            scene.update(page=True, variant=n * 5)  # the next paper laid under the camera: no tap
            wait(lambda r=row: r.done and not r.busy, 30, f"photo of {mcode}")
            walk.steps.append(f"lay {mcode} under the camera")
        scene.update(page=False)
        citizen.tap(materials.next_button, "materials: next")
        review = citizen.on("review")
        citizen.tap(review.next_button, "submit")
        result = citizen.on("result")
        citizen.tap(result.next_button, "finish")
        citizen.on("welcome")
    finally:
        frames.stop()
        window.close()
        window.deleteLater()
        if reader is not None:
            reader.close().result(5)
        if sim is not None:
            sim.__exit__(None, None, None)
        terminal.close()
        QApplication.processEvents()
    return walk


def main() -> int:
    from ui.fonts import install_fonts
    from ui.threads import favour_gui_thread, install_gc_guard

    app = QApplication.instance() or QApplication([])
    install_fonts(app)
    install_gc_guard()
    favour_gui_thread()  # as the entry points do
    counter = InputCounter()
    app.installEventFilter(counter)
    rows = []
    verbose = "-v" in sys.argv
    with tempfile.TemporaryDirectory(prefix="onewindow-taps-") as tmp:
        for code, label in ITEMS.items():
            for with_card in (True, False):
                before = (counter.releases, counter.keys)
                walk = run(code, with_card, Path(tmp) / f"{code}-{with_card}")
                seen = (counter.releases - before[0], counter.keys - before[1])
                rows.append((label, with_card, walk, seen))
                if verbose:
                    print(f"\n{label}, {'card' if with_card else 'no card'}:\n  " + "\n  ".join(walk.steps))
    print(f"{'service item':32} {'ID card':8} {'taps':>5} {'key presses':>12}")
    ok = True
    for label, with_card, walk, (releases, keys) in rows:
        print(f"{label:32} {'reader' if with_card else 'typed':8} {walk.taps:>5} {walk.keys:>12}")
        swipes = sum(1 for s in walk.steps if s.startswith("swipe"))
        if releases != walk.taps - swipes or keys != 0:  # typing is set whole; any real key press is a surprise
            print(f"  !! the window saw {releases} clicks and {keys} key presses; the bench made "
                  f"{walk.taps - swipes} clicks")
            ok = False
    renewal = next(w for label, card, w, _ in rows if card and label == "ID card renewal")
    met = renewal.taps <= TARGET_TAPS and renewal.keys == 0 and ok
    print(("TARGET MET" if met else "TARGET MISSED") +
          f": ID card renewal with card and camera {renewal.taps} taps, {renewal.keys} key presses "
          f"(target ≤ {TARGET_TAPS} taps, 0 key presses)")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
