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
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics
from PySide6.QtWidgets import QHeaderView, QTableView, QWidget

from ui.counter.common import URGENCY_BACKGROUNDS, URGENCY_COLOURS, set_up_case_table

Index = QModelIndex | QPersistentModelIndex
#: room around a cell's text: the style sheet's item padding (8 px a side), the grid line and the focus frame
CELL_PADDING = 24
#: a column never narrower than this, so an empty list still shows its headers readably
MIN_COLUMN = 48


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
        self._foreground = {role: QBrush(QColor(colour)) for role, colour in URGENCY_COLOURS.items()}
        self._background = {role: QBrush(QColor(colour)) for role, colour in URGENCY_BACKGROUNDS.items()}
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
            return self._foreground.get(cell.role)
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._background.get(cell.role)
        if role == Qt.ItemDataRole.FontRole and cell.role in self._background:
            return self._bold
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt's name
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.header(section)
        return None


def make_cell_view(model: CellTableModel, parent: QWidget | None = None) -> QTableView:
    """As `ui.counter.common.make_table`, for a model: rows selected whole, nothing editable."""
    view = QTableView(parent)
    view.setModel(model)
    set_up_case_table(view)
    return view


def fit_columns_to_texts(view: QTableView, model: CellTableModel, stretch: int) -> None:
    """Every column as wide as its widest text (and header), one column takes the rest.

    Each distinct text is measured once, with the bold font where its role makes it bold."""
    plain = QFontMetrics(view.font())
    bold_font = QFont(view.font())
    bold_font.setBold(True)
    bold = QFontMetrics(bold_font)
    header_font = QFont(view.horizontalHeader().font())
    header_font.setBold(True)  # the style sheet's header sections are bold
    header = QFontMetrics(header_font)
    sections = view.horizontalHeader()
    for column in range(model.columnCount()):
        if column == stretch:
            sections.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
            continue
        widest = header.horizontalAdvance(model.header(column))
        seen: set[tuple[str, bool]] = set()
        for cell in model.column_texts(column):
            key = (cell.text, cell.role in URGENCY_BACKGROUNDS)
            if key in seen:
                continue
            seen.add(key)
            widest = max(widest, (bold if key[1] else plain).horizontalAdvance(cell.text))
        sections.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        sections.resizeSection(column, max(MIN_COLUMN, widest + CELL_PADDING))
