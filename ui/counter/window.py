"""The counter window: a top bar, a navigation bar limited by role, and one screen at a time.

Screens are built when someone logs in (with that person's id) and thrown
away at logout, so nothing one clerk saw is left for the next; only the work
list is made ahead, empty, while the counter waits for a log-in. After idle
time the counter locks: the screens stay as they were, hidden behind the
password prompt, and come back for the same person only.
"""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP

from collections.abc import Callable

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (QButtonGroup, QLabel, QMainWindow, QPushButton,
                               QStackedWidget, QWidget)

from kiosk.staff import ROLE_LABELS, Permission
from kiosk.submission import ApplicationDraft
from ui import i18n
from ui.i18n import translate
from ui.counter.common import CounterScreen, tr
from ui.counter.login import LoginScreen
from ui.counter.scanner import ScannerBurst
from kiosk.usecases import drafts, link, receipts, staff as staff_cases
from kiosk.usecases.views import LinkView, StaffView
from ui.counter.context import CounterContext
from ui.counter.style import apply_counter_style
from ui.errors import message_for
from ui.app_events import quietly
from ui.jobs import run_job
from ui.widgets.idle import IdleWatcher
from ui.theme import set_role
from ui.widgets import builders
from ui.widgets.box_layouts import FlexibleVBoxLayout
from ui.widgets.flow_layout import FlowLayout
from ui.widgets.header_layout import HeaderLabel, HeaderLayout
from ui.widgets.sync_indicator import SyncIndicator

if TYPE_CHECKING:
    from ui.counter.worklist import WorkListScreen

log = logging.getLogger("onewindow.counter")

NAV = (("queue", QT_TRANSLATE_NOOP("Counter", "Queue"), Permission.TAKE_APPLICATION),
       ("worklist", QT_TRANSLATE_NOOP("Counter", "Work list"), Permission.REVIEW), ("walkin", QT_TRANSLATE_NOOP("Counter", "Take a walk-in"), Permission.TAKE_APPLICATION),
       ("drafts", QT_TRANSLATE_NOOP("Counter", "Drafts"), Permission.TAKE_APPLICATION),
       ("appointments", QT_TRANSLATE_NOOP("Counter", "Appointments"), Permission.TAKE_APPLICATION), ("deadlines", QT_TRANSLATE_NOOP("Counter", "Deadlines"), Permission.REVIEW),
       ("onsite", QT_TRANSLATE_NOOP("Counter", "Online cases"), Permission.DECIDE),
       ("print_queue", QT_TRANSLATE_NOOP("Counter", "Print queue"), Permission.REVIEW),
       ("dashboard", QT_TRANSLATE_NOOP("Counter", "Hall dashboard"), Permission.DASHBOARD))


PREPARE_MS = 200  # after the window's first frames
SOON_MS = 1  # a timer, not a posted call: a turn of the event loop of its own, after the login's first paint


class _Pages(dict):  # type: ignore[type-arg]  # str -> CounterScreen
    """The pages built so far; one due to be built in the coming turns is built at once when asked for."""

    def __init__(self, build_soon: Callable[[str], CounterScreen | None]) -> None:
        super().__init__()
        self._build_soon = build_soon

    def __missing__(self, key: str) -> CounterScreen:
        screen = self._build_soon(key)
        if screen is None:
            raise KeyError(key)
        return screen

    def get(self, key: str, default: CounterScreen | None = None) -> CounterScreen | None:  # type: ignore[override]
        try:
            return self[key]
        except KeyError:
            return default


class CounterWindow(QMainWindow):
    locked_changed = Signal(bool)
    screen_changed = Signal(str)

    def __init__(self, ctx: CounterContext, *, language: str | None = None, lock_seconds: int = 300,
                 sync_poll_ms: int = 3000) -> None:
        super().__init__()
        self.ctx = ctx
        self.terminal = ctx.terminal
        self.staff: StaffView | None = None
        self.locked = False
        self.screens: dict[str, CounterScreen] = {}  # the pages built so far for the person logged in
        self._soon: list[str] = []  # pages built in the turns after login, one per turn (`_build_next_soon`)
        self._later: dict[str, Callable[[], CounterScreen]] = {}  # their other pages: built when first shown
        self.help_waiting = 0  # kiosks asking for help that nobody acknowledged yet (the queue tab shows it)
        self._worklist_ahead: WorkListScreen | None = None  # made while the counter waits for a log-in
        self.current_name = "login"
        self.setWindowTitle("一窗通办 OneWindow · 窗口 Counter")
        i18n.set_language(language or ctx.terminal.settings.language)
        apply_counter_style(self)
        settings = ctx.terminal.settings
        root = QWidget()
        root.setObjectName("counterRoot")
        layout = FlexibleVBoxLayout(root)  # reports its least height, so the window fits short screens
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)

        top = QWidget()
        top.setObjectName("topBar")
        self.hall_label = HeaderLabel()
        self.hall_label.setObjectName("hallName")
        self._hall = (settings.hall_name_zh, settings.hall_name_en)
        self.staff_label = QLabel()
        self.staff_label.setObjectName("staffLabel")
        self.sync = SyncIndicator(for_staff=True)
        self.language_button = builders.button("languageButton", self.toggle_language)
        self.lock_button = builders.button("lockButton", self.lock)
        self.logout_button = builders.button("logoutButton", self.logout)
        tools = QWidget()
        tools.setObjectName("topTools")
        tools_row = FlowLayout(tools, spacing=14, line_spacing=6, align_right=True)
        for w in (self.staff_label, self.sync, self.language_button, self.lock_button, self.logout_button):
            tools_row.add(w)
        # The hall's name left, the tools right; on a narrow (portrait) screen the tools take a second line.
        bar = HeaderLayout(top, self.hall_label, None, tools, spacing=14, line_spacing=6)
        bar.setContentsMargins(24, 10, 24, 10)
        layout.addWidget(top)

        self.nav = QWidget()
        self.nav.setObjectName("navBar")
        # Ten pages for a supervisor do not fit one line of a 1080-pixel portrait screen: they wrap.
        self.nav_layout = FlowLayout(self.nav, spacing=4, line_spacing=4)
        self.nav_layout.setContentsMargins(24, 0, 24, 0)
        self.nav_group = QButtonGroup(self)
        self.nav_buttons: dict[str, QPushButton] = {}
        layout.addWidget(self.nav)
        self.notice = set_role(QLabel(), "error")
        self.notice.setObjectName("counterNotice")
        self.notice.setContentsMargins(24, 6, 24, 6)
        self.notice.setWordWrap(True)
        self.notice.hide()
        layout.addWidget(self.notice)
        self.stack = QStackedWidget()
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(root)

        self.login = LoginScreen(ctx)
        self.login.logged_in.connect(self.start_session)
        self.login.unlocked.connect(self.unlock)
        self.login.switch_user.connect(self.logout)
        self.stack.addWidget(self.login)
        self.idle = IdleWatcher(lock_seconds, self)
        self.idle.expired.connect(self.lock)
        self.scanner = ScannerBurst(self)
        self.scanner.scanned.connect(self.scanned)
        self._polling = False
        self.sync_timer = QTimer(self)
        self.sync_timer.setInterval(sync_poll_ms)
        self.sync_timer.timeout.connect(self.poll_sync)
        self.sync_timer.start()
        self.poll_sync()
        self._show_chrome()
        self.retranslate()
        QTimer.singleShot(PREPARE_MS, self, self._prepare)

    # --- session ----------------------------------------------------------------------------
    def _prepare(self) -> None:
        """Load the pages' modules while nobody waits: the first login imported them, tens of ms at the tap.

        The notices' CJK font is loaded now too, where notices are laid out: in
        the worker process for a window's terminal (`open_terminal`), so its
        110,000 long-lived Python objects are not this process's (the
        collector walked them on the GUI thread) and reportlab never holds this
        process's lock; here, in a job, for a terminal that lays them out here
        (then `freeze_start_up` puts them out of the collector's reach).
        """
        import ui.counter.queue  # noqa: F401
        import ui.counter.review  # noqa: F401

        terminal = self.terminal
        run_job("counter-notice-fonts", lambda: receipts.prepare_notices(terminal))
        run_job("counter-receipt-fonts", lambda: receipts.prepare_receipts(terminal))
        self._make_worklist_ahead()

    def _make_worklist_ahead(self) -> None:
        """The work list, made and styled while the counter shows its log-in, for whoever logs in next. Made
        in the log-in's answer, with the bars and buttons the log-in shows, that answer held the window 52-60 ms
        in the soak (issue 10). It holds no one's cases until then; it is not in the stack, and so not part of
        the log-in's size, until it is shown."""
        if self.staff is not None or self._worklist_ahead is not None:
            return
        from ui.counter.worklist import WorkListScreen

        screen = WorkListScreen(self.ctx, None, self.stack)  # born under the stack: no restyle when added
        screen.hide()
        screen.ensurePolished()
        self._worklist_ahead = screen

    @quietly
    def start_session(self, staff: StaffView) -> None:
        """The pages this person may use. The work list is built now; the queue (which follows the hall while
        hidden) and the case review in the turns after it, one per turn, or at once if asked for by name
        (`self.screens["review"]`); the others when first shown. Building all ten at login held the window
        still for over half a second, and the three in one go for over 100 ms (issue 10)."""
        from ui.counter.review import ReviewScreen
        from ui.counter.worklist import WorkListScreen

        self.staff = staff
        self.locked = False
        self.screens = _Pages(self._build_soon)
        self._later = {}
        self._soon = []
        # Born under the stack: a screen made parentless and added later is restyled as a whole when it moves.
        stack = self.stack
        if staff.may(Permission.TAKE_APPLICATION) and self.terminal.hall is not None:  # first: others link to it
            from ui.counter.queue import QueueScreen

            self._later["queue"] = lambda: QueueScreen(self.ctx, staff.id, stack)
            self._soon.append("queue")
        if staff.may(Permission.REVIEW):
            worklist = self._worklist_ahead or WorkListScreen(self.ctx, None, stack)
            self._worklist_ahead = None
            worklist.staff_id = staff.id
            self._add_page("worklist", worklist)
            self._later["review"] = lambda: ReviewScreen(self.ctx, staff.id, stack)
            self._soon.append("review")
            self._later["deadlines"] = self._deadlines_page
            self._later["print_queue"] = self._print_queue_page
        if staff.may(Permission.DECIDE):
            self._later["onsite"] = self._onsite_page
        if staff.may(Permission.TAKE_APPLICATION):
            self._later["walkin"] = self._walkin_page
            self._later["drafts"] = self._drafts_page
            self._later["appointments"] = self._appointments_page
        if staff.may(Permission.DASHBOARD):
            self._later["dashboard"] = self._dashboard_page
        pages = ("worklist", "review", "deadlines", "print_queue", "onsite", "walkin", "drafts", "appointments",
                 "queue", "dashboard")
        screens = [key for key in pages if key in self.screens or key in self._later]  # for the navigation
        for key, _words, permission in NAV:
            if key in screens and staff.may(permission):
                button = QPushButton()
                button.setObjectName(f"nav_{key}")
                button.setCheckable(True)
                button.clicked.connect(lambda _=False, k=key: self.show_screen(k))
                self.nav_group.addButton(button)
                self.nav_layout.add(button)
                self.nav_buttons[key] = button
        self.idle.start()
        self._show_chrome()
        self.retranslate()
        self._fit_screens()
        self.show_screen("worklist" if "worklist" in screens else next(iter(screens), "login"))
        self._next_soon()

    def _build_soon(self, key: str) -> CounterScreen | None:
        return self.page(key) if key in self._soon else None

    @quietly
    def _build_next_soon(self) -> None:
        while self._soon and (self.staff is None or dict.get(self.screens, self._soon[0]) is not None):
            self._soon.pop(0)  # logged out meanwhile, or already built because it was asked for
        if self._soon:
            screen = self.page(self._soon.pop(0))
            if screen is not None:  # then the next page, in the turn after this one's laying out
                QTimer.singleShot(SOON_MS, self, lambda: self._lay_out_ahead(screen))
                return
        self._next_soon()

    def _next_soon(self) -> None:
        if self._soon:
            QTimer.singleShot(SOON_MS, self, self._build_next_soon)

    def _still_ahead(self, screen: CounterScreen) -> bool:
        """Not logged out, and not shown, since it was built ahead."""
        return dict.get(self.screens, screen.name) is screen and self.stack.currentWidget() is not screen

    @quietly
    def _lay_out_ahead(self, screen: CounterScreen) -> None:
        """A page built before it is asked for is laid out at the stack's size in a turn of its own, so its
        layouts' measurements are made and kept before the tap that shows it (as the kiosk's screens ahead)."""
        if not self._still_ahead(screen):
            self._next_soon()
            return
        screen.resize(self.stack.size())
        layout = screen.layout()
        if layout is not None:
            layout.activate()
        QTimer.singleShot(SOON_MS, self, lambda: self._paint_ahead(screen))

    @quietly
    def _paint_ahead(self, screen: CounterScreen) -> None:
        """A page laid out ahead is painted once into a picture nobody sees, in a turn of its own: a widget's
        first paint works out which style-sheet rules apply to it (Qt keeps them for its later paints), and the
        first case opened held the window 10-13 ms longer than the next ones for that (issue 10)."""
        if self._still_ahead(screen):
            screen.grab()
        self._next_soon()

    # --- pages, built when first needed ------------------------------------------------------------
    def _add_page(self, key: str, screen: CounterScreen) -> CounterScreen:
        """A page joins the stack with its links to the pages already there."""
        self.screens[key] = screen
        self.stack.addWidget(screen)
        screens = self.screens
        if key == "review":
            screen.back_requested.connect(lambda: self.show_screen("worklist"))  # type: ignore[attr-defined]
            if "queue" in screens:  # a case decided here names the ticket being served
                queue = screens["queue"]
                screen.decided.connect(  # type: ignore[attr-defined]
                    lambda outcome: queue.link_current(outcome.detail.row.case_no or outcome.detail.row.receipt_no
                                                       or outcome.detail.row.id))  # type: ignore[attr-defined]
        elif key in ("worklist", "deadlines"):
            screen.open_case.connect(self.open_case)  # type: ignore[attr-defined]
        elif key == "walkin":
            screen.review_requested.connect(self.open_case)  # type: ignore[attr-defined]
            if "queue" in screens:  # a walk-in filed while a ticket is served names that ticket
                queue = screens["queue"]
                screen.filed.connect(  # type: ignore[attr-defined]
                    lambda submitted: queue.link_current(submitted.receipt_no or submitted.id))  # type: ignore[attr-defined]
        elif key == "drafts":
            screen.resume.connect(self.resume_draft)  # type: ignore[attr-defined]
        elif key == "queue":
            screen.help_count_changed.connect(self._help_count)  # type: ignore[attr-defined]
        return screen

    @quietly
    def page(self, key: str) -> CounterScreen | None:
        """The page, built now if it is one of this person's not yet shown."""
        screen = dict.get(self.screens, key)
        if screen is None and key in self._later and self.staff is not None:
            if key != "queue" and "queue" in self._later:
                self.page("queue")  # first: the pages built after it link to it
            screen = self._add_page(key, self._later.pop(key)())
            screen.retranslate()
            fit = getattr(screen, "fit_width", None)
            if fit is not None:
                fit(self.width())
        return screen

    def _walkin_page(self) -> CounterScreen:
        from ui.counter.walkin import WalkInScreen

        assert self.staff is not None
        return WalkInScreen(self.ctx, self.staff.id, self.stack)

    def _deadlines_page(self) -> CounterScreen:
        from ui.counter.deadlines import DeadlinesScreen

        assert self.staff is not None
        return DeadlinesScreen(self.ctx, self.staff.id, hall_wide=self.staff.may(Permission.HALL_DEADLINES),
                               parent=self.stack)

    def _print_queue_page(self) -> CounterScreen:
        from ui.counter.print_queue import PrintQueueScreen

        assert self.staff is not None
        return PrintQueueScreen(self.ctx, self.staff.id, self.stack)

    def _onsite_page(self) -> CounterScreen:
        from ui.counter.onsite import OnsiteScreen

        assert self.staff is not None
        return OnsiteScreen(self.ctx, self.staff.id, self.stack)

    def _drafts_page(self) -> CounterScreen:
        from ui.counter.drafts import DraftsScreen

        assert self.staff is not None
        return DraftsScreen(self.ctx, self.staff.id, self.stack)

    def _appointments_page(self) -> CounterScreen:
        from ui.counter.appointments import AppointmentsScreen

        assert self.staff is not None
        return AppointmentsScreen(self.ctx, self.staff.id, self.stack)

    def _dashboard_page(self) -> CounterScreen:
        from ui.counter.dashboard import DashboardScreen

        assert self.staff is not None
        return DashboardScreen(self.ctx, self.staff.id, self.stack)

    @quietly
    def logout(self) -> None:
        staff = self.staff
        self.idle.stop()
        if staff is not None:
            run_job("counter-logout", lambda: staff_cases.note(self.terminal, staff.id, "logout"))
        for button in self.nav_buttons.values():
            self.nav_group.removeButton(button)
            button.setParent(None)
            button.deleteLater()
        self.nav_buttons = {}
        self.help_waiting = 0
        for screen in self.screens.values():
            stop = getattr(screen, "stop", None)
            if stop is not None:
                stop()
            self.stack.removeWidget(screen)
            screen.setParent(None)
            screen.deleteLater()
        self.screens = {}
        self._later = {}
        self._soon = []
        self.staff = None
        self.locked = False
        self.login.reset()
        self.stack.setCurrentWidget(self.login)
        self.current_name = "login"
        self.clear_notice()
        self._show_chrome()
        self.locked_changed.emit(False)
        self.retranslate()
        QTimer.singleShot(PREPARE_MS, self, self._make_worklist_ahead)

    def lock(self) -> None:
        if self.staff is None or self.locked:
            return
        staff = self.staff
        self.locked = True
        self.idle.stop()
        run_job("counter-lock", lambda: staff_cases.note(self.terminal, staff.id, "counter_locked"))
        self.login.lock(staff)
        self.stack.setCurrentWidget(self.login)
        self._show_chrome()
        self.locked_changed.emit(True)

    def unlock(self, staff: StaffView) -> None:
        if self.staff is None or staff.id != self.staff.id:
            self.logout()
            return
        self.locked = False
        run_job("counter-unlock", lambda: staff_cases.note(self.terminal, staff.id, "counter_unlocked"))
        self.idle.start()
        self._show_chrome()
        self.show_screen(self.current_name if self.current_name in self.screens else "worklist", refresh=False)
        self.locked_changed.emit(False)

    def _show_chrome(self) -> None:
        active = self.staff is not None and not self.locked
        self.nav.setVisible(active)
        for w in (self.lock_button, self.logout_button, self.staff_label):
            w.setVisible(active)

    # --- navigation ----------------------------------------------------------------------------
    @quietly
    def show_screen(self, name: str, *, refresh: bool = True) -> None:
        if self.locked:
            return
        screen = self.page(name)
        if screen is None:
            return
        self.current_name = name
        self.stack.setCurrentWidget(screen)
        if name in self.nav_buttons:
            self.nav_buttons[name].setChecked(True)
        elif name == "review" and "worklist" in self.nav_buttons:
            self.nav_buttons["worklist"].setChecked(True)
        self.clear_notice()
        if refresh:
            screen.on_enter()
        self.screen_changed.emit(name)

    @quietly
    def open_case(self, application_id: str) -> None:
        review = self.screens.get("review")
        if review is None or self.locked:
            return
        review.open(application_id)  # type: ignore[attr-defined]
        self.show_screen("review", refresh=False)

    def resume_draft(self, draft_id: str) -> None:
        staff = self.staff
        if staff is None or self.page("walkin") is None:
            return

        def done(draft: ApplicationDraft) -> None:
            walkin = self.page("walkin")
            if walkin is not None:
                walkin.load_draft(draft, draft_id)  # type: ignore[attr-defined]
                self.show_screen("walkin", refresh=False)

        run_job("counter-load-draft", lambda: drafts.resume_draft(self.terminal, staff.id, draft_id), on_done=done,
                on_error=self.report)

    def scanned(self, text: str) -> None:
        """A receipt was scanned anywhere in the window: find it and open it."""
        if self.staff is None or self.locked or "worklist" not in self.screens:
            return
        worklist = self.screens["worklist"]
        self.show_screen("worklist", refresh=False)
        worklist.search(text)  # type: ignore[attr-defined]

    # --- status and errors ------------------------------------------------------------------------
    def poll_sync(self) -> None:
        if self._polling:
            return
        self._polling = True
        terminal = self.terminal
        run_job("counter-sync-view", lambda: link.link_view(terminal), on_done=self._sync_view,
                on_error=self._sync_failed)

    def _sync_view(self, view: LinkView) -> None:
        self._polling = False
        self.sync.set_view(view)

    def _sync_failed(self, exc: BaseException) -> None:
        self._polling = False
        log.warning("sync status unavailable: %r", exc)

    def report(self, exc: BaseException) -> None:
        message = message_for(exc)
        self._notice = lambda: "✖ " + i18n.msg(message)
        self.notice.setText(self._notice())
        self.notice.show()

    def clear_notice(self) -> None:
        self._notice = None
        self.notice.hide()

    # --- language ----------------------------------------------------------------------------------
    def toggle_language(self) -> None:
        i18n.set_language("en" if i18n.lang() == "zh" else "zh")
        self.retranslate()

    def retranslate(self) -> None:
        zh, en = self._hall
        self.hall_label.setText(zh if i18n.lang() == "zh" else en)
        self.language_button.setText("English" if i18n.lang() == "zh" else "中文")
        self.language_button.setAccessibleName(  # said to a screen reader: what the tap does
            translate("Counter", "Switch the language to English") if i18n.lang() == "zh"
            else "切换为中文 (Switch to Chinese)")
        self.lock_button.setText(translate("Counter", "Lock"))
        self.logout_button.setText(translate("Counter", "Log out"))
        if self.staff is not None:
            self.staff_label.setText(f"{self.staff.display_name} · {i18n.msg(ROLE_LABELS[self.staff.role])}")
        for key, words, _permission in NAV:
            if key in self.nav_buttons:
                self.nav_buttons[key].setText(tr(words))
        if self.help_waiting and "queue" in self.nav_buttons:  # in words, not a colour: "叫号 · ⚑ 2"
            self.nav_buttons["queue"].setText(translate("Counter", "Queue") + f" · ⚑ {self.help_waiting}")
        self.sync.retranslate()
        self.login.retranslate()
        for screen in self.screens.values():
            screen.retranslate()
        if self._worklist_ahead is not None:
            self._worklist_ahead.retranslate()
        notice = getattr(self, "_notice", None)
        if callable(notice):
            self.notice.setText(notice())

    def _help_count(self, count: int) -> None:
        if count != self.help_waiting:
            self.help_waiting = count
            if "queue" in self.nav_buttons:
                self.nav_buttons["queue"].setText(translate("Counter", "Queue") + f" · ⚑ {count}" if count else translate("Counter", "Queue"))

    def _fit_screens(self) -> None:
        """Screens that arrange themselves by width learn it even while hidden (their minimum counts)."""
        for screen in self.screens.values():
            fit = getattr(screen, "fit_width", None)
            if fit is not None:
                fit(self.width())
        self.stack.updateGeometry()  # the stack's minimum is the largest page's, hidden pages included

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit_screens()

    def closeEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt's name
        self.sync_timer.stop()
        for screen in self.screens.values():
            stop = getattr(screen, "stop", None)
            if stop is not None:
                stop()
        self.idle.stop()
        super().closeEvent(event)
