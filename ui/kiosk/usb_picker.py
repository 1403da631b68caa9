"""Choosing a file from a USB stick by touch: only the sticks and their pictures, never the file system.

Replaces the desktop file dialog on the kiosk (English, small, and open onto
the whole machine). It is drawn over the window like the idle overlay, so
the idle countdown still comes on top of it and a touch on it counts as
activity. With no stick it says so in large words and keeps looking: the
citizen plugs the stick in and the files appear. What is listed and what
may be chosen is decided by `kiosk.devices.removable_media`; listing and
thumbnails run in jobs, since a slow stick must not freeze the screen.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import QFrame, QGridLayout, QScrollArea, QToolButton, QWidget

from kiosk.devices.removable_media import MediaFile, Medium, importable_files, is_on_medium, list_media
from ui.i18n import translate
from ui.jobs import run_job
from ui.images import pil_thumbnail
from ui.text import para
from ui.theme import set_role
from ui.widgets import builders
from ui.widgets.builders import centred_card, label

POLL_MS = 1000
TILE = QSize(200, 240)
COLUMNS = 4
THUMBNAIL_MAX_BYTES = 15 * 1024 * 1024
MAX_THUMBNAILS = 40


def _thumbnail(file: MediaFile) -> QImage:
    """A small picture of an image file, made on a worker thread (`ui.images`: Pillow, without Python's lock);
    PDFs get a labelled tile instead."""
    if file.kind != "image" or file.size > THUMBNAIL_MAX_BYTES:
        return QImage()
    try:
        from PIL import Image

        with Image.open(file.path) as img:
            return pil_thumbnail(img, TILE)
    except Exception:  # noqa: BLE001 - a file that will not open shows its name; importing it explains why
        return QImage()


def _scan(root: Path, max_bytes: int) -> list[tuple[Medium, list[MediaFile]]]:
    return [(m, importable_files(m, max_bytes=max_bytes)) for m in list_media(root)]


class UsbPicker(QFrame):
    """The overlay; `chosen(path)` when the citizen taps a file, `closed()` when they leave either way."""

    chosen = Signal(Path)
    closed = Signal()

    # where /proc/mounts, /sys and the mount points are read from (tests point this at a fake tree)
    media_root: Path = Path("/")

    def __init__(self, parent: QWidget, max_bytes: int) -> None:
        super().__init__(parent)
        self.setObjectName("usbPicker")
        set_role(self, "overlay")
        self.max_bytes = max_bytes
        layout = centred_card(self, "overlayBox", width=(900, 1400), margins=(40, 32), spacing=20)
        self.heading = label("title")
        self.status = label("subtitle", name="usbStatus")
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setSpacing(16)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(self.grid_host)
        self.scroll.setMinimumHeight(TILE.height() + 80)
        self.cancel_button = builders.button("usbCancel", self.cancel)
        for w in (self.heading, self.status, self.scroll):
            layout.addWidget(w)
        layout.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignRight)
        self.tiles: dict[Path, QToolButton] = {}
        self.media: list[tuple[Medium, list[MediaFile]]] = []
        self._listing = False
        self._shown: tuple[tuple[str, tuple[str, ...]], ...] | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.refresh)
        self.retranslate()

    # --- opening and closing ----------------------------------------------------------------------
    @classmethod
    def pick(cls, parent: QWidget, max_bytes: int, done: Callable[[Path], None]) -> "UsbPicker":
        """Cover `parent`'s window and call `done(path)` if the citizen chooses a file."""
        host = parent.window()
        central = getattr(host, "centralWidget", None)
        over = central() if callable(central) and central() is not None else host
        picker = cls(over, max_bytes)
        picker.chosen.connect(done)
        picker.open()
        return picker

    def open(self) -> None:
        self.setGeometry(self.parentWidget().rect())
        self.parentWidget().installEventFilter(self)
        self.raise_()
        self.show()
        self.refresh()
        self.timer.start()

    def cancel(self) -> None:
        self._close()

    def _close(self) -> None:
        self.timer.stop()
        self.hide()
        self.closed.emit()
        self.deleteLater()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """Cover the window whatever its size (a rotation, a resolution change)."""
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.parentWidget().rect())
        return False

    # --- listing ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        if self._listing:
            return
        self._listing = True
        root, max_bytes = self.media_root, self.max_bytes
        run_job("kiosk-usb-list", lambda: _scan(root, max_bytes), on_done=self._listed, on_error=self._list_failed)

    def _alive(self) -> bool:
        return shiboken6.isValid(self) and self.isVisible()

    def _list_failed(self, _exc: BaseException) -> None:
        if shiboken6.isValid(self):
            self._listing = False
            if self.isVisible():
                self._listed([])

    def _listed(self, media: list[tuple[Medium, list[MediaFile]]]) -> None:
        if not shiboken6.isValid(self):
            return
        self._listing = False
        if not self.isVisible():
            return
        key = tuple((str(m.path), tuple(str(f.path) for f in files)) for m, files in media)
        if key == self._shown:
            return  # nothing changed: the tiles (and their thumbnails) stay
        self._shown = key
        self.media = media
        self._render()

    def _render(self) -> None:
        for tile in self.tiles.values():
            tile.setParent(None)
            tile.deleteLater()
        self.tiles = {}
        files = [f for _, fs in self.media for f in fs]
        for index, file in enumerate(files):
            tile = QToolButton()
            tile.setObjectName(f"usbFile_{index}")
            tile.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            tile.setIconSize(QSize(TILE.width(), TILE.height() - 50))
            tile.setFixedSize(TILE.width() + 40, TILE.height() + 40)
            name = ("PDF · " if file.kind == "pdf" else "") + file.path.name
            tile.setText(tile.fontMetrics().elidedText(name, Qt.TextElideMode.ElideMiddle, TILE.width()))
            tile.setToolTip(f"{file.medium.name}/{file.relative}")
            tile.setAccessibleName(file.path.name)
            tile.clicked.connect(lambda _=False, f=file: self._choose(f))
            self.grid.addWidget(tile, index // COLUMNS, index % COLUMNS)
            self.tiles[file.path] = tile
        self._render_status()
        wanted = [f for f in files if f.kind == "image"][:MAX_THUMBNAILS]
        if wanted:
            run_job("kiosk-usb-thumbnails", lambda: [(f.path, _thumbnail(f)) for f in wanted],
                    on_done=self._thumbnails)

    def _thumbnails(self, images: list[tuple[Path, QImage]]) -> None:
        if not shiboken6.isValid(self):
            return
        for path, image in images:
            tile = self.tiles.get(path)
            if tile is not None and shiboken6.isValid(tile) and not image.isNull():
                tile.setIcon(QIcon(QPixmap.fromImage(image)))

    def _choose(self, file: MediaFile) -> None:
        if not is_on_medium(file.medium, file.path):
            self.status.setText(para(translate("Kiosk", "This file is no longer on the USB stick. Please choose "
                                                        "another one.")))
            self.refresh()
            return
        self.timer.stop()
        self.hide()
        self.chosen.emit(file.path)
        self.closed.emit()
        self.deleteLater()

    # --- words ------------------------------------------------------------------------------------
    def _render_status(self) -> None:
        if not self.media:
            text = translate("Kiosk", "Please insert a USB stick (U disk). Its pictures and PDF files will "
                                      "appear here.")
        elif not any(files for _, files in self.media):
            names = "、".join(m.name for m, _ in self.media)
            text = translate("Kiosk", "No pictures or PDF files were found on the USB stick %1.").replace("%1", names)
        else:
            names = "、".join(m.name for m, _ in self.media)
            text = translate("Kiosk", "USB stick %1: tap the file to use.").replace("%1", names)
        self.status.setText(para(text))

    def retranslate(self) -> None:
        self.heading.setText(translate("Kiosk", "Import from a USB stick"))
        self.cancel_button.setText(translate("Kiosk", "Cancel"))
        self._render_status()

