"""Every material of a service item, captured one by one: scan, photograph or import; delete or retake a page.

Shared by the kiosk's materials step and the counter's walk-in screen, so a
counter accepts exactly what a kiosk accepts. Each capture and import is a
background job through the application layer (`kiosk.usecases.materials`):
the pipeline deskews, cleans and compresses pages, which takes a moment, and
a refused file is explained on its own row in plain words.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.catalog import ServiceItem
from kiosk.licences.model import LicenceRef
from kiosk.materials.intake import MaterialFile
from kiosk.materials.pages import CapturedPage
from kiosk.terminal import Terminal
from kiosk.usecases import materials as material_cases
from ui.dialogs import ImportFileDialog
from ui.errors import message_for
from ui.i18n import msg
from ui.jobs import run_job, run_process_job
from ui.widgets.materials import MaterialRow, thumbnail


# how a screen lets someone pick a file: it calls `done(path)` once a file is chosen (maybe later, never if not)
FileChooser = Callable[[QWidget, Callable[[Path], None]], None]


def desktop_file_chooser(parent: QWidget, done: Callable[[Path], None]) -> None:
    """The counter's way: the desktop file dialog (staff may import from anywhere)."""
    path = ImportFileDialog.ask(parent)
    if path is not None:
        done(path)


class MaterialsPanel(QWidget):
    changed = Signal()  # a page was added or removed, or a material marked for the counter: save the draft
    added = Signal(str)  # a capture or import of this material was added
    failed = Signal(str)  # a capture or import of this material was refused or failed

    def __init__(self, terminal: Terminal, item: ServiceItem, files: dict[str, list[MaterialFile]], *,
                 job_prefix: str, parent: QWidget | None = None, choose_file: FileChooser = desktop_file_chooser,
                 at_counter: set[str] | None = None, can_hand_in: bool = False,
                 on_photograph: Callable[[str], None] | None = None,
                 licences: dict[str, LicenceRef] | None = None) -> None:
        """`files` (and `at_counter`, the materials marked to be handed in at the counter) are the caller's
        own (the citizen's session): the panel edits them in place. `choose_file` picks a file to import;
        `on_photograph`, if given, is what a row's camera button does instead of an immediate capture.
        `licences`: the materials an electronic licence stood for (their file is its copy; read only here)."""
        super().__init__(parent)
        self.terminal = terminal
        self.item = item
        self.files = files
        self.at_counter = at_counter if at_counter is not None else set()
        self.choose_file = choose_file
        self.on_photograph = on_photograph
        self.job_prefix = job_prefix
        self.licences = licences if licences is not None else {}
        self.rows: dict[str, MaterialRow] = {}
        self.images: dict[str, list[QImage | None]] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        devices = terminal.devices
        for spec in item.materials:
            row = MaterialRow(spec, can_scan=devices.scanner is not None, can_photograph=devices.camera is not None,
                              can_hand_in=can_hand_in)
            row.scan_requested.connect(self._capture_requested)
            row.hand_in_toggled.connect(self.set_at_counter)
            row.import_requested.connect(self.import_file)
            row.delete_requested.connect(self.delete_file)
            row.retake_requested.connect(self.retake)
            existing = files.setdefault(spec.code, [])
            self.images[spec.code] = [None] * len(existing)
            row.set_files(existing, self.images[spec.code])
            row.set_at_counter(spec.code in self.at_counter and not existing)
            if spec.code in self.licences:
                row.set_licence(self.licences[spec.code])
            self.rows[spec.code] = row
            layout.addWidget(row)
        if any(files.get(s.code) for s in item.materials):
            self._thumbnails()

    @property
    def busy(self) -> bool:
        return any(r.busy for r in self.rows.values())

    def missing(self) -> list[str]:
        return [s.code for s in self.item.materials
                if s.required and not self.files.get(s.code) and s.code not in self.at_counter]

    def set_at_counter(self, code: str, on: bool) -> None:
        """Mark a material to be handed in at the counter (or take the mark back); a file ends the mark."""
        row = self.rows.get(code)
        if row is None or code in self.licences:
            return
        if on and not self.files.get(code):
            self.at_counter.add(code)
        else:
            self.at_counter.discard(code)
        row.set_at_counter(code in self.at_counter)
        if code in self.at_counter:
            row.show_message(None)
        self.changed.emit()

    def _capture_requested(self, code: str, source: str) -> None:
        if source == "camera" and self.on_photograph is not None:
            self.on_photograph(code)
        else:
            self.capture(code, source)

    def show_missing(self, text: Callable[[], str]) -> MaterialRow | None:
        """Mark every required material still missing; the first row, to scroll to."""
        codes = self.missing()
        for code in codes:
            self.rows[code].show_message(text)
        return self.rows[codes[0]] if codes else None

    def retranslate(self) -> None:
        for row in self.rows.values():
            row.retranslate()

    # --- thumbnails of files that came with a resumed draft ---------------------------------
    def _thumbnails(self) -> None:
        wanted = {code: list(files) for code, files in self.files.items() if files}

        def work() -> dict[str, list[QImage]]:
            return {code: [thumbnail(f) for f in files] for code, files in wanted.items()}

        def done(images: dict[str, list[QImage]]) -> None:
            for code, thumbs in images.items():
                if code in self.rows and len(self.files.get(code, [])) == len(thumbs):
                    self.images[code] = list(thumbs)
                    self.rows[code].set_files(self.files[code], self.images[code])

        run_job(f"{self.job_prefix}-thumbnails", work, on_done=done)

    # --- actions ------------------------------------------------------------------------------
    def _add(self, code: str, new: list[tuple[MaterialFile, QImage]]) -> None:
        row = self.rows.get(code)
        if row is None:
            return
        row.set_busy(False)
        row.show_message(None)
        files = self.files.setdefault(code, [])
        for file, image in new:
            files.append(file)
            self.images[code].append(image)
        row.set_files(files, self.images[code])
        if code in self.at_counter:  # it came after all: no longer to be handed in
            self.at_counter.discard(code)
            row.set_at_counter(False)
        self.changed.emit()
        self.added.emit(code)

    def _failed(self, code: str, exc: BaseException) -> None:
        row = self.rows.get(code)
        if row is not None:
            row.set_busy(False)
            message = message_for(exc)
            row.show_message(lambda m=message: msg(m))
        self.failed.emit(code)

    # Each step where it belongs (README, "Threading model"): the device's wait in a job, the image work in
    # the process pool (its CPU time would otherwise compete with the screen for Python's lock), the
    # thumbnail (a QImage) in a job, and the rows on the GUI thread.
    def import_file(self, code: str) -> None:
        if self.item.material(code) is None or code in self.licences:
            return
        self.choose_file(self, lambda path: self.import_path(code, path))

    def import_path(self, code: str, path: Path) -> None:
        spec = self.item.material(code)
        if spec is None or code not in self.rows or code in self.licences:
            return
        self.rows[code].set_busy(True)
        run_process_job(f"{self.job_prefix}-import-{code}", material_cases.import_in_process, [path], spec,
                        self.terminal.intake_limits, on_done=lambda files: self._thumbnails_then_add(code, files),
                        on_error=lambda exc: self._failed(code, exc))

    def capture(self, code: str, source: str) -> None:
        spec = self.item.material(code)
        if spec is None or code in self.licences:  # a licence's copy is the material: nothing to capture
            return
        self.rows[code].set_busy(True)
        terminal = self.terminal

        def processed(file: MaterialFile) -> None:
            self._thumbnails_then_add(code, [file])

        def scanned(pages: list[CapturedPage]) -> None:
            run_process_job(f"{self.job_prefix}-process-{code}", material_cases.pages_to_material, pages, spec,
                            on_done=processed, on_error=lambda exc: self._failed(code, exc))

        run_job(f"{self.job_prefix}-capture-{code}", lambda: material_cases.scan_pages(terminal, spec, source),
                on_done=scanned, on_error=lambda exc: self._failed(code, exc))

    def _thumbnails_then_add(self, code: str, files: list[MaterialFile]) -> None:
        run_job(f"{self.job_prefix}-thumbnail-{code}", lambda: [(f, thumbnail(f)) for f in files],
                on_done=lambda new: self._add(code, new), on_error=lambda exc: self._failed(code, exc))

    def delete_file(self, code: str, index: int) -> None:
        if code in self.licences:
            return
        files = self.files.get(code, [])
        if 0 <= index < len(files):
            del files[index]
            del self.images[code][index]
        self.rows[code].set_files(files, self.images[code])
        self.changed.emit()

    def retake(self, code: str, index: int) -> None:
        if code in self.licences:
            return
        self.delete_file(code, index)
        devices = self.terminal.devices
        if devices.scanner is not None:
            self.capture(code, "scanner")
        elif devices.camera is not None:
            if self.on_photograph is not None:
                self.on_photograph(code)  # the kiosk's camera takes the page once it holds still
            else:
                self.capture(code, "camera")
        else:
            self.import_file(code)
