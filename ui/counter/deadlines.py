"""Deadlines: working days left against each case's promised date, the most urgent first.

A supervisor sees every open case in the hall; a clerk sees the cases they
have handled. Close and past deadlines carry a symbol and words, with colour
only repeating them.
"""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.worklist import Urgency
from ui.counter.cell_table import Cell, CellTableModel, fit_columns_to_texts, make_cell_view
from ui.counter.common import CounterScreen, channel_text, deadline_text, tr, when
from kiosk.usecases import cases
from kiosk.usecases.views import CaseRow
from ui.counter.context import CounterContext
from ui.i18n import lang, msg, translate
from ui.jobs import run_job
from ui.theme import set_role

COLUMNS = (QT_TRANSLATE_NOOP("Counter", "Deadline"), QT_TRANSLATE_NOOP("Counter", "Promised by"), QT_TRANSLATE_NOOP("Counter", "Receipt no."), QT_TRANSLATE_NOOP("Counter", "Service item"), QT_TRANSLATE_NOOP("Counter", "Applicant"), QT_TRANSLATE_NOOP("Counter", "Status"), QT_TRANSLATE_NOOP("Counter", "Source"))
#: on a narrow window, hidden first to last: the source, then the promised date (the deadline counts it down)
NARROW_DROPS = (6, 1)
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
        self.model = CellTableModel([tr(c) for c in COLUMNS], self)
        self.table = make_cell_view(self.model)
        self.table.setObjectName("deadlineTable")
        self.table.doubleClicked.connect(lambda index: self.open_row(index.row()))
        self.table.activated.connect(lambda index: self.open_row(index.row()))
        self.body.addWidget(self.table, 1)
        self.retranslate()

    def open_row(self, row: int) -> None:
        if 0 <= row < len(self.rows):
            self.open_case.emit(self.rows[row].id)

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
        self.model.set_rows([self._cells(case) for case in self.rows])
        fit_columns_to_texts(self.table, self.model, stretch=3, drop_order=NARROW_DROPS)

    @staticmethod
    def _cells(case: CaseRow) -> list[Cell]:
        words, role = deadline_text(case.urgency, case.days_left)
        return [Cell(words, role), Cell(when(case.promised_date)), Cell(case.receipt_no or "—"),
                Cell(case.item_name.get(lang())), Cell(case.applicant_name or "—"), Cell(msg(case.status_label)),
                Cell(channel_text(case.channel))]

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
        self.model.set_headers([tr(c) for c in COLUMNS])
        self._fill()
