"""Where is my application? By receipt number: the platform when reachable, else this kiosk's store.

Three ways to give the number: type it; scan the receipt's QR code with a
keyboard-wedge scanner (it types the code's content and Enter, wherever the
focus is on this screen); or lay the ID card on the reader, which looks up
every application this kiosk holds for that number.
"""
from __future__ import annotations

import time
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QHideEvent, QKeyEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from kiosk.catalog import Text
from kiosk.devices.id_card_reader import IdCardData, IdCardError
from kiosk.errors import Message
from kiosk.receipt_numbers import InvalidReceiptNo, parse_receipt_no
from ui.i18n import colon, msg, translate
from ui.jobs import run_job
from ui.kiosk.card_watch import CardWatch
from ui.kiosk.context import KioskContext
from ui.kiosk.screens.base import Screen
from kiosk.usecases.progress import look_up_by_id_number, look_up_progress, receipt_from_camera, receipt_from_scan
from kiosk.usecases.views import LookupResult
from ui.text import para
from ui.theme import set_role
from ui.widgets.fields import LineField


CAMERA_LOOK_MS = 800  # how often the document camera's newest frame is searched for a receipt's QR code
WEDGE_GAP_S = 0.5  # a scanner types a whole code well within this between keys; older keys are someone's typing


def receipt_checker(progress_url: str) -> Callable[[str], tuple[object, Message | None]]:
    """The receipt field's check: a typed number, or the QR content a scanner typed into it."""
    def check(raw: str) -> tuple[object, Message | None]:
        try:
            return receipt_from_scan(raw, progress_url), None
        except InvalidReceiptNo as exc:
            return None, exc.message
    return check


class ProgressScreen(Screen):
    name = "progress"

    def __init__(self, ctx: KioskContext) -> None:
        super().__init__(ctx, back=True, next_=False)
        row = QHBoxLayout()
        self.field = LineField("receipt_no", Text("回执编号", "Receipt number"), True,
                               receipt_checker(ctx.settings.progress_url),
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
        self.reader_status = set_role(QLabel(), "hint")
        self.reader_status.setObjectName("progressReaderStatus")
        self.reader_status.setWordWrap(True)
        self.body.insertWidget(0, self.reader_status)
        reader = ctx.terminal.devices.id_reader if ctx.terminal is not None else None
        self.watch: CardWatch | None = None
        if reader is not None and reader.watchable:
            self.watch = CardWatch(reader, self)
            self.watch.card_read.connect(self.lookup_card)
            self.watch.failed.connect(self._watch_failed)
        self.reader_status.setVisible(self.watch is not None)
        self._reader_message: Message | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # a wedge scanner's keys reach the screen, not nowhere
        self._wedge = ""
        self._wedge_at = 0.0
        self.camera_timer = QTimer(self)  # the document camera, when there is one: a receipt held under it
        self.camera_timer.setSingleShot(True)
        self.camera_timer.timeout.connect(self._look_at_camera)
        self._camera_busy = False
        self._camera_last: str | None = None
        self.result: LookupResult | None = None
        self.results: list[LookupResult] = []
        self.looking = False
        self.retranslate()

    def on_enter(self) -> None:
        if self.watch is not None:
            self.watch.start()
        self._camera_last = None
        if self.ctx.terminal is not None and self.ctx.terminal.devices.camera is not None:
            self.camera_timer.start(0)
        if not self.field.edit.hasFocus():
            self.setFocus(Qt.FocusReason.OtherFocusReason)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt's name
        if self.watch is not None:
            self.watch.stop()
        self.camera_timer.stop()
        super().hideEvent(event)

    def _look_at_camera(self) -> None:
        if self._camera_busy or not self.isVisible():
            return
        self._camera_busy = True
        terminal = self.ctx.terminal
        run_job("progress-camera-qr", lambda: receipt_from_camera(terminal),
                on_done=self._camera_saw, on_error=self._camera_failed)

    def _camera_saw(self, receipt: str | None) -> None:
        if not shiboken6.isValid(self):  # the screen was wiped while the frame was being read
            return
        self._camera_busy = False
        if not self.isVisible():
            return
        if receipt and receipt != self._camera_last and not self.looking:
            self._camera_last = receipt  # the same receipt left under the camera is looked up once
            self.field.set_raw(receipt)
            self.lookup()
        self.camera_timer.start(CAMERA_LOOK_MS)

    def _camera_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._camera_busy = False
        self.ctx.report(exc)  # a defect, not a missing code: reported once, and the camera is not asked again

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        """Keys no child took: a keyboard-wedge QR scanner's burst, ended by Enter."""
        now = time.monotonic()
        if now - self._wedge_at > WEDGE_GAP_S:
            self._wedge = ""
        self._wedge_at = now
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            scanned, self._wedge = self._wedge, ""
            if scanned:
                self.field.set_raw(scanned)
                self.lookup()
                event.accept()
                return
        elif event.text() and event.text().isprintable():
            self._wedge += event.text()
            event.accept()
            return
        super().keyPressEvent(event)

    def lookup(self) -> None:
        if self.looking or not self.field.validate():
            return
        self.looking = True
        self.lookup_button.setEnabled(False)
        self.ctx.clear_report()
        terminal = self.ctx.terminal
        text = receipt_from_scan(self.field.raw(), self.ctx.settings.progress_url)
        self.field.set_raw(text)  # the number, not the address a scanner typed
        run_job("progress-lookup", lambda: look_up_progress(terminal, text),
                on_done=self._answered, on_error=self._failed)

    def lookup_card(self, card: IdCardData) -> None:
        """A card was laid on the reader: every application this kiosk holds for its number."""
        if self.looking:
            return
        if not card.resident:
            self._reader_message = Message("本机只能按居民身份证查询办理进度，请输入回执编号。",
                                           "Progress can be looked up here only with a resident ID card; please "
                                           "type the receipt number.")
            self._render_reader()
            return
        self.looking = True
        self.lookup_button.setEnabled(False)
        self.ctx.clear_report()
        self._reader_message = None
        self._render_reader()
        terminal, number = self.ctx.terminal, card.id_number
        run_job("progress-lookup-card", lambda: look_up_by_id_number(terminal, number),
                on_done=self._answered_card, on_error=self._failed)

    def _watch_failed(self, exc: BaseException) -> None:
        if isinstance(exc, IdCardError):
            self._reader_message = exc.message
            self._render_reader()
        else:
            self.ctx.report(exc)

    def _render_reader(self) -> None:
        self.reader_status.setText(para(msg(self._reader_message)) if self._reader_message else
                                   para(translate("Kiosk", "Or lay your ID card on the reader to see all your "
                                                           "applications made at this kiosk.")))

    def _answered(self, result: LookupResult) -> None:
        self.looking = False
        self.lookup_button.setEnabled(True)
        self.result = result
        self.results = [result]
        self._render()

    def _answered_card(self, results: list[LookupResult]) -> None:
        self.looking = False
        self.lookup_button.setEnabled(True)
        self.result = results[0] if results else None
        self.results = results
        if not results:
            self._reader_message = Message("本机没有这张身份证持有人的申请记录。如在别处办理，请输入回执编号查询。",
                                           "This kiosk holds no application for this ID card. If you applied "
                                           "elsewhere, please type the receipt number.")
        self._render_reader()
        self._render()

    def _failed(self, exc: BaseException) -> None:
        self.looking = False
        self.lookup_button.setEnabled(True)
        self.ctx.report(exc)

    def _render(self) -> None:
        if not self.results:
            self.card.hide()
            return
        self.answer.setText("<hr/>".join(self._describe(r) for r in self.results))
        self.card.show()
        self.announce.emit("。".join(line for r in self.results for line in self._lines(r)))

    def _describe(self, r: LookupResult) -> str:
        return para("\n".join(self._lines(r)))

    def _lines(self, r: LookupResult) -> list[str]:
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
        return lines

    def retranslate(self) -> None:
        super().retranslate()
        self.set_heading(translate("Kiosk", "Check progress"),
                         translate("Kiosk", "Type the receipt number printed on your receipt, then tap Look up, "
                                            "or hold the receipt's QR code to the scanner."))
        self.lookup_button.setText(translate("Kiosk", "Look up"))
        self.field.retranslate()
        self._render_reader()
        self._render()
