"""Telling the terminal the moment the operating system sees the link come back.

Without this the sync worker finds out at its next backoff retry (a few
minutes at most); with it, a rural office's queue starts moving as soon as
the network does. Where Qt has no network-information backend (no
NetworkManager, connman or glib here) the retries remain the only signal.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

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


def watch_connectivity(notify: Callable[[bool], None] | None) -> bool:
    """True when a backend is watching; `notify` is called on the GUI thread and must not block."""
    if notify is None:
        return False
    try:
        if QNetworkInformation.instance() is None and not QNetworkInformation.loadDefaultBackend():
            log.info("no network-information backend; sync relies on its retries")
            return False
        info = QNetworkInformation.instance()
        info.reachabilityChanged.connect(reachability_handler(notify))
        return True
    except Exception:  # noqa: BLE001 - a convenience, never a reason to fail start-up
        log.info("network information unavailable", exc_info=True)
        return False
