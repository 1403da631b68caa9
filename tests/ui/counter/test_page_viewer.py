"""The page viewer shows a page at once, scaled the fast way, and the smooth version when a job has made it."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage

from ui.counter.viewer import PageViewer
from ui.images import smooth_scaled


def _page() -> QImage:
    """Fine stripes: nearest-pixel and smooth scaling give different pictures."""
    image = QImage(1200, 1600, QImage.Format.Format_RGB32)
    for x in range(image.width()):
        colour = QColor(Qt.GlobalColor.black if x % 3 == 0 else Qt.GlobalColor.white)
        for y in range(0, image.height(), 40):
            image.setPixelColor(x, y, colour)
    return image


def test_a_page_is_shown_at_once_and_then_smooth(qtbot: Any) -> None:
    viewer = PageViewer()
    qtbot.addWidget(viewer)
    viewer.resize(700, 800)
    viewer.show()
    qtbot.waitExposed(viewer)
    page = _page()
    viewer.set_pages([page], ["p1"])
    shown = viewer.picture.pixmap().toImage()
    zoom = viewer.effective_zoom()
    size = (round(page.width() * zoom), round(page.height() * zoom))
    assert (shown.width(), shown.height()) == size  # the right size at once
    smooth = smooth_scaled(page, *size)  # Pillow's (`ui.images`), which lets go of Python's lock meanwhile
    assert (smooth.width(), smooth.height()) == size
    assert shown.convertToFormat(smooth.format()) != smooth  # the fast one first
    qtbot.waitUntil(lambda: viewer.picture.pixmap().toImage().convertToFormat(smooth.format()) == smooth)
    # the smooth one is kept: back at this zoom after another, it is shown at once
    viewer.step_zoom(1)
    viewer.set_mode("page")
    assert viewer.picture.pixmap().toImage().convertToFormat(smooth.format()) == smooth


def test_another_materials_pages_drop_the_smooth_ones(qtbot: Any) -> None:
    viewer = PageViewer()
    qtbot.addWidget(viewer)
    viewer.resize(700, 800)
    viewer.show()
    viewer.set_pages([_page()], ["p1"])
    qtbot.waitUntil(lambda: len(viewer._smooth) == 1)
    viewer.set_placeholder(lambda: "Loading…")
    assert not viewer._smooth and viewer.picture.pixmap().isNull()
