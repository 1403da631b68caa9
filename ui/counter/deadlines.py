"""Deadlines: working days left against each case's promised date, the most urgent first.

A supervisor sees every open case in the hall; a clerk sees the cases they
have handled. Close and past deadlines carry a symbol and words, with colour
only repeating them.
"""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QTableWidgetItem, QVBoxLayout, QWidget

from kiosk.worklist import Urgency
from ui.counter.common import CounterScreen, cell, channel_text, deadline_text, fill_table, make_table, tr, when
from kiosk.usecases import cases
from kiosk.usecases.views import CaseRow
from ui.counter.context import CounterContext
from ui.i18n import lang, msg, translate
from ui.jobs import run_job
from ui.theme import set_role

COLUMNS = (QT_TRANSLATE_NOOP("Counter", "Deadline"), QT_TRANSLATE_NOOP("Counter", "Promised by"), QT_TRANSLATE_NOOP("Counter", "Receipt no."), QT_TRANSLATE_NOOP("Counter", "Service item"), QT_TRANSLATE_NOOP("Counter", "Applicant"), QT_TRANSLATE_NOOP("Counter", "Status"), QT_TRANSLATE_NOOP("Counter", "Source"))
FIGURES = ((Urgency.OVERDUE, "⛔", QT_TRANSLATE_NOOP("Counter", "Overdue"), "error"), (Urgency.DUE_SOON, "⚠", QT_TRANSLATE_NOOP("Counter", "Due within 2 working days"), "warn"),
           (Urgency.ON_TRACK, "✔", QT_TRANSLATE_NOOP("Counter", "On track"), "ok"))


class DeadlinesScreen(CounterScreen):
    name = "deadlines"
    open_case = Signal(str)

    def __init__(self, ctx: CounterContext, staff_id: int, *, hall_wide: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.staff_id = staff_id
        self.hall_wide = hall_wide
        self.rows: list[CaseRow] = []
        self.loads = 0
        cards = QHBoxLayout()
        self.figures: dict[Urgency, tuple[QLabel, QLabel]] = {}
        for urgency, _mark, _words, role in FIGURES:
            card = set_role(QFrame(), "card")
            box = QVBoxLayout(card)
            box.setContentsMargins(20, 12, 20, 12)
            number = set_role(QLabel("0"), "figure")
            number.setObjectName(f"figure_{urgency.value}")
            words = set_role(QLabel(), role)
            box.addWidget(number)
            box.addWidget(words)
            cards.addWidget(card)
            self.figures[urgency] = (number, words)
        cards.addStretch(1)
        self.body.addLayout(cards)
        self.table = make_table(len(COLUMNS))
        self.table.setObjectName("deadlineTable")
        self.table.cellDoubleClicked.connect(lambda row, _c: self.rows and self.open_case.emit(self.rows[row].id))
        self.body.addWidget(self.table, 1)
        self.retranslate()

    def on_enter(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        hall_wide = self.hall_wide
        terminal, today = self.ctx.terminal, self.ctx.today
        run_job("counter-deadlines", lambda: cases.deadlines(terminal, self.staff_id, hall_wide=hall_wide, today=today),
                on_done=self._loaded, on_error=self._failed)

    def _loaded(self, rows: list[CaseRow]) -> None:
        self.loads += 1
        self.rows = rows
        self._fill()

    def _failed(self, exc: BaseException) -> None:
        self.loads += 1
        self.show_error(exc)

    def _fill(self) -> None:
        for urgency, (number, _words) in self.figures.items():
            number.setText(str(sum(1 for r in self.rows if r.urgency is urgency)))
        fill_table(self.table, (self._cells(case) for case in self.rows), len(self.rows), stretch=3)

    @staticmethod
    def _cells(case: CaseRow) -> list[QTableWidgetItem]:
        words, role = deadline_text(case.urgency, case.days_left)
        return [cell(words, role=role), cell(when(case.promised_date)), cell(case.receipt_no or "—"),
                cell(case.item_name.get(lang())), cell(case.applicant_name or "—"), cell(msg(case.status_label)),
                cell(channel_text(case.channel))]

    def retranslate(self) -> None:
        super().retranslate()
        if self.hall_wide:
            self.title.setText(translate("Counter", "Deadlines for the whole hall"))
            self.hint.setText(translate("Counter", "Every open case in this hall, most urgent first, counted in working days "
                                 "(holidays and swapped weekends included). Double-click a case to open it."))
        else:
            self.title.setText(translate("Counter", "Deadlines of my cases"))
            self.hint.setText(translate("Counter", "Open cases you have checked, taken or decided, most urgent first, counted in "
                                 "working days. Double-click a case to open it."))
        self.table.setAccessibleName(self.title.text())
        for urgency, mark, words, _role in FIGURES:
            self.figures[urgency][1].setText(f"{mark} {tr(words)}")
        self.table.setHorizontalHeaderLabels([tr(c) for c in COLUMNS])
        self._fill()
