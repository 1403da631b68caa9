"""The kiosk's materials step on hall hardware: the document camera, a USB stick, or the counter.

No real camera here: a synthetic document camera pushes frames into the
domain's `FrameSource` on a timer, as Qt Multimedia's feed does; no real
stick: `UsbPicker.media_root` points at a fake /proc/mounts and mount tree.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QFileDialog, QPushButton
from sqlalchemy import select

from kiosk.demo import sample_page_png
from kiosk.devices.camera import FrameSource
from kiosk.materials.samples import platen_frame
from kiosk.store.models import Application, ApplicationMaterial
from kiosk.terminal import Devices
from tests.helpers.media import fake_stick, mount_stick
from tests.ui.kiosk_helpers import (
    ID_CARD, choose_item, fill_form, fill_identity, make_terminal, make_window, screen, submit, tap,
)
from ui.kiosk.usb_picker import UsbPicker


def pick_from_stick(qtbot: Any, window: Any, import_button: QPushButton, path: Path) -> None:
    """Tap "import", wait for the stick's file to appear in the kiosk's picker, tap it."""
    tap(qtbot, import_button)
    qtbot.waitUntil(lambda: _picker(window) is not None and path in _picker(window).tiles, timeout=10_000)
    tap(qtbot, _picker(window).tiles[path])
    qtbot.waitUntil(lambda: _picker(window) is None, timeout=5_000)


def _picker(window: Any) -> UsbPicker | None:
    pickers = [p for p in window.findChildren(UsbPicker) if p.isVisible()]
    return pickers[0] if pickers else None


@pytest.fixture(autouse=True)
def no_desktop_file_dialog(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kiosk must never open the desktop's file dialog."""
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the kiosk opened QFileDialog")

    monkeypatch.setattr(QFileDialog, "getOpenFileName", refuse)
    monkeypatch.setattr(QFileDialog, "exec", refuse)


class SyntheticCamera(QObject):
    """A document camera looking at its platen: what lies there is set by the test, frames keep coming."""

    def __init__(self, source: FrameSource, interval_ms: int = 60) -> None:
        super().__init__()
        self.source = source
        self.scene: dict[str, Any] = {"page": False}
        self.seed = 0
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    def show(self, **scene: Any) -> None:
        self.scene = scene

    def tick(self) -> None:
        self.seed += 1
        scene = dict(self.scene)
        if scene.pop("moving", False):
            scene["offset"] = ((self.seed * 7) % 40 - 20, (self.seed * 3) % 20)
        self.source.push_array(platen_frame(seed=self.seed, **scene))


def _to_materials(qtbot: Any, tmp_path: Path, *, camera: FrameSource | None = None, printer: str = "") -> Any:
    terminal = make_terminal(tmp_path / "home", **({"printer": printer} if printer else {}))
    window = make_window(qtbot, terminal, devices={})
    terminal.devices = Devices(camera=camera)  # no scanner, no ID-card reader
    choose_item(qtbot, window, ID_CARD)
    fill_identity(qtbot, window)
    fill_form(qtbot, window, ID_CARD)
    return terminal, window, screen(window, "materials")


def test_the_camera_takes_each_page_once_it_holds_still_and_retakes_on_request(qtbot, tmp_path):
    source = FrameSource("synthetic document camera")
    camera = SyntheticCamera(source)
    terminal, window, materials = _to_materials(qtbot, tmp_path, camera=source)
    capture = materials.camera
    assert capture is not None and capture.isVisible() and capture.preview.minimumWidth() >= 640
    assert not materials.notice.isVisible()  # a device exists: no talk of the counter
    assert not materials.rows["id_card"].counter_button.isVisible()
    assert capture.target == "id_card" and "居民身份证" in capture.target_label.text()
    # an empty platen: a hint, a live picture, nothing taken
    qtbot.waitUntil(lambda: capture.preview.pixmap() is not None and not capture.preview.pixmap().isNull())
    qtbot.waitUntil(lambda: "放" in capture.hint.text(), timeout=5_000)
    # a page being moved about: "hold still", still nothing taken
    camera.show(page=True, moving=True)
    qtbot.waitUntil(lambda: "保持不动" in capture.hint.text(), timeout=5_000)
    assert window.ctx.session.materials.get("id_card", []) == []
    # the page laid still: a countdown, then one photo for the ID card, shown with a big retake
    camera.show(page=True)
    qtbot.waitUntil(lambda: "秒" in capture.countdown.text(), timeout=5_000)
    id_row = materials.rows["id_card"]
    qtbot.waitUntil(lambda: id_row.done and not id_row.busy, timeout=30_000)
    qtbot.waitUntil(lambda: capture.retake_button.isVisible() and capture.captured.isVisible())
    assert len(window.ctx.session.materials["id_card"]) == 1 and "重拍" in capture.retake_button.text()
    assert capture.target == "household_register"  # the camera moves on to the next material
    # the same page left lying there is not taken again for the next material
    qtbot.wait(2 * 1200)
    assert window.ctx.session.materials.get("household_register", []) == []
    # "重拍": the photo is dropped and the page on the platen is taken again
    tap(qtbot, capture.retake_button)
    assert window.ctx.session.materials["id_card"] == [] and capture.target == "id_card"
    qtbot.waitUntil(lambda: len(window.ctx.session.materials.get("id_card", [])) == 1 and not id_row.busy,
                    timeout=30_000)
    # the next page (a different one) goes to the household register
    camera.show(page=True, variant=7)
    register = materials.rows["household_register"]
    qtbot.waitUntil(lambda: register.done and not register.busy, timeout=30_000)
    assert len(window.ctx.session.materials["id_card"]) == 1
    # a hand waving over the platen takes nothing for the optional material
    camera.show(page=True, variant=7, hand_at=(320, 240), moving=True)
    qtbot.wait(1500)
    assert window.ctx.session.materials.get("photo_receipt", []) == []
    camera.timer.stop()
    tap(qtbot, materials.next_button)
    result = submit(qtbot, window)
    apps = terminal.applications()
    assert len(apps) == 1 and result.receipt.text() == apps[0].receipt_no
    files = {m.material_code: len(m.files) for m in apps[0].materials}
    assert files == {"id_card": 1, "household_register": 1, "photo_receipt": 0}


def test_the_stick_picker_waits_for_a_stick_and_shows_only_its_files(qtbot, tmp_path, monkeypatch):
    root, stick = fake_stick(tmp_path, mounted=False)
    monkeypatch.setattr(UsbPicker, "media_root", root)
    terminal, window, materials = _to_materials(qtbot, tmp_path)
    row = materials.rows["household_register"]
    tap(qtbot, row.import_button)
    qtbot.waitUntil(lambda: _picker(window) is not None)
    picker = _picker(window)
    assert picker.geometry() == window.centralWidget().rect()  # covers the window, no small pop-up
    qtbot.waitUntil(lambda: "请插入U盘" in picker.status.text(), timeout=5_000)
    assert picker.tiles == {}
    # the citizen plugs the stick in: its pictures and PDFs appear by themselves, nothing else
    page = sample_page_png(stick, "户口本.png")
    (stick / "notes.txt").write_text("not a material")
    (stick / ".hidden.png").write_bytes(page.read_bytes())
    mount_stick(root)
    qtbot.waitUntil(lambda: page in picker.tiles, timeout=10_000)
    assert list(picker.tiles) == [page] and "KINGSTON" in picker.status.text()
    assert picker.tiles[page].text() == "户口本.png"
    qtbot.waitUntil(lambda: not picker.tiles[page].icon().isNull(), timeout=10_000)  # a thumbnail
    # cancel: nothing imported, the picker gone
    tap(qtbot, picker.cancel_button)
    qtbot.waitUntil(lambda: _picker(window) is None)
    assert window.ctx.session.materials.get("household_register", []) == []
    # choose: imported through the page pipeline like any other file
    pick_from_stick(qtbot, window, row.import_button, page)
    qtbot.waitUntil(lambda: row.done and not row.busy, timeout=20_000)
    assert window.ctx.session.materials["household_register"][0].page_count == 1
    # a session that ends (idle) while the picker is open takes the picker with it
    tap(qtbot, materials.rows["id_card"].import_button)
    qtbot.waitUntil(lambda: _picker(window) is not None and page in _picker(window).tiles, timeout=10_000)
    window.end_session("idle")
    qtbot.waitUntil(lambda: _picker(window) is None)
    screen(window, "welcome")


def test_with_no_capture_device_at_all_the_application_finishes_with_hand_in_at_the_counter(
        qtbot, tmp_path, monkeypatch):
    from printing.drivers.fake import FakePrinter

    root, _stick = fake_stick(tmp_path, mounted=False)
    monkeypatch.setattr(UsbPicker, "media_root", root)
    printer = FakePrinter.named("hand-in")
    terminal, window, materials = _to_materials(qtbot, tmp_path, printer="fake:hand-in")
    assert materials.camera is None
    assert materials.notice.isVisible() and "窗口" in materials.notice.text()
    for row in materials.rows.values():
        assert not row.scan_button.isVisible() and not row.camera_button.isVisible()
        assert row.counter_button.isVisible() and "到窗口提交" in row.counter_button.text()
    # Next says what to do for each required material, in plain words
    tap(qtbot, materials.next_button)
    screen(window, "materials")
    assert "到窗口提交" in materials.rows["id_card"].message.text()
    # the stick picker says plainly that there is no stick; the citizen goes back
    tap(qtbot, materials.rows["id_card"].import_button)
    qtbot.waitUntil(lambda: _picker(window) is not None and "请插入U盘" in _picker(window).status.text())
    tap(qtbot, _picker(window).cancel_button)
    qtbot.waitUntil(lambda: _picker(window) is None)
    # both required materials to the counter; the optional one left out
    for code in ("id_card", "household_register"):
        row = materials.rows[code]
        tap(qtbot, row.counter_button)
        assert "需到窗口提交" in row.status.text() and not row.message.isVisible()
    assert window.ctx.session.at_counter == {"id_card", "household_register"}
    # and one taken back, and marked again
    tap(qtbot, materials.rows["id_card"].counter_button)
    assert window.ctx.session.at_counter == {"household_register"}
    tap(qtbot, materials.rows["id_card"].counter_button)
    tap(qtbot, materials.next_button)
    review = screen(window, "review")
    texts = " ".join(label.text() for label in review.findChildren(type(review.title)))
    assert texts.count("需到窗口提交") == 2
    result = submit(qtbot, window)
    qtbot.waitUntil(lambda: result.print_message is not None, timeout=20_000)
    with terminal.store.transaction() as s:
        app = s.scalars(select(Application)).one()
        marks = dict(s.execute(select(ApplicationMaterial.material_code, ApplicationMaterial.at_counter)
                               .where(ApplicationMaterial.application_id == app.id)).all())
        assert result.receipt.text() == app.receipt_no
    assert marks == {"id_card": True, "household_register": True, "photo_receipt": False}
    assert printer.jobs and "需到窗口提交：居民户口簿".encode("gb18030") in printer.jobs[-1]
    assert "需到窗口提交：原居民身份证".encode("gb18030") in printer.jobs[-1]
    tap(qtbot, result.next_button)
    screen(window, "welcome")
    assert window.ctx.session.at_counter == set()
