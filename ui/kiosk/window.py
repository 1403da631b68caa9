"""The kiosk window: a top bar, a notice bar and one screen at a time.

It holds no flow logic of its own beyond wiring: `KioskNavigator` decides
which screen comes next; this class owns the shell (language, text size,
read-aloud and keypad, sync indicator, question cards, idle overlay) and
ending a session, after which the welcome screen tells the citizen what
happened to their application (`ui.kiosk.session_end`).
"""
from __future__ import annotations

import logging

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMainWindow, QStackedWidget, QWidget

from collections.abc import Callable
from typing import TYPE_CHECKING

from kiosk.usecases import drafts, link, receipts
from ui import i18n, theme
from ui.errors import message_for
from ui.i18n import msg
from ui.jobs import run_job
from ui.kiosk.context import KioskContext
from ui.kiosk.draft_saver import DraftSaver
from ui.kiosk.help import HelpBanner, HelpDesk
from ui.kiosk.idle import IdleOverlay
from ui.kiosk.keypad import KeypadNavigator
from ui.kiosk.overlay import ConfirmOverlay, KioskOverlay, PopupGuard, Texts
from ui.kiosk.session_end import Farewell, Outcome, farewell
from ui.kiosk.voice import KioskVoice
from ui.widgets.idle import IdleWatcher
from ui.kiosk.navigator import KioskNavigator
from ui.kiosk.session import CitizenSession
from ui.kiosk.top_bar import NoticeBar, TopBar
from ui.widgets.box_layouts import FlexibleVBoxLayout

if TYPE_CHECKING:
    from kiosk.settings import Settings
    from kiosk.terminal import Terminal
    from kiosk.usecases.views import LinkView
    from ui.camera_feed import CameraFeed
    from ui.kiosk.screens.base import Screen

log = logging.getLogger("onewindow.kiosk")


class KioskWindow(QMainWindow):
    session_ended = Signal(str)  # reason: done, cancelled, idle
    sync_view_changed = Signal(object)
    farewell_shown = Signal(object)  # the Outcome the welcome screen tells the citizen about
    farewell_ms = 20_000  # how long the welcome screen says what happened to the last application

    def __init__(self, terminal: "Terminal | None", *, settings: "Settings | None" = None,
                 language: str | None = None, large_text: bool | None = None, sync_poll_ms: int = 3000,
                 speech: bool = True) -> None:
        """Without `terminal` the window shows at once and `attach()` brings the store in later."""
        super().__init__()
        if settings is None:
            assert terminal is not None, "a window needs its terminal or at least its settings"
            settings = terminal.settings
        self.terminal = terminal
        self.camera_feed: "CameraFeed | None" = None
        self._waiting: list[Callable[[], None]] = []
        self.default_language = language or settings.language
        self.default_large = settings.large_text if large_text is None else large_text
        self.setWindowTitle("一窗通办 OneWindow")
        i18n.set_language(self.default_language)
        theme.apply_theme(QApplication.instance(), self.default_large)
        session = CitizenSession()
        self.saver = DraftSaver(lambda snapshot: drafts.save_draft(self._terminal(), snapshot), self)
        self.ctx = KioskContext(settings=settings, terminal=None, catalog=None, session=session, saver=self.saver,
                                report=self.report, clear_report=self.clear_report)
        root = QWidget()
        root.setObjectName("kioskRoot")
        layout = FlexibleVBoxLayout(root)  # reports its least height, so the window fits short screens
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.top = TopBar(settings.hall_name_zh, settings.hall_name_en)
        self.notice = NoticeBar()
        self.help_banner = HelpBanner()
        self.stack = QStackedWidget()
        layout.addWidget(self.top)
        layout.addWidget(self.help_banner)
        layout.addWidget(self.notice)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(root)
        self.question = ConfirmOverlay(root)
        self.overlay = IdleOverlay(root)
        self.popups = PopupGuard(self)
        self.voice = KioskVoice(self, lambda: self.top.large_button.isChecked())
        self.keypad = KeypadNavigator(self, self.voice.say)
        self.help = HelpDesk(self, self.help_banner, lambda: self.terminal, self.speak)
        self.idle = IdleWatcher(settings.idle_timeout_seconds, self, waking_touch_is_spent=True)
        self._idle_timeout_ms, self._idle_warn_ms = self.idle.timeout_ms, self.idle.warn_ms
        self.idle.warning.connect(self._idle_warning)
        self.idle.tick.connect(self._tick)
        self.idle.expired.connect(self._idle_expired)
        self.idle.resumed.connect(self.overlay.hide)
        self.overlay.more_time.connect(self.more_time)
        self.nav = KioskNavigator(self, self.ctx, self.stack)
        self.top.language_toggled.connect(self.toggle_language)
        self.top.large_text_toggled.connect(self.set_large_text)
        # turned on by the citizen (not by the reset between citizens): read-aloud mode starts with this step
        self.top.large_button.clicked.connect(lambda on: self.announce_current() if on else None)
        self.top.home_requested.connect(self.nav.home)
        self.top.read_aloud_requested.connect(self.read_aloud)
        self.top.help_requested.connect(self.ask_help)
        self.top.large_button.setChecked(self.default_large)
        self.speech = None
        self._speech_wanted = speech
        self._closed = False  # closeEvent ran: nothing starts any more (the app is quitting)
        self._polling = False
        self.sync_timer = QTimer(self)
        self.sync_timer.setInterval(sync_poll_ms)
        self.sync_timer.timeout.connect(self.poll_sync)
        self.nav.show_welcome()
        if terminal is not None:
            self.attach(terminal)
        QTimer.singleShot(0, self._after_first_frame)

    def _terminal(self) -> "Terminal":
        assert self.terminal is not None, "used before the store opened"
        return self.terminal

    # --- start-up work that must not delay the first frame ------------------------------------
    def attach(self, terminal: "Terminal") -> None:
        """The store is open: the flow can start; anything tapped while it opened runs now."""
        from ui.connectivity import watch_connectivity
        from ui.terminal_setup import attach_camera

        self.terminal = terminal
        self.ctx.terminal = terminal
        self.ctx.catalog = terminal.catalog
        if self._closed:
            return  # the store opened after the quit began: `ui.lifecycle` still closes the terminal, nothing starts
        self.camera_feed = attach_camera(terminal, self)  # Qt's camera objects live on the GUI thread
        watch_connectivity(lambda online: link.connectivity_changed(terminal, online), self)
        self.poll_sync()
        self.sync_timer.start()
        # which font draws a rare character in a name: read now, while nobody waits, not by the first such
        # receipt's job (a third of a second of pure Python beside the GUI thread, holding its lock)
        run_job("kiosk-receipt-fonts", lambda: receipts.prepare_receipts(terminal))
        self.nav.hall_attached()
        waiting, self._waiting = self._waiting, []
        for action in waiting:
            action()
        if not waiting:
            # the service list, built before anyone taps for it (the window as context: no call after it is gone)
            QTimer.singleShot(200, self, self.nav.prepare)

    # --- what the navigator needs of its shell (ui.kiosk.navigator.KioskShell) ---------------------
    def set_step(self, step: int | None) -> None:
        self.top.set_step(step)

    def start_idle(self, seconds: int | None = None) -> None:
        """The session's clock; `seconds` shortens it for this screen (a ticket's number: the citizen has
        what they came for), never lengthens it. The next call without `seconds` restores the setting."""
        from ui.widgets.idle import warning_seconds

        timeout_ms, warn_ms = self._idle_timeout_ms, self._idle_warn_ms
        if seconds is not None and seconds * 1000 < timeout_ms:
            timeout_ms, warn_ms = seconds * 1000, warning_seconds(seconds) * 1000
        self.idle.timeout_ms, self.idle.warn_ms = timeout_ms, warn_ms
        self.idle.start()

    def confirm(self, texts: Texts, on_yes: Callable[[], None]) -> None:
        """A yes/no card over the window (never a stock dialog); `on_yes` runs only on Yes."""
        self.question.ask(texts, on_yes)
        self.announce_current()

    def screen_shown(self, screen: "Screen") -> None:
        """Read-aloud mode speaks each step as it appears; keypad users land on its first control.

        A screen `spoken_always` (a ticket's number) is spoken outside read-aloud mode too."""
        self.help.screen_changed(screen.name)
        if self.overlay_on_top() is None:
            if screen.spoken_always and not self.voice.auto:
                self.voice.say(screen.speech_text(), asked=True)
            else:
                self.announce_current()

    def speak(self, text: str) -> None:
        """Said whatever the read-aloud mode: what the citizen must hear (their number, help coming)."""
        self.voice.say(text, asked=True)

    def ask_help(self) -> None:
        """"Ask staff for help" in the top bar: on the welcome screen too, which then starts a session
        (so that the idle timeout ends it and clears the request for the next person)."""
        screen = self.nav.current()
        self.start_idle()  # the session's full time from here: a shortened screen must not end it while they wait
        self.help.ask(screen.name if screen is not None else "welcome")

    def announce(self, text: str) -> None:
        self.voice.say(text)

    def overlay_on_top(self) -> KioskOverlay | None:
        return self.keypad.scope()

    def announce_current(self, *, refocus: bool = True) -> None:
        """Speak what is in front of the citizen: the card on top, else the step, then the focused control.

        Keypad users land on the first control, unless `refocus` is False (the repeat key: they stay put).
        """
        card = self.overlay_on_top()
        screen = self.nav.current()
        text = card.speech_text() if card is not None else (screen.speech_text() if screen is not None else "")
        focused = None
        if self.voice.keypad_mode:
            focused = self.keypad.first() if refocus or self.focusWidget() is None else self.focusWidget()
        self.voice.screen_shown(text, focused)

    def when_ready(self, action: Callable[[], None]) -> None:
        self._waiting = [action]  # only the latest tap counts

    def _after_first_frame(self) -> None:
        """Speech starts here, not in __init__; a quit that came first (an early SIGTERM) starts none.

        A voice process started after closeEvent is never closed: Python's exit
        would then destroy it running, its `finished` reaching a half-destroyed
        `ReadAloud` and window.
        """
        if self._speech_wanted and not self._closed:
            from ui.speech import ReadAloud

            self.speech = ReadAloud(self)
            self.speech.changed.connect(self._update_read_button)
            self.voice.voice = self.speech
            self._update_read_button()

    def _update_read_button(self) -> None:
        self.top.read_button.setVisible(self.speech is not None and self.speech.has_voice(i18n.lang()))

    def poll_sync(self) -> None:
        if self._polling or self.terminal is None:
            return
        self._polling = True
        terminal = self.terminal
        run_job("sync-view", lambda: link.link_view(terminal), on_done=self._sync_view, on_error=self._sync_failed)

    def _sync_view(self, view: "LinkView") -> None:
        self._polling = False
        self.ctx.extras["link_view"] = view  # the navigator offers the licence step only when enrolled
        self.top.sync.set_view(view)
        self.sync_view_changed.emit(view)

    def _sync_failed(self, exc: BaseException) -> None:
        self._polling = False
        log.warning("sync status unavailable: %r", exc)

    # --- errors ------------------------------------------------------------------------------
    def report(self, exc: BaseException) -> None:
        message = message_for(exc)
        self.notice.show_message(message)
        self.voice.error(msg(message))

    def clear_report(self) -> None:
        self.notice.clear()

    # --- accessibility --------------------------------------------------------------------------
    def toggle_language(self) -> None:
        self.set_language("en" if i18n.lang() == "zh" else "zh")
        if self.voice.auto:
            self.announce_current()  # the step again, in the language just chosen

    def set_language(self, code: str) -> None:
        """Relabel everything; typed values stay where they are."""
        i18n.set_language(code)
        self.top.retranslate()
        self.notice.retranslate()
        self.question.retranslate()
        self.overlay.retranslate()
        self.help.retranslate()
        self.nav.retranslate()
        self._update_read_button()

    def set_large_text(self, on: bool) -> None:
        theme.apply_theme(QApplication.instance(), on)
        if self.top.large_button.isChecked() != on:
            self.top.large_button.setChecked(on)

    def read_aloud(self) -> None:
        card = self.overlay_on_top()
        screen = self.nav.current()
        text = card.speech_text() if card is not None else (screen.speech_text() if screen is not None else "")
        self.voice.say(text, asked=True)

    # --- idle and ending -------------------------------------------------------------------------
    def _idle_warning(self, seconds: int) -> None:
        self.popups.close_strays()  # nothing may cover the countdown
        self.overlay.show_countdown(seconds)
        focused = self.overlay.button if self.voice.keypad_mode else None
        self.voice.screen_shown(self.overlay.speech_text(), focused)

    def _tick(self, seconds: int) -> None:
        self.overlay.remaining = seconds
        self.overlay.retranslate()

    def _idle_expired(self) -> None:
        """Nobody touched the screen: an idle end, unless the screen says its citizen has what they came for
        (a ticket's number), which ends the session as done, without a "your session ended" note."""
        screen = self.nav.current()
        self.end_session("done" if screen is not None and screen.done_when_idle else "idle")

    def more_time(self) -> None:
        self.overlay.hide()
        self.idle.poke()

    def end_session(self, reason: str) -> None:
        """Clear the citizen's data from the screen and memory; the next person starts clean."""
        session = self.ctx.session
        snapshot = (session.snapshot(self.ctx.catalog.version) if reason == "idle" and not session.submitted
                    and self.ctx.catalog is not None else None)
        draft_id = session.draft_id if reason == "cancelled" and not session.submitted else None
        keeps = snapshot is not None and (any(snapshot.applicant.values()) or any(snapshot.form.values())
                                          or bool(snapshot.materials))
        outcome = (Outcome.SUBMITTED if session.submitted is not None
                   else Outcome.TIMED_OUT_EMPTY if reason == "idle" and not keeps else None)
        voiced = self.voice.auto  # the citizen who is leaving was being read to
        # In the leaving citizen's language, worded now: the kiosk returns to its own language below.
        leaving = Farewell(i18n.lang(), {o: farewell(o) for o in Outcome}, voiced)
        self.idle.stop()
        self.overlay.hide()
        self.question.dismiss()
        self.notice.clear()
        self.help.clear()
        self.voice.reset()
        self.nav.wipe()
        session.wipe()
        if self.terminal is not None and self.terminal.catalog is not self.ctx.catalog:
            self.ctx.catalog = self.terminal.catalog  # sync brought a newer catalog: the next citizen gets it
            self.nav.catalog_changed()
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.clear()

        terminal = self.terminal

        def told(result: Outcome) -> Callable[..., None]:
            return lambda *_: self._farewell(result, leaving)

        def after_saves() -> None:
            if terminal is not None and snapshot is not None and keeps:
                # Kept for staff: the citizen may have walked to a counter for help.
                run_job("save-draft-final", lambda: drafts.save_draft(terminal, snapshot, last=True),
                        on_done=told(Outcome.DRAFT_KEPT), on_error=told(Outcome.DRAFT_NOT_SAVED), owner=self)
            elif snapshot is not None and keeps:
                self._farewell(Outcome.DRAFT_NOT_SAVED, leaving)
            if terminal is not None and draft_id is not None:
                run_job("discard-draft", lambda: drafts.discard_draft(terminal, draft_id, "cancelled"),
                        on_done=told(Outcome.CLEARED), on_error=told(Outcome.CLEAR_FAILED), owner=self)
            self.saver.restart()

        self.saver.stop_then(after_saves)
        if i18n.lang() != self.default_language:
            self.set_language(self.default_language)
        self.set_large_text(self.default_large)
        self.nav.show_welcome()
        if outcome is not None:
            self._farewell(outcome, leaving)
        self.session_ended.emit(reason)

    def _farewell(self, outcome: Outcome, leaving: Farewell) -> None:
        """Tell the citizen who is leaving what happened to their application: on screen, and aloud."""
        welcome = self.nav.screens.get("welcome")
        if welcome is None or self.nav.current() is not welcome or self.ctx.session.item is not None:
            return  # the next citizen has already begun
        theirs = leaving.texts[outcome]

        def shown() -> str:  # theirs first; the kiosk's own language too when it differs
            return theirs if i18n.lang() == leaving.language else f"{theirs}\n{farewell(outcome)}"

        welcome.show_farewell(shown, self.farewell_ms)  # type: ignore[attr-defined]
        if leaving.voiced:
            self.voice.say(theirs, asked=True, language=leaving.language)
        self.farewell_shown.emit(outcome)

    def closeEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt's name
        """The app is quitting (window closed, SIGTERM): no more background saves; `ui.lifecycle` saves last."""
        self._closed = True
        self.sync_timer.stop()
        self.idle.stop()
        self.saver.stop_then(lambda: None)
        self.voice.voice = None
        if self.speech is not None:
            self.speech.close()
        super().closeEvent(event)

    def save_draft_for_shutdown(self) -> bool:
        """Keep the citizen's unfinished application for staff, as the idle timeout does.

        `ui.lifecycle` calls this once the background jobs are done and their
        results delivered, so the save runs here, on disk before the process
        exits. A submission still in flight owns the data: saving the draft
        over it could recreate a draft the submission has just closed.
        """
        session = self.ctx.session
        if self.terminal is None or self.ctx.catalog is None or session.submitted or not session.has_personal_data:
            return True
        if getattr(self.nav.screens.get("review"), "submitting", False):
            log.warning("quitting while a submission is still running: no draft is saved over it")
            return False
        snapshot = session.snapshot(self.ctx.catalog.version)
        if snapshot is None:
            return True
        saved = self.saver.save_now(snapshot)
        if saved:
            log.info("the citizen's unfinished application was kept as draft %s for staff", snapshot.draft_id)
        return saved
