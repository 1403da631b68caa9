"""Receipts and notices a person must look at: the printer never confirmed them, or they cannot print.

"Unconfirmed" means the printer took the bytes and said nothing afterwards:
only someone at the paper slot knows whether the paper came out, so nothing
prints it again by itself. Staff confirm it, or print it again (marked 补打).
"""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QLabel, QPushButton, QTableWidgetItem, QWidget

from kiosk.print_jobs import PrintState
from kiosk.usecases import print_queue
from kiosk.usecases.print_queue import PrintJobRow, StaffDecision
from ui.counter.common import CounterScreen, cell, fill_table, make_table, tr, when
from ui.counter.context import CounterContext
from ui.i18n import msg, translate
from ui.jobs import run_job
from ui.theme import set_role
from ui.widgets.flow_layout import FlowLayout

COLUMNS = (QT_TRANSLATE_NOOP("Counter", "Job"), QT_TRANSLATE_NOOP("Counter", "Queued at"),
           QT_TRANSLATE_NOOP("Counter", "Document"), QT_TRANSLATE_NOOP("Counter", "Receipt number"),
           QT_TRANSLATE_NOOP("Counter", "State"), QT_TRANSLATE_NOOP("Counter", "What happened"))


class PrintQueueScreen(CounterScreen):
    name = "print_queue"

    def __init__(self, ctx: CounterContext, staff_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.staff_id = staff_id
        self.rows: list[PrintJobRow] = []
        self.loads = 0
        self.busy = False
        self.count = set_role(QLabel(), "hint")
        self.count.setWordWrap(True)
        self.body.addWidget(self.count)
        self.table = make_table(len(COLUMNS))
        self.table.setObjectName("printJobTable")
        self.table.currentCellChanged.connect(lambda *_: self._refresh_buttons())
        self.body.addWidget(self.table, 1)
        actions = FlowLayout(spacing=12, line_spacing=8)
        self.confirm_button = QPushButton()
        self.confirm_button.setObjectName("confirmPrinted")
        self.confirm_button.clicked.connect(self.confirm)
        self.reprint_button = set_role(QPushButton(), "primary")
        self.reprint_button.setObjectName("reprintJob")
        self.reprint_button.clicked.connect(self.reprint)
        actions.addWidget(self.confirm_button)
        actions.add_stretch()
        actions.addWidget(self.reprint_button)
        self.body.addLayout(actions)
        self.retranslate()

    def on_enter(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        terminal = self.ctx.terminal
        run_job("counter-print-queue", lambda: print_queue.jobs_needing_staff(terminal, self.staff_id),
                on_done=self._loaded, on_error=self._failed)

    def _loaded(self, rows: list[PrintJobRow]) -> None:
        self.loads += 1
        self.rows = rows
        self._fill()

    def _failed(self, exc: BaseException) -> None:
        self.loads += 1
        self.busy = False
        self._refresh_buttons()
        self.show_error(exc)

    def selected(self) -> PrintJobRow | None:
        row = self.table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def confirm(self) -> None:
        job = self.selected()
        if job is None or job.state != PrintState.UNCONFIRMED or self.busy:
            return
        self.busy = True
        self._refresh_buttons()
        terminal = self.ctx.terminal
        run_job("counter-print-confirm", lambda: print_queue.confirm_printed(terminal, self.staff_id, job.id),
                on_done=self._decided, on_error=self._failed)

    def reprint(self) -> None:
        job = self.selected()
        if job is None or job.state not in (PrintState.UNCONFIRMED, PrintState.FAILED) or self.busy:
            return
        self.busy = True
        self._refresh_buttons()
        terminal = self.ctx.terminal
        run_job("counter-print-reprint", lambda: print_queue.reprint_job(terminal, self.staff_id, job.id),
                on_done=self._decided, on_error=self._failed)

    def _decided(self, decision: StaffDecision) -> None:
        self.busy = False
        message = decision.printed.message if decision.printed is not None and decision.printed.message else None
        self.show_message(lambda: msg(decision.message) + (" " + msg(message) if message else ""), "ok")
        self.refresh()

    def _refresh_buttons(self) -> None:
        job = self.selected()
        self.confirm_button.setEnabled(job is not None and job.state == PrintState.UNCONFIRMED and not self.busy)
        self.reprint_button.setEnabled(job is not None and not self.busy)

    @staticmethod
    def _cells(job: PrintJobRow) -> list[QTableWidgetItem]:
        reason = job.reason or ""
        if job.state == PrintState.UNCONFIRMED:
            reason = translate("Counter", "The printer took it and said nothing after: check the paper slot.")
        return [cell(str(job.id)), cell(when(job.created_at)),
                cell(msg(job.kind_label) + (" · " + translate("Counter", "reprint") if job.reprint else "")),
                cell(job.receipt_no or "—"), cell(msg(job.state_label)), cell(reason)]

    def _fill(self) -> None:
        fill_table(self.table, (self._cells(job) for job in self.rows), len(self.rows), stretch=5)
        if self.rows:
            self.table.selectRow(0)
        self._refresh_buttons()
        self.count.setText(translate("Counter", "1 print job needs you") if len(self.rows) == 1
                           else translate("Counter", "%1 print jobs need you").replace("%1", str(len(self.rows)))
                           if self.rows else translate("Counter", "No print job needs you."))

    def retranslate(self) -> None:
        super().retranslate()
        self.title.setText(translate("Counter", "Print queue"))
        self.table.setAccessibleName(self.title.text())
        self.hint.setText(translate("Counter", "Receipts and notices the printer never confirmed, or that cannot "
                                               "print. Look at the printer: if the paper is there, confirm it; if "
                                               "not, print it again (it is marked as a reprint)."))
        self.confirm_button.setText("✔ " + translate("Counter", "It printed"))
        self.reprint_button.setText(translate("Counter", "Print it again") + " ›")
        self.table.setHorizontalHeaderLabels([tr(c) for c in COLUMNS])
        self._fill()
