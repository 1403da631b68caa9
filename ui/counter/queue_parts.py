"""The pieces of the counter's queue panel: the current ticket, the transfer picker, the lines and the help list.

Each shows what it is given and says what was tapped through a signal; the screen (`ui.counter.queue`)
calls the use cases. Every state is in words (and a symbol), never in colour alone.
"""
from __future__ import annotations

from datetime import datetime, timezone

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from kiosk.queue.model import PRIORITY_LABELS, Category, HelpRequest, Priority, Ticket, TicketState
from ui.i18n import colon, msg, translate
from ui.theme import set_role
from ui.widgets.flow_layout import FlowLayout
from ui.widgets.number_pad import NumberPad


def minutes_since(moment: datetime | None, now: datetime | None = None) -> int:
    if moment is None:
        return 0
    return max(0, int(((now or datetime.now(timezone.utc)) - moment).total_seconds() // 60))


def clock(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%H:%M") if moment else "—"


class CurrentTicket(QFrame):
    """The ticket at this counter: number, line, priority, how long the citizen has waited, and its state."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        set_role(self, "card")
        self.setObjectName("queueCurrent")
        box = QHBoxLayout(self)
        box.setContentsMargins(24, 14, 24, 14)
        box.setSpacing(24)
        self.number = QLabel("—")
        self.number.setObjectName("queueNumber")
        self.number.setStyleSheet("color: #0f2f5c; font-size: 64px; font-weight: bold;")  # the sheet wins over setFont
        self.number.setMinimumWidth(200)
        words = QVBoxLayout()
        words.setSpacing(4)
        self.line = set_role(QLabel(), "subtitle")
        self.line.setWordWrap(True)
        self.detail = set_role(QLabel(), "big")
        self.detail.setWordWrap(True)
        self.state = set_role(QLabel(), "ok")
        self.state.setObjectName("queueState")
        self.state.setWordWrap(True)
        for w in (self.line, self.detail, self.state):
            words.addWidget(w)
        box.addWidget(self.number)
        box.addLayout(words, 1)
        self.ticket: Ticket | None = None
        self.categories: dict[str, Category] = {}

    def show_ticket(self, ticket: Ticket | None, categories: dict[str, Category]) -> None:
        self.ticket, self.categories = ticket, categories
        self.retranslate()

    def retranslate(self) -> None:
        t = self.ticket
        if t is None:
            self.number.setText("—")
            self.line.setText(translate("Counter", "No ticket at this counter"))
            self.detail.setText(translate("Counter", "Press “Call next” when you are ready for the next citizen."))
            self.state.setText("")
            return
        self.number.setText(t.number)
        category = self.categories.get(t.category)
        self.line.setText(msg(category.name) if category else t.category)
        priority = msg(PRIORITY_LABELS[t.priority])
        if t.priority != Priority.NORMAL:
            priority = "★ " + priority
        waited = translate("Counter", "took the ticket at %1, %2 min ago").replace("%1", clock(t.issued_at)).replace(
            "%2", str(minutes_since(t.issued_at)))
        self.detail.setText(f"{priority} · {waited}")
        if t.state == TicketState.SERVING:
            self.state.setText("✔ " + translate("Counter", "Being served since %1").replace("%1", clock(t.started_at)))
            set_role(self.state, "ok")
        else:
            calls = "" if t.calls <= 1 else " · " + translate("Counter", "called %1 times").replace("%1", str(t.calls))
            self.state.setText("➤ " + translate("Counter", "Called at %1, on the way").replace("%1", clock(t.called_at)) + calls)
            set_role(self.state, "warn")


class TransferBox(QFrame):
    """Pick the counter to send the citizen to: a button per counter, or the number on a pad. No typing."""

    chosen = Signal(int)
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        set_role(self, "notice")
        self.setObjectName("queueTransfer")
        box = QVBoxLayout(self)
        box.setContentsMargins(18, 12, 18, 12)
        box.setSpacing(10)
        self.title = set_role(QLabel(), "subtitle")
        self.title.setWordWrap(True)
        box.addWidget(self.title)
        self.counters_row = FlowLayout(spacing=10, line_spacing=8)
        box.addLayout(self.counters_row)
        self.counter_buttons: dict[int, QPushButton] = {}
        pad_row = QHBoxLayout()
        pad_row.setSpacing(16)
        self.pad_label = set_role(QLabel(), "hint")
        self.pad_label.setWordWrap(True)
        self.entry = QLineEdit()
        self.entry.setObjectName("transferNumber")
        self.entry.setReadOnly(False)
        self.entry.setMaxLength(3)
        self.entry.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # typed with the pad only
        self.entry.setMaximumWidth(140)
        self.pad = NumberPad()
        self.pad.attach(self.entry, follow=False)
        self.pad.setMaximumWidth(330)
        left = QVBoxLayout()
        left.addWidget(self.pad_label)
        left.addWidget(self.entry)
        self.go_button = set_role(QPushButton(), "primary")
        self.go_button.setObjectName("transferGo")
        self.go_button.clicked.connect(self._go)
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("transferCancel")
        self.cancel_button.clicked.connect(self.cancelled.emit)
        left.addWidget(self.go_button)
        left.addWidget(self.cancel_button)
        left.addStretch(1)
        pad_row.addLayout(left)
        pad_row.addWidget(self.pad)
        pad_row.addStretch(1)
        box.addLayout(pad_row)
        self.entry.textChanged.connect(lambda _t: self.go_button.setEnabled(self.entry.text().isdigit()))
        self.go_button.setEnabled(False)
        self.open_counters: list[int] = []
        self.retranslate()

    def set_counters(self, numbers: list[int]) -> None:
        """The other counters open now, each one tap away."""
        if numbers == self.open_counters:
            return
        self.open_counters = numbers
        for button in self.counter_buttons.values():
            self.counters_row.removeWidget(button)
            button.setParent(None)
            button.deleteLater()
        self.counter_buttons = {}
        for number in numbers:
            button = set_role(QPushButton(), "tab")
            button.setObjectName(f"transferTo_{number}")
            button.clicked.connect(lambda _=False, n=number: self.chosen.emit(n))
            self.counters_row.addWidget(button)
            self.counter_buttons[number] = button
        self.retranslate()

    def reset(self) -> None:
        self.entry.clear()

    def _go(self) -> None:
        if self.entry.text().isdigit():
            self.chosen.emit(int(self.entry.text()))

    def retranslate(self) -> None:
        self.title.setText(translate("Counter", "Send this citizen to which counter?"))
        self.pad_label.setText(translate("Counter", "Or enter the counter number:"))
        self.go_button.setText(translate("Counter", "Transfer"))
        self.cancel_button.setText(translate("Counter", "Cancel"))
        for number, button in self.counter_buttons.items():
            button.setText(translate("Counter", "Counter %1").replace("%1", str(number)))


class WaitingLines(QWidget):
    """How many wait in each line, in words: "A 社会保障：5 人等候"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.row = FlowLayout(self, spacing=10, line_spacing=8)
        self.cards: dict[str, QLabel] = {}
        self.data: tuple[tuple[Category, ...], dict[str, int], tuple[str, ...]] = ((), {}, ())

    def show_lines(self, categories: tuple[Category, ...], waiting: dict[str, int], mine: tuple[str, ...]) -> None:
        self.data = (categories, waiting, mine)
        codes = [c.code for c in categories]
        if list(self.cards) != codes:
            for label in self.cards.values():
                self.row.removeWidget(label)
                label.setParent(None)
                label.deleteLater()
            self.cards = {}
            for code in codes:
                label = set_role(QLabel(), "card")
                label.setObjectName(f"waiting_{code}")
                label.setContentsMargins(14, 8, 14, 8)
                self.row.addWidget(label)
                self.cards[code] = label
        self.retranslate()

    def retranslate(self) -> None:
        categories, waiting, _mine = self.data
        for c in categories:
            n = waiting.get(c.code, 0)
            self.cards[c.code].setText(f"{c.code} {msg(c.name)}{colon()}"
                                       + translate("Counter", "%1 waiting").replace("%1", str(n)))


class HelpRow(QFrame):
    acknowledge = Signal(str)

    def __init__(self, request: HelpRequest, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        set_role(self, "card")
        self.setObjectName(f"help_{request.help_id}")
        self.request = request
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 8, 16, 8)
        row.setSpacing(14)
        self.words = QLabel()
        self.words.setWordWrap(True)
        self.button = set_role(QPushButton(), "primary")
        self.button.setObjectName("helpAck")
        self.button.clicked.connect(lambda: self.acknowledge.emit(self.request.help_id))
        row.addWidget(self.words, 1)
        row.addWidget(self.button)
        self.retranslate()

    def retranslate(self) -> None:
        r = self.request
        since = translate("Counter", "since %1 (%2 min)").replace("%1", clock(r.requested_at)).replace(
            "%2", str(minutes_since(r.requested_at)))
        text = "⚑ " + translate("Counter", "Kiosk %1 asks for help at “%2”, %3").replace("%1", r.kiosk).replace(
            "%2", msg(r.step_label)).replace("%3", since)
        if r.acknowledged_at is not None:
            text += " · ✔ " + translate("Counter", "%1 is on the way").replace("%1", r.acknowledged_by or "")
        self.words.setText(text)
        self.button.setText(translate("Counter", "I'll go"))
        self.button.setVisible(r.acknowledged_at is None)
