"""Submitted: the receipt number, its QR code and the promised date, while the receipt prints."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.errors import Message
from kiosk.submission import SubmittedApplication
from ui.i18n import lang, msg, translate
from ui.kiosk.context import KioskContext
from ui.kiosk.screens.base import Screen
from ui.text import para
from ui.theme import set_role
from ui.widgets.flow_layout import FlowLayout


def qr_image(text: str, box: int = 8) -> QImage:
    """The receipt's code (`kiosk.qr`: encoded once for the screen and the printed receipt)."""
    from kiosk.qr import qr_picture

    picture = qr_picture(text, box, border=2).convert("L")
    width, height = picture.size
    return QImage(picture.tobytes(), width, height, width, QImage.Format.Format_Grayscale8).copy()


class ResultScreen(Screen):
    name = "result"
    step = 5
    rate_requested = Signal()
    finish_requested = Signal()

    def __init__(self, ctx: KioskContext, submitted: SubmittedApplication | None = None,
                 qr: QImage | None = None) -> None:
        """`qr` drawn in the submitting job (a QImage may be made off the GUI thread), or here if not given.

        Without `submitted` the screen is built ahead, while the citizen checks their application
        (`KioskNavigator`), and `set_submitted` fills it in when the submission is stored."""
        super().__init__(ctx, back=False, next_=True)
        self.submitted = submitted
        self.print_message: Message | None = None
        self.printed: bool | None = None
        # Receipt beside its QR code; on a narrow screen the code moves below rather than squeezing the number.
        row = FlowLayout(spacing=32, line_spacing=20)
        left_box = QWidget()
        left = QVBoxLayout(left_box)
        left.setContentsMargins(0, 0, 0, 0)
        self.receipt_caption = set_role(QLabel(), "subtitle")
        self.receipt = set_role(QLabel(), "receipt")
        self.receipt.setObjectName("receiptNo")
        self.receipt.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.promised = set_role(QLabel(), "big")
        self.promised.setWordWrap(True)
        self.print_status = QLabel()
        self.print_status.setObjectName("printStatus")
        self.print_status.setWordWrap(True)
        for w in (self.receipt_caption, self.receipt, self.promised, self.print_status):
            left.addWidget(w)
        left.addStretch(1)
        row.add(left_box, stretch=True)
        self.qr = QLabel()
        self.qr.setObjectName("receiptQr")
        self.qr.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        qr_widget = QWidget()
        qr_box = QVBoxLayout(qr_widget)
        qr_box.setContentsMargins(0, 0, 0, 0)
        qr_box.addWidget(self.qr)
        self.qr_caption = set_role(QLabel(), "hint")
        self.qr_caption.setWordWrap(True)
        self.qr_caption.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        qr_box.addWidget(self.qr_caption)
        qr_box.addStretch(1)
        row.add(qr_widget)
        self.body.addLayout(row)
        self.rate_button = QPushButton()
        self.rate_button.setObjectName("rateAfterButton")
        self.rate_button.clicked.connect(self.rate_requested)
        self.footer.insertWidget(0, self.rate_button)
        if submitted is not None:
            self.set_submitted(submitted, qr)
        else:
            self.retranslate()

    def set_submitted(self, submitted: SubmittedApplication, qr: QImage | None = None) -> None:
        self.submitted = submitted
        self.receipt.setText(submitted.receipt_no)
        url = self.ctx.settings.status_url(submitted.receipt_no)  # what the printed receipt's QR code holds
        self.qr.setPixmap(QPixmap.fromImage(qr if qr is not None else qr_image(url)))
        self.retranslate()

    def set_print_result(self, printed: bool, message: Message | None) -> None:
        self.printed = printed
        self.print_message = message
        self._render_print()

    def _render_print(self) -> None:
        if self.print_message is None:
            self.print_status.setText(para("⏳ " + translate("Kiosk", "Printing your receipt…")))
            set_role(self.print_status, "hint")
        else:
            mark = "✔ " if self.printed else "⚠ "
            self.print_status.setText(para(mark + msg(self.print_message)))
            set_role(self.print_status, "ok" if self.printed else "error")

    def on_next(self) -> None:
        self.finish_requested.emit()

    def retranslate(self) -> None:
        super().retranslate()
        self.next_button.setText(translate("Kiosk", "Finish"))
        self.rate_button.setText(translate("Kiosk", "Rate this service"))
        self.set_heading(translate("Kiosk", "Your application has been submitted"),
                         translate("Kiosk", "Keep your receipt. You can check progress here with the receipt "
                                            "number, or scan the QR code with your phone."))
        self.receipt_caption.setText(translate("Kiosk", "Receipt number"))
        if self.submitted is not None:
            date = self.submitted.promised_date
            shown = f"{date.year}年{date.month}月{date.day}日" if lang() == "zh" else date.strftime("%d %B %Y")
            self.promised.setText(para(translate("Kiosk", "Promised completion: by %1").replace("%1", shown)))
        self.qr_caption.setText(translate("Kiosk", "Scan to check progress"))
        self._render_print()

    def speech_text(self) -> str:
        return "。".join([self.title.text(), self.receipt_caption.text(), " ".join(self.receipt.text()),
                          self._plain(self.promised.text())])
