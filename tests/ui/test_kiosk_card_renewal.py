"""Issue 11's walk: an ID card renewal in large-text mode with the card reader and the document camera, no keys.

The reader is the serial driver talking to the simulator on a real
pseudo-terminal; the camera is a frame source fed synthetic platen frames on
a timer, as Qt Multimedia feeds the real one. An application-wide event
filter counts every key press that reaches the window: there must be none.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

from kiosk.devices.camera import FrameSource
from kiosk.devices.idcard.serial_reader import SerialIdCardReader
from kiosk.devices.idcard.simulator import RESIDENT_FIELDS, ReaderSimulator
from kiosk.terminal import Devices
from tests.ui.kiosk_helpers import ID_CARD, make_terminal, make_window, screen, tap
from tests.ui.test_kiosk_materials import SyntheticCamera


class KeyCounter(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.keys = 0

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.KeyPress:
            self.keys += 1
        return False


@pytest.fixture
def sim() -> Iterator[ReaderSimulator]:
    with ReaderSimulator() as s:
        yield s


def test_a_renewal_with_the_card_and_the_camera_needs_no_key(qtbot: Any, tmp_path, sim) -> None:
    from printing.drivers.fake import FakePrinter

    printer = FakePrinter.named("card-renewal")
    terminal = make_terminal(tmp_path / "home", printer="fake:card-renewal")
    reader = SerialIdCardReader(sim.path, timeout=1.0, read_timeout=1.0)
    source = FrameSource("synthetic document camera")
    camera = SyntheticCamera(source)
    window = make_window(qtbot, terminal, devices={}, large_text=True)
    terminal.devices = Devices(camera=source, id_reader=reader)
    keys = KeyCounter()
    QApplication.instance().installEventFilter(keys)
    try:
        tap(qtbot, window.nav.screens["welcome"].apply_button)
        tap(qtbot, screen(window, "browser").item_buttons[ID_CARD])
        tap(qtbot, screen(window, "guide").next_button)
        ident = screen(window, "identity")
        sim.place("resident")  # laid on the reader: the screen fills itself
        qtbot.waitUntil(lambda: ident.id_field.raw() == RESIDENT_FIELDS["id_number"], timeout=10_000)
        assert ident.name_field.raw() == "张三" and ident.phone_field.raw() == ""  # no mobile number needed
        tap(qtbot, ident.next_button)
        form = screen(window, "form")
        assert form.view.field("old_card_expiry").raw() == "2035-01-01"  # read from the card, not picked
        tap(qtbot, form.view.field("renewal_reason").buttons["expired"])
        tap(qtbot, form.view.field("collection_method").buttons["counter"])
        tap(qtbot, form.next_button)
        materials = screen(window, "materials")
        for n, code in enumerate(("id_card", "household_register"), start=1):
            camera.show(page=True, variant=5 * n)  # the citizen lays the next paper under the camera
            row = materials.rows[code]
            qtbot.waitUntil(lambda r=row: r.done and not r.busy, timeout=30_000)
        camera.show(page=False)
        tap(qtbot, materials.next_button)
        tap(qtbot, screen(window, "review").next_button)
        qtbot.waitUntil(lambda: window.nav.current() is not None and window.nav.current().name == "result",
                        timeout=30_000)
        result = screen(window, "result")
        qtbot.waitUntil(lambda: result.print_message is not None, timeout=20_000)
        assert keys.keys == 0
        apps = terminal.applications()
        assert len(apps) == 1 and apps[0].applicant_name == "张三"
        assert apps[0].applicant_id_number == RESIDENT_FIELDS["id_number"] and apps[0].applicant_phone is None
        assert {m.material_code for m in apps[0].materials} >= {"id_card", "household_register"}
        assert printer.jobs and result.receipt.text() == apps[0].receipt_no
        tap(qtbot, result.next_button)
        screen(window, "welcome")
        assert window.ctx.session.card is None  # nothing of the card stays for the next citizen
    finally:
        QApplication.instance().removeEventFilter(keys)
        camera.timer.stop()
        reader.close().result(5)
