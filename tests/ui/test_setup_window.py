"""The set-up window with pytest-qt: typed values checked field by field, a real enrollment with the reference
platform, the devices tested in turn (a real TCP printer; the camera's and reader's doubles at their edges),
the list shown in words and marks and kept for `onewindow doctor`, Chinese first and English complete."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from kiosk.devices.id_card_reader import FakeIdCardReader, IdCardData
from kiosk.settings import load_settings
from kiosk.setup.device_checks import CameraTest, IdCardTest
from kiosk.setup.results import load_report
from kiosk.terminal import Terminal
from printing.self_test import PrinterTest
from sync.credentials import load_credential
from tests.printing.printer_server import PrinterServer
from tests.setup.conftest import platform, printer, write_config  # noqa: F401 - fixtures used by name
from tests.sync.servers import PlatformServer
from ui.i18n import set_language
from ui.setup.window import SetupWindow


@pytest.fixture
def zh() -> Iterator[None]:
    set_language("zh")
    yield
    set_language("zh")


def make_window(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, printer_uri: str = "",  # noqa: ANN001
                ) -> tuple[SetupWindow, Terminal, Path]:
    config = write_config(tmp_path / "etc" / "onewindow.toml", device_kind="kiosk", printer=printer_uri,
                          id_reader="simulator")  # the reader is a double below; the setting says one is there
    monkeypatch.setenv("ONEWINDOW_CONFIG", str(config))
    home = tmp_path / "home"
    home.mkdir()
    terminal = Terminal.open(load_settings(home), parts=False)
    page = np.random.default_rng(2).integers(0, 255, (600, 800, 3), dtype=np.uint8)
    tests = [PrinterTest(), CameraTest(cameras=lambda: [{"device": "/dev/video0", "name": "Doc Cam", "capture": True}],
                                       grab=lambda _d: page),
             IdCardTest(make_reader=lambda _s: FakeIdCardReader(["no_card", IdCardData("张三", "11010519491231002X")]))]
    window = SetupWindow(terminal, tests, wait_seconds=5)
    qtbot.addWidget(window)
    window.resize(1280, 1024)
    window.show()
    return window, terminal, config


def visible_text(widget) -> str:  # noqa: ANN001
    return "\n".join(label.text() for label in widget.findChildren(QLabel) if label.isVisibleTo(widget))


def test_bad_values_are_named_on_their_fields_and_nothing_is_sent(qtbot, tmp_path: Path,  # noqa: ANN001
                                                                 monkeypatch: pytest.MonkeyPatch, zh: None) -> None:
    window, terminal, config = make_window(qtbot, tmp_path, monkeypatch)
    before = config.read_text(encoding="utf-8")
    window.hall_edit.setText("12ab")
    window.platform_edit.setText("https://platform.example/api/v1")
    window.code_edit.setText("ABCD")
    qtbot.mouseClick(window.enroll_button, Qt.MouseButton.LeftButton)
    assert window.field_errors["hall_code"].isVisible() and "大厅编码“12ab”格式不对" in window.field_errors["hall_code"].text()
    assert window.field_errors["code"].isVisible() and "注册码格式不对" in window.field_errors["code"].text()
    assert not window.field_errors["platform_url"].isVisible()
    assert not window.busy and window.pages.currentIndex() == 0
    window.toggle_language()
    assert "The hall code \"12ab\" is not valid" in window.field_errors["hall_code"].text()
    assert window.enroll_button.text() == "Enroll and test the devices"
    assert window.hall_edit.accessibleName() == "Hall code (6 to 12 digits)"
    qtbot.keyClicks(window.hall_edit, "9")  # typing in the field clears its message
    assert not window.field_errors["hall_code"].isVisible()
    assert config.read_text(encoding="utf-8") == before and load_credential(terminal.settings) is None


def test_a_refused_code_is_shown_in_words_and_changes_nothing(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
                                                              platform: PlatformServer, zh: None) -> None:
    window, terminal, config = make_window(qtbot, tmp_path, monkeypatch)
    before = config.read_text(encoding="utf-8")
    window.hall_edit.setText("330106001")
    window.platform_edit.setText(platform.url())
    window.code_edit.setText("ABCD-EFGH-JKLM-NPQR")
    qtbot.mouseClick(window.enroll_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.form_error.isVisible(), timeout=20_000)
    assert "注册码无效、已使用或已过期" in window.form_error.text() and not window.busy
    window.toggle_language()
    assert "The enrollment code is invalid, used or expired" in window.form_error.text()
    assert config.read_text(encoding="utf-8") == before and load_credential(terminal.settings) is None
    assert window.pages.currentIndex() == 0


def test_enroll_then_test_each_device_and_keep_the_list(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
                                                        platform: PlatformServer, printer: PrinterServer,
                                                        zh: None) -> None:
    window, terminal, config = make_window(qtbot, tmp_path, monkeypatch, printer.uri)
    window.hall_edit.setText("330106005")
    window.platform_edit.setText(platform.url())
    window.code_edit.setText(platform.enroll_code("330106005", "kiosk-3", role="kiosk"))
    qtbot.mouseClick(window.enroll_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.pages.currentIndex() == 1, timeout=20_000)
    assert "已注册：大厅 330106005，设备编号 1" in window.enrolled_label.text()
    assert window.code_edit.text() == ""  # a used code does not stay on the screen
    assert "把一张身份证平放在阅读器上" in window.prompts.text()
    assert 'hall_code = "330106005"' in config.read_text(encoding="utf-8")

    with qtbot.waitSignal(window.tested, timeout=30_000) as done:
        qtbot.mouseClick(window.start_button, Qt.MouseButton.LeftButton)
    report = done.args[0]
    assert [r.outcome for r in report.results] == ["pass", "pass", "pass"] and report.ok
    rows = window.rows
    assert rows["printer"].outcome.text() == "✔ 通过" and "打印机确认" in rows["printer"].reason.text()
    assert "张三" in rows["id_reader"].reason.text()
    assert "✔ 全部设备通过" in window.verdict.text() and window.start_button.text() == "重新检测"
    assert len(printer.printed_jobs()) == 1
    kept = load_report(terminal.settings.home)
    assert kept is not None and kept.enrollment["hall_code"] == "330106005"  # type: ignore[index]

    # the paper runs out; tested again, the printer's line fails in words and says what to do
    from tests.printing.printer_server import PAPER_OUT

    printer.answers = dict(PAPER_OUT)
    with qtbot.waitSignal(window.tested, timeout=30_000) as again:
        qtbot.mouseClick(window.start_button, Qt.MouseButton.LeftButton)
    assert not again.args[0].ok
    assert rows["printer"].outcome.text() == "✘ 未通过" and "打印纸已用完" in rows["printer"].reason.text()
    assert rows["printer"].action.isVisible() and "纸卷" in rows["printer"].action.text()
    assert "✘ 有设备未通过" in window.verdict.text()
    window.toggle_language()
    text = visible_text(window.tests_page)
    assert "✘ Failed" in text and "it is out of paper" in text and "Device tests" in text
    assert "✔ Enrolled: hall 330106005, device number 1, role self-service kiosk" in text


def test_every_state_fits_the_four_screens_in_both_languages(qtbot, tmp_path: Path,  # noqa: ANN001
                                                             monkeypatch: pytest.MonkeyPatch, zh: None) -> None:
    """No text clipped, no control outside the window, at 1080×1920, 1920×1080, 1366×768 and 1280×1024."""
    from tests.ui.layout_audit import audit_walk
    from ui.screenshots import SCREEN_SIZES
    from ui.setup.render_screens import RESULTS, CannedTest, _states

    config = write_config(tmp_path / "onewindow.toml", printer="tcp://10.0.8.21:9100", id_reader="simulator")
    monkeypatch.setenv("ONEWINDOW_CONFIG", str(config))
    home = tmp_path / "home"
    home.mkdir()
    window = SetupWindow(Terminal.open(load_settings(home), parts=False), [CannedTest(r) for r in RESULTS])
    qtbot.addWidget(window)
    window.show()

    def walk() -> Iterator[str]:
        for name, step in _states(window):
            step()
            yield name

    found = audit_walk(window, walk(), SCREEN_SIZES)
    assert found["screens"] == ["form", "form_errors", "form_refused", "enrolled", "tested", "tested_en"]
    assert found["problems"] == []
    assert [row.state for row in window.rows.values()] == ["fail", "pass", "absent", "pass", "pass"]
