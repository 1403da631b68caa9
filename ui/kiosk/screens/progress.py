"""Where is my application? By receipt number: the platform when reachable, else this kiosk's store."""
from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from kiosk.catalog import Text
from kiosk.errors import Message
from kiosk.receipt_numbers import InvalidReceiptNo, parse_receipt_no
from ui.i18n import colon, msg, translate
from ui.jobs import run_job
from ui.kiosk.context import KioskContext
from ui.kiosk.screens.base import Screen
from kiosk.usecases.progress import look_up_progress
from kiosk.usecases.views import LookupResult
from ui.text import para
from ui.theme import set_role
from ui.widgets.fields import LineField


def check_receipt(raw: str) -> tuple[object, Message | None]:
    try:
        return str(parse_receipt_no(raw)), None
    except InvalidReceiptNo as exc:
        return None, exc.message


class ProgressScreen(Screen):
    name = "progress"

    def __init__(self, ctx: KioskContext) -> None:
        super().__init__(ctx, back=True, next_=False)
        row = QHBoxLayout()
        self.field = LineField("receipt_no", Text("回执编号", "Receipt number"), True, check_receipt,
                               placeholder=Text("如 330106001-001-260131-00001-5", "e.g. 330106001-001-260131-00001-5"),
                               digits=True)
        row.addWidget(self.field, 1)
        self.lookup_button = set_role(QPushButton(), "primary")
        self.lookup_button.setObjectName("lookupButton")
        self.lookup_button.clicked.connect(self.lookup)
        self.field.edit.returnPressed.connect(self.lookup)
        button_col = QVBoxLayout()
        button_col.addStretch(1)
        button_col.addWidget(self.lookup_button)
        row.addLayout(button_col)
        self.body.addLayout(row)
        self.card = set_role(QFrame(), "card")
        card_layout = QVBoxLayout(self.card)
        card_layout.setContentsMargins(24, 16, 24, 16)
        self.answer = QLabel()
        self.answer.setObjectName("progressAnswer")
        self.answer.setWordWrap(True)
        card_layout.addWidget(self.answer)
        self.card.hide()
        self.body.addWidget(self.card)
        self.body.addStretch(1)
        self.result: LookupResult | None = None
        self.looking = False
        self.retranslate()

    def lookup(self) -> None:
        if self.looking or not self.field.validate():
            return
        self.looking = True
        self.lookup_button.setEnabled(False)
        self.ctx.clear_report()
        terminal, text = self.ctx.terminal, self.field.raw()
        run_job("progress-lookup", lambda: look_up_progress(terminal, text),
                on_done=self._answered, on_error=self._failed)

    def _answered(self, result: LookupResult) -> None:
        self.looking = False
        self.lookup_button.setEnabled(True)
        self.result = result
        self._render()

    def _failed(self, exc: BaseException) -> None:
        self.looking = False
        self.lookup_button.setEnabled(True)
        self.ctx.report(exc)

    def _render(self) -> None:
        r = self.result
        if r is None:
            self.card.hide()
            return
        receipt_label = translate("Kiosk", "Receipt number")
        status_label = translate("Kiosk", "Status")
        note_label = translate("Kiosk", "Note")
        promised_label = translate("Kiosk", "Promised completion")
        lines: list[str] = [f"{receipt_label}{colon()}{r.receipt_no}"]
        if r.found and r.status is not None:
            lines.append(f"{status_label}{colon()}{msg(r.status)}")
            if r.note:
                lines.append(f"{note_label}{colon()}{r.note}")
            if r.promised_date:
                lines.append(f"{promised_label}{colon()}{r.promised_date}")
            lines.append(translate("Kiosk", "Source: the platform") if r.source == "platform"
                         else translate("Kiosk", "Source: this kiosk's records"))
        else:
            lines.append(translate("Kiosk", "No application with this number was found. Please check the number "
                                            "or ask the hall staff."))
        if r.platform_note is not None:
            lines.append("ⓘ " + msg(r.platform_note))
        self.answer.setText(para("\n".join(lines)))
        self.card.show()

    def retranslate(self) -> None:
        super().retranslate()
        self.set_heading(translate("Kiosk", "Check progress"),
                         translate("Kiosk", "Type the receipt number printed on your receipt, then tap Look up."))
        self.lookup_button.setText(translate("Kiosk", "Look up"))
        self.field.retranslate()
        self._render()
