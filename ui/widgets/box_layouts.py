"""Box layouts that answer "how tall for this width?" the way wrapping content needs.

Qt's box layouts treat a child that has a height-for-width (a word-wrapped
label, a wrapping toolbar) as rigid at the height it reports. Two cases
follow, and each needs the opposite answer:

- The content of a vertical scroll area should get the height it *prefers*
  and scroll: otherwise a resizable `QScrollArea` hands it only its minimum,
  and a stylesheet's `min-height` (below a two-line button's real height)
  lets the buttons be squeezed until their second lines are cut.
  `ScrollBodyLayout` answers with the preferred height.
- A window, a screen or a page viewer that stretches should report the
  *least* height it can live with: a normal box reports its preferred
  height, which then becomes a minimum all the way up, and a window with a
  wrapping toolbar somewhere inside cannot shrink to a 768-pixel screen.
  `FlexibleVBoxLayout` and `FlexibleHBoxLayout` answer with the minimum;
  the extra space still goes to their stretchable items.
"""
from __future__ import annotations

from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLayoutItem, QVBoxLayout

from ui.widgets.layout_cache import HeightForWidthCache


class ScrollBodyLayout(HeightForWidthCache, QVBoxLayout):
    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        return self.cached_height(width, self._preferred_height)

    def _preferred_height(self, width: int) -> int:
        if QVBoxLayout.hasHeightForWidth(self):
            return QVBoxLayout.heightForWidth(self, width)
        return self.sizeHint().height()

    def minimumHeightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        return self.heightForWidth(width)


def _least_height(item: QLayoutItem, width: int) -> int:
    return item.heightForWidth(width) if item.hasHeightForWidth() else item.minimumSize().height()


def _visible(layout: QBoxLayout) -> list[tuple[int, QLayoutItem]]:
    found = []
    for index in range(layout.count()):
        item = layout.itemAt(index)
        if item is not None and not item.isEmpty():
            found.append((index, item))
    return found


class FlexibleVBoxLayout(HeightForWidthCache, QVBoxLayout):
    """Computed here rather than with `minimumHeightForWidth()`, which calls back into `heightForWidth()`."""

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        return self.cached_height(width, self._least)

    def _least(self, width: int) -> int:
        m = self.contentsMargins()
        inner = width - m.left() - m.right()
        items = _visible(self)
        spacing = max(0, self.spacing()) * max(0, len(items) - 1)
        return sum(_least_height(item, inner) for _i, item in items) + spacing + m.top() + m.bottom()

    def minimumHeightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        return self.heightForWidth(width)


class FlexibleHBoxLayout(HeightForWidthCache, QHBoxLayout):
    """Side by side: the tallest item's least height at the width it would get (stretch shares the rest)."""

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        return self.cached_height(width, self._least)

    def _least(self, width: int) -> int:
        m = self.contentsMargins()
        items = _visible(self)
        spare = width - m.left() - m.right() - max(0, self.spacing()) * max(0, len(items) - 1)
        widths: dict[int, int] = {}
        stretch_total = 0
        for index, item in items:
            if self.stretch(index) == 0:
                widths[index] = max(item.minimumSize().width(), min(item.sizeHint().width(),
                                                                    item.maximumSize().width()))
                spare -= widths[index]
            else:
                stretch_total += self.stretch(index)
        for index, item in items:
            if index not in widths:
                widths[index] = max(item.minimumSize().width(), spare * self.stretch(index) // max(1, stretch_total))
        tallest = max((_least_height(item, widths[index]) for index, item in items), default=0)
        return tallest + m.top() + m.bottom()

    def minimumHeightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        return self.heightForWidth(width)
