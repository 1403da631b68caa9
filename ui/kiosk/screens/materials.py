"""The materials checklist: scan, photograph or import each one; see, retake or delete its pages.

The rows and what they do are the shared `MaterialsPanel`; this screen adds
the kiosk's words and saves the citizen's draft whenever a page comes or goes.
"""
from __future__ import annotations

from ui.i18n import translate
from ui.kiosk.context import KioskContext
from ui.kiosk.screens.base import Screen
from ui.widgets.materials_panel import MaterialsPanel


class MaterialsScreen(Screen):
    name = "materials"
    step = 3

    def __init__(self, ctx: KioskContext) -> None:
        super().__init__(ctx)
        assert ctx.session.item is not None and ctx.terminal is not None
        self.item = ctx.session.item
        self.panel = MaterialsPanel(ctx.terminal, self.item, ctx.session.materials, job_prefix="kiosk")
        self.panel.changed.connect(ctx.save_draft)
        self.rows = self.panel.rows
        self.body.addWidget(self.panel)
        self.body.addStretch(1)
        self.retranslate()

    def missing(self) -> list[str]:
        return self.panel.missing()

    @property
    def busy(self) -> bool:
        return self.panel.busy

    def on_next(self) -> None:
        if self.busy:
            return
        first = self.panel.show_missing(lambda: translate("Kiosk", "This material is required. Please scan, "
                                                                   "photograph or import it."))
        if first is not None:
            self.scroll.ensureWidgetVisible(first)
            return
        self.ctx.save_draft()
        self.next_requested.emit()

    def retranslate(self) -> None:
        super().retranslate()
        self.set_heading(translate("Kiosk", "Provide your materials"),
                         translate("Kiosk", "For each material, put it on the scanner or under the camera, or "
                                            "import a file. Check the pictures; you can retake or delete a page."))
        self.panel.retranslate()
