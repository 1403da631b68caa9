"""Checking in for a booked appointment: lay the ID card on the reader, or show the booking's QR code.

Nothing is typed. A reader that tells placements apart is watched (`ui.kiosk.card_watch`); other
readers are read with one large button. The QR code is read by the kiosk's camera (a small live picture
helps the citizen aim) or by a hand-held scanner (`ui.kiosk.qr_watch`). The screen only reports what it
read (`card_read`, `code_read`); `ui.kiosk.checkin_flow` checks in and decides what comes next, and tells
the screen when a check-in is under way (`set_busy`) or was refused (`set_problem`).
"""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QHideEvent, QPixmap
from PySide6.QtWidgets import QLabel, QPushButton

from kiosk.devices.camera import Frame, FrameSource
from kiosk.devices.id_card_reader import IdCardData, IdCardError
from kiosk.errors import Message
from kiosk.usecases import materials as material_cases
from ui.i18n import msg, translate
from ui.jobs import run_job
from ui.kiosk.card_watch import CardWatch
from ui.kiosk.context import KioskContext
from ui.kiosk.qr_watch import QrWatch
from ui.kiosk.screens.base import Screen
from ui.text import para
from ui.theme import set_role
from ui.widgets import builders
from ui.widgets.wrap_button import WrapButton

PREVIEW_W, PREVIEW_H = 480, 360


class CheckinScreen(Screen):
    name = "checkin"
    done_when_idle = True  # nothing of the citizen's is kept here: the idle end is a plain return to the start
    card_read = Signal(object)  # IdCardData
    code_read = Signal(str)  # a booking code from the camera or a hand-held scanner

    def __init__(self, ctx: KioskContext) -> None:
        super().__init__(ctx, back=True, next_=False)
        devices = ctx.terminal.devices if ctx.terminal is not None else None
        reader = devices.id_reader if devices is not None else None
        camera = devices.camera if devices is not None and isinstance(devices.camera, FrameSource) else None
        self.has_reader, self.has_camera = reader is not None, camera is not None
        self.busy = False
        self.problem: Message | None = None
        self.card_way = set_role(QLabel(), "subtitle")
        self.card_way.setObjectName("checkinCardWay")
        self.card_way.setWordWrap(True)
        self.body.addWidget(self.card_way)
        self.watch: CardWatch | None = None
        if reader is not None and reader.watchable:
            self.watch = CardWatch(reader, self)
            self.watch.card_read.connect(self._card)
            self.watch.failed.connect(self._reader_failed)
        self.read_button: QPushButton = builders.button("checkinReadCard", self.read_card, role="primary",
                                                        kind=WrapButton)
        self.read_button.setMinimumHeight(self.read_button.minimumHeight() + 40)
        self.body.addWidget(self.read_button)
        self.read_button.setVisible(reader is not None and self.watch is None)  # a reader that must be asked
        self.card_way.setVisible(reader is not None)
        self.code_way = set_role(QLabel(), "subtitle")
        self.code_way.setObjectName("checkinCodeWay")
        self.code_way.setWordWrap(True)
        self.body.addWidget(self.code_way)
        self.preview = QLabel()
        self.preview.setObjectName("checkinPreview")
        self.preview.setFixedSize(PREVIEW_W, PREVIEW_H)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        set_role(self.preview, "hint")
        self.body.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignLeft)
        self.preview.setVisible(camera is not None)
        self.qr = QrWatch(camera, self)
        self.qr.code_read.connect(self._code)
        self.qr.frame_seen.connect(self._frame)
        self.status = set_role(QLabel(), "hint")
        self.status.setObjectName("checkinStatus")
        self.status.setWordWrap(True)
        self.body.addWidget(self.status)
        self.body.addStretch(1)
        self.retranslate()

    # --- what was read ---------------------------------------------------------------------------------
    def read_card(self) -> None:
        """A reader that cannot be watched: one read, while the citizen lays the card on it."""
        self.read_button.setEnabled(False)
        self.problem = Message("正在读取身份证，请把身份证放在感应区上……",
                               "Reading your ID card; please lay it on the reader…")
        self._render_status()
        terminal = self.ctx.terminal
        run_job("checkin-read-card", lambda: material_cases.read_id_card(terminal), on_done=self._card,
                on_error=self._read_failed)

    def _card(self, card: IdCardData) -> None:
        self.read_button.setEnabled(True)
        if not self.busy:
            self.card_read.emit(card)

    def _code(self, code: str) -> None:
        if not self.busy:
            self.code_read.emit(code)

    def _reader_failed(self, exc: BaseException) -> None:
        if isinstance(exc, IdCardError):  # said where the citizen looks; the watch goes on
            self.set_problem(exc.message)
        else:
            self.ctx.report(exc)

    def _read_failed(self, exc: BaseException) -> None:
        self.read_button.setEnabled(True)
        self._reader_failed(exc)

    def _frame(self, frame: Frame) -> None:
        from ui.kiosk.camera_capture import preview_image

        image = preview_image(frame, QSize(PREVIEW_W, PREVIEW_H))
        self.preview.setPixmap(QPixmap.fromImage(image.scaled(
            PREVIEW_W, PREVIEW_H, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation)))

    # --- what the flow tells it -------------------------------------------------------------------------
    def set_busy(self, busy: bool) -> None:
        """A check-in is under way: nothing read meanwhile starts a second one."""
        self.busy = busy
        self.read_button.setEnabled(not busy)
        if busy:
            self.problem = None
        self._render_status()

    def set_problem(self, problem: Message | None) -> None:
        """Why nothing was checked in (no booking today, too early...), or what the reader said: in words, in
        place (the flow has it said aloud)."""
        self.busy = False
        self.read_button.setEnabled(True)
        self.problem = problem
        self._render_status()

    # --- showing -----------------------------------------------------------------------------------------
    def on_enter(self) -> None:
        if self.watch is not None:
            self.watch.start()
        self.qr.start()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt's name
        if self.watch is not None:
            self.watch.stop()
        self.qr.stop()
        super().hideEvent(event)

    def _render_status(self) -> None:
        if self.busy:
            text, role = "⏳ " + translate("Kiosk", "Checking you in…"), "hint"
        elif self.problem is not None:
            text, role = "⚠ " + msg(self.problem), "error"
        else:
            text, role = "", "hint"
        self.status.setText(para(text) if text else "")
        self.status.setVisible(bool(text))
        set_role(self.status, role)

    def retranslate(self) -> None:
        super().retranslate()
        self.back_button.setText("‹ " + translate("Kiosk", "Back to the start"))
        self.set_heading(translate("Kiosk", "Check in for your appointment"),
                         translate("Kiosk", "You need not type anything. Use either way below."))
        if self.watch is not None:
            card = translate("Kiosk", "① Lay your ID card flat on the reader. It is read by itself.")
        else:
            card = translate("Kiosk", "① Lay your ID card on the reader, then tap the button below.")
        self.card_way.setText(para(card))
        self.read_button.setText("▶  " + translate("Kiosk", "Read my ID card"))
        number = "②" if self.has_reader else "①"
        if self.has_camera:
            code = translate("Kiosk", "%1 Or hold your booking's QR code under the camera, or in front of the "
                                      "scanner.")
        else:
            code = translate("Kiosk", "%1 Or hold your booking's QR code in front of the scanner.")
        self.code_way.setText(para(code.replace("%1", number)))
        self.preview.setText("" if self.preview.pixmap() and not self.preview.pixmap().isNull()
                             else translate("Kiosk", "Starting the camera…"))
        self._render_status()

    def speech_text(self) -> str:
        parts = [self.title.text(), self._plain(self.subtitle.text())]
        ways = (self.card_way, self.code_way) if self.has_reader else (self.code_way,)
        parts += [self._plain(w.text()) for w in ways]
        if self.status.text():
            parts.append(self._plain(self.status.text()).lstrip("⏳⚠ "))
        return "。".join(p.rstrip("。.") for p in parts if p)
