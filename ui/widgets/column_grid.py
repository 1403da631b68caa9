"""Equal columns, as many as the widest item allows at the layout's real width.

Choosing a column count when a screen is built guesses at a width the
window may never have (the screen's, before the window is shown, or a
portrait screen's after a landscape one). This layout decides each time it
is laid out: the most columns (up to `max_columns`) in which the widest
item keeps its natural width; with one column, items get the whole width
and a `WrapButton` wraps its words.
"""
from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget

from ui.widgets.flow_layout import place_item
from ui.widgets.layout_cache import ArrangedLayout


class ColumnGrid(ArrangedLayout, QLayout):
    def __init__(self, parent: QWidget | None = None, *, max_columns: int = 3, spacing: int = 12,
                 column_width: int | None = None, full_rows: bool = False) -> None:
        """`column_width`: the narrowest a column may be, instead of the widest item's natural width.
        `full_rows`: only as many columns as fill every row, for items read in order (numbered steps read
        across or down, never two and then one)."""
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.max_columns = max(1, max_columns)
        self.column_width = column_width
        self.full_rows = full_rows
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt's name
        self._items.append(item)
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt's name
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt's name
        if not 0 <= index < len(self._items):
            return None
        item = self._items.pop(index)
        self.invalidate()
        return item

    def clear(self) -> None:
        """Forget every item (the widgets stay with their owner)."""
        while self._items:
            self.takeAt(0)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return self.cached_size("hint", self._size_hint)

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt's name
        return self.cached_size("least", self._least_size)

    def _size_hint(self) -> QSize:
        items = self._visible()
        if not items:
            return QSize(0, 0)
        columns = min(self.max_columns, len(items))
        widest = max(i.sizeHint().width() if self.column_width is None else self.column_width for i in items)
        width = columns * widest + (columns - 1) * self._spacing
        m = self.contentsMargins()
        return QSize(width + m.left() + m.right(), self.heightForWidth(width + m.left() + m.right()))

    def _least_size(self) -> QSize:
        items = self._visible()
        m = self.contentsMargins()
        width = max((i.minimumSize().width() for i in items), default=0)
        height = max((i.minimumSize().height() for i in items), default=0)
        return QSize(width + m.left() + m.right(), height + m.top() + m.bottom())

    def columns_for(self, width: int) -> int:
        """How many columns `width` pixels hold."""
        items = self._visible()
        if not items:
            return 1
        widest = max(max(i.sizeHint().width() if self.column_width is None else self.column_width,
                         i.minimumSize().width()) for i in items)
        for columns in range(min(self.max_columns, len(items)), 1, -1):
            if self.full_rows and len(items) % columns:
                continue
            if columns * widest + (columns - 1) * self._spacing <= width:
                rows = -(-len(items) // columns)
                return -(-len(items) // rows)  # as few columns as give that many rows: 3 + 2, not 4 + 1
        return 1

    def _visible(self) -> list[QLayoutItem]:
        return [i for i in self._items if not i.isEmpty()]

    def _arrange(self, rect: QRect, *, apply: bool) -> int:
        m = self.contentsMargins()
        area = rect.marginsRemoved(m)
        width = max(1, area.width())
        items = self._visible()
        columns = self.columns_for(width)
        cell = (width - (columns - 1) * self._spacing) // columns
        y = area.y()
        for start in range(0, len(items), columns):
            row = items[start:start + columns]
            heights = [max(i.heightForWidth(cell), i.minimumSize().height()) if i.hasHeightForWidth()
                       else i.sizeHint().height() for i in row]
            row_height = max(heights)
            if start:
                y += self._spacing
            if apply:
                for index, item in enumerate(row):
                    x = area.x() + index * (cell + self._spacing)
                    place_item(item, QRect(QPoint(x, y), QSize(cell, row_height)))
            y += row_height
        return y - area.y() + m.top() + m.bottom()
