"""The kiosk window: a top bar, a notice bar and one screen at a time.

It holds no flow logic of its own beyond wiring: `KioskNavigator` decides
which screen comes next; this class owns the shell (language, text size,
read-aloud, sync indicator, idle overlay) and ending a session.
"""
from __future__ import annotations

import logging

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QGuiApplication, QResizeEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QStackedWidget, QWidget

from typing import TYPE_CHECKING, Any

from ui import i18n, theme
from ui.errors import message_for
from ui.jobs import run_job
from ui.kiosk.context import KioskContext
from ui.kiosk.draft_saver import DraftSaver
from ui.kiosk.idle import IdleOverlay, IdleWatcher
from ui.kiosk.navigator import KioskNavigator
from ui.kiosk.session import CitizenSession
from ui.kiosk.top_bar import NoticeBar, TopBar
from ui.widgets.box_layouts import FlexibleVBoxLayout

if TYPE_CHECKING:
    from kiosk.catalog import Catalog
    from kiosk.settings import Settings
    from ui.kiosk.services import KioskServices, SyncView

log = logging.getLogger("onewindow.kiosk")


class KioskWindow(QMainWindow):
    session_ended = Signal(str)  # reason: done, cancelled, idle
    sync_view_changed = Signal(object)

    def __init__(self, services: "KioskServices | None", catalog: "Catalog | None" = None, *,
                 settings: "Settings | None" = None, language: str | None = None, large_text: bool | None = None,
                 sync_poll_ms: int = 3000, speech: bool = True) -> None:
        """Without `services` the window shows at once and `attach()` brings the store in later."""
        super().__init__()
        settings = settings or services.terminal.settings  # type: ignore[union-attr]
        self.services = services
        self._waiting: list[Any] = []
        self.default_language = language or settings.language
        self.default_large = settings.large_text if large_text is None else large_text
        self.setWindowTitle("一窗通办 OneWindow")
        i18n.set_language(self.default_language)
        theme.apply_theme(QApplication.instance(), self.default_large)
        session = CitizenSession()
        self.saver = DraftSaver(lambda snapshot: self.services.save_draft(snapshot), self)
        self.ctx = KioskContext(settings=settings, services=None, catalog=None, session=session, saver=self.saver,
                                report=self.report, clear_report=self.clear_report)
        root = QWidget()
        root.setObjectName("kioskRoot")
        layout = FlexibleVBoxLayout(root)  # reports its least height, so the window fits short screens
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.top = TopBar(settings.hall_name_zh, settings.hall_name_en)
        self.notice = NoticeBar()
        self.stack = QStackedWidget()
        layout.addWidget(self.top)
        layout.addWidget(self.notice)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(root)
        self.overlay = IdleOverlay(root)
        self.idle = IdleWatcher(settings.idle_timeout_seconds, self)
        self.idle.warning.connect(self.overlay.show_countdown)
        self.idle.tick.connect(self._tick)
        self.idle.expired.connect(lambda: self.end_session("idle"))
        self.idle.resumed.connect(self.overlay.hide)
        self.overlay.more_time.connect(self.more_time)
        self.nav = KioskNavigator(self, self.ctx, self.stack)
        self.top.language_toggled.connect(self.toggle_language)
        self.top.large_text_toggled.connect(self.set_large_text)
        self.top.home_requested.connect(self.nav.home)
        self.top.read_aloud_requested.connect(self.read_aloud)
        self.top.large_button.setChecked(self.default_large)
        self.speech = None
        self._speech_wanted = speech
        self._polling = False
        self.sync_timer = QTimer(self)
        self.sync_timer.setInterval(sync_poll_ms)
        self.sync_timer.timeout.connect(self.poll_sync)
        self.nav.show_welcome()
        if services is not None:
            self.attach(services, catalog)
        QTimer.singleShot(0, self._after_first_frame)

    # --- start-up work that must not delay the first frame ------------------------------------
    def attach(self, services: "KioskServices", catalog: "Catalog | None" = None) -> None:
        """The store is open: the flow can start; anything tapped while it opened runs now."""
        self.services = services
        self.ctx.services = services
        self.ctx.catalog = catalog or services.terminal.catalog
        self._attach_camera(services)
        from ui.connectivity import watch_connectivity

        watch_connectivity(services.sync_worker, self)
        self.poll_sync()
        self.sync_timer.start()
        waiting, self._waiting = self._waiting, []
        for action in waiting:
            action()

    def _attach_camera(self, services: "KioskServices") -> None:
        """Qt's camera objects live on the GUI thread, so the feed is made here, not with the store."""
        name = services.terminal.settings.camera
        if not name or services.camera is not None:
            return
        from kiosk.devices.camera import FrameSource
        from ui.camera_feed import CameraFeed, find_camera

        device = find_camera(name)
        if device is None:
            log.warning("document camera %r not found; photographing is off", name)
            return
        source = FrameSource(device.description())
        self.camera_feed = CameraFeed(source, device, self)
        services.camera = source

    def when_ready(self, action: Any) -> None:
        self._waiting = [action]  # only the latest tap counts

    def _after_first_frame(self) -> None:
        if self._speech_wanted:
            from ui.speech import ReadAloud

            self.speech = ReadAloud(self)
            self.speech.changed.connect(self._update_read_button)
            self._update_read_button()

    def _update_read_button(self) -> None:
        self.top.read_button.setVisible(self.speech is not None and self.speech.has_voice(i18n.lang()))

    def poll_sync(self) -> None:
        if self._polling or self.services is None:
            return
        self._polling = True
        run_job("sync-view", self.services.sync_view, on_done=self._sync_view, on_error=self._sync_failed)

    def _sync_view(self, view: "SyncView") -> None:
        self._polling = False
        self.top.sync.set_view(view)
        self.sync_view_changed.emit(view)

    def _sync_failed(self, exc: BaseException) -> None:
        self._polling = False
        log.warning("sync status unavailable: %r", exc)

    # --- errors ------------------------------------------------------------------------------
    def report(self, exc: BaseException) -> None:
        self.notice.show_message(message_for(exc))

    def clear_report(self) -> None:
        self.notice.clear()

    # --- accessibility --------------------------------------------------------------------------
    def toggle_language(self) -> None:
        self.set_language("en" if i18n.lang() == "zh" else "zh")

    def set_language(self, code: str) -> None:
        """Relabel everything; typed values stay where they are."""
        i18n.set_language(code)
        self.top.retranslate()
        self.notice.retranslate()
        self.overlay.retranslate()
        self.nav.retranslate()
        self._update_read_button()

    def set_large_text(self, on: bool) -> None:
        theme.apply_theme(QApplication.instance(), on)
        if self.top.large_button.isChecked() != on:
            self.top.large_button.setChecked(on)

    def read_aloud(self) -> None:
        screen = self.nav.current()
        if self.speech is not None and screen is not None:
            self.speech.say(screen.speech_text(), i18n.lang())

    # --- idle and ending -------------------------------------------------------------------------
    def _tick(self, seconds: int) -> None:
        self.overlay.remaining = seconds
        self.overlay.retranslate()

    def more_time(self) -> None:
        self.overlay.hide()
        self.idle.poke()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if self.overlay.isVisible():
            self.overlay.setGeometry(self.centralWidget().rect())

    def end_session(self, reason: str) -> None:
        """Clear the citizen's data from the screen and memory; the next person starts clean."""
        session = self.ctx.session
        snapshot = (session.snapshot(self.ctx.catalog.version) if reason == "idle" and not session.submitted
                    and self.ctx.catalog is not None else None)
        draft_id = session.draft_id if reason == "cancelled" and not session.submitted else None
        self.idle.stop()
        self.overlay.hide()
        self.notice.clear()
        if self.speech is not None:
            self.speech.stop()
        self.nav.wipe()
        session.wipe()
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.clear()

        def after_saves() -> None:
            if snapshot is not None and (any(snapshot.applicant.values()) or any(snapshot.form.values())
                                         or snapshot.materials):
                # Kept for staff: the citizen may have walked to a counter for help.
                run_job("save-draft-final", lambda: self.services.save_draft(snapshot))  # type: ignore[union-attr]
            if draft_id is not None:
                run_job("discard-draft", lambda: self.services.discard_draft(draft_id, "cancelled"))
            self.saver.restart()

        self.saver.stop_then(after_saves)
        if i18n.lang() != self.default_language:
            self.set_language(self.default_language)
        self.set_large_text(self.default_large)
        self.nav.show_welcome()
        self.session_ended.emit(reason)

    def closeEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt's name
        self.sync_timer.stop()
        self.idle.stop()
        if self.speech is not None:
            self.speech.close()
        super().closeEvent(event)
