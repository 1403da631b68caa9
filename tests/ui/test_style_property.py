"""Style properties: a changed value restyles a shown widget at once, an unchanged one costs no style-sheet pass.

The set-up window's device line is the case that broke once: its outcome's colour comes from a property the
sheet selects on, and it changed colour only because setting its (unchanged) role polished it again."""
from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from kiosk.errors import Message
from kiosk.setup.results import DeviceResult
from ui.setup.rows import DeviceRow
from ui.setup.window import OUTCOME_SHEET
from ui.theme import set_role, set_style_property

SHEET = 'QLabel[state="a"] { color: #ff0000; } QLabel[state="b"] { color: #0000ff; }'


def text_colour(label: QLabel) -> str:
    return label.palette().color(QPalette.ColorRole.WindowText).name()


def shown(qtbot, child: QWidget, sheet: str) -> QWidget:  # noqa: ANN001 - the caller keeps the host alive
    host = QWidget()
    host.setStyleSheet(sheet)
    QVBoxLayout(host).addWidget(child)
    qtbot.addWidget(host)
    host.show()
    qtbot.waitExposed(host)
    return host


def test_a_changed_value_restyles_a_shown_widget_and_an_unchanged_one_does_nothing(qtbot) -> None:  # noqa: ANN001
    label = QLabel("x")
    label.setProperty("state", "a")
    _host = shown(qtbot, label, SHEET)
    assert text_colour(label) == "#ff0000"

    assert set_style_property(label, "state", "b") is True
    assert text_colour(label) == "#0000ff"
    assert set_style_property(label, "state", "b") is False
    assert text_colour(label) == "#0000ff"
    assert set_style_property(label, "state", "a") is True
    assert text_colour(label) == "#ff0000"


def test_set_role_restyles_only_on_a_new_role(qtbot) -> None:  # noqa: ANN001
    label = set_role(QLabel("x"), "plain")
    _host = shown(qtbot, label, 'QLabel[role="plain"] { color: #000000; } QLabel[role="error"] { color: #a3120f; }')
    assert text_colour(label) == "#000000"
    set_role(label, "error")
    assert label.property("role") == "error"
    assert text_colour(label) == "#a3120f"


def test_a_device_line_takes_its_outcome_colour_when_the_result_arrives(qtbot) -> None:  # noqa: ANN001
    row = DeviceRow("printer", Message("打印机", "Printer"))
    _host = shown(qtbot, row, OUTCOME_SHEET)
    row.set_result(DeviceResult("printer", "fail", Message("缺纸", "Out of paper")))
    assert text_colour(row.outcome) == "#a3120f"
    row.set_result(DeviceResult("printer", "pass", Message("正常", "Working")))
    assert text_colour(row.outcome) == "#1b6b2a"
