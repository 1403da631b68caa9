"""Telling the terminal the moment the operating system sees the link come back.

Without this the sync worker finds out at its next backoff retry (a few
minutes at most); with it, a rural office's queue starts moving as soon as
the network does. Where Qt has no network-information backend (no
NetworkManager, connman or glib here) the retries remain the only signal.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Slot
from PySide6.QtNetwork import QNetworkInformation

log = logging.getLogger(__name__)
ONLINE = (QNetworkInformation.Reachability.Online, QNetworkInformation.Reachability.Site)


def reachability_handler(notify: Callable[[bool], None]) -> Callable[[QNetworkInformation.Reachability], None]:
    """Online (or the site's network) after anything else: `notify(True)` now."""
    state: dict[str, bool | None] = {"last": None}

    def handle(reachability: QNetworkInformation.Reachability) -> None:
        online = reachability in ONLINE
        if online and state["last"] is not True:
            notify(True)
        state["last"] = online

    return handle


class _Watcher(QObject):
    """The receiver of the process-wide reachability signal, a child of the window it serves.

    A plain function connected to `QNetworkInformation` (one object for the whole process) stayed connected
    for the life of the process, holding its window's terminal, and through it the store and the devices:
    each window built in a process (every window test, a counter reopened) kept the last one's alive. A
    receiver object goes, and with it the connection, when its window is deleted.
    """

    def __init__(self, owner: QObject, notify: Callable[[bool], None]) -> None:
        super().__init__(owner)
        self._handle = reachability_handler(notify)

    @Slot(QNetworkInformation.Reachability)
    def reachability_changed(self, reachability: QNetworkInformation.Reachability) -> None:
        self._handle(reachability)


def watch_connectivity(notify: Callable[[bool], None] | None, owner: QObject | None = None) -> bool:
    """True when a backend is watching; `notify` is called on the GUI thread and must not block, for as
    long as `owner` (the window) lives."""
    if notify is None or owner is None:
        return False
    try:
        if QNetworkInformation.instance() is None and not QNetworkInformation.loadDefaultBackend():
            log.info("no network-information backend; sync relies on its retries")
            return False
        info = QNetworkInformation.instance()
        watcher = _Watcher(owner, notify)
        info.reachabilityChanged.connect(watcher.reachability_changed)
        return True
    except Exception:  # noqa: BLE001 - a convenience, never a reason to fail start-up
        log.info("network information unavailable", exc_info=True)
        return False
