"""Checked in: the booking confirmed, and the priority ticket's number, large, while it prints.

With a hall hub the check-in issued a ticket: the screen is the ticket screen
(`ui.kiosk.screens.ticket_result`), spoken and printed the same way, with the booking it stands for
above the number. A card placed a second time finds the same ticket, and the screen says it is the
number given before. Without a hub there is no ticket: the booking is confirmed and the use case's note
says where to go. The holder's name is shown masked: others may be looking at the screen.
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel

from kiosk.queue.model import Category
from kiosk.usecases.appointments import AppointmentView, CheckIn
from ui.i18n import lang, msg, translate
from ui.kiosk.context import KioskContext
from ui.kiosk.screens.base import Screen
from ui.kiosk.screens.ticket_result import TicketResultScreen
from ui.text import para
from ui.theme import set_role


def masked_name(name: str) -> str:
    """"张*", "欧**": the first character only, and at most three stars (a name is never whole on a kiosk
    screen, nor its length told for long ones)."""
    name = name.strip()
    return name[:1] + "*" * min(3, max(1, len(name) - 1)) if name else ""


def slot_text(appointment: AppointmentView) -> str:
    """"09:00–10:00": a check-in is always for today."""
    return f"{appointment.slot_start.strftime('%H:%M')}–{appointment.slot_end.strftime('%H:%M')}"


def booking_text(appointment: AppointmentView) -> str:
    """"预约事项：… / 预约时段：… / 预约人：…", in the screen's language."""
    lines = [translate("Kiosk", "Booked service: %1").replace("%1", msg(appointment.item_name)),
             translate("Kiosk", "Booked time: %1").replace("%1", slot_text(appointment)),
             translate("Kiosk", "Booked by: %1").replace("%1", masked_name(appointment.holder_name))]
    return "\n".join(lines)


def booking_line(appointment: AppointmentView) -> str:
    """"预约：居民身份证换领，09:00–10:00（张*）": the booking in one line, beside a ticket's number."""
    return (translate("Kiosk", "Booked: %1, %2 (%3)").replace("%1", msg(appointment.item_name))
            .replace("%2", slot_text(appointment)).replace("%3", masked_name(appointment.holder_name)))


def checked_in_text(checkin: CheckIn) -> str:
    if checkin.already:
        return translate("Kiosk", "You have already checked in today. This is the number you were given.")
    return translate("Kiosk", "You are checked in for your appointment.")


def _ended(text: str) -> str:
    return text if text.endswith(("。", ".", "…")) else text + ("。" if lang() == "zh" else ".")


class CheckinTicketScreen(TicketResultScreen):
    """The ticket screen: "checked in" over the number, the booking beside it in place of the priority
    (which a booking implies): one line more than a number taken, so it still fits a landscape screen."""

    name = "checkin_result"

    def __init__(self, ctx: KioskContext, checkin: CheckIn, category: Category, qr_png: bytes | None) -> None:
        assert checkin.ticket is not None
        super().__init__(ctx, checkin.ticket, category, qr_png)
        self.checkin = checkin
        self.checked = set_role(QLabel(), "ok")
        self.checked.setObjectName("checkinDone")
        self.checked.setWordWrap(True)
        self.booked = self.line  # the facts' last label holds the line and the booking
        self.body.insertWidget(0, self.checked)
        self.retranslate()

    def retranslate(self) -> None:
        super().retranslate()
        if getattr(self, "checkin", None) is not None:  # not while the ticket screen builds itself
            self.checked.setText(para("✔ " + checked_in_text(self.checkin), bold=True))
            line = translate("Kiosk", "Service: %1").replace("%1", msg(self.category.name))
            self.line.setText(para(line + "\n" + booking_line(self.checkin.appointment)))

    def speech_text(self) -> str:
        return ("" if lang() == "zh" else " ").join((_ended(checked_in_text(self.checkin)), super().speech_text()))


class CheckinNoteScreen(Screen):
    """Checked in on a kiosk without a hall hub: no number to give; the note says where to go."""

    name = "checkin_result"
    spoken_always = True  # what to do next is said for everyone, like a ticket's number
    done_when_idle = True
    finish_requested = Signal()

    def __init__(self, ctx: KioskContext, checkin: CheckIn) -> None:
        super().__init__(ctx, back=False, next_=True)
        self.checkin = checkin
        self.checked = set_role(QLabel(), "ok")
        self.checked.setObjectName("checkinDone")
        self.checked.setWordWrap(True)
        self.booked = set_role(QLabel(), "big")
        self.booked.setObjectName("checkinBooking")
        self.booked.setWordWrap(True)
        self.note = set_role(QLabel(), "subtitle")
        self.note.setObjectName("checkinNote")
        self.note.setWordWrap(True)
        for w in (self.checked, self.booked, self.note):
            self.body.addWidget(w)
        self.body.addStretch(1)
        self.retranslate()

    def on_next(self) -> None:
        self.finish_requested.emit()

    def note_text(self) -> str:
        if self.checkin.note is not None:
            return msg(self.checkin.note)
        return translate("Kiosk", "Please wait in the hall; staff will call you.")

    def retranslate(self) -> None:
        super().retranslate()
        self.next_button.setText(translate("Kiosk", "Done"))
        self.set_heading(translate("Kiosk", "Checked in"))
        self.checked.setText(para("✔ " + checked_in_text(self.checkin), bold=True))
        self.booked.setText(para(booking_text(self.checkin.appointment)))
        self.note.setText(para("ⓘ " + self.note_text()))

    def speech_text(self) -> str:
        parts = (checked_in_text(self.checkin), self.note_text())
        return ("" if lang() == "zh" else " ").join(_ended(p) for p in parts)
