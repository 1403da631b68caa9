"""Taking a walk-in's application: the shared applicant, form and materials widgets, driven by a clerk.

The fields, their checks and the materials panel are the shared widgets in
`ui.widgets`, so a counter accepts exactly what a kiosk accepts. A draft a
kiosk left behind opens here to be finished with the applicant.
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from kiosk.catalog import ServiceItem, Text
from kiosk.errors import ValidationFailed
from kiosk.materials.intake import MaterialFile
from kiosk.submission import ApplicationDraft, SubmittedApplication
from kiosk.usecases.applications import take_walk_in
from ui.counter.common import CounterScreen
from ui.counter.context import CounterContext
from ui.i18n import lang, translate
from ui.jobs import run_job
from ui.theme import set_role
from ui.widgets.applicant import ApplicantFields
from ui.widgets.column_grid import ColumnGrid
from ui.widgets.eliding_combo import ElidingComboBox
from ui.widgets.flow_layout import FlowLayout
from ui.widgets.form_view import FormView
from ui.widgets.materials import MaterialRow
from ui.widgets.materials_panel import MaterialsPanel


class WalkInScreen(CounterScreen):
    name = "walkin"
    review_requested = Signal(str)
    filed = Signal(object)  # SubmittedApplication: the queue panel links it to the ticket being served

    def __init__(self, ctx: CounterContext, staff_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.staff_id = staff_id
        self.catalog = ctx.terminal.catalog
        self.item: ServiceItem | None = None
        self.draft_id: str | None = None
        self.materials: dict[str, list[MaterialFile]] = {}
        self.panel: MaterialsPanel | None = None
        self.form: FormView | None = None
        self.submitted: SubmittedApplication | None = None
        self.busy = False

        picker = QHBoxLayout()
        self.item_label = set_role(QLabel(), "subtitle")
        self.item_box = ElidingComboBox()  # a long name is elided (tooltip: all of it) on a narrow screen
        self.item_box.setObjectName("itemPicker")
        self.item_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.item_box.setMinimumContentsLength(24)
        for item in self.catalog.items:
            self.item_box.addItem("", item.code)
        self.item_box.currentIndexChanged.connect(lambda _i: self.choose(self.item_box.currentData()))
        picker.addWidget(self.item_label)
        picker.addWidget(self.item_box, 1)
        self.body.addLayout(picker)

        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget()
        inner.setObjectName("scrollBody")
        columns = ColumnGrid(inner, max_columns=2, spacing=32, column_width=480)  # one column on a portrait screen
        left_box, right_box = QWidget(), QWidget()
        left = QVBoxLayout(left_box)
        left.setContentsMargins(0, 0, 0, 0)
        left.setSpacing(14)
        self.applicant_title = set_role(QLabel(), "subtitle")
        left.addWidget(self.applicant_title)
        self.applicant = ApplicantFields(name_label=Text("申请人姓名", "Applicant's full name"))
        self.name_field, self.id_field, self.phone_field = self.applicant.fields
        self.identity_fields = self.applicant.fields
        left.addWidget(self.applicant)
        self.form_title = set_role(QLabel(), "subtitle")
        left.addWidget(self.form_title)
        self.form_holder = QVBoxLayout()
        left.addLayout(self.form_holder)
        left.addStretch(1)
        right = QVBoxLayout(right_box)
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(14)
        self.materials_title = set_role(QLabel(), "subtitle")
        right.addWidget(self.materials_title)
        self.materials_holder = QVBoxLayout()
        self.materials_holder.setSpacing(12)
        right.addLayout(self.materials_holder)
        right.addStretch(1)
        columns.addWidget(left_box)
        columns.addWidget(right_box)
        self.scroll.setWidget(inner)
        self.body.addWidget(self.scroll, 1)

        footer = FlowLayout(spacing=12, line_spacing=8)
        self.clear_button = QPushButton()
        self.clear_button.setObjectName("walkinClear")
        self.clear_button.clicked.connect(self.reset)
        self.receipt = set_role(QLabel(), "receipt")
        self.receipt.setObjectName("walkinReceipt")
        self.receipt.hide()
        self.review_button = set_role(QPushButton(), "primary")
        self.review_button.setObjectName("walkinReview")
        self.review_button.hide()
        self.review_button.clicked.connect(lambda: self.submitted and self.review_requested.emit(self.submitted.id))
        self.submit_button = set_role(QPushButton(), "primary")
        self.submit_button.setObjectName("walkinSubmit")
        self.submit_button.clicked.connect(self.submit)
        footer.addWidget(self.clear_button)
        footer.add_stretch()
        footer.addWidget(self.receipt)
        footer.addWidget(self.review_button)
        footer.addWidget(self.submit_button)
        self.body.addLayout(footer)
        if self.catalog.items:
            self.choose(self.catalog.items[0].code)
        self.retranslate()

    # --- building the form for an item ------------------------------------------------------------
    def choose(self, code: str, values: dict[str, str] | None = None,
               materials: dict[str, list[MaterialFile]] | None = None) -> None:
        item = self.catalog.item(code)
        if item is None:
            return
        self.item = item
        index = self.item_box.findData(code)
        if index != self.item_box.currentIndex():
            self.item_box.blockSignals(True)
            self.item_box.setCurrentIndex(index)
            self.item_box.blockSignals(False)
        if self.form is not None:
            self.form.setParent(None)
            self.form.deleteLater()
        self.form = FormView(item, values)
        self.form_holder.addWidget(self.form)
        if self.panel is not None:
            self.panel.setParent(None)
            self.panel.deleteLater()
        self.materials = {spec.code: list((materials or {}).get(spec.code, [])) for spec in item.materials}
        self.panel = MaterialsPanel(self.ctx.terminal, item, self.materials, job_prefix="counter")
        self.materials_holder.addWidget(self.panel)

    @property
    def rows(self) -> dict[str, MaterialRow]:
        return self.panel.rows if self.panel is not None else {}

    def load_draft(self, draft: ApplicationDraft, draft_id: str) -> None:
        """A kiosk's unfinished draft, to be finished with the applicant at the counter."""
        self.reset()
        self.draft_id = draft_id
        self.applicant.set_raw({k: str(v) for k, v in draft.applicant.items()})
        self.choose(draft.service_item, {k: str(v) for k, v in draft.form.items()}, draft.materials)
        self.retranslate()

    def reset(self) -> None:
        self.draft_id = None
        self.submitted = None
        self.applicant.clear()
        self.receipt.hide()
        self.review_button.hide()
        self.submit_button.setEnabled(True)
        self.show_message(None)
        self.choose(self.item.code if self.item else self.item_box.currentData())
        self.retranslate()

    @property
    def materials_busy(self) -> bool:
        return self.panel is not None and self.panel.busy

    # --- submitting ------------------------------------------------------------------------------
    def submit(self) -> None:
        if self.busy or self.item is None or self.form is None or self.materials_busy:
            return
        assert self.panel is not None
        failed = self.applicant.validate() + self.form.validate()
        first_missing = self.panel.show_missing(lambda: translate(
            "Counter", "This material is required. Scan or import it, or mark it after the applicant brings it."))
        if failed or first_missing is not None:
            target = failed[0] if failed else first_missing
            self.scroll.ensureWidgetVisible(target)
            self.show_message(lambda: translate("Counter", "Some answers need attention; each is marked where it is."))
            return
        draft = ApplicationDraft(
            service_item=self.item.code,
            applicant={**self.applicant.raw(), "id_type": "resident"},
            form=self.form.raw_values(),
            materials={code: list(files) for code, files in self.materials.items() if files})
        self.busy = True
        self.submit_button.setEnabled(False)
        draft_id = self.draft_id
        terminal = self.ctx.terminal
        run_job("counter-walkin", lambda: take_walk_in(terminal, self.staff_id, draft, draft_id),
                on_done=self._submitted, on_error=self._submit_failed)

    def _submitted(self, submitted: SubmittedApplication) -> None:
        self.busy = False
        self.submitted = submitted
        self.draft_id = None
        self.receipt.setText(submitted.receipt_no)
        self.receipt.show()
        self.review_button.show()
        self.show_message(lambda: translate("Counter", "Submitted. Give the applicant the receipt number; check the originals now "
                                     "with “Review it now”."), "ok")
        self.retranslate()
        self.filed.emit(submitted)

    def _submit_failed(self, exc: BaseException) -> None:
        self.busy = False
        self.submit_button.setEnabled(True)
        if isinstance(exc, ValidationFailed):
            for problem in exc.problems:
                field = next((f for f in self.identity_fields if f.key == problem.field), None)
                if field is None and self.form is not None:
                    field = next((f for f in self.form.fields if f.key == problem.field), None)
                if field is not None:
                    field.show_error(problem.message)
        self.show_error(exc)

    def retranslate(self) -> None:
        super().retranslate()
        self.title.setText(translate("Counter", "Take a walk-in's application"))
        if self.draft_id:
            self.hint.setText(translate("Counter", "Finishing a draft a kiosk saved. Check every answer with the applicant, add what "
                                 "is missing, then submit."))
        else:
            self.hint.setText(translate("Counter", "The same form and materials as at the kiosk. Type what the applicant tells you, "
                                 "scan or import each material, then submit."))
        self.item_label.setText(translate("Counter", "Service item"))
        for index in range(self.item_box.count()):
            item = self.catalog.item(self.item_box.itemData(index))
            if item is not None:
                self.item_box.setItemText(index, f"{item.name.get(lang())}  ·  {item.department.name.get(lang())}")
        self.applicant_title.setText(translate("Counter", "Applicant"))
        self.form_title.setText(translate("Counter", "Application form"))
        self.materials_title.setText(translate("Counter", "Materials"))
        self.applicant.retranslate()
        if self.form is not None:
            self.form.retranslate()
        if self.panel is not None:
            self.panel.retranslate()
        self.clear_button.setText(translate("Counter", "Start again"))
        self.submit_button.setText(translate("Counter", "Submit the application"))
        self.review_button.setText(translate("Counter", "Review it now") + " ›")
