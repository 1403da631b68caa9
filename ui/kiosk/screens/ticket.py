"""Taking a number, the two choices: which line, then whether the citizen is called first. Taps only.

The lines come from the hall hub (`kiosk.usecases.queue.queue_categories`),
named in Chinese first with English under it, whatever the screen's
language: staff and citizens call the lines by their Chinese names.
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from kiosk.errors import Message
from kiosk.queue.model import Category, Priority
from ui.i18n import msg, translate
from ui.kiosk.context import KioskContext
from ui.kiosk.screens.base import Screen
from ui.text import para
from ui.theme import set_role
from ui.widgets import builders
from ui.widgets.column_grid import ColumnGrid
from ui.widgets.wrap_button import WrapButton


def line_name(category: Category) -> str:
    """"社会保障\\nSocial security": Chinese first, English under it (once, when the hub gave only one)."""
    zh, en = category.name.zh, category.name.en
    return zh if not en or en == zh else f"{zh}\n{en}"


def line_label(category: Category) -> str:
    """"社会保障 / Social security" on one line (it wraps where it must), for the steps after the choice."""
    return line_name(category).replace("\n", " / ")


def _big_choice(name: str) -> QPushButton:
    button = builders.button(name, role="choice", kind=WrapButton)
    button.setMinimumHeight(button.minimumHeight() + 40)
    return button


class TicketLineScreen(Screen):
    name = "ticket_line"
    line_chosen = Signal(object)  # Category

    def __init__(self, ctx: KioskContext) -> None:
        super().__init__(ctx, back=True, next_=False)
        self.status = set_role(QLabel(), "hint")
        self.status.setObjectName("ticketLinesStatus")
        self.status.setWordWrap(True)
        self.body.addWidget(self.status)
        self.line_buttons: dict[str, QPushButton] = {}
        # two columns where the names fit side by side: every line on the first screen, without scrolling
        self.lines_box = QWidget()
        self.lines_box.setObjectName("ticketLines")
        self.lines_grid = ColumnGrid(self.lines_box, max_columns=2, spacing=16)
        self.body.addWidget(self.lines_box)
        self.body.addStretch(1)
        self.categories: tuple[Category, ...] | None = None  # None: still asking the hub
        self.problem: Message | None = None
        self.retranslate()

    def set_categories(self, categories: tuple[Category, ...]) -> None:
        self.categories = categories
        for category in categories:
            button = _big_choice(f"line_{category.code}")
            button.setText(line_name(category))
            button.clicked.connect(lambda _=False, c=category: self.line_chosen.emit(c))
            self.lines_grid.addWidget(button)
            self.line_buttons[category.code] = button
        self.retranslate()
        if categories:
            self.announce.emit(self.speech_text())

    def set_problem(self, problem: Message) -> None:
        """No lines to show (the hub never gave any, or cannot be asked): say where to go instead."""
        self.categories = ()
        self.problem = problem
        self.retranslate()
        self.announce.emit(self.speech_text())

    def retranslate(self) -> None:
        super().retranslate()
        self.set_heading(translate("Kiosk", "Which service do you need?"),
                         translate("Kiosk", "Tap the line for your service. You will get a number and wait to be "
                                            "called to a counter."))
        if self.categories is None:
            self.status.setText(para("⏳ " + translate("Kiosk", "Loading the lines…")))
            set_role(self.status, "hint")
        elif not self.categories:
            words = translate("Kiosk", "Numbers cannot be taken at this kiosk right now. Please go to the service "
                                       "desk.")
            if self.problem is not None:
                words = f"{msg(self.problem)}\n{words}"
            self.status.setText(para("⚠ " + words))
            set_role(self.status, "error")
        self.status.setVisible(not self.categories)

    def speech_text(self) -> str:
        parts = [self.title.text(), self._plain(self.subtitle.text())]
        if self.categories:
            parts += [c.name.zh for c in self.categories]
        elif self.categories is not None:
            parts.append(self._plain(self.status.text()))
        return "。".join(parts)


PRIORITY_CHOICES = (Priority.NORMAL, Priority.ELDERLY, Priority.DISABLED, Priority.APPOINTMENT)


def priority_text(priority: Priority) -> str:
    if priority is Priority.ELDERLY:
        return translate("Kiosk", "Senior (elderly)")
    if priority is Priority.DISABLED:
        return translate("Kiosk", "Person with a disability")
    if priority is Priority.APPOINTMENT:
        return translate("Kiosk", "Booked appointment")
    return translate("Kiosk", "Regular (no priority)")


class TicketPriorityScreen(Screen):
    name = "ticket_priority"
    priority_chosen = Signal(object)  # Priority

    def __init__(self, ctx: KioskContext, category: Category) -> None:
        super().__init__(ctx, back=True, next_=False)
        self.category = category
        self.line = set_role(QLabel(), "big")
        self.line.setObjectName("ticketChosenLine")
        self.line.setWordWrap(True)
        self.body.addWidget(self.line)
        self.buttons: dict[Priority, QPushButton] = {}
        choices = QWidget()
        choices.setObjectName("ticketPriorities")
        grid = ColumnGrid(choices, max_columns=2, spacing=16)  # two by two where they fit: all four in view
        for priority in PRIORITY_CHOICES:
            button = _big_choice(f"priority_{priority.value}")
            button.clicked.connect(lambda _=False, p=priority: self._chosen(p))
            grid.addWidget(button)
            self.buttons[priority] = button
        self.body.addWidget(choices)
        self.status = set_role(QLabel(), "hint")
        self.status.setObjectName("ticketTaking")
        self.status.setWordWrap(True)
        self.status.hide()
        self.body.addWidget(self.status)
        self.body.addStretch(1)
        self.busy = False
        self.retranslate()

    def _chosen(self, priority: Priority) -> None:
        if not self.busy:  # one tap, one ticket: a second tap while the first is being issued does nothing
            self.set_busy(True)
            self.priority_chosen.emit(priority)

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        for button in self.buttons.values():
            button.setEnabled(not busy)
        self.back_button.setEnabled(not busy)
        self.status.setVisible(busy)

    def retranslate(self) -> None:
        super().retranslate()
        self.set_heading(translate("Kiosk", "Do you need priority?"),
                         translate("Kiosk", "Older people, people with disabilities and people with a booked "
                                            "appointment are called first. If none of these applies to you, tap "
                                            "Regular."))
        self.line.setText(para(translate("Kiosk", "Service: %1").replace("%1", line_label(self.category)), bold=True))
        for priority, button in self.buttons.items():
            button.setText(priority_text(priority))
        self.status.setText(para("⏳ " + translate("Kiosk", "Taking your number…")))

    def speech_text(self) -> str:
        return "。".join([self.title.text(), self._plain(self.subtitle.text()), self.category.name.zh]
                        + [priority_text(p) for p in PRIORITY_CHOICES])
