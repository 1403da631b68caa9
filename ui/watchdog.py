"""Feeding systemd's watchdog from the GUI thread, so a frozen window is restarted.

The timer lives on the GUI thread on purpose: a feed from any other thread
would go on while the window hangs (a deadlock, a blocking call in a slot),
and the kiosk would sit frozen in front of a citizen for ever. With the feed
here, a GUI thread that stops turning for `WatchdogSec` gets the process
killed (SIGABRT: `crash.log` gets every thread's stack) and `Restart=always`
brings the welcome screen back. The protocol itself is `kiosk.service_notify`.
"""
from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QObject, QTimer

from kiosk import service_notify


class ServiceWatchdog(QObject):
    """Says READY=1 once the event loop runs, then WATCHDOG=1 every half timeout while it keeps running."""

    def __init__(self, parent: QObject | None = None, environ: Mapping[str, str] | None = None,
                 status: str = "") -> None:
        super().__init__(parent)
        self._environ = environ
        self._status = status
        self.ready_sent = False
        self.feeds = 0
        self.timer = QTimer(self)
        interval = service_notify.feed_interval(environ)
        if interval is not None:
            self.timer.setInterval(max(1, int(interval * 1000)))
            self.timer.timeout.connect(self._feed)

    def start(self) -> None:
        """Call before the event loop starts: the zero timer fires once the loop (and the window) is up."""
        QTimer.singleShot(0, self._ready)
        if self.timer.interval() > 0 and service_notify.feed_interval(self._environ) is not None:
            self.timer.start()

    def _ready(self) -> None:
        self.ready_sent = service_notify.ready(self._status, environ=self._environ)
        if self.timer.isActive():
            self._feed()

    def _feed(self) -> None:
        if service_notify.watchdog(environ=self._environ):
            self.feeds += 1

    def stop(self) -> None:
        """The window is closing: no more feeds, and systemd hears the stop is ours, not a freeze."""
        self.timer.stop()
        service_notify.stopping(environ=self._environ)
