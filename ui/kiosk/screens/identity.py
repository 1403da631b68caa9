"""Who is applying: read the ID card, or type name, ID number and phone with an immediate check.

With a reader that tells placements apart, the screen fills itself when a
card is laid on it (no button); other readers are read when the button is tapped.
"""
from __future__ import annotations

from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton

from kiosk.card_prefill import fill_from_card
from kiosk.devices.id_card_reader import IdCardData, IdCardError
from kiosk.errors import Message
from kiosk.usecases import materials as material_cases
from ui.i18n import msg, translate
from ui.jobs import run_job
from ui.kiosk.card_watch import CardWatch
from ui.kiosk.context import KioskContext
from ui.kiosk.screens.base import Screen
from ui.text import para
from ui.theme import set_role
from ui.widgets.applicant import ApplicantFields
from ui.widgets.number_pad import NumberPad


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
        reader = ctx.terminal.devices.id_reader if ctx.terminal is not None else None
        self.watch: CardWatch | None = None
        if reader is not None and reader.watchable:
            self.watch = CardWatch(reader, self)
            self.watch.card_read.connect(self._card_read)
            self.watch.failed.connect(self._watch_failed)
        self.body.addLayout(self.reader_row)  # placed first: a parentless widget made visible is a window
        self.read_button.setVisible(reader is not None and self.watch is None)
        self.reader_status.setVisible(reader is not None)
        self._reader_message: Message | None = None
        self.applicant = ApplicantFields(hints=True)
        self.name_field, self.id_field, self.phone_field = self.applicant.fields
        self.fields = self.applicant.fields
        self.pads: dict[str, NumberPad] = {}
        for field, extra in ((self.id_field, "X"), (self.phone_field, "")):  # digits on a pad, not on a keyboard
            pad = NumberPad(extra).attach(field.edit)
            pad.setObjectName(f"numberPad_{field.key}")
            field.layout().addWidget(pad)
            pad.opened.connect(lambda f=field, p=pad: self.reveal_soon(f.edit, p))
            self.pads[field.key] = pad
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

    def on_enter(self) -> None:
        if self.watch is not None:
            self.watch.start()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt's name
        if self.watch is not None:
            self.watch.stop()
        super().hideEvent(event)

    def _card_read(self, card: IdCardData) -> None:
        self.read_button.setEnabled(True)
        if not card.resident:
            shown = " / ".join(n for n in (card.name, card.english_name) if n)
            self._reader_message = Message(
                f"已读取外国人永久居留身份证（{shown}）。本机目前只能受理居民身份证持有人的申请，请到人工窗口办理。",
                f"A foreigner's permanent residence card was read ({shown}). This kiosk can take applications "
                "only from resident ID card holders for now; please go to a staffed counter.")
            self._render_reader()
            return
        self.name_field.set_raw(card.name)
        self.id_field.set_raw(card.id_number)
        for field in (self.name_field, self.id_field):
            field.validate()
        self.ctx.session.card = card
        if self.ctx.session.item is not None:  # the expiry date, the address: proposals the form shows
            fill_from_card(self.ctx.session.item, card, self.ctx.session.form)
        self._reader_message = Message("已读取身份证，请核对后点“下一步”。手机号码可不填。",
                                       "Your ID card has been read; please check it and tap Next. "
                                       "The mobile number may be left empty.")
        self._render_reader()
        self._store()

    def _watch_failed(self, exc: BaseException) -> None:
        if isinstance(exc, IdCardError):  # said where the citizen looks, not in a pop-up; the watch goes on
            self._reader_message = exc.message
            self._render_reader()
        else:
            self.ctx.report(exc)

    def _card_failed(self, exc: BaseException) -> None:
        self.read_button.setEnabled(True)
        self._reader_message = None
        self._render_reader()
        self.ctx.report(exc)

    def _render_reader(self) -> None:
        if self._reader_message:
            self.reader_status.setText(para(msg(self._reader_message)))
        elif self.watch is not None:
            self.reader_status.setText(para(translate("Kiosk", "Lay your ID card flat on the reader and it is read "
                                                               "by itself. Or type your details below.")))
        else:
            self.reader_status.setText(para(translate("Kiosk", "Or type your details below.")))

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
