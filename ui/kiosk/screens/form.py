"""The application form for the chosen service, checked field by field.

Typing only where it cannot be avoided: a date is picked on a large date
picker, a phone number or another number on a numeric pad (each opens under
its field when the field is tapped, in place of the on-screen keyboard), and
a field that still needs the keyboard is kept above it.
"""
from __future__ import annotations

from datetime import date


from kiosk.catalog import FormField
from ui.i18n import lang, translate
from ui.kiosk.context import KioskContext
from ui.kiosk.screens.base import Screen
from ui.widgets.date_picker import DatePicker
from ui.widgets.fields import BaseField
from ui.widgets.form_view import FormView
from ui.widgets.number_pad import NumberPad

NUMBER_TYPES = {"phone": "", "integer": "", "money": ".", "id_number": "X"}  # the pad's extra key per field type


def _bound(value: object, fallback: date) -> date:
    """A catalog date bound: an ISO date, "today", or none."""
    if value is None:
        return fallback
    return date.today() if value == "today" else date.fromisoformat(str(value))


class FormScreen(Screen):
    name = "form"
    step = 2

    def __init__(self, ctx: KioskContext) -> None:
        super().__init__(ctx)
        assert ctx.session.item is not None
        self.item = ctx.session.item
        self.view = FormView(self.item, ctx.session.form)
        self.view.edited.connect(self._store)
        self.helpers: dict[str, DatePicker | NumberPad] = {}
        specs = {spec.key: spec for spec in self.item.form}
        for field in self.view.fields:
            edit = getattr(field, "edit", None)
            if edit is not None:
                edit.editingFinished.connect(self._store)
                self._add_helper(field, specs[field.key])
        self.body.addWidget(self.view)
        self.body.addStretch(1)
        self.retranslate()

    def _add_helper(self, field: BaseField, spec: FormField) -> None:
        """A date picker or a number pad right under the field's input, shown while the field has the focus."""
        helper: DatePicker | NumberPad
        kind = spec.type
        if kind == "date":  # the catalog's bounds, so a date the check would refuse cannot be picked
            helper = DatePicker(minimum=_bound(spec.min, date(1900, 1, 1)),
                                maximum=_bound(spec.max, date(2099, 12, 31)))
            helper.attach(field.edit)  # type: ignore[attr-defined]
        elif kind in NUMBER_TYPES:
            helper = NumberPad(NUMBER_TYPES[kind]).attach(field.edit)  # type: ignore[attr-defined]
        else:
            return
        helper.setObjectName(f"{helper.objectName()}_{field.key}")
        field.layout().addWidget(helper)  # under the field's hint and error: they say what to pick
        helper.opened.connect(lambda f=field, h=helper: self.reveal_soon(f.edit, h))  # type: ignore[attr-defined]
        self.helpers[field.key] = helper

    def on_enter(self) -> None:
        """The session's answers, which the identity step may have added to (the card's expiry date, address)
        after this screen was built (`KioskNavigator` builds it while the citizen is on the step before)."""
        values = self.ctx.session.form
        for field in self.view.fields:
            value = str(values.get(field.key, "") or "")
            if field.raw() != value:
                field.set_raw(value)

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
        for helper in self.helpers.values():
            helper.retranslate()
