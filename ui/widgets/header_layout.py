"""A window's top bar: a title (and a line under it) on the left, the tools on the right.

When the title and the tools do not fit side by side (a portrait kiosk, a
1366-pixel laptop panel in large text, English), the title takes the whole
first line and the line under it shares the second line with the tools,
which wrap further if even that is too narrow. Nothing is squeezed, so no
button's words are cut, and the bar grows by one line, not two.
"""
from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QLabel, QLayout, QLayoutItem, QWidget, QWidgetItem

from ui.widgets.flow_layout import place_item
from ui.widgets.layout_cache import ArrangedLayout


class HeaderLabel(QLabel):
    """A title that asks for its width on one line but wraps when the bar is narrower than that."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        metrics = QFontMetrics(self.font())
        m = self.contentsMargins()
        return QSize(metrics.horizontalAdvance(self.text()) + 2 + m.left() + m.right(),
                     metrics.height() + m.top() + m.bottom())


def _height(item: QLayoutItem, width: int) -> int:
    if item.hasHeightForWidth():
        return max(item.heightForWidth(width), item.minimumSize().height())
    return item.sizeHint().height()


class HeaderLayout(ArrangedLayout, QLayout):
    def __init__(self, parent: QWidget, title: QWidget, subtitle: QWidget | None, tools: QWidget, *,
                 spacing: int = 14, line_spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self._line_spacing = line_spacing
        for widget in (title, subtitle, tools):
            if widget is not None:
                self.addChildWidget(widget)
                self._items.append(QWidgetItem(widget))
        self._title = self._items[0]
        self._subtitle = self._items[1] if subtitle is not None else None
        self._tools = self._items[-1]

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt's name
        raise TypeError("HeaderLayout holds exactly its title, subtitle and tools")

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt's name
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt's name
        return None  # the three parts stay for the bar's life

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return self.cached_size("hint", self._size_hint)

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt's name
        return self.cached_size("least", self._least_size)

    def _size_hint(self) -> QSize:
        width = self._names_width() + self._spacing + self._tools.sizeHint().width()
        m = self.contentsMargins()
        width += m.left() + m.right()
        return QSize(width, self.heightForWidth(width))

    def _least_size(self) -> QSize:
        m = self.contentsMargins()
        width = max(i.minimumSize().width() for i in self._items if not i.isEmpty())
        return QSize(width + m.left() + m.right(), self._title.minimumSize().height() + m.top() + m.bottom())

    def _names_width(self) -> int:
        names = [self._title] + ([self._subtitle] if self._subtitle is not None and not self._subtitle.isEmpty()
                                 else [])
        return max(i.sizeHint().width() for i in names)

    def wide(self, width: int) -> bool:
        """Whether the title and the tools fit side by side in `width` (margins excluded)."""
        return self._names_width() + self._spacing + self._tools.sizeHint().width() <= width

    def _arrange(self, rect: QRect, *, apply: bool) -> int:
        m = self.contentsMargins()
        area = rect.marginsRemoved(m)
        width = max(1, area.width())
        x, y = area.x(), area.y()
        subtitle = self._subtitle if self._subtitle is not None and not self._subtitle.isEmpty() else None
        tools_hint = self._tools.sizeHint().width()
        if self.wide(width):
            names_width = width - self._spacing - tools_hint
            title_h = _height(self._title, names_width)
            sub_h = _height(subtitle, names_width) if subtitle is not None else 0
            names_h = title_h + (self._line_spacing // 2 + sub_h if subtitle is not None else 0)
            tools_h = _height(self._tools, tools_hint)
            height = max(names_h, tools_h)
            if apply:
                top = y + (height - names_h) // 2
                place_item(self._title, QRect(QPoint(x, top), QSize(names_width, title_h)))
                if subtitle is not None:
                    place_item(subtitle, QRect(QPoint(x, top + title_h + self._line_spacing // 2),
                                               QSize(names_width, sub_h)))
                place_item(self._tools, QRect(QPoint(x + width - tools_hint, y + (height - tools_h) // 2),
                                              QSize(tools_hint, tools_h)))
            return height + m.top() + m.bottom()
        title_h = _height(self._title, width)
        if apply:
            place_item(self._title, QRect(QPoint(x, y), QSize(width, title_h)))
        y += title_h + self._line_spacing
        sub_w = subtitle.sizeHint().width() if subtitle is not None else 0
        if subtitle is not None and sub_w + self._spacing + tools_hint > width:  # the line under, then the tools
            sub_h = _height(subtitle, width)
            if apply:
                place_item(subtitle, QRect(QPoint(x, y), QSize(width, sub_h)))
            y += sub_h + self._line_spacing
            subtitle, sub_w = None, 0
        tools_w = min(tools_hint, width - (sub_w + self._spacing if subtitle is not None else 0))
        tools_h = _height(self._tools, tools_w)
        sub_h = _height(subtitle, sub_w) if subtitle is not None else 0
        line_h = max(tools_h, sub_h)
        if apply:
            if subtitle is not None:
                place_item(subtitle, QRect(QPoint(x, y + (line_h - sub_h) // 2), QSize(sub_w, sub_h)))
            place_item(self._tools, QRect(QPoint(x + width - tools_w, y + (line_h - tools_h) // 2),
                                          QSize(tools_w, tools_h)))
        y += line_h
        return y - area.y() + m.top() + m.bottom()
