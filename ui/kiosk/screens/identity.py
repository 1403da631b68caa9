"""Who is applying: read the ID card, or type name, ID number and phone with an immediate check."""
from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton

from kiosk.catalog import Text
from kiosk.errors import Message
from kiosk.forms import check_name
from kiosk.identity import InvalidIdentity, parse_mobile, parse_resident_id
from ui.i18n import msg, translate
from ui.jobs import run_job
from ui.kiosk.context import KioskContext
from ui.kiosk.screens.base import Screen
from ui.text import para
from ui.theme import set_role
from ui.widgets.fields import LineField


def check_id_number(raw: str) -> tuple[Any, Message | None]:
    try:
        return parse_resident_id(raw).number, None
    except InvalidIdentity as exc:
        return None, exc.message


def check_mobile(raw: str) -> tuple[Any, Message | None]:
    try:
        return parse_mobile(raw), None
    except InvalidIdentity as exc:
        return None, exc.message


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
        has_reader = ctx.services.id_reader is not None
        self.read_button.setVisible(has_reader)
        self.reader_status.setVisible(has_reader)
        self.body.addLayout(self.reader_row)
        self._reader_message: Message | None = None
        self.name_field = LineField("name", Text("姓名", "Full name"), True, check_name, max_length=50)
        self.id_field = LineField("id_number", Text("身份证号码", "Resident ID number"), True, check_id_number,
                                  placeholder=Text("18位，最后一位可能是X", "18 characters; the last may be X"),
                                  max_length=18, digits=True)
        self.phone_field = LineField("phone", Text("手机号码", "Mobile phone number"), True, check_mobile,
                                     help_text=Text("办理结果将以短信通知", "We will text you when your application "
                                                                     "moves on."),
                                     placeholder=Text("11位手机号码", "11-digit mobile number"), max_length=11,
                                     digits=True)
        self.fields = [self.name_field, self.id_field, self.phone_field]
        for field in self.fields:
            field.set_raw(ctx.session.applicant.get(field.key, ""))
            field.edited.connect(self._store)
            field.edit.editingFinished.connect(self._store)
            self.body.addWidget(field)
        self.body.addStretch(1)
        self.retranslate()

    def _store(self) -> None:
        for field in self.fields:
            self.ctx.session.applicant[field.key] = field.raw()
        self.ctx.save_draft_soon()

    def read_card(self) -> None:
        self.read_button.setEnabled(False)
        self._reader_message = Message("正在读取身份证，请把身份证放在感应区上……",
                                       "Reading your ID card; please lay it on the reader…")
        self._render_reader()
        run_job("read-id-card", self.ctx.services.read_id_card, on_done=self._card_read, on_error=self._card_failed)

    def _card_read(self, card: Any) -> None:
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
        results = [field.validate() for field in self.fields]
        self._store()
        if all(results):
            self.ctx.save_draft()
            self.next_requested.emit()
        else:
            bad = next(f for f, ok in zip(self.fields, results) if not ok)
            bad.edit.setFocus()
            self.scroll.ensureWidgetVisible(bad)

    def retranslate(self) -> None:
        super().retranslate()
        self.set_heading(translate("Kiosk", "Who is applying?"),
                         translate("Kiosk", "Place your ID card on the reader, or type your details. "
                                            "We check each one as soon as you finish it."))
        self.read_button.setText(translate("Kiosk", "Read my ID card"))
        self._render_reader()
        for field in self.fields:
            field.retranslate()
