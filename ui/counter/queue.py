"""The counter's queue panel: the current ticket, the calling buttons, the lines and the kiosks asking for help.

Every button is one use case of `kiosk.usecases.calling`, run through `ui.jobs`. The panel follows the
hub's events (`HubFollower`, bridged to the GUI thread) and also refreshes on a timer as a backstop; each
refresh is one `counter_view` snapshot. With the hub away it says so plainly and keeps the last picture,
greyed: the rest of the counter (work list, walk-ins, review) goes on as before.

While a ticket is being served, what the clerk files here names it: a walk-in submitted at this counter
or a case decided here is linked to the ticket (`link_ticket`), so the visit is one record.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from kiosk.errors import Message, UserFacingError
from kiosk.queue.model import Category, HallUnavailable, HelpRequest, Ticket, TicketState
from kiosk.usecases import calling
from kiosk.usecases.calling import CounterView
from ui.counter.common import CounterScreen
from ui.counter.context import CounterContext
from ui.counter.queue_follow import HubFollower
from ui.counter.queue_parts import CurrentTicket, HelpRow, TransferBox, WaitingLines
from ui.i18n import msg, translate
from ui.jobs import run_job
from ui.theme import set_role
from ui.widgets.flow_layout import FlowLayout

log = logging.getLogger("onewindow.counter.queue")
ACTIVE = (TicketState.CALLED, TicketState.SERVING)


class QueueScreen(CounterScreen):
    name = "queue"
    help_count_changed = Signal(int)  # open, unacknowledged help requests: the window's tab shows it
    linked = Signal(object)  # the Ticket, after a walk-in or decision named it

    def __init__(self, ctx: CounterContext, staff_id: int, parent: QWidget | None = None, *,
                 refresh_ms: int = 15_000) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.terminal = ctx.terminal
        self.staff_id = staff_id
        self.view: CounterView | None = None
        self.current: Ticket | None = None
        self.reachable: bool | None = None
        self.loads = 0
        self.busy = False
        self._loading = False
        self._again = False
        self._link_note: Callable[[], str] | None = None

        self.link_label = set_role(QLabel(), "hint")
        self.link_label.setObjectName("queueLink")
        self.link_label.setWordWrap(True)
        self.body.addWidget(self.link_label)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget()
        inner.setObjectName("scrollBody")
        content = QVBoxLayout(inner)
        content.setContentsMargins(0, 0, 8, 0)
        content.setSpacing(12)
        self.card = CurrentTicket()
        content.addWidget(self.card)

        actions = FlowLayout(spacing=10, line_spacing=8)
        self.open_button = set_role(QPushButton(), "ok")
        self.open_button.setObjectName("queueOpen")
        self.open_button.clicked.connect(self.toggle_open)
        self.next_button = set_role(QPushButton(), "primary")
        self.next_button.setObjectName("queueNext")
        self.next_button.clicked.connect(self.call_next)
        self.recall_button = QPushButton()
        self.recall_button.setObjectName("queueRecall")
        self.recall_button.clicked.connect(lambda: self._act("recall", calling.recall))
        self.start_button = set_role(QPushButton(), "ok")
        self.start_button.setObjectName("queueStart")
        self.start_button.clicked.connect(lambda: self._act("start", calling.start))
        self.finish_button = set_role(QPushButton(), "primary")
        self.finish_button.setObjectName("queueFinish")
        self.finish_button.clicked.connect(lambda: self._act("finish", calling.finish))
        self.no_show_button = set_role(QPushButton(), "danger")
        self.no_show_button.setObjectName("queueNoShow")
        self.no_show_button.clicked.connect(lambda: self._act("no-show", calling.no_show))
        self.transfer_button = QPushButton()
        self.transfer_button.setObjectName("queueTransfer")
        self.transfer_button.clicked.connect(self.show_transfer)
        for b in (self.next_button, self.recall_button, self.start_button, self.finish_button, self.no_show_button,
                  self.transfer_button):
            actions.addWidget(b)
        actions.add_stretch()
        actions.addWidget(self.open_button)
        content.addLayout(actions)
        self.transfer = TransferBox()
        self.transfer.hide()
        self.transfer.chosen.connect(self.transfer_to)
        self.transfer.cancelled.connect(self.transfer.hide)
        content.addWidget(self.transfer)

        self.lines_title = set_role(QLabel(), "subtitle")
        content.addWidget(self.lines_title)
        self.lines = WaitingLines()
        content.addWidget(self.lines)
        self.help_title = set_role(QLabel(), "subtitle")
        content.addWidget(self.help_title)
        self.help_empty = set_role(QLabel(), "hint")
        content.addWidget(self.help_empty)
        self.help_box = QVBoxLayout()
        self.help_box.setSpacing(8)
        content.addLayout(self.help_box)
        self.help_rows: dict[str, HelpRow] = {}
        content.addStretch(1)
        scroll.setWidget(inner)
        self.body.addWidget(scroll, 1)

        self.follower = HubFollower(self.terminal, self)
        self.follower.events.connect(lambda _events: self.refresh())
        self.follower.link.connect(self._link_changed)
        self.backstop = QTimer(self)
        self.backstop.setInterval(refresh_ms)
        self.backstop.timeout.connect(self.refresh)
        self.ticker = QTimer(self)  # the minutes waited move on between events
        self.ticker.setInterval(30_000)
        self.ticker.timeout.connect(self._tick)
        if self.terminal.hall is not None:
            self.backstop.start()
            self.ticker.start()
            self.refresh()
        self._render()

    # --- keeping current ---------------------------------------------------------------------
    def on_enter(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        if self.terminal.hall is None:
            self._render()
            return
        if self._loading:
            self._again = True  # one more after this one: an event arrived meanwhile
            return
        self._loading = True
        terminal = self.terminal
        run_job("counter-queue-view", lambda: calling.counter_view(terminal), on_done=self._loaded,
                on_error=self._load_failed)

    def _loaded(self, view: CounterView) -> None:
        self._loading = False
        self.loads += 1
        self.view = view
        self.current = view.current
        self.reachable = True
        if not self.follower.started:
            self.follower.start(view.hall.seq)
        self._render()
        self._reload_if_asked()

    def _load_failed(self, exc: BaseException) -> None:
        self._loading = False
        self.loads += 1
        if isinstance(exc, HallUnavailable):
            self.reachable = False
        else:
            self.show_error(exc)
        self._render()
        self._reload_if_asked()

    def _reload_if_asked(self) -> None:
        if self._again:
            self._again = False
            self.refresh()

    def _link_changed(self, up: bool) -> None:
        if up and self.reachable is False:
            self.refresh()
        elif not up:
            self.reachable = False
            self._render()

    def _tick(self) -> None:
        self.card.retranslate()
        for row in self.help_rows.values():
            row.retranslate()

    def stop(self) -> None:
        """At logout or when the window closes: no more events, no more timers."""
        self.backstop.stop()
        self.ticker.stop()
        self.follower.stop()

    # --- actions -----------------------------------------------------------------------------
    def _run(self, name: str, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        if self.busy:
            return
        self.busy = True
        self._render_buttons()

        def finished(result: Any) -> None:
            self.busy = False
            self.show_message(None)
            done(result)
            self.refresh()

        run_job(f"counter-queue-{name}", work, on_done=finished, on_error=self._action_failed)

    def _action_failed(self, exc: BaseException) -> None:
        self.busy = False
        if isinstance(exc, HallUnavailable):
            self.reachable = False
            message = exc.message
            self.show_message(lambda: msg(message) + " " + translate("Counter", "Nothing was changed; try again when the queue "
                                                              "server is back."))
        else:
            self.show_error(exc)
        self._render()

    def _took(self, ticket: Ticket | None) -> None:
        if ticket is None:
            self.show_message(lambda: translate("Counter", "Nobody is waiting in this counter's lines."), "ok")
            return
        self.current = ticket if ticket.state in ACTIVE else None
        self._render()

    def toggle_open(self) -> None:
        terminal = self.terminal
        is_open = bool(self.view and self.view.counter and self.view.counter.open)
        work = (lambda: calling.close_counter(terminal)) if is_open else (lambda: calling.open_counter(terminal))
        self._run("open", work, lambda _state: None)

    def call_next(self) -> None:
        terminal = self.terminal
        self._run("next", lambda: calling.call_next(terminal), self._took)

    def _act(self, name: str, action: Callable[[Any, str], Ticket]) -> None:
        ticket = self.current
        if ticket is None:
            return
        terminal, ticket_id = self.terminal, ticket.ticket_id
        self._run(name, lambda: action(terminal, ticket_id), self._took)

    def show_transfer(self) -> None:
        if self.current is None:
            return
        self.transfer.reset()
        self.transfer.show()

    def transfer_to(self, counter_no: int) -> None:
        ticket = self.current
        if ticket is None:
            return
        terminal, ticket_id = self.terminal, ticket.ticket_id
        self.transfer.hide()
        self._run("transfer", lambda: calling.transfer(terminal, ticket_id, counter_no), self._transferred)

    def _transferred(self, ticket: Ticket) -> None:
        self.current = None
        self.show_message(lambda: translate("Counter", "%1 sent to counter %2.").replace("%1", ticket.number).replace(
            "%2", str(ticket.counter_no)), "ok")
        self._render()

    def acknowledge(self, help_id: str) -> None:
        terminal = self.terminal
        self._run("help-ack", lambda: calling.acknowledge_help(terminal, help_id), self._acknowledged)

    def _acknowledged(self, request: HelpRequest) -> None:
        self.show_message(lambda: translate("Counter", "The kiosk now tells the citizen that you are coming."), "ok")

    # --- linking the visit ---------------------------------------------------------------------
    def link_current(self, application_ref: str) -> None:
        """A walk-in submitted or a case decided here while a ticket is being served: name it on the ticket."""
        ticket = self.current
        if ticket is None or ticket.state != TicketState.SERVING or not application_ref:
            return
        terminal, ticket_id = self.terminal, ticket.ticket_id

        def done(linked: Ticket) -> None:
            self.current = linked if linked.state in ACTIVE else self.current
            self._link_note = lambda: translate("Counter", "Ticket %1 is linked to %2.").replace("%1", linked.number).replace(
                "%2", linked.application_ref or "")
            self._render()
            self.linked.emit(linked)

        def failed(exc: BaseException) -> None:
            message = exc.message if isinstance(exc, (HallUnavailable, UserFacingError)) else Message(
                "号票未能关联。", "The ticket could not be linked.")
            self._link_note = lambda: "⚠ " + translate("Counter", "Ticket %1 could not be linked to %2: %3").replace(
                "%1", ticket.number).replace("%2", application_ref).replace("%3", msg(message))
            self._render()

        run_job("counter-queue-link", lambda: calling.link_ticket(terminal, ticket_id, application_ref),
                on_done=done, on_error=failed)

    # --- drawing ---------------------------------------------------------------------------------
    def _categories(self) -> dict[str, Category]:
        return {c.code: c for c in self.view.hall.categories} if self.view else {}

    def _render_buttons(self) -> None:
        usable = self.terminal.hall is not None and self.reachable is not False and not self.busy
        t = self.current
        is_open = bool(self.view and self.view.counter and self.view.counter.open)
        self.open_button.setEnabled(usable and self.view is not None)
        self.next_button.setEnabled(usable and self.view is not None and t is None)
        self.recall_button.setEnabled(usable and t is not None and t.state == TicketState.CALLED)
        self.start_button.setEnabled(usable and t is not None and t.state == TicketState.CALLED)
        self.finish_button.setEnabled(usable and t is not None and t.state == TicketState.SERVING)
        self.no_show_button.setEnabled(usable and t is not None and t.state == TicketState.CALLED)
        self.transfer_button.setEnabled(usable and t is not None)
        self.open_button.setText(translate("Counter", "Close this counter") if is_open else translate("Counter", "Open this counter"))

    def _render(self) -> None:
        view = self.view
        self.card.show_ticket(self.current, self._categories())
        if self.terminal.hall is None:
            words, role = translate("Counter", "This counter takes no part in a hall queue: no queue server is set up (hall_url)."), "hint"
        elif self.reachable is False:
            words, role = "⚠ " + translate("Counter", "The hall's queue server cannot be reached. Calling is paused; everything else "
                                    "at this counter works as usual. The panel reconnects by itself."), "error"
        elif view is None:
            words, role = translate("Counter", "Asking the queue server…"), "hint"
        else:
            number = view.counter_no
            where = translate("Counter", "Counter %1").replace("%1", str(number)) if number is not None else translate("Counter", "This counter")
            if view.counter is not None and view.counter.open:
                state = translate("Counter", "open for calls from %1").replace("%1", ", ".join(view.counter.categories))
            else:
                state = translate("Counter", "closed: open it to call")
            words, role = f"✔ {where} · {state}", "ok"
        if self._link_note is not None:
            words += "\n" + self._link_note()
        self.link_label.setText(words)
        set_role(self.link_label, role)
        if view is not None:
            mine = view.counter.categories if view.counter and view.counter.open else ()
            self.lines.show_lines(view.hall.categories, view.hall.waiting, mine)
            others = sorted({c.counter_no for c in view.hall.counters if c.open and c.counter_no != view.counter_no})
            self.transfer.set_counters(others)
            self._render_help(view.hall.open_help)
        self.lines.setEnabled(self.reachable is not False)
        self._render_buttons()

    def _render_help(self, requests: tuple[HelpRequest, ...]) -> None:
        wanted = {r.help_id: r for r in requests if r.closed_at is None}
        for help_id in [h for h in self.help_rows if h not in wanted]:
            row = self.help_rows.pop(help_id)
            self.help_box.removeWidget(row)
            row.setParent(None)
            row.deleteLater()
        for help_id, request in sorted(wanted.items(), key=lambda kv: kv[1].requested_at):
            row = self.help_rows.get(help_id)
            if row is None:
                row = HelpRow(request)
                row.acknowledge.connect(self.acknowledge)
                self.help_box.addWidget(row)
                self.help_rows[help_id] = row
            else:
                row.request = request
                row.retranslate()
        self.help_empty.setVisible(not wanted)
        self.help_count_changed.emit(sum(1 for r in wanted.values() if r.acknowledged_at is None))

    def retranslate(self) -> None:
        super().retranslate()
        self.title.setText(translate("Counter", "Queue"))
        self.hint.setText(translate("Counter", "Call the next citizen, start and finish the service, or send them to another counter. "
                             "What you file while serving a ticket is linked to it."))
        self.next_button.setText("➤ " + translate("Counter", "Call next"))
        self.recall_button.setText("↻ " + translate("Counter", "Call again"))
        self.start_button.setText("▶ " + translate("Counter", "Start service"))
        self.finish_button.setText("✔ " + translate("Counter", "Finish"))
        self.no_show_button.setText("✖ " + translate("Counter", "Did not come"))
        self.transfer_button.setText("➜ " + translate("Counter", "Transfer…"))
        self.lines_title.setText(translate("Counter", "Waiting now"))
        self.help_title.setText(translate("Counter", "Kiosks asking for help"))
        self.help_empty.setText(translate("Counter", "No kiosk is asking for help."))
        self.transfer.retranslate()
        self.lines.retranslate()
        self.card.retranslate()
        for row in self.help_rows.values():
            row.retranslate()
        self._render()
