"""The application form for the chosen service, checked field by field."""
from __future__ import annotations

from ui.i18n import lang, translate
from ui.kiosk.context import KioskContext
from ui.kiosk.screens.base import Screen
from ui.widgets.form_view import FormView


class FormScreen(Screen):
    name = "form"
    step = 2

    def __init__(self, ctx: KioskContext) -> None:
        super().__init__(ctx)
        assert ctx.session.item is not None
        self.item = ctx.session.item
        self.view = FormView(self.item, ctx.session.form)
        self.view.edited.connect(self._store)
        for field in self.view.fields:
            edit = getattr(field, "edit", None)
            if edit is not None:
                edit.editingFinished.connect(self._store)
        self.body.addWidget(self.view)
        self.body.addStretch(1)
        self.retranslate()

    def _store(self) -> None:
        self.ctx.session.form.update(self.view.raw_values())
        self.ctx.save_draft_soon()

    def on_next(self) -> None:
        failed = self.view.validate()
        self._store()
        if failed:
            edit = getattr(failed[0], "edit", None)
            if edit is not None:
                edit.setFocus()
            self.scroll.ensureWidgetVisible(failed[0])
            return
        self.ctx.save_draft()
        self.next_requested.emit()

    def retranslate(self) -> None:
        super().retranslate()
        self.set_heading(translate("Kiosk", "Fill in the form: %1").replace("%1", self.item.name.get(lang())),
                         translate("Kiosk", "Items marked (required) must be filled in. Your answers are saved "
                                            "as you go."))
        self.view.retranslate()
