"""Help on request: the top bar's "Ask staff for help" tells the hall's counters which step the citizen is on.

No dialog: a banner under the top bar says what is happening, and the
words are spoken (the citizen tapped for help; they may not be reading).

    tap -> asking -> waiting --(a counter acknowledges)--> coming
             \\-> desk (no hub here, or it cannot be reached: "go to the service desk")

While waiting, the request is polled every `POLL_MS` through the job helper,
only on the screen it was asked from: a screen change stops the polling and
hides the banner. The request stays open at the hub, so a tap on the next
screen makes no second request; it shows the banner again and asks the hub
for news at once. The end of the session (done, cancelled, idle) forgets it.
"""
from __future__ import annotations

import logging
from enum import Enum
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from kiosk.errors import Message
from ui.i18n import translate
from ui.jobs import run_job
from ui.text import para

if TYPE_CHECKING:
    from collections.abc import Callable

    from kiosk.queue.model import HelpRequest
    from kiosk.terminal import Terminal

log = logging.getLogger("onewindow.kiosk.help")

POLL_MS = 2000

# each screen in both languages, as a counter's help list shows where the citizen is stuck
STEP_LABELS: dict[str, Message] = {
    "welcome": Message("首页", "Welcome screen"),
    "browser": Message("选择办理事项", "Choosing a service"),
    "guide": Message("办事指南", "Service guide"),
    "identity": Message("填写身份信息", "Identity"),
    "form": Message("填写申请表", "Application form"),
    "materials": Message("提交材料", "Materials"),
    "review": Message("核对信息", "Checking the application"),
    "result": Message("提交完成", "Application submitted"),
    "rating": Message("服务评价", "Rating the service"),
    "progress": Message("查询办理进度", "Checking progress"),
    "ticket_line": Message("取号：选择业务", "Taking a number: choosing the line"),
    "ticket_priority": Message("取号：选择是否优先", "Taking a number: priority"),
    "ticket_result": Message("取号完成", "Number taken"),
    "checkin": Message("预约签到", "Checking in for an appointment"),
    "checkin_result": Message("预约签到完成", "Checked in for an appointment"),
}


def step_label(step: str) -> Message:
    return STEP_LABELS.get(step, Message(step, step))


class HelpState(Enum):
    NONE = "none"
    ASKING = "asking"
    WAITING = "waiting"
    COMING = "coming"
    DESK = "desk"


def state_text(state: HelpState) -> str:
    if state is HelpState.ASKING:
        return translate("Kiosk", "Telling the staff…")
    if state is HelpState.WAITING:
        return translate("Kiosk", "Staff have been told, please wait.")
    if state is HelpState.COMING:
        return translate("Kiosk", "Someone is coming to help you.")
    if state is HelpState.DESK:
        return translate("Kiosk", "Please go to the service desk.")
    return ""


class HelpBanner(QFrame):
    """Under the top bar, on every screen: what became of the citizen's call for help."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("helpBanner")
        row = QHBoxLayout(self)
        row.setContentsMargins(24, 12, 24, 12)
        self.label = QLabel()
        self.label.setObjectName("helpText")
        self.label.setWordWrap(True)
        row.addWidget(self.label, 1)
        self.state = HelpState.NONE
        self.hide()

    def show_state(self, state: HelpState) -> None:
        self.state = state
        self.retranslate()
        self.setVisible(state is not HelpState.NONE)

    def retranslate(self) -> None:
        marks = {HelpState.ASKING: "⏳ ", HelpState.WAITING: "ⓘ ", HelpState.COMING: "✔ ", HelpState.DESK: "ⓘ "}
        text = state_text(self.state)
        self.label.setText(para(marks.get(self.state, "") + text, bold=True) if text else "")


class HelpDesk(QObject):
    """The citizen's one call for help in this session: asked, polled, answered; never two at once."""

    def __init__(self, parent: QObject, banner: HelpBanner, terminal: Callable[[], Terminal | None],
                 speak: Callable[[str], None], poll_ms: int = POLL_MS) -> None:
        super().__init__(parent)
        self.banner = banner
        self._terminal = terminal
        self._speak = speak
        self.state = HelpState.NONE
        self.help_id: str | None = None
        self.step: str | None = None  # the screen the help was asked from: polling belongs to it
        self.current: str | None = None  # the screen showing now
        self.requests_made = 0
        self._generation = 0  # answers for a session that has ended are dropped
        self._polling = False
        self.timer = QTimer(self)
        self.timer.setInterval(poll_ms)
        self.timer.timeout.connect(self.poll)

    # --- the citizen ---------------------------------------------------------------------------------
    def ask(self, step: str) -> None:
        """The help button on screen `step`. An open request is not asked again: its state is shown again."""
        self.step = self.current = step
        if self.state is HelpState.ASKING:
            self._show(self.state)
            return
        if self.help_id is not None and self.state in (HelpState.WAITING, HelpState.COMING):
            self._show(self.state)
            if self.state is HelpState.WAITING:
                self.timer.start()
                self.poll()  # news from the hub now, not in two seconds
            return
        terminal = self._terminal()
        if terminal is None or terminal.hall is None:
            self._show(HelpState.DESK)  # no queue server here: the desk is the way to a person
            return
        self._show(HelpState.ASKING)
        generation, label = self._generation, step_label(step)
        self.requests_made += 1

        def work() -> HelpRequest:
            from kiosk.usecases import queue

            return queue.request_help(terminal, step=step, step_label=label)

        run_job("request-help", work, on_done=lambda h: self._asked(generation, h),
                on_error=lambda exc: self._failed(generation, exc))

    def _asked(self, generation: int, request: HelpRequest) -> None:
        if generation != self._generation:
            return
        self.help_id = request.help_id
        if self.current != self.step:  # the citizen moved on while it was asked: shown again at their next tap
            self.state = HelpState.COMING if request.acknowledged_at is not None else HelpState.WAITING
            return
        if request.acknowledged_at is not None:
            self._show(HelpState.COMING)
            return
        self._show(HelpState.WAITING)
        self.timer.start()

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        from kiosk.queue.model import HallUnavailable

        if not isinstance(exc, HallUnavailable):
            log.warning("asking for help failed: %r", exc)
        self._show(HelpState.DESK)

    # --- news from the hub ----------------------------------------------------------------------------
    def poll(self) -> None:
        terminal = self._terminal()
        if self._polling or self.help_id is None or terminal is None:
            return
        self._polling = True
        generation, help_id = self._generation, self.help_id

        def work() -> HelpRequest:
            from kiosk.usecases import queue

            return queue.help_request(terminal, help_id)

        run_job("help-request", work, on_done=lambda h: self._news(generation, h),
                on_error=lambda exc: self._no_news(generation, exc))

    def _news(self, generation: int, request: HelpRequest) -> None:
        self._polling = False
        if generation != self._generation or request.help_id != self.help_id:
            return
        if request.acknowledged_at is not None and self.state is not HelpState.COMING:
            self.timer.stop()
            if self.current == self.step:
                self._show(HelpState.COMING)
            else:
                self.state = HelpState.COMING
        elif request.closed_at is not None:  # staff closed it (they came): nothing more to wait for
            self.clear()

    def _no_news(self, generation: int, exc: BaseException) -> None:
        self._polling = False
        if generation == self._generation:
            log.info("help request %s: no news from the hub (%r); asking again shortly", self.help_id, exc)

    # --- the window's events ----------------------------------------------------------------------------
    def screen_changed(self, step: str) -> None:
        """Polling belongs to the screen the help was asked from; the request itself stays open."""
        self.current = step
        if step != self.step:
            self.timer.stop()
            self.banner.show_state(HelpState.NONE)

    def clear(self) -> None:
        """The session ended: forget the request, stop polling, hide the banner; late answers are dropped."""
        self._generation += 1
        self.timer.stop()
        self._polling = False
        self.help_id = None
        self.step = None
        self.state = HelpState.NONE
        self.banner.show_state(HelpState.NONE)

    def retranslate(self) -> None:
        self.banner.retranslate()

    def _show(self, state: HelpState) -> None:
        self.state = state
        self.banner.show_state(state)
        if state is not HelpState.ASKING:
            self._speak(state_text(state))
