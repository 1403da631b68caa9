"""Which screen comes next, and creating screens only when they are needed.

Screens that hold a citizen's data are created for one session and
destroyed by `wipe()`, so no widget, undo history or cached text survives
into the next person's session.

The next step's screen is built while the citizen reads the current one
(`AHEAD`), in a turn of the event loop of its own, so that a tap on Next
only shows it: building a step's screen took tens of ms of the GUI thread
at the tap (issue 10's stall target). Those screens are of this session too,
take the session's state when entered, and go with the others; dropped
screens are deleted one per turn of the event loop for the same reason.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLineEdit, QStackedWidget

from kiosk.submission import SubmittedApplication
from kiosk.usecases import applications, drafts, receipts
from kiosk.usecases.views import PrintResult
from ui.app_events import quietly
from ui.jobs import run_job
from ui.kiosk.checkin_flow import CheckinFlow
from ui.kiosk.context import KioskContext
from ui.kiosk.overlay import Texts, leave_texts
from ui.kiosk.screens.base import Screen
from ui.kiosk.screens.welcome import WelcomeScreen
from ui.kiosk.ticket_flow import TicketFlow

if TYPE_CHECKING:  # screens other than the welcome screen are imported when first needed (fast start-up)
    from kiosk.catalog import ServiceItem
    from ui.kiosk.screens.result import ResultScreen

FLOW = ("identity", "licences", "form", "materials", "review")  # the steps an item may have, in order
KEPT = ("welcome", "browser")  # screens that never hold a citizen's data
# The screens built while the citizen reads the one before (key): those that take the session's state when
# entered. Not the licence step, whose answer arrives while it is shown, nor a screen after it that reads that
# answer when built (materials) while that step is on screen.
AHEAD = {"guide": ("identity",), "identity": ("form", "materials", "review"), "licences": ("form",),
         "form": ("materials",), "materials": ("review",), "review": ("result",)}
AHEAD_MS = 1  # a timer, not a posted call: a turn of the event loop of its own, after the step's first paint
DISPOSE_MS = 1


class KioskShell(Protocol):
    """What the navigator needs of the window around it (the window implements it)."""

    def set_step(self, step: int | None) -> None: ...
    def start_idle(self, seconds: int | None = None) -> None: ...
    def when_ready(self, action: Callable[[], None]) -> None: ...
    def end_session(self, reason: str) -> None: ...
    def clear_report(self) -> None: ...
    def report(self, exc: BaseException) -> None: ...
    def poll_sync(self) -> None: ...
    def confirm(self, texts: Texts, on_yes: Callable[[], None]) -> None: ...
    def screen_shown(self, screen: Screen) -> None: ...
    def announce(self, text: str) -> None: ...
    def speak(self, text: str) -> None: ...


class KioskNavigator:
    def __init__(self, window: KioskShell, ctx: KioskContext, stack: QStackedWidget) -> None:
        self.window = window
        self.ctx = ctx
        self.stack = stack
        ctx.screens_parent = stack
        self.screens: dict[str, Screen] = {}
        self.ahead: dict[str, Screen] = {}  # the next step's screen, built while the citizen reads this one
        self._disposal: list[Screen] = []  # dropped screens, destroyed one per turn of the event loop
        self.rating_origin = "welcome"
        self.ticket = TicketFlow(self, window, ctx)
        self.checkin = CheckinFlow(self, window, ctx)

    # --- bookkeeping -------------------------------------------------------------------------
    def current(self) -> Screen | None:
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, Screen) else None

    def _add(self, screen: Screen) -> Screen:
        old = self.screens.get(screen.name)
        if old is not None:
            self._drop(old)
        self.screens[screen.name] = screen
        self.stack.addWidget(screen)
        screen.announce.connect(lambda text, s=screen: self.window.announce(text) if self.current() is s else None)
        return screen

    def add_screen(self, screen: Screen) -> Screen:
        """A screen made elsewhere (`ui.kiosk.ticket_flow`) joins the stack; one of the same name goes."""
        return self._add(screen)

    def drop_screen(self, screen: Screen) -> None:
        self._drop(screen)

    def _drop(self, screen: Screen) -> None:
        self.screens.pop(screen.name, None)
        self.stack.removeWidget(screen)
        self._retire(screen)

    def _retire(self, screen: Screen) -> None:
        screen.hide()
        for edit in screen.findChildren(QLineEdit):  # what was typed goes now (and its undo history), not
            edit.setText("")                         # when the event loop gets round to the deletion
        # Deleted with its children in the event loop (no detour through a top-level window), one screen per
        # turn: the five screens of a submitted application deleted in one go held the screen still for longer
        # than the next one took to appear.
        self._disposal.append(screen)
        if len(self._disposal) == 1:
            QTimer.singleShot(DISPOSE_MS, self.stack, self._dispose_next)

    @quietly
    def _dispose_next(self) -> None:
        if self._disposal:
            self._disposal.pop(0).deleteLater()
        if self._disposal:
            QTimer.singleShot(DISPOSE_MS, self.stack, self._dispose_next)

    @quietly  # builds, shows or drops the window's own widgets: see ui.app_events.quiet
    def show(self, name: str) -> Screen:
        screen = self.screens[name]
        self.stack.setCurrentWidget(screen)
        self.window.set_step(screen.step)
        screen.on_enter()
        screen.scroll.verticalScrollBar().setValue(0)
        self.window.screen_shown(screen)
        if name in AHEAD:
            QTimer.singleShot(AHEAD_MS, self.stack, lambda s=self.ctx.session.draft_id: self._build_ahead(name, s))
        return screen

    @quietly
    def _build_ahead(self, shown: str, draft_id: str | None) -> None:
        """Build the step after `shown` now, in a turn of its own, rather than when Next is tapped.

        Only while the same application (or, on the guide, a citizen who has not started one) is on `shown`,
        and only a step whose screen takes the session's state when it is entered: it holds nothing of the
        citizen's until then, and is dropped with the others when the session ends or the service changes."""
        session = self.ctx.session
        if session.draft_id != draft_id or self.current() is not self.screens.get(shown):
            return
        if shown == "guide":
            following = "identity" if session.item is None else ""
        elif shown == "review":
            following = "result" if draft_id is not None else ""
        else:
            following = self._beside(shown, 1) if draft_id is not None else ""
        if following in AHEAD[shown] and following not in self.screens and following not in self.ahead:
            screen = self._make(following, ahead=True)
            self.ahead[following] = screen
            QTimer.singleShot(AHEAD_MS, self.stack, lambda: self._lay_out_ahead(following, screen))

    @quietly
    def _lay_out_ahead(self, name: str, screen: Screen) -> None:
        """Lay the screen built ahead out at the stack's size, in a turn of its own after its building (about
        4 ms, which would have made the building's turn longer). Its layouts' measurements are then made and
        kept, and the tap that shows it took 13 ms instead of 16–20 (form screen, 1080×1920, offscreen); the
        scroll area still places its content when it is shown."""
        if self.ahead.get(name) is not screen:
            return  # dropped or shown meanwhile
        screen.resize(self.stack.size())
        layout = screen.layout()
        if layout is not None:
            layout.activate()

    def retranslate(self) -> None:
        for screen in list(self.screens.values()):
            screen.retranslate()

    @quietly
    def wipe(self) -> None:
        """Destroy every screen that held the citizen's data; the welcome and service list stay, reset.

        Those two hold nothing of the citizen's but the search typed, which `reset` clears; keeping them
        spares the next person the second it takes to build the list of services.
        """
        for screen in list(self.screens.values()):
            if screen.name not in KEPT:
                self._drop(screen)
        self._drop_ahead()
        browser = self.screens.get("browser")
        if browser is not None:
            browser.reset()  # type: ignore[attr-defined]

    def catalog_changed(self) -> None:
        """Sync installed a newer catalog: the next citizen's service list is built from it."""
        browser = self.screens.get("browser")
        if browser is not None:
            self._drop(browser)
        self.ctx.extras.pop("search_index", None)

    @quietly
    def prepare(self) -> None:
        """Build the service list, and load the flow's screens, while nobody is waiting for them (after start-up)."""
        import ui.kiosk.screens.form  # noqa: F401 - loaded now rather than at the first citizen's tap
        import ui.kiosk.screens.guide  # noqa: F401
        import ui.kiosk.screens.identity  # noqa: F401
        import ui.kiosk.screens.licence_consent  # noqa: F401
        import ui.kiosk.screens.materials  # noqa: F401
        import ui.kiosk.screens.result  # noqa: F401
        import ui.kiosk.screens.review  # noqa: F401
        from ui.kiosk.screens.browser import BrowserScreen

        if "browser" not in self.screens and self.ctx.terminal is not None:
            browser = BrowserScreen(self.ctx)
            browser.back_requested.connect(self.home)
            browser.item_chosen.connect(self.show_guide)
            self._add(browser)

    # --- entry points ----------------------------------------------------------------------------
    def show_welcome(self) -> None:
        if "welcome" not in self.screens:
            welcome = WelcomeScreen(self.ctx)
            welcome.apply_chosen.connect(self.show_browser)
            welcome.progress_chosen.connect(self.show_progress)
            welcome.rate_chosen.connect(lambda: self.show_rating(None, None, origin="welcome"))
            welcome.ticket_chosen.connect(self.ticket.start)
            welcome.checkin_chosen.connect(self.checkin.start)
            welcome.card_placed.connect(self.checkin.card_on_welcome)
            welcome.code_scanned.connect(self.checkin.code_on_welcome)
            self._add(welcome)
        self.show("welcome")

    def hall_attached(self) -> None:
        """The terminal is open: the welcome screen offers "Take a number" if it has a hall hub."""
        welcome = self.screens.get("welcome")
        if welcome is not None:
            welcome.refresh_hall()  # type: ignore[attr-defined]

    def show_browser(self) -> None:
        if self.ctx.terminal is None:
            self.window.when_ready(self.show_browser)
            return
        self.prepare()
        self.window.start_idle()
        self.show("browser")

    @quietly
    def show_guide(self, code: str) -> None:
        from ui.kiosk.screens.guide import GuideScreen

        item = self.ctx.catalog.item(code)
        if item is None:
            return
        guide = GuideScreen(self.ctx, item)
        guide.back_requested.connect(self.show_browser)
        guide.next_requested.connect(lambda: self.start_application(item))
        self._add(guide)
        self.show("guide")

    def show_progress(self) -> None:
        if self.ctx.terminal is None:
            self.window.when_ready(self.show_progress)
            return
        from ui.kiosk.screens.progress import ProgressScreen

        progress = ProgressScreen(self.ctx)
        progress.back_requested.connect(self.home)
        self._add(progress)
        self.window.start_idle()
        self.show("progress")

    def show_rating(self, application_id: str | None, service_item: str | None, origin: str) -> None:
        if self.ctx.terminal is None:
            self.window.when_ready(lambda: self.show_rating(application_id, service_item, origin))
            return
        from ui.kiosk.screens.rating import RatingScreen

        self.rating_origin = origin
        rating = RatingScreen(self.ctx, application_id, service_item)
        rating.back_requested.connect(lambda: self.show(self.rating_origin) if self.rating_origin in self.screens
                                      else self.home())
        rating.finished.connect(lambda: self.window.end_session("done"))
        self._add(rating)
        self.window.start_idle()
        self.show("rating")

    # --- the application flow ------------------------------------------------------------------
    @quietly
    def start_application(self, item: ServiceItem) -> None:
        session = self.ctx.session
        if session.item is not None and session.item.code != item.code and session.draft_id:
            old = session.draft_id  # a different service: the half-done draft is abandoned
            self.ctx.saver.stop_then(lambda: self._discard_then_restart(old))
        if session.item is None or session.item.code != item.code:
            for name in FLOW:
                if name in self.screens:
                    self._drop(self.screens[name])
            fresh = self.ahead.pop("identity", None) if session.item is None else None  # built on the guide
            self._drop_ahead()
            session.start(item)
            if fresh is not None:
                self.ahead["identity"] = fresh
        self.window.start_idle()
        self.go("identity")

    def _discard_then_restart(self, draft_id: str) -> None:
        terminal = self.ctx.terminal
        run_job("discard-draft", lambda: drafts.discard_draft(terminal, draft_id, "abandoned"))
        self.ctx.saver.restart()

    def licence_step_applies(self) -> bool:
        """The consent step is for items with a material a licence can stand for, at a terminal enrolled
        with the platform (one that is not has no licence library to ask, so the step would only cost the
        citizen a tap). Offline but enrolled, the step is shown and says 需联网核验."""
        item = self.ctx.session.item
        view = self.ctx.extras.get("link_view")
        return (item is not None and any(m.licence_types for m in item.materials)
                and bool(getattr(view, "enrolled", False)))

    def steps(self) -> list[str]:
        """This application's steps, in order."""
        item = self.ctx.session.item
        return [name for name in FLOW if (name != "licences" or self.licence_step_applies())
                and (name != "form" or (item is not None and bool(item.form)))]

    def _beside(self, name: str, direction: int) -> str:
        """The step after (1) or before (-1) `name` in this application's steps."""
        steps = self.steps()
        index = FLOW.index(name) + direction
        while 0 <= index < len(FLOW) and FLOW[index] not in steps:
            index += direction
        return FLOW[min(max(index, 0), len(FLOW) - 1)]

    def _drop_ahead(self, names: list[str] | None = None) -> None:
        for name in list(self.ahead) if names is None else names:
            self._retire(self.ahead.pop(name))

    def _make(self, name: str, *, ahead: bool = False) -> Screen:
        from ui.kiosk.screens.form import FormScreen
        from ui.kiosk.screens.identity import IdentityScreen
        from ui.kiosk.screens.licence_consent import LicenceConsentScreen
        from ui.kiosk.screens.materials import MaterialsScreen
        from ui.kiosk.screens.review import ReviewScreen

        if name == "result":
            from ui.kiosk.screens.result import ResultScreen

            return ResultScreen(self.ctx)  # only ever built ahead: `_submitted` fills it in and links it
        if name == "identity":
            screen: Screen = IdentityScreen(self.ctx)
            screen.back_requested.connect(lambda: self.show("guide") if "guide" in self.screens else self.show_browser())
        elif name == "licences":
            screen = LicenceConsentScreen(self.ctx)
        elif name == "form":
            screen = FormScreen(self.ctx)
        elif name == "materials":
            screen = MaterialsScreen(self.ctx)
        else:
            review = ReviewScreen(self.ctx)
            review.edit_requested.connect(self.go)
            review.submit_requested.connect(self.submit)
            screen = review
        if name != "identity":
            screen.back_requested.connect(lambda n=name: self.go(self._beside(n, -1)))
        if name != "review":
            screen.next_requested.connect(lambda n=name: self.go(self._beside(n, 1)))
        return screen if ahead else self._add(screen)

    @quietly
    def go(self, name: str) -> None:
        following = self._beside(name, 1)
        stale = [k for k in self.ahead if k not in (name, following)]  # back a step: built from what may change
        if stale:
            self._drop_ahead(stale)
        if name not in self.screens:
            built = self.ahead.pop(name, None)
            if built is not None:
                self._add(built)
            else:
                self._make(name)
        self.window.clear_report()
        self.show(name)

    def submit(self) -> None:
        from ui.kiosk.screens.review import ReviewScreen

        review = self.screens["review"]
        assert isinstance(review, ReviewScreen)
        review.set_submitting(True)
        session = self.ctx.session
        draft = session.to_draft()
        draft_id = session.draft_id

        terminal, settings = self.ctx.terminal, self.ctx.settings

        def work() -> tuple[SubmittedApplication, QImage]:
            from ui.kiosk.screens.result import qr_image

            submitted = applications.submit_at_kiosk(terminal, draft, draft_id)
            return submitted, qr_image(settings.status_url(submitted.receipt_no))  # as on the receipt; drawn here, not on the GUI thread

        def start() -> None:
            run_job("submit", work, on_done=lambda done: self._submitted(*done), on_error=self._submit_failed)

        # Once the button says "Submitting…", in a turn of its own: the job's 40-50 ms of Python (the store's
        # ORM work, the document's hash) and the GUI thread's repaint took turns for Python's lock, and the
        # repaint and the result's arrival then fell in one stall of 55-68 ms (issue 10's soak).
        self.ctx.saver.stop_then(lambda: QTimer.singleShot(AHEAD_MS, self.stack, start))

    def _submit_failed(self, exc: BaseException) -> None:
        from ui.kiosk.screens.review import ReviewScreen

        self.ctx.saver.restart()
        review = self.screens.get("review")
        if isinstance(review, ReviewScreen):
            review.set_submitting(False)
        self.window.report(exc)

    @quietly
    def _submitted(self, submitted: SubmittedApplication, qr: QImage | None = None) -> None:
        from ui.kiosk.screens.result import ResultScreen

        session = self.ctx.session
        item = session.item
        ahead = self.ahead.pop("result", None)
        # The application is stored; what the citizen typed is no longer needed on this screen or in memory.
        for name in FLOW + ("guide",):
            if name in self.screens:
                self._drop(self.screens[name])
        self._drop_ahead()
        session.applicant.clear()
        session.form.clear()
        session.materials.clear()
        session.forget_licences()
        session.draft_id = None
        session.submitted = submitted
        if isinstance(ahead, ResultScreen):
            result = ahead
            result.set_submitted(submitted, qr)
        else:
            result = ResultScreen(self.ctx, submitted, qr)
        result.finish_requested.connect(lambda: self.window.end_session("done"))
        result.rate_requested.connect(lambda: self.show_rating(submitted.id, item.code if item else None,
                                                               origin="result"))
        self._add(result)
        self.show("result")
        from ui.i18n import lang

        terminal, language = self.ctx.terminal, lang()

        def print_receipt() -> None:
            run_job("print-receipt", lambda: receipts.print_receipt(terminal, submitted.id, language),
                    on_done=lambda r: self._printed(result, r), on_error=lambda exc: self._print_failed(result, exc))
            self.window.poll_sync()  # the indicator's count of what waits to be sent (the sync is poked already)

        # After the result's first paint, in a turn of its own: started here, the jobs' Python (the receipt's
        # store work and layout, the link's counts) took turns with this thread for Python's lock while the
        # screen was still being laid out and painted, the soak's longest stalls (issue 10). A citizen cannot
        # tell a millisecond.
        QTimer.singleShot(AHEAD_MS, self.stack, print_receipt)

    def _printed(self, result: ResultScreen, outcome: PrintResult) -> None:
        if self.screens.get("result") is result:
            result.set_print_result(bool(outcome.printed), outcome.message)

    def _print_failed(self, result: ResultScreen, exc: BaseException) -> None:
        from ui.errors import message_for

        if self.screens.get("result") is result:
            result.set_print_result(False, message_for(exc))

    # --- leaving -----------------------------------------------------------------------------------
    def home(self) -> None:
        session = self.ctx.session
        if session.submitted is not None:
            self.window.end_session("done")
            return
        if session.item is not None and session.has_personal_data:
            # a card in the window, not a stock dialog: the idle countdown stays above it, touches on it count
            self.window.confirm(leave_texts, lambda: self.window.end_session("cancelled"))
            return
        self.window.end_session("cancelled" if session.item is not None else "done")
