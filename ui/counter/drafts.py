"""Drafts a kiosk left behind (a crash, a power cut, a citizen who walked off): resume at the counter or discard."""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from ui.counter.common import CounterScreen, cell, fill_table, make_table, tr, when
from kiosk.usecases import drafts as draft_cases
from kiosk.usecases.views import DraftRow
from ui.counter.context import CounterContext
from ui.dialogs import ConfirmDialog
from ui.i18n import lang, translate
from ui.jobs import run_job
from ui.theme import set_role

COLUMNS = (QT_TRANSLATE_NOOP("Counter", "Last saved"), QT_TRANSLATE_NOOP("Counter", "Service item"), QT_TRANSLATE_NOOP("Counter", "Applicant"), QT_TRANSLATE_NOOP("Counter", "ID number"), QT_TRANSLATE_NOOP("Counter", "Files"))


class DraftsScreen(CounterScreen):
    name = "drafts"
    resume = Signal(str)

    def __init__(self, ctx: CounterContext, staff_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.staff_id = staff_id
        self.rows: list[DraftRow] = []
        self.loads = 0
        self.count = set_role(QLabel(), "hint")
        self.body.addWidget(self.count)
        self.table = make_table(len(COLUMNS))
        self.table.setObjectName("draftTable")
        self.table.cellDoubleClicked.connect(lambda row, _c: self.resume_row(row))
        self.body.addWidget(self.table, 1)
        actions = QHBoxLayout()
        self.discard_button = set_role(QPushButton(), "danger")
        self.discard_button.setObjectName("discardDraft")
        self.discard_button.clicked.connect(lambda: self.discard_row(self.table.currentRow()))
        self.resume_button = set_role(QPushButton(), "primary")
        self.resume_button.setObjectName("resumeDraft")
        self.resume_button.clicked.connect(lambda: self.resume_row(self.table.currentRow()))
        actions.addWidget(self.discard_button)
        actions.addStretch(1)
        actions.addWidget(self.resume_button)
        self.body.addLayout(actions)
        self.retranslate()

    def on_enter(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        terminal = self.ctx.terminal
        run_job("counter-drafts", lambda: draft_cases.list_drafts(terminal, self.staff_id), on_done=self._loaded,
                on_error=self._failed)

    def _loaded(self, rows: list[DraftRow]) -> None:
        self.loads += 1
        self.rows = rows
        self._fill()

    def _failed(self, exc: BaseException) -> None:
        self.loads += 1
        self.show_error(exc)

    def resume_row(self, row: int) -> None:
        if 0 <= row < len(self.rows):
            self.resume.emit(self.rows[row].id)

    def discard_row(self, row: int) -> None:
        if not 0 <= row < len(self.rows):
            return
        draft = self.rows[row]
        who = draft.applicant_name or translate("Counter", "an unnamed applicant")
        if not ConfirmDialog.ask(self, translate("Counter", "Discard this draft?"),
                                 translate("Counter", "The draft of %1 for “%2” and its scanned files will be deleted. This cannot be "
                                    "undone.").replace("%1", who).replace("%2", draft.item_name.get(lang())),
                                 translate("Counter", "Discard"), translate("Counter", "Keep it")):
            return
        terminal = self.ctx.terminal
        run_job("counter-discard", lambda: draft_cases.discard_draft_at_counter(terminal, self.staff_id, draft.id),
                on_done=lambda _ok: (self.show_message(lambda: translate("Counter", "The draft was discarded."), "ok"), self.refresh()),
                on_error=self._failed)

    def _fill(self) -> None:
        fill_table(self.table, ([cell(when(d.updated_at)), cell(d.item_name.get(lang())), cell(d.applicant_name or "—"),
                                 cell(d.id_masked or "—"), cell(str(d.file_count))] for d in self.rows),
                   len(self.rows), stretch=1)
        if self.rows:
            self.table.selectRow(0)
        self.resume_button.setEnabled(bool(self.rows))
        self.discard_button.setEnabled(bool(self.rows))
        self.count.setText(translate("Counter", "%1 drafts").replace("%1", str(len(self.rows))) if self.rows
                           else translate("Counter", "No drafts are waiting."))

    def retranslate(self) -> None:
        super().retranslate()
        self.title.setText(translate("Counter", "Unfinished drafts"))
        self.table.setAccessibleName(self.title.text())
        self.hint.setText(translate("Counter", "Applications a kiosk saved but never submitted (a crash, a power cut, or a citizen "
                             "who came to the counter for help). Resume one to finish it with the applicant, or "
                             "discard it."))
        self.resume_button.setText(translate("Counter", "Resume with the applicant") + " ›")
        self.discard_button.setText(translate("Counter", "Discard…"))
        self.table.setHorizontalHeaderLabels([tr(c) for c in COLUMNS])
        self._fill()
