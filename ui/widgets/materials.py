"""A material on the checklist: what it is, its pages as thumbnails, and how to add them.

The row only shows state and asks for actions by signal; the screen that
owns it runs the scan or import off the GUI thread and hands the files back
with `set_files`. Done / missing is said in words and a symbol, not by
colour alone.
"""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.catalog import MATERIAL_FORMS, MaterialSpec
from kiosk.licences.model import REUSED_LABEL, LicenceRef
from kiosk.materials.intake import MaterialFile
from ui.i18n import lang, msg, translate
from ui.images import image_thumbnail, pdf_thumbnail
from ui.text import para
from ui.theme import set_role
from ui.widgets.flow_layout import FlowLayout
from ui.widgets.licence_text import licence_summary

THUMB = QSize(150, 200)


def thumbnail(file: MaterialFile, size: QSize = THUMB) -> QImage:
    """First page as a small image; for a worker thread, and without holding Python's lock (`ui.images`)."""
    if file.media_type == "application/pdf":
        return pdf_thumbnail(file.data, size)
    return image_thumbnail(file.data, size)


class _Page(QFrame):
    def __init__(self, index: int, file: MaterialFile, image: QImage | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        set_role(self, "card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        picture = QLabel()
        picture.setFixedSize(THUMB)
        picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        if image is not None and not image.isNull():
            picture.setPixmap(QPixmap.fromImage(image))
        else:
            picture.setText("PDF" if file.media_type == "application/pdf" else "…")
        layout.addWidget(picture, 0, Qt.AlignmentFlag.AlignHCenter)
        self.pages_label = set_role(QLabel(), "hint")
        self.pages_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.pages_label)
        self.delete_button = set_role(QPushButton(), "danger")
        self.delete_button.setObjectName(f"delete_{index}")
        self.retake_button = QPushButton()
        self.retake_button.setObjectName(f"retake_{index}")
        layout.addWidget(self.retake_button)
        layout.addWidget(self.delete_button)
        self.setFixedWidth(THUMB.width() + 40)
        self.file = file
        self.retranslate()

    def retranslate(self) -> None:
        self.pages_label.setText(translate("Widgets", "Pages: %1").replace("%1", str(self.file.page_count)))
        self.delete_button.setText(translate("Widgets", "Delete"))
        self.retake_button.setText(translate("Widgets", "Retake"))


class MaterialRow(QFrame):
    scan_requested = Signal(str, str)  # material code, source ("scanner" / "camera")
    import_requested = Signal(str)
    delete_requested = Signal(str, int)
    retake_requested = Signal(str, int)
    hand_in_toggled = Signal(str, bool)  # material code, marked "to be handed in at the counter"

    def __init__(self, spec: MaterialSpec, *, can_scan: bool, can_photograph: bool, can_hand_in: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        set_role(self, "card")
        self.setObjectName(f"material_{spec.code}")
        self.spec = spec
        self.files: list[MaterialFile] = []
        self.busy = False
        self.at_counter = False
        self.licence: LicenceRef | None = None  # an electronic licence stands for it: nothing to capture
        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 16, 20, 16)
        outer.setSpacing(10)
        head = QHBoxLayout()
        self.status = QLabel()
        self.status.setObjectName("materialStatus")
        self.name = set_role(QLabel(), "subtitle")
        self.name.setWordWrap(True)
        head.addWidget(self.name, 1)
        head.addWidget(self.status, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(head)
        self.notes = set_role(QLabel(), "hint")
        self.notes.setWordWrap(True)
        outer.addWidget(self.notes)
        self.licence_label = set_role(QLabel(), "ok")
        self.licence_label.setObjectName("licenceLabel")
        self.licence_label.setWordWrap(True)
        outer.addWidget(self.licence_label)
        self.licence_label.hide()
        self.pages = FlowLayout(spacing=12)  # as many thumbnails a line as the width holds
        outer.addLayout(self.pages)
        buttons = FlowLayout(spacing=12)
        self.scan_button = QPushButton()
        self.scan_button.setObjectName(f"scan_{spec.code}")
        self.camera_button = QPushButton()
        self.camera_button.setObjectName(f"camera_{spec.code}")
        self.import_button = QPushButton()
        self.import_button.setObjectName(f"import_{spec.code}")
        self.scan_button.clicked.connect(lambda: self.scan_requested.emit(spec.code, "scanner"))
        self.camera_button.clicked.connect(lambda: self.scan_requested.emit(spec.code, "camera"))
        self.import_button.clicked.connect(lambda: self.import_requested.emit(spec.code))
        # where nothing can capture it, the citizen may bring the paper to the counter instead
        self.counter_button = QPushButton()
        self.counter_button.setObjectName(f"hand_in_{spec.code}")
        self.counter_button.setCheckable(True)
        self.counter_button.toggled.connect(lambda on: self.hand_in_toggled.emit(spec.code, on))
        self._can_hand_in = can_hand_in
        self._can_scan, self._can_photograph = can_scan, can_photograph
        for b in (self.scan_button, self.camera_button, self.import_button, self.counter_button):
            buttons.addWidget(b)
        outer.addLayout(buttons)  # placed first: a parentless widget made visible flashes up as a window
        self.scan_button.setVisible(can_scan)
        self.camera_button.setVisible(can_photograph)
        self.counter_button.setVisible(can_hand_in)
        self.message = set_role(QLabel(), "error")
        self.message.setWordWrap(True)
        self.message.hide()
        outer.addWidget(self.message)
        self._message_text: object = None
        self._page_widgets: list[_Page] = []
        self.retranslate()

    @property
    def done(self) -> bool:
        return bool(self.files)

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        for b in (self.scan_button, self.camera_button, self.import_button, self.counter_button):
            b.setEnabled(not busy)
        self._render_status()

    def set_licence(self, ref: LicenceRef | None) -> None:
        """An electronic licence stood for this material (已调用电子证照，免提交): its copy is the file, and
        there is nothing to scan, import, retake or hand in."""
        self.licence = ref
        reused = ref is not None
        self.scan_button.setVisible(self._can_scan and not reused)
        self.camera_button.setVisible(self._can_photograph and not reused)
        self.import_button.setVisible(not reused)
        self.counter_button.setVisible((self._can_hand_in or self.at_counter) and not reused)
        self.licence_label.setVisible(reused)
        for page in self._page_widgets:
            page.delete_button.setVisible(not reused)
            page.retake_button.setVisible(not reused)
        self.retranslate()

    def set_at_counter(self, on: bool) -> None:
        """Shown as its own state, in words: the material is not missing, it comes to the counter."""
        self.at_counter = on
        if self.counter_button.isChecked() != on:
            self.counter_button.blockSignals(True)
            self.counter_button.setChecked(on)
            self.counter_button.blockSignals(False)
        self.counter_button.setVisible((self._can_hand_in or on) and self.licence is None)
        self._render_status()
        self.retranslate_counter_button()

    def retranslate_counter_button(self) -> None:
        self.counter_button.setText(translate("Widgets", "Not at the counter after all") if self.at_counter
                                    else translate("Widgets", "Hand in at the counter"))

    def set_files(self, files: list[MaterialFile], images: list[QImage | None]) -> None:
        self.files = list(files)
        for w in self._page_widgets:
            w.setParent(None)
            w.deleteLater()
        self._page_widgets = []
        for index, (file, image) in enumerate(zip(files, images)):
            page = _Page(index, file, image)
            page.delete_button.clicked.connect(lambda _=False, i=index: self.delete_requested.emit(self.spec.code, i))
            page.retake_button.clicked.connect(lambda _=False, i=index: self.retake_requested.emit(self.spec.code, i))
            page.delete_button.setVisible(self.licence is None)
            page.retake_button.setVisible(self.licence is None)
            self.pages.addWidget(page)
            self._page_widgets.append(page)
        self._render_status()

    def show_message(self, text_getter: object) -> None:
        """`text_getter` is a callable giving the text in the current language, or None to clear."""
        self._message_text = text_getter
        self._render_message()

    def _render_message(self) -> None:
        if callable(self._message_text):
            self.message.setText(para("✖ " + self._message_text()))
            self.message.show()
        else:
            self.message.hide()

    def _render_status(self) -> None:
        if self.busy:
            text = "⏳ " + translate("Widgets", "Working…")
            role = "hint"
        elif self.licence is not None:
            text = "✔ " + msg(REUSED_LABEL)
            role = "ok"
        elif self.files:
            text = "✔ " + translate("Widgets", "Provided")
            role = "ok"
        elif self.at_counter:
            text = "➜ " + translate("Widgets", "To hand in at the counter")
            role = "ok"
        elif self.spec.required:
            text = "✖ " + translate("Widgets", "Still needed")
            role = "error"
        else:
            text = "○ " + translate("Widgets", "Optional")
            role = "hint"
        set_role(self.status, role)  # the role's font first, so the label measures the text in it
        self.status.setText(text)

    def retranslate(self) -> None:
        kind = MATERIAL_FORMS[self.spec.form].text(lang())
        need = translate("Widgets", "Required") if self.spec.required else translate("Widgets", "Optional")
        copies = translate("Widgets", "Copies: %1").replace("%1", str(self.spec.copies))
        self.name.setText(para(self.spec.name.get(lang()), bold=True))
        self.notes.setText(para(f"{need} · {kind} · {copies}\n{self.spec.notes.get(lang())}"))
        self.scan_button.setText(translate("Widgets", "Scan"))
        self.camera_button.setText(translate("Widgets", "Photograph"))
        self.import_button.setText(translate("Widgets", "Import a file"))
        self.retranslate_counter_button()
        if self.licence is not None:
            self.licence_label.setText(para(translate("Widgets", "Electronic licence: %1")
                                            .replace("%1", licence_summary(self.licence))))
        for page in self._page_widgets:
            page.retranslate()
        self._render_status()
        self._render_message()
