"""The work list: what waits for this hall's counters, with filters and search.

Kiosk captures, walk-ins taken at a counter, and online cases the platform
assigned to this hall for checking originals in person. Search takes a
receipt number, a case number, an ID number or the text of a receipt's QR
code; one hit opens it at once.
"""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QWidget)

from ui.counter.cell_table import Cell, CellTableModel, fit_columns_to_texts, make_cell_view
from ui.counter.common import CounterScreen, channel_text, deadline_text, tr, when
from kiosk.usecases import cases
from kiosk.usecases.views import CaseRow
from ui.counter.context import CounterContext
from ui.i18n import lang, msg, translate
from ui.jobs import run_job
from ui.theme import set_role
from ui.widgets.flow_layout import FlowLayout

SOURCE_FILTERS = (("all", QT_TRANSLATE_NOOP("Counter", "All sources")), ("kiosk", QT_TRANSLATE_NOOP("Counter", "Kiosk")), ("counter", QT_TRANSLATE_NOOP("Counter", "Walk-in")),
                  ("online", QT_TRANSLATE_NOOP("Counter", "Online")))
STATUS_FILTERS = (("all", QT_TRANSLATE_NOOP("Counter", "All waiting")), ("submitted", QT_TRANSLATE_NOOP("Counter", "Submitted")), ("received", QT_TRANSLATE_NOOP("Counter", "Received by the platform")),
                  ("needs_supplement", QT_TRANSLATE_NOOP("Counter", "Supplementary materials needed")))
COLUMNS = (QT_TRANSLATE_NOOP("Counter", "Deadline"), QT_TRANSLATE_NOOP("Counter", "Receipt no."), QT_TRANSLATE_NOOP("Counter", "Case no."), QT_TRANSLATE_NOOP("Counter", "Service item"), QT_TRANSLATE_NOOP("Counter", "Applicant"), QT_TRANSLATE_NOOP("Counter", "ID number"), QT_TRANSLATE_NOOP("Counter", "Source"), QT_TRANSLATE_NOOP("Counter", "Status"),
           QT_TRANSLATE_NOOP("Counter", "Submitted"))
#: on a narrow window, the columns hidden first to last: the source (the filter above says it), when it came
#: in (the deadline says what matters of it), the case number (on the case; most of a hall's cases have none)
NARROW_DROPS = (6, 8, 2)


class WorkListScreen(CounterScreen):
    name = "worklist"
    open_case = Signal(str)

    def __init__(self, ctx: CounterContext, staff_id: int | None, parent: QWidget | None = None) -> None:
        """`staff_id` None: made ahead, while the counter waits for a log-in (`CounterWindow._prepare`); the
        person who logs in is set before it is shown."""
        super().__init__(parent)
        self.ctx = ctx
        self.staff_id = staff_id
        self.rows: list[CaseRow] = []
        self.searching: str | None = None
        self.loading = False
        self.loads = 0  # finished loads, for tests to wait on

        search_row = QHBoxLayout()
        self.search_box = QLineEdit()
        self.search_box.setObjectName("searchBox")
        self.search_box.returnPressed.connect(lambda: self.search())
        self.search_button = set_role(QPushButton(), "primary")
        self.search_button.setObjectName("searchButton")
        self.search_button.clicked.connect(lambda: self.search())
        self.clear_button = QPushButton()
        self.clear_button.setObjectName("clearSearch")
        self.clear_button.clicked.connect(self.clear_search)
        search_row.addWidget(self.search_box, 1)
        search_row.addWidget(self.search_button)
        search_row.addWidget(self.clear_button)
        self.body.addLayout(search_row)

        filters = FlowLayout(spacing=24, line_spacing=8)  # the groups wrap on a narrow screen
        sources = QWidget()
        source_row = QHBoxLayout(sources)
        source_row.setContentsMargins(0, 0, 0, 0)
        self.source_label = QLabel()
        source_row.addWidget(self.source_label)
        self.source_group = QButtonGroup(self)
        self.source_buttons: dict[str, QPushButton] = {}
        for key, _words in SOURCE_FILTERS:
            button = set_role(QPushButton(), "tab")
            button.setObjectName(f"source_{key}")
            button.setCheckable(True)
            self.source_group.addButton(button)
            self.source_buttons[key] = button
            button.clicked.connect(self.refresh)
            source_row.addWidget(button)
        self.source_buttons["all"].setChecked(True)
        filters.addWidget(sources)
        statuses = QWidget()
        status_row = QHBoxLayout(statuses)
        status_row.setContentsMargins(0, 0, 0, 0)
        self.status_label = QLabel()
        status_row.addWidget(self.status_label)
        self.status_filter = QComboBox()
        self.status_filter.setObjectName("statusFilter")
        self.status_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for key, _words in STATUS_FILTERS:
            self.status_filter.addItem("", key)
        self.status_filter.currentIndexChanged.connect(self.refresh)
        status_row.addWidget(self.status_filter)
        filters.addWidget(statuses)
        filters.add_stretch()
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(self.refresh)
        filters.addWidget(self.refresh_button)
        self.body.addLayout(filters)

        self.count = set_role(QLabel(), "hint")
        self.count.setObjectName("workCount")
        self.body.addWidget(self.count)
        # a model of texts, not an item per cell: a busy hall's list of hundreds is refilled after every decision
        self.model = CellTableModel([tr(c) for c in COLUMNS], self)
        self.table = make_cell_view(self.model)
        self.table.setObjectName("workTable")
        self.table.doubleClicked.connect(lambda index: self.open_row(index.row()))
        self.table.activated.connect(lambda index: self.open_row(index.row()))
        self.body.addWidget(self.table, 1)
        actions = QHBoxLayout()
        actions.addStretch(1)
        self.open_button = set_role(QPushButton(), "primary")
        self.open_button.setObjectName("openCase")
        self.open_button.clicked.connect(lambda: self.open_row(self.table.currentIndex().row()))
        actions.addWidget(self.open_button)
        self.body.addLayout(actions)
        self.retranslate()

    def source(self) -> str:
        return next((k for k, b in self.source_buttons.items() if b.isChecked()), "all")

    # --- loading -----------------------------------------------------------------------------
    def on_enter(self) -> None:
        if self.searching:
            self.search()
        else:
            self.refresh()

    def refresh(self) -> None:
        self.searching = None
        source, status = self.source(), self.status_filter.currentData() or "all"
        terminal, today, staff_id = self.ctx.terminal, self.ctx.today, self._staff()
        self._start(lambda: cases.work_list(terminal, staff_id, source=source, status=status, today=today))

    def search(self, text: str | None = None) -> None:
        query = (self.search_box.text() if text is None else text).strip()
        if text is not None:
            self.search_box.setText(query)
        if not query:
            self.refresh()
            return
        self.searching = query
        terminal, today, staff_id = self.ctx.terminal, self.ctx.today, self._staff()
        self._start(lambda: cases.search_cases(terminal, staff_id, query, today=today), open_single=True)

    def _staff(self) -> int:
        if self.staff_id is None:
            raise RuntimeError("the work list was asked for cases before anyone logged in")
        return self.staff_id

    def clear_search(self) -> None:
        self.search_box.clear()
        self.show_message(None)
        self.refresh()

    def _start(self, work: object, open_single: bool = False) -> None:
        self.loading = True
        run_job("counter-worklist", work, on_done=lambda rows: self._loaded(rows, open_single),
                on_error=self._failed)

    def _loaded(self, rows: list[CaseRow], open_single: bool) -> None:
        self.loading = False
        self.loads += 1
        self.rows = rows
        self.show_message(None)
        if self.searching and not rows:
            query = self.searching
            self.show_message(lambda: translate("Counter", "Nothing found for “%1”. Check the number, or ask the applicant for the "
                                         "receipt.").replace("%1", query))
        self._fill()
        if open_single and len(rows) == 1:
            self.open_case.emit(rows[0].id)

    def _failed(self, exc: BaseException) -> None:
        self.loading = False
        self.loads += 1
        self.show_error(exc)

    def open_row(self, row: int) -> None:
        if 0 <= row < len(self.rows):
            self.open_case.emit(self.rows[row].id)

    # --- showing ------------------------------------------------------------------------------
    def _fill(self) -> None:
        self.model.set_rows([self._cells(case) for case in self.rows])
        fit_columns_to_texts(self.table, self.model, stretch=3, drop_order=NARROW_DROPS)
        if self.rows:
            self.table.selectRow(0)
        self.open_button.setEnabled(bool(self.rows))
        if self.searching:
            self.count.setText(translate("Counter", "%1 found for “%2”").replace("%1", str(len(self.rows)))
                               .replace("%2", self.searching))
        else:
            self.count.setText(translate("Counter", "%1 applications waiting").replace("%1", str(len(self.rows))))

    @staticmethod
    def _cells(case: CaseRow) -> list[Cell]:
        words, role = deadline_text(case.urgency, case.days_left)
        return [Cell(words, role), Cell(case.receipt_no or "—"), Cell(case.case_no or "—"),
                Cell(case.item_name.get(lang())), Cell(case.applicant_name or "—"), Cell(case.id_masked or "—"),
                Cell(channel_text(case.channel)), Cell(msg(case.status_label)), Cell(when(case.submitted_at))]

    def retranslate(self) -> None:
        super().retranslate()
        self.title.setText(translate("Counter", "Work list"))
        self.hint.setText(translate("Counter", "Applications from this hall's kiosks, walk-ins and online cases to check in person. "
                             "Scan a receipt's QR code or bar code at any time to open it."))
        self.search_box.setPlaceholderText(translate("Counter", "Receipt no., case no. or ID number — or scan the receipt"))
        self.search_box.setAccessibleName(self.search_box.placeholderText())
        self.table.setAccessibleName(self.title.text())
        self.search_button.setText(translate("Counter", "Search"))
        self.clear_button.setText(translate("Counter", "Show all"))
        self.source_label.setText(translate("Counter", "Source:"))
        self.status_label.setText(translate("Counter", "Status:"))
        for key, words in SOURCE_FILTERS:
            self.source_buttons[key].setText(tr(words))
        for index, (_key, words) in enumerate(STATUS_FILTERS):
            self.status_filter.setItemText(index, tr(words))
        self.refresh_button.setText("⟳ " + translate("Counter", "Refresh"))
        self.open_button.setText(translate("Counter", "Open for review") + " ›")
        self.model.set_headers([tr(c) for c in COLUMNS])
        self._fill()
