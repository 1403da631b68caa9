"""The counter's tables are refilled with their columns fixed and sized once after, never item by item while
each column is sized to its contents (every item then measured its column again: 1.7 s of the GUI thread for
a work list of 100 cases; `bench/counter_table_fill.py` prints the figures)."""
from __future__ import annotations

from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem

from ui.counter.common import cell, fill_table, make_table

Mode = QHeaderView.ResizeMode


class WatchedTable(QTableWidget):
    """Records the first column's sizing at every item set."""

    def __init__(self) -> None:
        super().__init__(0, 3)
        self.modes_while_filling: list[Mode] = []

    def setItem(self, row: int, column: int, item: QTableWidgetItem) -> None:  # noqa: N802 - Qt's name
        self.modes_while_filling.append(self.horizontalHeader().sectionResizeMode(0))
        super().setItem(row, column, item)


def test_a_refill_sets_items_with_the_columns_fixed_then_sizes_them_to_the_new_contents(qtbot) -> None:  # noqa: ANN001
    table = WatchedTable()
    qtbot.addWidget(table)
    table.resize(900, 400)
    table.show()
    fill_table(table, ([cell("short"), cell("a"), cell("b")] for _ in range(5)), 5, stretch=1)
    assert table.horizontalHeader().sectionResizeMode(0) == Mode.ResizeToContents
    assert table.horizontalHeader().sectionResizeMode(1) == Mode.Stretch
    narrow = table.columnWidth(0)

    table.modes_while_filling.clear()
    long_text = "a much longer deadline text than before 很长的期限说明"
    fill_table(table, ([cell(long_text), cell("a"), cell("b")] for _ in range(40)), 40, stretch=1)
    assert table.modes_while_filling == [Mode.Fixed] * 120  # no column measured again at each item
    assert table.rowCount() == 40 and table.item(39, 0).text() == long_text
    assert table.horizontalHeader().sectionResizeMode(0) == Mode.ResizeToContents
    qtbot.waitUntil(lambda: table.columnWidth(0) > narrow)  # sized once, to what it holds now
    assert table.columnWidth(0) >= table.fontMetrics().horizontalAdvance(long_text)


def test_a_refill_with_fewer_rows_leaves_none_of_the_old_ones(qtbot) -> None:  # noqa: ANN001
    table = make_table(2)
    qtbot.addWidget(table)
    fill_table(table, ([cell(f"r{i}"), cell("x")] for i in range(10)), 10, stretch=1)
    fill_table(table, ([cell("only"), cell("y")] for _ in range(1)), 1, stretch=1)
    assert table.rowCount() == 1 and table.item(0, 0).text() == "only"
