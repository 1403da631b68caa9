"""网办件核验 / Online case at the window: the citizen who applied online comes once, and is done.

Place the ID card (or type the ID, case or receipt number), pick the citizen's online case, see what the
platform's pre-review passed and which originals must be seen here, tick each original off as it is
handed over, and complete: the case is accepted, the acceptance notice prints and the visit is counted.
Every step is one use case of `kiosk.usecases.onsite` through the job helper.
"""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QFrame, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QPushButton, QVBoxLayout, QWidget)

from kiosk.usecases import materials as material_cases
from kiosk.usecases import onsite
from kiosk.usecases.onsite import OnsiteCase, OnsiteCompletion, OnsiteMaterial
from ui.counter.common import CounterScreen, tr, when
from ui.counter.context import CounterContext
from ui.i18n import lang, msg, translate
from ui.jobs import run_job
from ui.theme import set_role

VERDICT_WORDS = {
    "passed": ("✔", QT_TRANSLATE_NOOP("Counter", "Passed the online pre-review"), "ok"),
    "original": ("⚠", QT_TRANSLATE_NOOP("Counter", "Original to be checked here"), "warn"),
    None: ("⚠", QT_TRANSLATE_NOOP("Counter", "Not pre-reviewed: check the original here"), "warn"),
    "absent": ("—", QT_TRANSLATE_NOOP("Counter", "Not handed in (optional)"), "hint"),
}


def verdict_text(m: OnsiteMaterial) -> tuple[str, str]:
    key = m.prereview if (m.needs_original or m.prereview == "passed") else "absent"
    mark, words, role = VERDICT_WORDS.get(key, VERDICT_WORDS[None])
    if m.original_seen_at is not None:
        return "✔ " + translate("Counter", "Original seen at %1").replace("%1", when(m.original_seen_at)), "ok"
    return f"{mark} {tr(words)}", role


class MaterialRow(QFrame):
    """One material: its name, what the pre-review said, and a box to tick when the original was seen."""

    toggled = Signal(str, bool)

    def __init__(self, material: OnsiteMaterial, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.material = material
        self.setObjectName(f"onsiteMaterial_{material.code}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        self.name = set_role(QLabel(), "subtitle")
        self.name.setWordWrap(True)
        self.state = QLabel()
        self.state.setWordWrap(True)
        layout.addWidget(self.name)
        layout.addWidget(self.state)
        self.check = QCheckBox()
        self.check.setObjectName(f"onsiteSeen_{material.code}")
        self.check.setChecked(material.original_seen_at is not None)
        self.check.setVisible(material.needs_original)
        self.check.toggled.connect(lambda on: self.toggled.emit(self.material.code, on))
        layout.addWidget(self.check)
        self.retranslate()

    def retranslate(self) -> None:
        m = self.material
        required = translate("Counter", "required") if m.required else translate("Counter", "optional")
        self.name.setText(f"{m.name.get(lang())}（{required}）" if lang() == "zh" else f"{m.name.get(lang())} ({required})")
        text, role = verdict_text(m)
        self.state.setText(text)
        set_role(self.state, role)
        self.check.setText(translate("Counter", "I have seen the original"))


class OnsiteScreen(CounterScreen):
    name = "onsite"
    completed = Signal(object)  # OnsiteCompletion

    def __init__(self, ctx: CounterContext, staff_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.staff_id = staff_id
        self.cases: list[OnsiteCase] = []
        self.current: OnsiteCase | None = None
        self.busy = False
        self.loads = 0
        self.last_completion: OnsiteCompletion | None = None

        find = QHBoxLayout()
        find.setSpacing(12)
        self.read_card_button = set_role(QPushButton(), "primary")
        self.read_card_button.setObjectName("onsiteReadCard")
        self.read_card_button.clicked.connect(self.read_card)
        self.number = QLineEdit()
        self.number.setObjectName("onsiteNumber")
        self.number.setMaxLength(onsite.NUMBER_MAX)
        self.number.returnPressed.connect(self.find)
        self.find_button = QPushButton()
        self.find_button.setObjectName("onsiteFind")
        self.find_button.clicked.connect(self.find)
        find.addWidget(self.read_card_button)
        find.addWidget(self.number, 1)
        find.addWidget(self.find_button)
        self.body.addLayout(find)

        self.found = set_role(QLabel(), "hint")
        self.found.setWordWrap(True)
        self.body.addWidget(self.found)
        self.list = QListWidget()
        self.list.setObjectName("onsiteCases")
        self.list.setMaximumHeight(150)
        self.list.currentRowChanged.connect(self._pick)
        self.body.addWidget(self.list)

        self.case_title = set_role(QLabel(), "big")
        self.case_title.setWordWrap(True)
        self.prereview = QLabel()
        self.prereview.setWordWrap(True)
        self.body.addWidget(self.case_title)
        self.body.addWidget(self.prereview)
        self.materials_box = QVBoxLayout()
        self.materials_box.setSpacing(8)
        self.body.addLayout(self.materials_box)
        self.rows: list[MaterialRow] = []
        self.body.addStretch(1)

        actions = QHBoxLayout()
        self.left = set_role(QLabel(), "hint")
        self.left.setWordWrap(True)
        self.complete_button = set_role(QPushButton(), "primary")
        self.complete_button.setObjectName("onsiteComplete")
        self.complete_button.clicked.connect(self.complete)
        actions.addWidget(self.left, 1)
        actions.addWidget(self.complete_button, 0, Qt.AlignmentFlag.AlignRight)
        self.body.addLayout(actions)
        self._fill()
        self.retranslate()

    # --- finding the citizen's cases -----------------------------------------------------------------
    def read_card(self) -> None:
        terminal = self.ctx.terminal
        self.busy = True
        self.show_message(lambda: translate("Counter", "Place the ID card on the reader…"), "warn")
        run_job("counter-onsite-card", lambda: material_cases.read_id_card(terminal),
                on_done=lambda card: (setattr(self, "busy", False), self.number.setText(card.id_number), self.find()),
                on_error=self._failed)

    def find(self) -> None:
        text = self.number.text()
        terminal = self.ctx.terminal
        self.busy = True
        run_job("counter-onsite-find", lambda: onsite.find_online_cases(terminal, self.staff_id, text),
                on_done=self._found, on_error=self._failed)

    def _found(self, cases: list[OnsiteCase]) -> None:
        self.busy = False
        self.loads += 1
        self.cases = cases
        self.current = cases[0] if cases else None
        self.show_message(None)
        self._fill()

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self.loads += 1
        self.show_error(exc)

    def _pick(self, row: int) -> None:
        if 0 <= row < len(self.cases) and self.cases[row] is not self.current:
            self.current = self.cases[row]
            self._fill_case()

    # --- the originals and completing ---------------------------------------------------------------
    def mark(self, code: str, seen: bool) -> None:
        case = self.current
        if case is None or self.busy:
            return
        terminal = self.ctx.terminal
        self.busy = True
        run_job("counter-onsite-original", lambda: onsite.mark_original(terminal, self.staff_id, case.id, code, seen),
                on_done=self._updated, on_error=self._mark_failed)

    def _updated(self, case: OnsiteCase) -> None:
        self.busy = False
        self.cases = [case if c.id == case.id else c for c in self.cases]
        self.current = case
        self.show_message(None)
        self._fill_case()

    def _mark_failed(self, exc: BaseException) -> None:
        self._failed(exc)
        self._fill_case()  # the boxes show what the store holds, not what was clicked

    def complete(self) -> None:
        case = self.current
        if case is None or self.busy:
            return
        terminal = self.ctx.terminal
        language = lang()
        self.busy = True
        self.complete_button.setEnabled(False)
        run_job("counter-onsite-complete", lambda: onsite.complete(terminal, self.staff_id, case.id, lang=language),
                on_done=self._completed, on_error=self._complete_failed)

    def _completed(self, done: OnsiteCompletion) -> None:
        self.busy = False
        self.last_completion = done
        self.cases = [c for c in self.cases if c.id != done.case.id]
        self.current = self.cases[0] if self.cases else None
        case_no = done.case.case_no or done.case.id
        printed = done.outcome.print_message

        def words() -> str:
            text = translate("Counter", "Case %1 is completed at the window: accepted, in %2 visit(s).") \
                .replace("%1", case_no).replace("%2", str(done.case.visits))
            if printed is not None:
                text += " " + msg(printed)
            else:
                text += " " + translate("Counter", "The acceptance notice is printing.")
            return text

        self.show_message(words, "ok" if done.outcome.printed is not False else "warn")
        self._fill()
        self.completed.emit(done)

    def _complete_failed(self, exc: BaseException) -> None:
        self._failed(exc)
        self._fill_case()

    # --- showing --------------------------------------------------------------------------------------
    def _fill(self) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for case in self.cases:
            item = QListWidgetItem(f"{case.case_no or case.id}   {case.item_name.get(lang())}   "
                                   f"{case.applicant_name or ''} {case.id_masked or ''}")
            self.list.addItem(item)
        if self.current is not None and self.current in self.cases:
            self.list.setCurrentRow(self.cases.index(self.current))
        self.list.blockSignals(False)
        self.list.setVisible(len(self.cases) > 1)
        if self.loads == 0:
            self.found.setText(translate("Counter", "Place the citizen's ID card on the reader, or type the number."))
        elif not self.cases:
            self.found.setText(translate("Counter", "No online application of this citizen is waiting for a visit."))
        else:
            self.found.setText(translate("Counter", "%1 online application(s) waiting for this visit.")
                               .replace("%1", str(len(self.cases))))
        self._fill_case()

    def _fill_case(self) -> None:
        for row in self.rows:
            self.materials_box.removeWidget(row)
            row.deleteLater()
        self.rows = []
        case = self.current
        self.case_title.setVisible(case is not None)
        self.prereview.setVisible(case is not None)
        self.complete_button.setVisible(case is not None)
        self.left.setVisible(case is not None)
        if case is None:
            return
        self.case_title.setText(f"{case.item_name.get(lang())} · {case.case_no or case.id} · "
                                f"{case.applicant_name or ''} {case.id_masked or ''}")
        if case.prereview_by:
            text = translate("Counter", "Pre-reviewed online by %1 on %2.").replace("%1", case.prereview_by) \
                .replace("%2", when(case.prereview_at))
            if case.prereview_note:
                text += " " + translate("Counter", "Note: %1").replace("%1", case.prereview_note)
        else:
            text = translate("Counter", "The platform has not pre-reviewed this case: check every original.")
        self.prereview.setText(text)
        for material in case.materials:
            row = MaterialRow(material, self)
            row.toggled.connect(self.mark)
            self.materials_box.addWidget(row)
            row.show()  # now: a layout shows a child added to a visible page only at the next event pass
            self.rows.append(row)
        left = len(case.originals_left)
        if case.files_pending:
            self.left.setText(translate("Counter", "Files are still coming from the platform; sync first."))
        elif left:
            self.left.setText(translate("Counter", "%1 original(s) still to check.").replace("%1", str(left)))
        else:
            self.left.setText(translate("Counter", "Every original is checked: the case can be completed."))
        self.complete_button.setEnabled(case.ready and not self.busy)

    def retranslate(self) -> None:
        super().retranslate()
        self.title.setText(translate("Counter", "Online case at the window"))
        self.hint.setText(translate("Counter", "For citizens who applied online: see what the platform's pre-review "
                                               "passed, check the originals it asked for, and complete the case in "
                                               "this one visit."))
        self.read_card_button.setText(translate("Counter", "Read ID card"))
        self.number.setPlaceholderText(translate("Counter", "ID number, case number or receipt number"))
        self.number.setAccessibleName(self.number.placeholderText())
        self.find_button.setText(translate("Counter", "Find"))
        self.complete_button.setText(translate("Counter", "Complete") + " ›")
        self.list.setAccessibleName(translate("Counter", "Online applications"))
        self._fill()

    def on_enter(self) -> None:
        self.number.setFocus()
