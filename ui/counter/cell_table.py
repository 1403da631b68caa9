"""A counter table held as a model of plain texts: the view asks only for the rows it shows.

The work list of a busy hall holds hundreds of cases, and it is refilled after
every decision. As a `QTableWidget` it made an object per cell and sized each
column by asking every row: 45-61 ms of the GUI thread per refresh at 200
waiting cases in `bench/terminal_soak.py`, the soak's ten longest stalls. Here
a refresh replaces a list of texts, the view asks for the cells it paints, and
each column's width is measured once from its texts with the font's metrics
(what Qt's "resize to contents" does, without a call into Python per cell).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QHeaderView, QTableView, QWidget

from ui.counter.common import (URGENCY_BACKGROUND_BRUSHES, URGENCY_BACKGROUNDS, URGENCY_FOREGROUND_BRUSHES,
                               set_up_case_table)

Index = QModelIndex | QPersistentModelIndex
#: room around a cell's text: the style sheet's item padding (8 px a side), the grid line and the focus frame
CELL_PADDING = 24
#: a column never narrower than this, so an empty list still shows its headers readably
MIN_COLUMN = 48
#: the stretch column (the service item's name) keeps room for about this many CJK characters however narrow
STRETCH_FLOOR_CHARS = 8


@dataclass(frozen=True)
class Cell:
    """One cell's words, and the urgency role whose colours repeat what the words say (never colour alone)."""

    text: str
    role: str | None = None


class CellTableModel(QAbstractTableModel):
    def __init__(self, headers: Sequence[str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._headers = list(headers)
        self._rows: list[Sequence[Cell]] = []
        self._bold = QFont()  # only its weight is set: the view's own family and size fill in the rest
        self._bold.setBold(True)

    # --- what the screen sets -------------------------------------------------------------------
    def set_rows(self, rows: list[Sequence[Cell]]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def set_headers(self, headers: Sequence[str]) -> None:
        self._headers = list(headers)
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, max(0, len(self._headers) - 1))

    def text(self, row: int, column: int) -> str:
        return self._rows[row][column].text

    def column_texts(self, column: int) -> list[Cell]:
        return [row[column] for row in self._rows]

    def header(self, column: int) -> str:
        return self._headers[column] if column < len(self._headers) else ""

    # --- what the view asks ---------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's name and default
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's name and default
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        cell = self._rows[index.row()][index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return cell.text  # the tooltip: the whole text where the column elides it
        if cell.role is None:
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            return URGENCY_FOREGROUND_BRUSHES.get(cell.role)
        if role == Qt.ItemDataRole.BackgroundRole:
            return URGENCY_BACKGROUND_BRUSHES.get(cell.role)
        if role == Qt.ItemDataRole.FontRole and cell.role in URGENCY_BACKGROUNDS:
            return self._bold
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt's name
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.header(section)
        return None


def make_cell_view(model: CellTableModel, parent: QWidget | None = None) -> CellTableView:
    """As `ui.counter.common.make_table`, for a model: rows selected whole, nothing editable."""
    view = CellTableView(parent)
    view.setModel(model)
    set_up_case_table(view)
    view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
    return view


def fit_columns_to_texts(view: CellTableView, model: CellTableModel, stretch: int,
                         drop_order: Sequence[int] = ()) -> None:
    """Every column as wide as its widest text (and header), one column takes the rest (`CellTableView`);
    on a narrow window the columns in `drop_order` are hidden, first to last, before any text is cut short.

    Each distinct text is measured once, with the bold font where its role makes it bold."""
    plain = QFontMetrics(view.font())
    bold_font = QFont(view.font())
    bold_font.setBold(True)
    bold = QFontMetrics(bold_font)
    header_font = QFont(view.horizontalHeader().font())
    header_font.setBold(True)  # the style sheet's header sections are bold
    header = QFontMetrics(header_font)
    natural: list[int] = []
    floors: list[int] = []
    for column in range(model.columnCount()):
        heading = header.horizontalAdvance(model.header(column)) + CELL_PADDING
        widest = heading
        seen: set[tuple[str, bool]] = set()
        for cell in model.column_texts(column):
            key = (cell.text, cell.role in URGENCY_BACKGROUNDS)
            if key in seen:
                continue
            seen.add(key)
            widest = max(widest, (bold if key[1] else plain).horizontalAdvance(cell.text) + CELL_PADDING)
        natural.append(max(MIN_COLUMN, widest))
        floors.append(max(MIN_COLUMN, heading))
    # the service item's name keeps room for a few words however narrow the window (a CJK character's width)
    floors[stretch] = min(natural[stretch], max(floors[stretch], plain.horizontalAdvance("国") * STRETCH_FLOOR_CHARS
                                                + CELL_PADDING))
    view.set_widths(natural, floors, stretch, drop_order)


def share_width(natural: Sequence[int], floors: Sequence[int], stretch: int, available: int,
                drop_order: Sequence[int] = ()) -> tuple[list[int], set[int]]:
    """Column widths that fill `available`, and the columns hidden to get there.

    Every column its natural width and the stretch column the rest. Where that does not fit, the columns in
    `drop_order` are hidden one by one (the least needed first) until it does; then, if need be, the widest
    columns give way, each down to its floor, and the stretch column keeps its floor. Below the sum of the
    floors the floors stand and the view scrolls sideways."""
    hidden: set[int] = set()
    budget = available - floors[stretch]

    def shown() -> list[int]:
        return [i for i in range(len(natural)) if i != stretch and i not in hidden]

    for column in drop_order:
        if sum(natural[i] for i in shown()) <= budget:
            break
        hidden.add(column)
    others = shown()
    widths = [0 if i in hidden else natural[i] for i in range(len(natural))]
    if others and sum(natural[i] for i in others) > budget:
        def total(level: float) -> float:
            return sum(min(natural[i], max(floors[i], level)) for i in others)

        low, high = 0.0, float(max(natural[i] for i in others))
        for _ in range(40):  # the level where the widest columns are cut off: total() grows with it
            middle = (low + high) / 2
            low, high = (middle, high) if total(middle) <= budget else (low, middle)
        for i in others:
            widths[i] = int(min(natural[i], max(floors[i], low)))
    widths[stretch] = max(floors[stretch], available - sum(widths[i] for i in others))
    return widths, hidden


class CellTableView(QTableView):
    """A counter table whose columns always fill its width (`share_width`), worked out again whenever the
    width changes, so that no screen shape (1366×768 above all) makes the clerk scroll sideways: the least
    needed columns are hidden first (what they say is on the case itself), then the widest texts are cut
    short. A cut text loses its middle, which keeps both ends of a receipt number; the tooltip holds it whole."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._natural: list[int] = []
        self._floors: list[int] = []
        self._stretch = 0
        self._drop_order: Sequence[int] = ()

    @property
    def natural_widths(self) -> list[int]:
        """Each column's width for its widest text, as last measured (`fit_columns_to_texts`)."""
        return list(self._natural)

    @property
    def floor_widths(self) -> list[int]:
        """How narrow each column may be cut (its header; the stretch column's room for a few words)."""
        return list(self._floors)

    def set_widths(self, natural: list[int], floors: list[int], stretch: int, drop_order: Sequence[int] = ()) -> None:
        self._natural, self._floors, self._stretch, self._drop_order = natural, floors, stretch, drop_order
        self._share()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name; the viewport's resizes too
        super().resizeEvent(event)
        self._share()

    def _share(self) -> None:
        if not self._natural or len(self._natural) != self.horizontalHeader().count():
            return
        sections = self.horizontalHeader()
        widths, hidden = share_width(self._natural, self._floors, self._stretch, self.viewport().width(),
                                     self._drop_order)
        for column, width in enumerate(widths):
            if self.isColumnHidden(column) != (column in hidden):
                self.setColumnHidden(column, column in hidden)
            sections.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            if column not in hidden and sections.sectionSize(column) != width:
                sections.resizeSection(column, width)
