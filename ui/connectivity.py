"""Telling the sync worker the moment the operating system sees the link come back.

Without this the worker finds out at its next backoff retry (a few minutes
at most); with it, a rural office's queue starts moving as soon as the
network does. Where Qt has no network-information backend (no
NetworkManager, connman or glib here) the retries remain the only signal.
"""
from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QNetworkInformation

log = logging.getLogger(__name__)
ONLINE = (QNetworkInformation.Reachability.Online, QNetworkInformation.Reachability.Site)


def reachability_handler(worker: Any):  # noqa: ANN201 - a callable for the reachabilityChanged signal
    """Online (or the site's network) after anything else: poke the worker now."""
    state = {"last": None}

    def handle(reachability: QNetworkInformation.Reachability) -> None:
        online = reachability in ONLINE
        if online and state["last"] is not True:
            worker.connectivity_changed(True)
        state["last"] = online

    return handle


def watch_connectivity(worker: Any, parent: QObject | None = None) -> bool:
    """True when a backend is watching; call once the worker exists."""
    if worker is None:
        return False
    try:
        if QNetworkInformation.instance() is None and not QNetworkInformation.loadDefaultBackend():
            log.info("no network-information backend; sync relies on its retries")
            return False
        info = QNetworkInformation.instance()
        info.reachabilityChanged.connect(reachability_handler(worker))
        return True
    except Exception:  # noqa: BLE001 - a convenience, never a reason to fail start-up
        log.info("network information unavailable", exc_info=True)
        return False
