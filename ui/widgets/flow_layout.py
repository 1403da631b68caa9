"""A row of widgets that wraps onto more lines when the window is narrow.

A kiosk runs on whatever screen the hall bought: a 1080-pixel-wide portrait
terminal cannot hold the top bar's buttons, or a toolbar's, on one line in
large text. A `QHBoxLayout` then squeezes the buttons until their words are
cut; this layout keeps every item at its natural width and starts a new line
instead. An item added with `stretch=True` takes the rest of its line (the
hall name in the top bar); otherwise each line is aligned left or right.
"""
from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget, QWidgetItem

from ui.widgets.layout_cache import ArrangedLayout


class FlowLayout(ArrangedLayout, QLayout):
    def __init__(self, parent: QWidget | None = None, *, spacing: int = 12, line_spacing: int | None = None,
                 align_right: bool = False) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._stretch: set[int] = set()  # ids of items that fill the rest of their line
        self._spacing = spacing
        self._line_spacing = spacing if line_spacing is None else line_spacing
        self.align_right = align_right
        self.setContentsMargins(0, 0, 0, 0)

    # --- QLayout's item bookkeeping -----------------------------------------------------------
    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt's name
        self._items.append(item)
        self.invalidate()

    def add(self, widget: QWidget, *, stretch: bool = False) -> QWidget:
        """Add `widget`; with `stretch` it takes whatever width its line has left."""
        self.addChildWidget(widget)
        item = QWidgetItem(widget)
        if stretch:
            self._stretch.add(id(widget))
        self.addItem(item)
        return widget

    def add_stretch(self) -> None:
        """Empty room that takes what its line has left: pushes what follows to the right edge."""
        spacer = QWidget()
        spacer.setObjectName("flowStretch")
        spacer.setFixedHeight(1)
        self.add(spacer, stretch=True)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt's name
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt's name
        if not 0 <= index < len(self._items):
            return None
        item = self._items.pop(index)
        widget = item.widget()
        if widget is not None:
            self._stretch.discard(id(widget))
        self.invalidate()
        return item

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """Everything on one line: what the layout would like when there is room."""
        return self.cached_size("hint", self._size_hint)

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt's name
        """The widest single item; the height a given width needs comes from `heightForWidth`."""
        return self.cached_size("least", self._least_size)

    def _size_hint(self) -> QSize:
        items = self._visible()
        width = sum(i.sizeHint().width() for i in items) + self._spacing * max(0, len(items) - 1)
        height = max((i.sizeHint().height() for i in items), default=0)
        return self._with_margins(QSize(width, height))

    def _least_size(self) -> QSize:
        items = self._visible()
        width = max((i.minimumSize().width() for i in items), default=0)
        height = max((i.minimumSize().height() for i in items), default=0)
        return self._with_margins(QSize(width, height))

    # --- placing ---------------------------------------------------------------------------------
    def _visible(self) -> list[QLayoutItem]:
        return [i for i in self._items if not i.isEmpty()]

    def _with_margins(self, size: QSize) -> QSize:
        m: QMargins = self.contentsMargins()
        return QSize(size.width() + m.left() + m.right(), size.height() + m.top() + m.bottom())

    def _is_stretch(self, item: QLayoutItem) -> bool:
        widget = item.widget()
        return widget is not None and id(widget) in self._stretch

    @staticmethod
    def _height(item: QLayoutItem, width: int) -> int:
        if item.hasHeightForWidth():
            return max(item.heightForWidth(width), item.minimumSize().height())
        return item.sizeHint().height()

    def _lines(self, width: int) -> list[list[tuple[QLayoutItem, int]]]:
        lines: list[list[tuple[QLayoutItem, int]]] = []
        line: list[tuple[QLayoutItem, int]] = []
        used = 0
        for item in self._visible():
            wanted = min(max(item.sizeHint().width(), item.minimumSize().width()), width)
            if line and used + self._spacing + wanted > width:
                lines.append(line)
                line, used = [], 0
            used += (self._spacing if line else 0) + wanted
            line.append((item, wanted))
        if line:
            lines.append(line)
        return lines

    def _arrange(self, rect: QRect, *, apply: bool) -> int:
        m = self.contentsMargins()
        area = rect.marginsRemoved(m)
        width = max(1, area.width())
        y = area.y()
        for number, line in enumerate(self._lines(width)):
            used = sum(w for _i, w in line) + self._spacing * (len(line) - 1)
            spare = max(0, width - used)
            stretchers = [i for i, _w in line if self._is_stretch(i)]
            widths = [w + (spare // len(stretchers) if self._is_stretch(i) else 0) if stretchers else w
                      for i, w in line]
            heights = [self._height(i, w) for (i, _w), w in zip(line, widths)]
            line_height = max(heights)
            if number:
                y += self._line_spacing
            if apply:
                x = area.x() + (spare if self.align_right and not stretchers else 0)
                for (item, _w), w, h in zip(line, widths, heights):
                    place_item(item, QRect(QPoint(x, y + (line_height - h) // 2), QSize(w, h)))
                    x += w + self._spacing
            y += line_height
        return y - area.y() + m.top() + m.bottom()


def place_item(item: QLayoutItem, rect: QRect) -> None:
    """Move an item only when it moves: every void call through PySide6 6.12 on Python 3.11 costs a
    reference to None, and layouts are laid out often."""
    if item.geometry() != rect:
        item.setGeometry(rect)
