"""The work list as a model of texts (`ui.counter.cell_table`): the view asks only for the rows it shows, every
column is as wide as its widest text, urgency keeps its words with its colours, and a double-click, Enter or
the open button opens the case on that row."""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QHeaderView

from ui.counter.cell_table import Cell, CellTableModel, fit_columns_to_texts, make_cell_view
from ui.counter.common import URGENCY_BACKGROUNDS, URGENCY_COLOURS

HEADERS = ["期限 Deadline", "回执编号 Receipt no.", "事项 Service item", "申请人 Applicant"]


class CountingModel(CellTableModel):
    def __init__(self) -> None:
        super().__init__(HEADERS)
        self.rows_asked: set[int] = set()

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201
        self.rows_asked.add(index.row())
        return super().data(index, role)


def rows(n: int, long_name: str = "张三") -> list[list[Cell]]:
    return [[Cell("⛔ 逾期 2 个工作日 / overdue by 2 working days", "error") if i % 7 == 0 else Cell("✔ 5 个工作日"),
             Cell(f"330106001-001-20261130-{i:04d}"), Cell("居民身份证换领 ID card renewal"),
             Cell(long_name if i == n - 1 else "张三")] for i in range(n)]


def test_a_refill_of_a_thousand_cases_asks_only_for_the_rows_on_screen(qtbot) -> None:  # noqa: ANN001
    model = CountingModel()
    view = make_cell_view(model)
    qtbot.addWidget(view)
    view.resize(1200, 600)
    view.show()
    qtbot.waitExposed(view)
    model.set_rows(rows(1000))
    fit_columns_to_texts(view, model, stretch=2)
    qtbot.wait(20)  # the view lays the rows out in the next turn
    model.rows_asked.clear()
    view.grab()  # paints what is on screen
    on_screen = view.viewport().height() // view.verticalHeader().defaultSectionSize() + 2
    assert 0 < len(model.rows_asked) <= on_screen < 1000


def test_every_column_is_as_wide_as_its_widest_text_and_header(qtbot) -> None:  # noqa: ANN001
    model = CellTableModel(HEADERS)
    view = make_cell_view(model)
    qtbot.addWidget(view)
    view.resize(1900, 600)
    view.show()
    long_name = "欧阳娜娜·买买提·阿卜杜拉 Ouyang Nana Maimaiti Abdula"
    model.set_rows(rows(50, long_name))
    fit_columns_to_texts(view, model, stretch=2)
    metrics = view.fontMetrics()
    assert view.columnWidth(3) >= metrics.horizontalAdvance(long_name)
    assert view.columnWidth(1) >= metrics.horizontalAdvance("330106001-001-20261130-0049")
    assert view.horizontalHeader().sectionResizeMode(2) == QHeaderView.ResizeMode.Stretch
    narrow = view.columnWidth(3)
    model.set_rows(rows(3))  # a refresh with shorter names: the column shrinks back
    fit_columns_to_texts(view, model, stretch=2)
    assert view.columnWidth(3) < narrow


def test_urgency_keeps_its_words_and_its_colours_repeat_them(qtbot) -> None:  # noqa: ANN001
    model = CellTableModel(HEADERS)
    model.set_rows(rows(8))
    overdue, on_track = model.index(0, 0), model.index(1, 0)
    assert overdue.data() == overdue.data(Qt.ItemDataRole.ToolTipRole) and "逾期" in overdue.data()
    assert overdue.data(Qt.ItemDataRole.ForegroundRole).color().name() == URGENCY_COLOURS["error"]
    assert overdue.data(Qt.ItemDataRole.BackgroundRole).color().name() == URGENCY_BACKGROUNDS["error"]
    assert overdue.data(Qt.ItemDataRole.FontRole).bold()
    assert on_track.data(Qt.ItemDataRole.ForegroundRole) is None and on_track.data(Qt.ItemDataRole.FontRole) is None
    assert model.headerData(1, Qt.Orientation.Horizontal) == HEADERS[1]
    model.set_headers(["a", "b", "c", "d"])
    assert model.headerData(1, Qt.Orientation.Horizontal) == "b"
