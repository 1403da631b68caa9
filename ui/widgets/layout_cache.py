"""Remembering "how tall at this width?" until the layout is invalidated, as Qt's own box layouts do.

The wrapping layouts here are Python (`FlowLayout`, `ColumnGrid`,
`HeaderLayout`, the box layouts of `box_layouts`), and Qt asks each of them for
the same width many times in one layout pass; without the memory a screen
change spent most of its time answering again. Qt calls `invalidate()` on a
layout whenever anything inside it changes its size hints (a text, a font, a
child shown or hidden), which is when the answers are forgotten.
"""
from __future__ import annotations

from collections.abc import Callable


class HeightForWidthCache:
    """A mixin, before the Qt layout class: `class FlowLayout(HeightForWidthCache, QLayout)`."""

    def cached_height(self, width: int, compute: Callable[[int], int]) -> int:
        heights: dict[int, int] = self.__dict__.setdefault("_heights_for_width", {})
        if width not in heights:
            heights[width] = compute(width)
        return heights[width]

    def invalidate(self) -> None:
        self.__dict__.get("_heights_for_width", {}).clear()
        super().invalidate()  # type: ignore[misc]
