"""Remembering "how tall at this width?" until the layout is invalidated, as Qt's own box layouts do.

The wrapping layouts here are Python (`FlowLayout`, `ColumnGrid`,
`HeaderLayout`, the box layouts of `box_layouts`), and Qt asks each of them for
the same width many times in one layout pass; without the memory a screen
change spent most of its time answering again. Their size hint and least size
are remembered the same way (a top bar's status changing its words once had
the bar's tools measured button by button a dozen times). Qt calls
`invalidate()` on a layout whenever anything inside it changes its size hints
(a text, a font, a child shown or hidden), which is when the answers are
forgotten.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRect, QSize, Qt


class HeightForWidthCache:
    """A mixin, before the Qt layout class: `class FlowLayout(HeightForWidthCache, QLayout)`."""

    def cached_height(self, width: int, compute: Callable[[int], int]) -> int:
        heights: dict[int, int] = self.__dict__.setdefault("_heights_for_width", {})
        if width not in heights:
            heights[width] = compute(width)
        return heights[width]

    def cached_size(self, kind: str, compute: Callable[[], QSize]) -> QSize:
        """`kind`: "hint" or "least"; a copy each time, so a caller that changes it changes nothing here."""
        sizes: dict[str, QSize] = self.__dict__.setdefault("_sizes", {})
        if kind not in sizes:
            sizes[kind] = compute()
        return QSize(sizes[kind])

    def invalidate(self) -> None:
        self.__dict__.get("_heights_for_width", {}).clear()
        self.__dict__.get("_sizes", {}).clear()
        super().invalidate()  # type: ignore[misc]


class ArrangedLayout(HeightForWidthCache):
    """A mixin for the Python layouts whose height follows their width, before the Qt layout class.

    The subclass gives `_arrange(rect, apply=)`: it places the items in `rect` (or only measures,
    `apply=False`) and returns the height used; Qt's height-for-width questions and the geometry
    it hands down are answered from it, the heights remembered until the layout is invalidated."""

    def _arrange(self, rect: QRect, *, apply: bool) -> int:
        raise NotImplementedError

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt's name
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        return self.cached_height(width, lambda w: self._arrange(QRect(0, 0, w, 0), apply=False))

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt's name
        if rect != self.geometry():  # type: ignore[attr-defined]
            super().setGeometry(rect)  # type: ignore[misc]
        self._arrange(rect, apply=True)
