"""The work list as a model of texts (`ui.counter.cell_table`): the view asks only for the rows it shows, every
column is as wide as its widest text, urgency keeps its words with its colours, and a double-click, Enter or
the open button opens the case on that row."""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt

from ui.counter.cell_table import (CELL_PADDING, STRETCH_FLOOR_CHARS, Cell, CellTableModel, fit_columns_to_texts, make_cell_view,
                                   share_width)
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


def roomy(qtbot, view) -> None:  # noqa: ANN001
    """Wide enough for every column's widest text, whatever font an earlier test left on the application
    (a large-text kiosk's makes these columns wider than a 1,900 px table)."""
    chrome = view.width() - view.viewport().width()
    view.resize(chrome + sum(view.natural_widths) + 200, view.height())
    qtbot.waitUntil(lambda: all(view.columnWidth(c) == w for c, w in enumerate(view.natural_widths) if c != 2))


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
    roomy(qtbot, view)
    metrics = view.fontMetrics()
    assert view.columnWidth(3) >= metrics.horizontalAdvance(long_name)
    assert view.columnWidth(1) >= metrics.horizontalAdvance("330106001-001-20261130-0049")
    # the service item takes the rest of the width, exactly
    assert sum(view.columnWidth(c) for c in range(4)) == view.viewport().width()
    assert view.columnWidth(2) > metrics.horizontalAdvance("居民身份证换领 ID card renewal")
    narrow = view.columnWidth(3)
    model.set_rows(rows(3))  # a refresh with shorter names: the column shrinks back
    fit_columns_to_texts(view, model, stretch=2)
    roomy(qtbot, view)
    assert view.columnWidth(3) < narrow


def test_a_narrow_screen_hides_the_least_needed_columns_then_cuts_the_widest(qtbot) -> None:  # noqa: ANN001
    """1366×768 and 1280×1024: the work list's nine columns at their natural widths are wider than the
    window. Columns named for it are hidden first; then the widest give way, down to their headers; the
    service item keeps room to be read; nothing scrolls sideways; a wide window shows everything again."""
    model = CellTableModel(HEADERS)
    view = make_cell_view(model)
    qtbot.addWidget(view)
    view.resize(1900, 400)
    view.show()
    qtbot.waitExposed(view)
    long_name = "欧阳娜娜·买买提·阿卜杜拉 Ouyang Nana Maimaiti Abdula"
    model.set_rows(rows(30, long_name))
    fit_columns_to_texts(view, model, stretch=2, drop_order=(0,))
    roomy(qtbot, view)
    wide = [view.columnWidth(c) for c in range(4)]
    assert not view.isColumnHidden(0)

    def filled() -> bool:  # exactly, and nothing to scroll sideways to (the scroll bar follows a turn later)
        shown = sum(view.columnWidth(c) for c in range(4) if not view.isColumnHidden(c))
        return shown == view.viewport().width() and view.horizontalScrollBar().maximum() == 0

    chrome = view.width() - view.viewport().width()  # frame and vertical scroll bar
    floor = view.floor_widths[2]
    assert floor >= view.fontMetrics().horizontalAdvance("国") * STRETCH_FLOOR_CHARS + CELL_PADDING
    view.resize(chrome + wide[1] + wide[3] + floor + 60, 400)  # room for all but the deadline (wider than 60)
    qtbot.waitUntil(lambda: view.isColumnHidden(0) and filled())
    assert [view.columnWidth(c) for c in (1, 3)] == [wide[1], wide[3]]  # hiding was enough: nothing cut
    view.resize(chrome + wide[1] + wide[3] // 2 + floor, 400)  # narrower still: the widest texts give way
    qtbot.waitUntil(lambda: view.columnWidth(3) < wide[3] and filled())
    assert view.isColumnHidden(0)
    assert view.columnWidth(1) <= wide[1]
    assert all(view.columnWidth(c) >= view.horizontalHeader().fontMetrics().horizontalAdvance(HEADERS[c])
               for c in (1, 3))
    assert view.columnWidth(2) >= view.fontMetrics().horizontalAdvance("国") * STRETCH_FLOOR_CHARS
    assert view.textElideMode() == Qt.TextElideMode.ElideMiddle  # a receipt number keeps both its ends
    assert model.index(29, 3).data(Qt.ItemDataRole.ToolTipRole) == long_name  # whole, where it is cut short
    roomy(qtbot, view)
    qtbot.waitUntil(lambda: not view.isColumnHidden(0) and filled())
    assert [view.columnWidth(c) for c in (0, 1, 3)] == [wide[c] for c in (0, 1, 3)]


def test_share_width_fills_the_width_and_keeps_every_floor() -> None:
    natural, floors = [180, 270, 100, 190, 80, 500], [60, 90, 150, 60, 50, 70]
    assert share_width(natural, floors, 2, 2000) == ([180, 270, 2000 - 1220, 190, 80, 500], set())
    for available in (1400, 1000, 800, 600):
        widths, hidden = share_width(natural, floors, 2, available)
        assert not hidden and sum(widths) == available, (available, widths)
        assert all(w >= f for w, f in zip(widths, floors)), widths
        assert all(w <= n for i, (w, n) in enumerate(zip(widths, natural)) if i != 2), widths
    widths, _ = share_width(natural, floors, 2, 1000)
    assert widths[0] == 180 and widths[4] == 80 and widths[5] < 500  # the widest gave way, the narrow did not
    assert share_width(natural, floors, 2, 300) == (floors, set())  # below the floors: they stand, it scrolls
    # columns to hide: hidden in that order, only as many as needed, and then nothing else is cut
    widths, hidden = share_width(natural, floors, 2, 1220 - 80 + 150, drop_order=(4, 5, 0))
    assert hidden == {4} and widths == [180, 270, 150, 190, 0, 500]
    widths, hidden = share_width(natural, floors, 2, 900, drop_order=(4, 5, 0))
    assert hidden == {4, 5} and widths[2] == 900 - 640 and widths[0] == 180
    widths, hidden = share_width(natural, floors, 2, 400, drop_order=(4, 5, 0))
    assert hidden == {4, 5, 0} and sum(widths) == 400 and widths[1] < 270


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
