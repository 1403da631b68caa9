"""Today's bookings at the counter: who is booked for which slot, who has arrived, who did not come.

The list comes from the store (`kiosk.usecases.appointments.appointments_for_day`), which sync keeps
filled with the hall's bookings for the next days, so it works with the link down. It refreshes by
itself while it is shown (kiosks check citizens in meanwhile), and when it is entered. States are
words with a symbol ("✔ 已签到"), the colour only repeating them. Staff see the holder's whole name and
the masked ID number, as on the case lists.
"""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QTableWidgetItem, QVBoxLayout, QWidget

from kiosk.usecases import appointments
from kiosk.usecases.appointments import AppointmentState, AppointmentView
from ui.counter.common import CounterScreen, cell, fill_table, make_table, tr
from ui.counter.context import CounterContext
from ui.i18n import lang, translate
from ui.jobs import run_job
from ui.theme import set_role

REFRESH_MS = 20_000  # check-ins at the kiosks reach this list within this long
COLUMNS = (QT_TRANSLATE_NOOP("Counter", "Time slot"), QT_TRANSLATE_NOOP("Counter", "State"),
           QT_TRANSLATE_NOOP("Counter", "Name"), QT_TRANSLATE_NOOP("Counter", "ID number"),
           QT_TRANSLATE_NOOP("Counter", "Service item"), QT_TRANSLATE_NOOP("Counter", "Checked in, ticket"),
           QT_TRANSLATE_NOOP("Counter", "Booking code"))
CODE_COLUMN = 6
WIDE = 1400  # narrower windows (a portrait screen) leave out the booking code: the service item keeps its room
STATES = {  # state -> (symbol, words, role for the words' colour)
    AppointmentState.BOOKED: ("◷", QT_TRANSLATE_NOOP("Counter", "Booked, not arrived"), "hint"),
    AppointmentState.CHECKED_IN: ("✔", QT_TRANSLATE_NOOP("Counter", "Arrived"), "ok"),
    AppointmentState.NO_SHOW: ("✖", QT_TRANSLATE_NOOP("Counter", "No-show"), "error"),
    AppointmentState.CANCELLED: ("—", QT_TRANSLATE_NOOP("Counter", "Cancelled"), "hint"),
}
FIGURES = (AppointmentState.BOOKED, AppointmentState.CHECKED_IN, AppointmentState.NO_SHOW)


def state_text(state: AppointmentState) -> tuple[str, str]:
    """(words with a symbol, stylesheet role)."""
    mark, words, role = STATES[state]
    return f"{mark} {tr(words)}", role


def slot_text(view: AppointmentView) -> str:
    return f"{view.slot_start.strftime('%H:%M')}–{view.slot_end.strftime('%H:%M')}"


def arrival_text(view: AppointmentView) -> str:
    """"09:12 · B003": when the citizen checked in (today: the time is enough) and the ticket it gave."""
    if view.checked_in_at is None:
        return "—"
    at = view.checked_in_at.astimezone().strftime("%H:%M")
    return f"{at} · {view.ticket_number}" if view.ticket_number else at


class AppointmentsScreen(CounterScreen):
    name = "appointments"

    def __init__(self, ctx: CounterContext, staff_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.staff_id = staff_id
        self.rows: list[AppointmentView] = []
        self.loads = 0
        self._loading = False
        cards = QHBoxLayout()
        self.figures: dict[AppointmentState, tuple[QLabel, QLabel]] = {}
        for state in FIGURES:
            card = set_role(QFrame(), "card")
            box = QVBoxLayout(card)
            box.setContentsMargins(20, 12, 20, 12)
            number = set_role(QLabel("0"), "figure")
            number.setObjectName(f"figure_{state.value}")
            words = set_role(QLabel(), STATES[state][2])
            box.addWidget(number)
            box.addWidget(words)
            cards.addWidget(card)
            self.figures[state] = (number, words)
        cards.addStretch(1)
        self.body.addLayout(cards)
        self.empty = set_role(QLabel(), "hint")
        self.empty.setObjectName("appointmentsEmpty")
        self.empty.setWordWrap(True)
        self.body.addWidget(self.empty)
        self.table = make_table(len(COLUMNS))
        self.table.setObjectName("appointmentTable")
        self.body.addWidget(self.table, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.retranslate()

    # --- loading -------------------------------------------------------------------------------------
    def on_enter(self) -> None:
        self.refresh()
        self.timer.start()

    def hideEvent(self, event: object) -> None:  # noqa: N802 - Qt's name
        self.timer.stop()  # nobody looks at it: no reading the store every few seconds
        super().hideEvent(event)  # type: ignore[arg-type]

    def stop(self) -> None:
        """Logout or the window closing (`ui.counter.window`)."""
        self.timer.stop()

    def refresh(self) -> None:
        if self._loading:
            return
        self._loading = True
        terminal, day = self.ctx.terminal, self.ctx.day()
        run_job("counter-appointments", lambda: appointments.appointments_for_day(terminal, day),
                on_done=self._loaded, on_error=self._failed, owner=self)

    def _loaded(self, rows: list[AppointmentView]) -> None:
        self._loading = False
        self.loads += 1
        # by slot (its start, then its end: a short slot before a long one from the same minute), then by name
        self.rows = sorted(rows, key=lambda v: (v.slot_start, v.slot_end, v.holder_name))
        self.show_message(None)
        self._fill()

    def _failed(self, exc: BaseException) -> None:
        self._loading = False
        self.loads += 1
        self.show_error(exc)

    # --- showing -------------------------------------------------------------------------------------
    def _fill(self) -> None:
        for state, (number, _words) in self.figures.items():
            number.setText(str(sum(1 for r in self.rows if r.state is state)))
        self.empty.setVisible(not self.rows)
        fill_table(self.table, (self._cells(view) for view in self.rows), len(self.rows), stretch=4)

    @staticmethod
    def _cells(view: AppointmentView) -> list[QTableWidgetItem]:
        words, role = state_text(view.state)
        return [cell(slot_text(view)), cell(words, role=role), cell(view.holder_name or "—"),
                cell(view.id_masked or "—"), cell(view.item_name.get(lang())), cell(arrival_text(view)),
                cell(view.booking_code)]

    def fit_width(self, width: int) -> None:
        """Told the window's width by `ui.counter.window` (also while hidden)."""
        self.table.setColumnHidden(CODE_COLUMN, width < WIDE)

    def retranslate(self) -> None:
        super().retranslate()
        day = self.ctx.day().isoformat()
        self.title.setText(translate("Counter", "Today's appointments (%1)").replace("%1", day))
        self.hint.setText(translate("Counter", "Bookings for this hall today, by time slot: who has arrived (checked in "
                                               "at a kiosk) and who has not. The list refreshes by itself."))
        self.empty.setText(translate("Counter", "No bookings for today. Bookings reach this counter with each sync."))
        self.table.setAccessibleName(self.title.text())
        for state in FIGURES:
            self.figures[state][1].setText(state_text(state)[0])
        self.table.setHorizontalHeaderLabels([tr(c) for c in COLUMNS])
        self._fill()
