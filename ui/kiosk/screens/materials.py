"""The materials checklist: scan, photograph or import each one; see, retake or delete its pages.

Every capture and import runs as a background job (the pipeline deskews,
cleans and compresses pages, which takes a moment); a refused file is
explained on its own row in plain words.
"""
from __future__ import annotations

from PySide6.QtGui import QImage

from kiosk.materials.intake import MaterialFile
from ui.dialogs import ImportFileDialog
from ui.errors import message_for
from ui.i18n import msg, translate
from ui.jobs import run_job
from ui.kiosk.context import KioskContext
from ui.kiosk.screens.base import Screen
from ui.widgets.materials import MaterialRow, thumbnail


class MaterialsScreen(Screen):
    name = "materials"
    step = 3

    def __init__(self, ctx: KioskContext) -> None:
        super().__init__(ctx)
        assert ctx.session.item is not None
        self.item = ctx.session.item
        services = ctx.services
        self.rows: dict[str, MaterialRow] = {}
        self.images: dict[str, list[QImage | None]] = {}
        for spec in self.item.materials:
            row = MaterialRow(spec, can_scan=services.scanner is not None, can_photograph=services.camera is not None)
            row.scan_requested.connect(self.capture)
            row.import_requested.connect(self.import_file)
            row.delete_requested.connect(self.delete_file)
            row.retake_requested.connect(self.retake)
            files = ctx.session.materials.get(spec.code, [])
            self.images[spec.code] = [None] * len(files)
            row.set_files(files, self.images[spec.code])
            self.rows[spec.code] = row
            self.body.addWidget(row)
        self.body.addStretch(1)
        self.retranslate()

    # --- actions --------------------------------------------------------------------------
    def _add(self, code: str, new: list[tuple[MaterialFile, QImage]]) -> None:
        row = self.rows[code]
        row.set_busy(False)
        row.show_message(None)
        files = self.ctx.session.materials.setdefault(code, [])
        for file, image in new:
            files.append(file)
            self.images[code].append(image)
        row.set_files(files, self.images[code])
        self.ctx.save_draft()

    def _failed(self, code: str, exc: BaseException) -> None:
        row = self.rows[code]
        row.set_busy(False)
        message = message_for(exc)
        row.show_message(lambda m=message: msg(m))

    def import_file(self, code: str) -> None:
        path = ImportFileDialog.ask(self)
        if path is None:
            return
        spec = self.item.material(code)
        assert spec is not None
        row = self.rows[code]
        row.set_busy(True)

        def work() -> list[tuple[MaterialFile, QImage]]:
            files = self.ctx.services.import_files([path], spec)
            return [(f, thumbnail(f)) for f in files]

        run_job(f"import-{code}", work, on_done=lambda new: self._add(code, new),
                on_error=lambda exc: self._failed(code, exc))

    def capture(self, code: str, source: str) -> None:
        spec = self.item.material(code)
        assert spec is not None
        row = self.rows[code]
        row.set_busy(True)

        def work() -> list[tuple[MaterialFile, QImage]]:
            file = self.ctx.services.capture(spec, source)
            return [(file, thumbnail(file))]

        run_job(f"capture-{code}", work, on_done=lambda new: self._add(code, new),
                on_error=lambda exc: self._failed(code, exc))

    def delete_file(self, code: str, index: int) -> None:
        files = self.ctx.session.materials.get(code, [])
        if 0 <= index < len(files):
            del files[index]
            del self.images[code][index]
        self.rows[code].set_files(files, self.images[code])
        self.ctx.save_draft()

    def retake(self, code: str, index: int) -> None:
        self.delete_file(code, index)
        services = self.ctx.services
        if services.scanner is not None:
            self.capture(code, "scanner")
        elif services.camera is not None:
            self.capture(code, "camera")
        else:
            self.import_file(code)

    # --- navigation ---------------------------------------------------------------------------
    def missing(self) -> list[str]:
        return [s.code for s in self.item.materials if s.required and not self.ctx.session.materials.get(s.code)]

    @property
    def busy(self) -> bool:
        return any(r.busy for r in self.rows.values())

    def on_next(self) -> None:
        if self.busy:
            return
        missing = self.missing()
        for code in missing:
            self.rows[code].show_message(lambda: translate("Kiosk", "This material is required. Please scan, "
                                                                    "photograph or import it."))
        if missing:
            self.scroll.ensureWidgetVisible(self.rows[missing[0]])
            return
        self.ctx.save_draft()
        self.next_requested.emit()

    def retranslate(self) -> None:
        super().retranslate()
        self.set_heading(translate("Kiosk", "Provide your materials"),
                         translate("Kiosk", "For each material, put it on the scanner or under the camera, or "
                                            "import a file. Check the pictures; you can retake or delete a page."))
        for row in self.rows.values():
            row.retranslate()
