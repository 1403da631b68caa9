"""Reviewing one application: each material page by page, a check per material, then the decision.

Every check and decision is a background job through `CounterServices`,
which calls `kiosk.review` with the logged-in staff member (so the audit
row carries their id) and queues the supplement or acceptance notice for
printing in the same transaction. No network is needed: the decision goes
to the platform from the outbox whenever the link is up.
"""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
                               QPlainTextEdit, QPushButton, QScrollArea, QVBoxLayout, QWidget)

from kiosk.lifecycle import Status
from kiosk.review import REASON_MAX, MaterialCheck
from ui.counter.common import CounterScreen, channel_text, deadline_text, tr, when
from ui.counter.dialogs import ReasonDialog
from ui.counter.licence_info import LicenceInfo, list_line
from ui.counter.prereview_text import prereview_line
from ui.counter.pages import render_in_process
from ui.images import Pixels, from_pixels
from kiosk.usecases import cases
from kiosk.usecases import review as review_cases
from kiosk.usecases.views import CaseDetail, DecisionOutcome, MaterialView
from ui.counter.context import CounterContext
from ui.dialogs import ConfirmDialog
from ui.errors import message_for
from ui.i18n import colon, lang, msg, translate
from ui.jobs import run_job, run_process_job
from ui.text import para
from ui.theme import set_role
from ui.widgets import builders
from ui.widgets.box_layouts import FlexibleHBoxLayout, FlexibleVBoxLayout
from ui.widgets.flow_layout import FlowLayout
from ui.widgets.wrap_button import WrapButton

# Widths of the materials list and of the checks beside the page, by the screen's width; below the
# narrowest, the page goes on top (a portrait screen has the height for it).
SIDE_WIDTHS = ((1600, (400, 440)), (1200, (300, 340)))
DECIDABLE = {Status.SUBMITTED, Status.RECEIVED, Status.NEEDS_SUPPLEMENT}
CHECK_WORDS = {
    MaterialCheck.UNCHECKED: ("○", QT_TRANSLATE_NOOP("Counter", "Not checked yet"), "hint"),
    MaterialCheck.VALID: ("✔", QT_TRANSLATE_NOOP("Counter", "Present and valid"), "ok"),
    MaterialCheck.MISSING: ("✖", QT_TRANSLATE_NOOP("Counter", "Missing"), "error"),
    MaterialCheck.INVALID: ("⚠", QT_TRANSLATE_NOOP("Counter", "Not acceptable"), "error"),
}


def check_text(state: str) -> tuple[str, str]:
    mark, words, role = CHECK_WORDS.get(MaterialCheck(state), CHECK_WORDS[MaterialCheck.UNCHECKED])
    return f"{mark} {tr(words)}", role


class ReviewScreen(CounterScreen):
    name = "review"
    back_requested = Signal()
    decided = Signal(object)  # DecisionOutcome

    def __init__(self, ctx: CounterContext, staff_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.staff_id = staff_id
        self.detail: CaseDetail | None = None
        self.current_code: str | None = None
        self.pages: dict[str, tuple[list[QImage], list[str]]] = {}
        self.busy = False
        self.last_outcome: DecisionOutcome | None = None
        self._print_message: object = None

        top = QHBoxLayout()  # Back beside the title: the page viewer needs the height on a 768-pixel screen
        top.setSpacing(20)
        self.back_button = QPushButton()
        self.back_button.setObjectName("reviewBack")
        self.back_button.clicked.connect(self.back_requested)
        self.outer.removeWidget(self.title)
        self.title.setWordWrap(True)
        top.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.title, 1)
        self.outer.insertLayout(0, top)

        self.info = set_role(QFrame(), "card")
        self.info_grid = FlowLayout(self.info, spacing=28, line_spacing=6)  # as many facts a line as fit
        self.info_grid.setContentsMargins(16, 8, 16, 8)
        self.info_labels: dict[str, tuple[QLabel, QLabel]] = {}
        for key in ("receipt", "case", "applicant", "id", "phone", "source", "status", "submitted", "deadline"):
            name, value = set_role(QLabel(), "hint"), QLabel()
            value.setObjectName(f"info_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.info_labels[key] = (name, value)
            pair = QWidget()
            pair_layout = QVBoxLayout(pair)
            pair_layout.setContentsMargins(0, 0, 0, 0)
            pair_layout.setSpacing(2)
            pair_layout.addWidget(name)
            pair_layout.addWidget(value)
            self.info_grid.add(pair)
        self.body.addWidget(self.info)

        self.main = FlexibleVBoxLayout()  # materials | page | checks side by side, or the page above both (_arrange)
        self.main.setSpacing(16)
        self.panels = FlexibleHBoxLayout()
        self.panels.setSpacing(16)
        self.main.addLayout(self.panels, 1)
        left = QVBoxLayout()
        left.setContentsMargins(0, 0, 0, 0)
        self.materials_title = set_role(QLabel(), "subtitle")
        self.material_list = QListWidget()
        self.material_list.setObjectName("materialList")
        self.material_list.setWordWrap(True)
        self.material_list.currentRowChanged.connect(self._material_picked)
        self.form_title = set_role(QLabel(), "subtitle")
        self.form_view = QLabel()
        self.form_view.setObjectName("scrollBody")
        self.form_view.setWordWrap(True)
        self.form_view.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.form_view.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form_scroll = QScrollArea()
        form_scroll.setWidgetResizable(True)
        form_scroll.setFrameShape(QFrame.Shape.NoFrame)
        form_scroll.setWidget(self.form_view)
        left.addWidget(self.materials_title)
        left.addWidget(self.material_list, 3)
        left.addWidget(self.form_title)
        left.addWidget(form_scroll, 2)
        self.left_box = QWidget()
        self.left_box.setLayout(left)

        from ui.counter.viewer import PageViewer

        self.viewer = PageViewer()

        right = QVBoxLayout()
        right.setSpacing(10)
        self.check_title = set_role(QLabel(), "subtitle")
        self.check_title.setWordWrap(True)
        self.check_state = QLabel()
        self.check_state.setObjectName("checkState")
        self.check_state.setWordWrap(True)
        self.licence_info = LicenceInfo()  # which licence stood for the material, when one did
        self.valid_button = set_role(WrapButton(), "ok")
        self.valid_button.setObjectName("markValid")
        self.missing_button = set_role(WrapButton(), "danger")
        self.missing_button.setObjectName("markMissing")
        self.invalid_button = set_role(WrapButton(), "danger")
        self.invalid_button.setObjectName("markInvalid")
        self.reason_label = QLabel()
        self.reason_label.setWordWrap(True)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("materialReason")
        self.reason.setFixedHeight(84)
        self.check_error = set_role(QLabel(), "error")
        self.check_error.setWordWrap(True)
        self.check_error.hide()
        self.valid_button.clicked.connect(lambda: self.mark(MaterialCheck.VALID))
        self.missing_button.clicked.connect(lambda: self.mark(MaterialCheck.MISSING))
        self.invalid_button.clicked.connect(lambda: self.mark(MaterialCheck.INVALID))
        for w in (self.check_title, self.check_state, self.licence_info, self.valid_button, self.reason_label, self.reason,
                  self.missing_button, self.invalid_button, self.check_error):
            right.addWidget(w)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        right.addSpacing(8)
        right.addWidget(line)
        self.decision_title = set_role(QLabel(), "subtitle")
        self.summary = QLabel()
        self.summary.setObjectName("reviewSummary")
        self.summary.setWordWrap(True)
        # wrapping buttons: the side panel is narrow on small screens
        self.accept_button = builders.button("acceptButton", self.accept, role="primary", kind=WrapButton)
        self.supplement_button = builders.button("supplementButton", self.ask_supplement, kind=WrapButton)
        self.reject_button = builders.button("rejectButton", self.reject, role="danger", kind=WrapButton)
        self.accept_why = set_role(QLabel(), "hint")  # a disabled Accept says why, in words
        self.accept_why.setObjectName("acceptWhy")
        self.accept_why.setWordWrap(True)
        self.print_status = set_role(QLabel(), "hint")
        self.print_status.setObjectName("printStatus")
        self.print_status.setWordWrap(True)
        for w in (self.decision_title, self.summary, self.accept_button, self.accept_why, self.supplement_button,
                  self.reject_button, self.print_status):
            right.addWidget(w)
        right.addStretch(1)
        right_box = QWidget()
        right_box.setObjectName("scrollBody")
        right_box.setLayout(right)
        right_scroll = QScrollArea()  # a long print message never pushes the window taller than the screen
        right_scroll.setWidgetResizable(True)
        right_scroll.setFrameShape(QFrame.Shape.NoFrame)
        right_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        right_scroll.setWidget(right_box)
        self.right_scroll = right_scroll
        self.body.addLayout(self.main, 1)
        self._sides: tuple[int, int] | None | bool = False  # not arranged yet
        self.fit_width(SIDE_WIDTHS[0][0])
        self.retranslate()

    def fit_width(self, width: int) -> None:
        """Arrange for a window `width` pixels wide (the window calls this, hidden or not: a hidden
        page's minimum width still counts towards the window's).

        Wide: materials, the page and the checks side by side. Narrow (a portrait screen): the page
        across the whole width on top, materials and checks side by side under it."""
        sides = next((widths for least, widths in SIDE_WIDTHS if width >= least), None)
        if sides == self._sides:
            return
        self._sides = sides
        self.main.removeWidget(self.viewer)
        for widget in (self.left_box, self.viewer, self.right_scroll):
            self.panels.removeWidget(widget)
        if sides is not None:
            self.left_box.setFixedWidth(sides[0])
            self.right_scroll.setFixedWidth(sides[1])
            self.panels.addWidget(self.left_box)
            self.panels.addWidget(self.viewer, 1)
            self.panels.addWidget(self.right_scroll)
            self.main.setStretch(0, 1)
        else:
            for widget in (self.left_box, self.right_scroll):
                widget.setMinimumWidth(0)
                widget.setMaximumWidth(16777215)
                self.panels.addWidget(widget, 1)
            self.main.insertWidget(0, self.viewer, 3)
            self.main.setStretch(1, 2)
        for layout in (self.panels, self.main, self.body, self.outer):  # a hidden page's caches go stale
            layout.invalidate()
        self.updateGeometry()

    # --- loading ------------------------------------------------------------------------------
    def open(self, application_id: str) -> None:
        self.detail = None
        self.pages = {}
        self.current_code = None
        self.last_outcome = None
        self._print_message = None
        self.material_list.clear()
        self.viewer.set_placeholder(lambda: translate("Counter", "Loading…"))
        self.show_message(None)
        self.busy = True
        self._refresh_controls()
        terminal, today = self.ctx.terminal, self.ctx.today
        run_job("counter-case", lambda: cases.case_detail(terminal, self.staff_id, application_id, today=today),
                on_done=self._loaded, on_error=self._failed)

    def _loaded(self, detail: CaseDetail) -> None:
        self.busy = False
        self.set_detail(detail)
        if detail.materials:
            self.material_list.setCurrentRow(0)

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self.show_error(exc)
        self._refresh_controls()

    def set_detail(self, detail: CaseDetail) -> None:
        self.detail = detail
        row = self.material_list.currentRow()
        self.material_list.blockSignals(True)
        self.material_list.clear()
        for material in detail.materials:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, material.code)
            self.material_list.addItem(item)
        if 0 <= row < len(detail.materials):
            self.material_list.setCurrentRow(row)
        self.material_list.blockSignals(False)
        self.retranslate()

    # --- materials ----------------------------------------------------------------------------
    def _material_picked(self, row: int) -> None:
        if self.detail is None or not 0 <= row < len(self.detail.materials):
            return
        material = self.detail.materials[row]
        self.current_code = material.code
        self.reason.setPlainText(material.review_note or "")
        self.check_error.hide()
        self._render_material()
        if material.code in self.pages:
            self.viewer.set_pages(*self.pages[material.code])
        elif not material.files and material.at_counter:
            self.viewer.set_placeholder(lambda: translate("Counter", "To hand in at the counter: the citizen brings "
                                                                     "this material to the counter. Check the paper."))
        elif not material.files:
            self.viewer.set_placeholder(lambda: translate("Counter", "No file was provided for this material."))
        else:
            self.viewer.set_placeholder(lambda: translate("Counter", "Loading…"))
            self._load_pages(material)

    def _load_pages(self, material: MaterialView) -> None:
        files = list(material.files)
        terminal, staff_id = self.ctx.terminal, self.staff_id

        code = material.code

        def read() -> list[tuple[bytes, str]]:  # the files, in a job with its own session
            return [(cases.attachment_bytes(terminal, staff_id, f.sha256), f.media_type) for f in files]

        def render(blobs: list[tuple[bytes, str]]) -> None:  # the pages, in the process pool (ui.counter.pages)
            run_process_job(f"counter-pages-render-{code}", render_in_process, blobs,
                            on_done=lambda result: self._pages_ready(code, len(files), result),
                            on_error=lambda exc: self._pages_failed(code, exc), owner=self)

        run_job(f"counter-pages-{code}", read, on_done=render, on_error=lambda exc: self._pages_failed(code, exc),
                owner=self)

    def _pages_ready(self, code: str, file_count: int, result: tuple[list[Pixels], list[tuple[int, int, int]]]) -> None:
        images, where = from_pixels(result[0]), result[1]
        captions = [translate("Counter", "File %1 of %2, its page %3 of %4").replace("%1", str(f)).replace("%2", str(file_count))
                    .replace("%3", str(p)).replace("%4", str(n)) for f, p, n in where]
        self.pages[code] = (images, captions)
        if code == self.current_code:
            self.viewer.set_pages(images, captions)

    def _pages_failed(self, code: str, exc: BaseException) -> None:
        if code == self.current_code:
            message = message_for(exc)
            self.viewer.set_placeholder(lambda: "✖ " + msg(message))

    def current_material(self) -> MaterialView | None:
        if self.detail is None or self.current_code is None:
            return None
        return self.detail.material(self.current_code)

    def mark(self, result: MaterialCheck) -> None:
        material = self.current_material()
        if material is None or self.busy or self.detail is None:
            return
        reason = self.reason.toPlainText().strip() or None
        if result in (MaterialCheck.MISSING, MaterialCheck.INVALID) and not reason:
            self.check_error.setText(para("✖ " + translate("Counter", "Write the reason first: the applicant reads it on the "
                                                    "supplement notice.")))
            self.check_error.show()
            self.reason.setFocus()
            return
        if result is MaterialCheck.VALID:
            reason = None
        self.check_error.hide()
        self.busy = True
        self._refresh_controls()
        app_id, code = self.detail.row.id, material.code
        terminal, today = self.ctx.terminal, self.ctx.today
        run_job("counter-check", lambda: review_cases.check_material(terminal, self.staff_id, app_id, code, result.value,
                                                               reason, today=today),
                on_done=self._checked, on_error=self._check_failed)

    def _checked(self, detail: CaseDetail) -> None:
        self.busy = False
        self.set_detail(detail)
        material = self.current_material()
        if material is not None:
            self.reason.setPlainText(material.review_note or "")
            # move on to the next unchecked material: a clerk works down the list
            for index, m in enumerate(detail.materials):
                if m.review_state == MaterialCheck.UNCHECKED:
                    self.material_list.setCurrentRow(index)
                    break

    def _check_failed(self, exc: BaseException) -> None:
        self.busy = False
        message = message_for(exc)
        self.check_error.setText(para("✖ " + msg(message)))
        self.check_error.show()
        self._refresh_controls()

    # --- decisions ----------------------------------------------------------------------------
    def _lacking(self) -> list[MaterialView]:
        assert self.detail is not None
        return [m for m in self.detail.materials if m.review_state in (MaterialCheck.MISSING, MaterialCheck.INVALID)]

    def accept(self) -> None:
        if self.detail is None or self.busy:
            return
        if not ConfirmDialog.ask(self, translate("Counter", "Accept this application?"),
                                 translate("Counter", "The acceptance notice will print, and the platform is told when the link is "
                                    "up."), translate("Counter", "Accept"), translate("Counter", "Cancel")):
            return
        self._decide(Status.ACCEPTED, None)

    def ask_supplement(self) -> None:
        if self.detail is None or self.busy:
            return
        lacking = self._lacking()
        if not lacking:
            self.show_message(lambda: translate("Counter", "First mark which materials are missing or not acceptable."))
            return
        names = "\n".join(f"• {m.name.get(lang())}{colon()}{m.review_note or ''}" for m in lacking)
        if not ConfirmDialog.ask(self, translate("Counter", "Ask for supplementary materials?"),
                                 translate("Counter", "The supplement notice will print and name these materials:") + "\n" + names,
                                 translate("Counter", "Ask for supplements"), translate("Counter", "Cancel")):
            return
        self._decide(Status.NEEDS_SUPPLEMENT, None)

    def reject(self) -> None:
        if self.detail is None or self.busy:
            return
        reason = ReasonDialog.ask(self, translate("Counter", "Reject this application"),
                                  translate("Counter", "Write the reason for the rejection (at most %1 characters). The applicant "
                                     "and the platform will see it.").replace("%1", str(REASON_MAX)),
                                  translate("Counter", "Reject"))
        if reason is None:
            return
        self._decide(Status.REJECTED, reason)

    def _decide(self, to: Status, note: str | None) -> None:
        assert self.detail is not None
        self.busy = True
        self._refresh_controls()
        self.show_message(None)
        app_id, language = self.detail.row.id, lang()
        terminal, today = self.ctx.terminal, self.ctx.today
        run_job("counter-decide", lambda: review_cases.decide(terminal, self.staff_id, app_id, to, note, lang=language,
                                                        today=today),
                on_done=self._decided, on_error=self._failed)

    def _decided(self, outcome: DecisionOutcome) -> None:
        """The outcome's texts are set first and `set_detail` labels the page once with them: labelling it again
        afterwards (the whole page, and the message's style polished again) was a third of the decide tap's GUI
        time (issue 10)."""
        self.busy = False
        self.last_outcome = outcome
        words = {Status.ACCEPTED: QT_TRANSLATE_NOOP("Counter", "Accepted. The decision is saved and goes to the platform with the next sync."),
                 Status.NEEDS_SUPPLEMENT: QT_TRANSLATE_NOOP("Counter", "Supplements requested. The decision is saved and goes to the "
                                                                      "platform with the next sync."),
                 Status.REJECTED: QT_TRANSLATE_NOOP("Counter", "Rejected. The decision is saved and goes to the platform with the next sync.")}
        text = words[outcome.decision.to]
        self._message, self._message_role = (lambda: tr(text)), "ok"  # shown by set_detail's labelling
        if outcome.print_message is not None:
            message = outcome.print_message
            self._print_message = (lambda: ("✔ " if outcome.printed else "⚠ ") + msg(message))
        self.set_detail(outcome.detail)
        self.decided.emit(outcome)

    # --- labels -------------------------------------------------------------------------------
    def accept_blockers(self) -> str | None:
        """Why Accept is unavailable, in words (the same rules `kiosk.review.decide` enforces), or None."""
        if self.detail is None:
            return None
        materials = self.detail.materials
        if any(m.review_state in (MaterialCheck.MISSING, MaterialCheck.INVALID) for m in materials):
            return translate("Counter", "Accept is unavailable while a material is marked missing or not acceptable: "
                                        "ask for supplements instead.")
        if any(m.required and m.review_state == MaterialCheck.UNCHECKED for m in materials):
            return translate("Counter", "Accept becomes available once every required material is checked.")
        if any(m.review_state == MaterialCheck.VALID and not m.files for m in materials):
            return translate("Counter", "A material marked valid has no file: scan it first.")
        return None

    def _refresh_controls(self) -> None:
        detail = self.detail
        open_ = detail is not None and detail.row.status in DECIDABLE and not self.busy
        material = self.current_material()
        has_material = material is not None
        for b in (self.missing_button, self.invalid_button):
            b.setEnabled(open_ and has_material)
        # a material with no file cannot be "present and valid" (kiosk.review.check_material refuses it too)
        self.valid_button.setEnabled(open_ and material is not None and bool(material.files))
        self.valid_button.setToolTip("" if material is None or material.files else
                                     translate("Counter", "No file was provided for this material."))
        self.reason.setEnabled(open_ and has_material)
        blocked = self.accept_blockers() if open_ else None
        self.accept_button.setEnabled(open_ and blocked is None)
        self.accept_why.setText(para(blocked) if blocked else "")
        self.accept_why.setVisible(bool(blocked))
        self.supplement_button.setEnabled(open_)
        self.reject_button.setEnabled(open_)

    def _render_material(self) -> None:
        material = self.current_material()
        if material is None:
            self.check_title.setText(translate("Counter", "Check a material"))
            self.check_state.setText("")
        else:
            self.check_title.setText(material.name.get(lang()))
            text, role = check_text(material.review_state)
            note = f" — {material.review_note}" if material.review_note else ""
            self.check_state.setText(para(text + note + prereview_line(material)))
            set_role(self.check_state, role)
        self.licence_info.set_material(material)
        self._refresh_controls()

    def retranslate(self) -> None:
        super().retranslate()
        self.back_button.setText("‹ " + translate("Counter", "Back to the work list"))
        self.materials_title.setText(translate("Counter", "Materials"))
        self.form_title.setText(translate("Counter", "Form"))
        self.reason_label.setText(translate("Counter", "Reason (needed for missing or not acceptable):"))
        self.reason.setPlaceholderText(translate("Counter", "e.g. the front page of the household register is missing"))
        self.reason.setAccessibleName(self.reason_label.text())
        self.material_list.setAccessibleName(self.materials_title.text())
        self.valid_button.setText("✔ " + translate("Counter", "Present and valid"))
        self.missing_button.setText("✖ " + translate("Counter", "Missing"))
        self.invalid_button.setText("⚠ " + translate("Counter", "Not acceptable"))
        self.decision_title.setText(translate("Counter", "Decision"))
        self.accept_button.setText(translate("Counter", "Accept"))
        self.supplement_button.setText(translate("Counter", "Ask for supplements (prints the notice)"))
        self.reject_button.setText(translate("Counter", "Reject with a reason…"))
        self.viewer.retranslate()
        names = {"receipt": QT_TRANSLATE_NOOP("Counter", "Receipt no."), "case": QT_TRANSLATE_NOOP("Counter", "Case no."), "applicant": QT_TRANSLATE_NOOP("Counter", "Applicant"), "id": QT_TRANSLATE_NOOP("Counter", "ID number"),
                 "phone": QT_TRANSLATE_NOOP("Counter", "Phone"), "source": QT_TRANSLATE_NOOP("Counter", "Source"), "status": QT_TRANSLATE_NOOP("Counter", "Status"), "submitted": QT_TRANSLATE_NOOP("Counter", "Submitted"),
                 "deadline": QT_TRANSLATE_NOOP("Counter", "Deadline")}
        for key, (name, _value) in self.info_labels.items():
            name.setText(tr(names[key]))
        detail = self.detail
        if detail is None:
            self.title.setText(translate("Counter", "Review an application"))
            self.hint.setText("")
            for _name, value in self.info_labels.values():
                value.setText("")
            self.summary.setText("")
            self.print_status.setText("")
            self._render_material()
            return
        row = detail.row
        self.title.setText(translate("Counter", "Review: %1").replace("%1", row.item_name.get(lang())))
        self.hint.setText(translate("Counter", "Look at every page, mark each material, then decide. Everything is saved on this "
                             "counter at once and sent to the platform when the link is up."))
        deadline, role = deadline_text(row.urgency, row.days_left)
        values = {"receipt": row.receipt_no or "—", "case": row.case_no or "—", "applicant": row.applicant_name or "—",
                  "id": row.id_masked or "—", "phone": detail.phone_masked or "—", "source": channel_text(row.channel),
                  "status": msg(row.status_label), "submitted": when(row.submitted_at),
                  "deadline": (f"{deadline}（{when(row.promised_date)}）" if lang() == "zh"
                               else f"{deadline} ({when(row.promised_date)})") if row.promised_date else deadline}
        for key, (_name, value) in self.info_labels.items():
            value.setText(values[key])
        set_role(self.info_labels["deadline"][1], role)
        for index, material in enumerate(detail.materials):
            item = self.material_list.item(index)
            if item is None:
                continue
            text, _role = check_text(material.review_state)
            need = translate("Counter", "required") if material.required else translate("Counter", "optional")
            pages = translate("Counter", "Pages: %1").replace("%1", str(material.page_count)) if material.files else translate("Counter", "no file")
            if material.at_counter:  # the citizen brings the paper: check it at the counter
                pages = "➜ " + translate("Counter", "To hand in at the counter")
            item.setText(f"{text}\n{material.name.get(lang())}\n{need} · {pages}{list_line(material)}")
        self.form_view.setText(para("\n".join(f"{label.get(lang())}{colon()}{value.get(lang())}" for label, value in detail.form)
                                    or "—"))
        checked = sum(1 for m in detail.materials if m.review_state != MaterialCheck.UNCHECKED)
        lacking = len(self._lacking())
        summary = translate("Counter", "%1 of %2 materials checked; %3 missing or not acceptable.").replace("%1", str(checked)) \
            .replace("%2", str(len(detail.materials))).replace("%3", str(lacking))
        if row.status not in DECIDABLE:
            summary = translate("Counter", "Decided: %1").replace("%1", msg(row.status_label)) + (
                f" — {detail.status_note}" if detail.status_note else "")
        self.summary.setText(para(summary))
        self.print_status.setText(para(self._print_message()) if callable(self._print_message) else "")
        self._render_material()
