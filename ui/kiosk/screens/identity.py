"""Who is applying: read the ID card, or type name, ID number and phone with an immediate check."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton

from kiosk.devices.id_card_reader import IdCardData
from kiosk.errors import Message
from kiosk.usecases import materials as material_cases
from ui.i18n import msg, translate
from ui.jobs import run_job
from ui.kiosk.context import KioskContext
from ui.kiosk.screens.base import Screen
from ui.text import para
from ui.theme import set_role
from ui.widgets.applicant import ApplicantFields


class IdentityScreen(Screen):
    name = "identity"
    step = 1

    def __init__(self, ctx: KioskContext) -> None:
        super().__init__(ctx)
        self.reader_row = QHBoxLayout()
        self.read_button = set_role(QPushButton(), "primary")
        self.read_button.setObjectName("readCardButton")
        self.read_button.clicked.connect(self.read_card)
        self.reader_status = set_role(QLabel(), "hint")
        self.reader_status.setWordWrap(True)
        self.reader_row.addWidget(self.read_button)
        self.reader_row.addWidget(self.reader_status, 1)
        has_reader = ctx.terminal is not None and ctx.terminal.devices.id_reader is not None
        self.read_button.setVisible(has_reader)
        self.reader_status.setVisible(has_reader)
        self.body.addLayout(self.reader_row)
        self._reader_message: Message | None = None
        self.applicant = ApplicantFields(hints=True)
        self.name_field, self.id_field, self.phone_field = self.applicant.fields
        self.fields = self.applicant.fields
        self.applicant.set_raw(ctx.session.applicant)
        self.applicant.edited.connect(self._store)
        self.body.addWidget(self.applicant)
        self.body.addStretch(1)
        self.retranslate()

    def _store(self) -> None:
        self.ctx.session.applicant.update(self.applicant.raw())
        self.ctx.save_draft_soon()

    def read_card(self) -> None:
        self.read_button.setEnabled(False)
        self._reader_message = Message("正在读取身份证，请把身份证放在感应区上……",
                                       "Reading your ID card; please lay it on the reader…")
        self._render_reader()
        terminal = self.ctx.terminal
        run_job("read-id-card", lambda: material_cases.read_id_card(terminal), on_done=self._card_read,
                on_error=self._card_failed)

    def _card_read(self, card: IdCardData) -> None:
        self.read_button.setEnabled(True)
        self.name_field.set_raw(card.name)
        self.id_field.set_raw(card.id_number)
        for field in (self.name_field, self.id_field):
            field.validate()
        self._reader_message = Message("已读取身份证，请核对并填写手机号码。",
                                       "Your ID card has been read; please check it and enter your mobile number.")
        self._render_reader()
        self._store()

    def _card_failed(self, exc: BaseException) -> None:
        self.read_button.setEnabled(True)
        self._reader_message = None
        self._render_reader()
        self.ctx.report(exc)

    def _render_reader(self) -> None:
        self.reader_status.setText(para(msg(self._reader_message)) if self._reader_message else
                                   para(translate("Kiosk", "Or type your details below.")))

    def on_next(self) -> None:
        failed = self.applicant.validate()
        self._store()
        if not failed:
            self.ctx.save_draft()
            self.next_requested.emit()
        else:
            failed[0].edit.setFocus()
            self.scroll.ensureWidgetVisible(failed[0])

    def retranslate(self) -> None:
        super().retranslate()
        self.set_heading(translate("Kiosk", "Who is applying?"),
                         translate("Kiosk", "Place your ID card on the reader, or type your details. "
                                            "We check each one as soon as you finish it."))
        self.read_button.setText(translate("Kiosk", "Read my ID card"))
        self._render_reader()
        self.applicant.retranslate()
