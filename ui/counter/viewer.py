"""A material's pages one at a time, with zoom: fit the page, fit the width, or 25 % to 400 %.

Pages arrive as `QImage`s rendered off the GUI thread (`ui.counter.pages`).
Scaling a page smoothly to the zoom took the GUI thread 10–20 ms at each
material, page and zoom change (issue 10), so a page is shown at once scaled
the fast way (nearest pixel, a millisecond) and the smooth one is made by a
job and takes its place when ready; the last few smooth ones are kept, so
going back to a page or a zoom shows it smooth at once. A QImage may be read
on a worker thread (it is not a GUI-only type like QPixmap).
"""
from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap, QWheelEvent
from PySide6.QtWidgets import QLabel, QPushButton, QScrollArea, QWidget

from ui.i18n import translate
from ui.images import smooth_scaled
from ui.jobs import run_job
from ui.theme import set_role
from ui.widgets.box_layouts import FlexibleVBoxLayout
from ui.widgets.flow_layout import FlowLayout

ZOOM_STEPS = (0.25, 0.33, 0.5, 0.67, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0)
SMOOTH_KEPT = 4  # smoothly scaled pages kept, of the material shown only (a few MB; a citizen's documents)


class _PageArea(QScrollArea):
    zoom_wheel = Signal(int)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt's name
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_wheel.emit(1 if event.angleDelta().y() > 0 else -1)
            event.accept()
            return
        super().wheelEvent(event)


class PageViewer(QWidget):
    page_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pages: list[QImage] = []
        self.captions: list[str] = []
        self.index = 0
        self.mode = "page"  # "page", "width" or "fixed"
        self.zoom = 1.0
        self._state: object = None  # callable giving a placeholder text, or None
        self._smooth: OrderedDict[tuple[int, int, int], QImage] = OrderedDict()  # (image key, w, h) -> scaled
        self._scaling: set[tuple[int, int, int]] = set()  # smooth versions being made by a job
        self._shown: tuple[int, int, int] | None = None  # what the picture shows, fast or smooth
        layout = FlexibleVBoxLayout(self)  # the wrapping toolbar must not make the page area rigid
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        bar = FlowLayout(spacing=8, line_spacing=6)  # page and zoom controls wrap on a narrow viewer
        self.prev_button = QPushButton()
        self.prev_button.setObjectName("prevPage")
        self.next_button = QPushButton()
        self.next_button.setObjectName("nextPage")
        self.page_label = set_role(QLabel(), "subtitle")
        self.page_label.setObjectName("pageLabel")
        self.zoom_out = QPushButton("−")
        self.zoom_out.setObjectName("zoomOut")
        self.zoom_in = QPushButton("+")
        self.zoom_in.setObjectName("zoomIn")
        self.zoom_label = QLabel()
        self.zoom_label.setObjectName("zoomLabel")
        self.zoom_label.setMinimumWidth(70)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.fit_page = set_role(QPushButton(), "tab")
        self.fit_page.setCheckable(True)
        self.fit_width = set_role(QPushButton(), "tab")
        self.fit_width.setCheckable(True)
        self.actual = set_role(QPushButton(), "tab")
        self.actual.setCheckable(True)
        pages, zoom = QWidget(), QWidget()  # each group keeps together while it can; the zoom group wraps under
        for group, widgets in ((pages, (self.prev_button, self.page_label, self.next_button)),
                               (zoom, (self.zoom_out, self.zoom_label, self.zoom_in, self.fit_page, self.fit_width,
                                       self.actual))):
            row = FlowLayout(group, spacing=8, line_spacing=6)
            for w in widgets:
                row.addWidget(w)
        bar.addWidget(pages)
        bar.add_stretch()
        bar.addWidget(zoom)
        layout.addLayout(bar)
        self.caption = set_role(QLabel(), "hint")
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        self.area = _PageArea()
        self.area.setObjectName("pageArea")
        self.area.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture = QLabel()
        self.picture.setObjectName("pagePicture")
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setStyleSheet("color: #ffffff;")
        self.picture.setWordWrap(True)
        self.area.setWidget(self.picture)
        self.area.setWidgetResizable(False)
        layout.addWidget(self.area, 1)
        self.prev_button.clicked.connect(lambda: self.show_page(self.index - 1))
        self.next_button.clicked.connect(lambda: self.show_page(self.index + 1))
        self.zoom_in.clicked.connect(lambda: self.step_zoom(1))
        self.zoom_out.clicked.connect(lambda: self.step_zoom(-1))
        self.fit_page.clicked.connect(lambda: self.set_mode("page"))
        self.fit_width.clicked.connect(lambda: self.set_mode("width"))
        self.actual.clicked.connect(lambda: self.set_zoom(1.0))
        self.area.zoom_wheel.connect(self.step_zoom)
        self.retranslate()

    # --- content -----------------------------------------------------------------------
    def set_placeholder(self, getter: object) -> None:
        """Show words instead of a page (loading, nothing provided, unreadable)."""
        self.pages, self.captions, self.index = [], [], 0
        self._smooth.clear()
        self._state = getter
        self._render()

    def set_pages(self, pages: list[QImage], captions: list[str]) -> None:
        if [p.cacheKey() for p in pages] != [p.cacheKey() for p in self.pages]:
            self._smooth.clear()  # another material: its scaled pages go
        self.pages, self.captions = list(pages), list(captions)
        self._state = None
        self.index = 0
        self._render()

    def show_page(self, index: int) -> None:
        if not self.pages:
            return
        self.index = max(0, min(index, len(self.pages) - 1))
        self._render()
        self.page_changed.emit(self.index)

    # --- zoom --------------------------------------------------------------------------------
    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self._render()

    def set_zoom(self, zoom: float) -> None:
        self.mode = "fixed"
        self.zoom = max(ZOOM_STEPS[0], min(zoom, ZOOM_STEPS[-1]))
        self._render()

    def step_zoom(self, direction: int) -> None:
        current = self.effective_zoom()
        if direction > 0:
            bigger = [z for z in ZOOM_STEPS if z > current + 0.001]
            self.set_zoom(bigger[0] if bigger else ZOOM_STEPS[-1])
        else:
            smaller = [z for z in ZOOM_STEPS if z < current - 0.001]
            self.set_zoom(smaller[-1] if smaller else ZOOM_STEPS[0])

    def effective_zoom(self) -> float:
        if not self.pages:
            return 1.0
        image = self.pages[self.index]
        view = self.area.viewport().size()
        width_zoom = max(0.05, (view.width() - 24) / max(1, image.width()))
        if self.mode == "width":
            return width_zoom
        if self.mode == "page":
            return min(width_zoom, max(0.05, (view.height() - 24) / max(1, image.height())))
        return self.zoom

    def resizeEvent(self, event: object) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)  # type: ignore[arg-type]
        if self.mode != "fixed" or not self.pages:  # a placeholder's words stay centred in the new size
            self._render()

    def _render(self) -> None:
        has = bool(self.pages)
        for w in (self.prev_button, self.next_button, self.zoom_in, self.zoom_out, self.fit_page, self.fit_width,
                  self.actual):
            w.setEnabled(has)
        if not has:
            self._shown = None
            self.picture.setPixmap(QPixmap())
            self.picture.setText(self._state() if callable(self._state) else "")
            self.picture.resize(self.area.viewport().size())
            self.page_label.setText("")
            self.zoom_label.setText("")
            self.caption.setText("")
        else:
            image = self.pages[self.index]
            zoom = self.effective_zoom()
            size = (max(1, round(image.width() * zoom)), max(1, round(image.height() * zoom)))
            key = (image.cacheKey(), *size)
            scaled = self._smooth.get(key)
            if scaled is None:
                scaled = image.scaled(*size, Qt.AspectRatioMode.KeepAspectRatio,
                                      Qt.TransformationMode.FastTransformation)
                self._scale_smoothly(image, key)
            else:
                self._smooth.move_to_end(key)
            self.picture.setText("")
            self._shown = key
            self.picture.setPixmap(QPixmap.fromImage(scaled))
            self.picture.resize(max(scaled.width(), self.area.viewport().width()),
                                max(scaled.height(), self.area.viewport().height()))
            self.page_label.setText(translate("Counter", "Page %1 of %2").replace("%1", str(self.index + 1))
                                    .replace("%2", str(len(self.pages))))
            self.zoom_label.setText(f"{round(zoom * 100)} %")
            self.caption.setText(self.captions[self.index] if self.index < len(self.captions) else "")
            self.prev_button.setEnabled(self.index > 0)
            self.next_button.setEnabled(self.index < len(self.pages) - 1)
        self.fit_page.setChecked(self.mode == "page")
        self.fit_width.setChecked(self.mode == "width")
        self.actual.setChecked(self.mode == "fixed" and abs(self.zoom - 1.0) < 0.001)

    def _scale_smoothly(self, image: QImage, key: tuple[int, int, int]) -> None:
        if key in self._scaling:
            return
        self._scaling.add(key)
        width, height = key[1], key[2]
        # Pillow's resampling, not QImage.scaled: Qt would hold Python's lock for the whole scale (`ui.images`)
        run_job("counter-pages-scale", lambda: smooth_scaled(image, width, height),
                on_done=lambda scaled: self._scaled(key, scaled), on_error=lambda _exc: self._scaling.discard(key),
                owner=self)

    def _scaled(self, key: tuple[int, int, int], scaled: QImage) -> None:
        self._scaling.discard(key)
        if key[0] not in {p.cacheKey() for p in self.pages}:
            return  # another material meanwhile
        self._smooth[key] = scaled
        while len(self._smooth) > SMOOTH_KEPT:
            self._smooth.popitem(last=False)
        if self._shown == key and self.pages:  # still the page and zoom on screen: the smooth one takes its place
            self.picture.setPixmap(QPixmap.fromImage(scaled))

    def retranslate(self) -> None:
        self.prev_button.setText("‹ " + translate("Counter", "Previous page"))
        self.next_button.setText(translate("Counter", "Next page") + " ›")
        self.zoom_out.setToolTip(translate("Counter", "Zoom out"))
        self.zoom_in.setToolTip(translate("Counter", "Zoom in"))
        self.fit_page.setText(translate("Counter", "Whole page"))
        self.fit_width.setText(translate("Counter", "Page width"))
        self.actual.setText("100 %")
        self._render()
