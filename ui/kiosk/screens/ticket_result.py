"""The number just taken: very large, with the line, the people ahead and the wait, while the ticket prints.

The number is also spoken ("您的号码是 A015，前面还有 3 人") whatever the
read-aloud mode (`spoken_always`). A ticket issued while the hub was away
reads the same, with a calm note. If the ticket does not print, the screen
says so and the number stays in front of the citizen to remember; the
ticket is issued all the same. The screen goes back to the welcome screen
on its own (the idle watcher, with a shorter time: `ui.kiosk.ticket_flow`).
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from kiosk.errors import Message
from kiosk.queue.model import Category, IssuedTicket, Priority
from ui.i18n import lang, msg, translate
from ui.kiosk.context import KioskContext
from ui.kiosk.screens.base import Screen
from ui.kiosk.screens.ticket import priority_text
from ui.text import para
from ui.theme import set_role
from ui.widgets.flow_layout import FlowLayout


class TicketResultScreen(Screen):
    name = "ticket_result"
    spoken_always = True  # the number is said aloud for everyone, as a ticket machine does
    done_when_idle = True  # the citizen walked away with their number: no "your session ended" note after it
    finish_requested = Signal()

    def __init__(self, ctx: KioskContext, issued: IssuedTicket, category: Category, qr_png: bytes | None) -> None:
        super().__init__(ctx, back=False, next_=True)
        self.issued = issued
        self.category = category
        self.printed: bool | None = None  # None: still printing
        self.print_message: Message | None = None
        # the number beside its facts (under them on a narrow screen), then what the printer did, then the QR
        # code: what the citizen must read stays on the first screen even in large text on a small display
        row = FlowLayout(spacing=40, line_spacing=20)
        number_box = QWidget()
        number_box.setObjectName("ticketNumberBox")
        number_column = QVBoxLayout(number_box)
        number_column.setContentsMargins(0, 0, 0, 0)
        number_column.setSpacing(4)
        self.caption = set_role(QLabel(), "subtitle")  # "Your number", over it (the screen has no title line)
        self.number = QLabel(issued.ticket.number)
        self.number.setObjectName("ticketNumber")
        self.number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.number.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        number_column.addWidget(self.caption)
        number_column.addWidget(self.number)
        number_column.addStretch(1)
        row.add(number_box)
        facts_box = QWidget()
        facts_box.setObjectName("ticketFacts")
        facts = QVBoxLayout(facts_box)
        facts.setContentsMargins(0, 0, 0, 0)
        facts.setSpacing(8)
        self.ahead = set_role(QLabel(), "subtitle")
        self.ahead.setObjectName("ticketAhead")
        self.wait = set_role(QLabel(), "big")
        self.wait.setObjectName("ticketWait")
        self.line = set_role(QLabel(), "big")
        self.line.setObjectName("ticketLine")
        for w in (self.ahead, self.wait, self.line):
            w.setWordWrap(True)
            facts.addWidget(w)
        facts.addStretch(1)
        row.add(facts_box, stretch=True)
        self.qr = QLabel()
        self.qr.setObjectName("ticketQr")
        self.qr_caption = set_role(QLabel(), "hint")
        self.qr_caption.setWordWrap(True)
        self.qr_caption.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.qr_box = QWidget()
        qr_layout = QVBoxLayout(self.qr_box)
        qr_layout.setContentsMargins(0, 0, 0, 0)
        qr_layout.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignHCenter)
        qr_layout.addWidget(self.qr_caption)
        qr_layout.addStretch(1)
        image = QImage.fromData(qr_png) if qr_png else QImage()
        if not image.isNull():
            self.qr.setPixmap(QPixmap.fromImage(image))
            self.qr_box.setMaximumWidth(max(image.width() + 40, 260))
        else:
            self.qr_box.hide()
        self.body.addLayout(row)
        self.print_status = QLabel()
        self.print_status.setObjectName("ticketPrintStatus")
        self.print_status.setWordWrap(True)
        self.body.addWidget(self.print_status)
        self.offline_note = set_role(QLabel(), "hint")
        self.offline_note.setObjectName("ticketOfflineNote")
        self.offline_note.setWordWrap(True)
        self.offline_note.setVisible(issued.offline)
        self.body.addWidget(self.offline_note)
        self.body.addWidget(self.qr_box, 0, Qt.AlignmentFlag.AlignLeft)
        self.body.addStretch(1)
        self.title.hide()  # its words stand over the number: the height goes to what the citizen must read
        self.retranslate()

    # --- the printer's answer -----------------------------------------------------------------------
    def set_print_result(self, printed: bool, message: Message | None) -> None:
        """`message`: what to say when it did not print (it names the number); None when it printed."""
        self.printed = printed
        self.print_message = message
        self._render_print()

    def print_text(self) -> str:
        if self.printed is None:
            return translate("Kiosk", "Printing your ticket…")
        if self.printed:
            return translate("Kiosk", "Please take your ticket.")
        return msg(self.print_message) if self.print_message is not None else ""

    def _render_print(self) -> None:
        mark = "⏳ " if self.printed is None else ("✔ " if self.printed else "⚠ ")
        self.print_status.setText(para(mark + self.print_text(), bold=self.printed is not False))
        set_role(self.print_status, "hint" if self.printed is None else ("ok" if self.printed else "error"))

    # --- texts ---------------------------------------------------------------------------------------
    def on_next(self) -> None:
        self.finish_requested.emit()

    def _ahead_text(self) -> str:
        return translate("Kiosk", "People ahead of you: %1").replace("%1", str(self.issued.people_ahead))

    def _wait_text(self) -> str:
        minutes = self.issued.estimated_wait_minutes
        if minutes <= 0:
            return translate("Kiosk", "You will be called soon.")
        return translate("Kiosk", "Estimated wait: about %1 minutes").replace("%1", str(minutes))

    def retranslate(self) -> None:
        super().retranslate()
        self.next_button.setText(translate("Kiosk", "Done"))
        self.set_heading(translate("Kiosk", "Your number"))
        self.caption.setText(self.title.text())
        line = translate("Kiosk", "Service: %1").replace("%1", msg(self.category.name))  # short: it was just chosen
        if self.issued.ticket.priority is not Priority.NORMAL:
            line += "\n" + translate("Kiosk", "Priority: %1").replace("%1", priority_text(self.issued.ticket.priority))
        self.line.setText(para(line))
        self.ahead.setText(para(self._ahead_text()))
        self.wait.setText(para(self._wait_text()))
        self.qr_caption.setText(translate("Kiosk", "Scan to see your place in the line"))
        self.offline_note.setText(para("ⓘ " + translate(
            "Kiosk", "This number was issued by this kiosk while the queue server could not be reached. It is "
                     "valid as usual; please watch the call board.")))
        self._render_print()

    def spoken_number(self) -> str:
        """"您的号码是 A015，前面还有 3 人。": what a ticket machine says."""
        return (translate("Kiosk", "Your number is %1. People ahead of you: %2.")
                .replace("%1", self.issued.ticket.number).replace("%2", str(self.issued.people_ahead)))

    def speech_text(self) -> str:
        parts = [self.spoken_number(), self._wait_text(), self.print_text()]
        if self.issued.offline:
            parts.append(self._plain(self.offline_note.text()))
        ended = [p if p.endswith(("。", ".", "…")) else p + ("。" if lang() == "zh" else ".") for p in parts if p]
        return ("" if lang() == "zh" else " ").join(ended)
