"""The window's one part in trying settings from the centre (`kiosk.centre_settings`): confirm them once
the window has been up and healthy long enough; everything else about the trial is Qt-free."""
from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from kiosk.centre_settings_trial import StartChoice, confirm_after_seconds, confirm_window_start
from ui.jobs import run_job

log = logging.getLogger("onewindow.centre_settings")
RECHECK_MS = 1000


def confirm_when_up(home: Path, choice: StartChoice, healthy: Callable[[], bool], parent: QObject) -> None:
    """After `confirm_after_seconds()`, and once `healthy()` (the window shown, the store open), the trial
    becomes the good settings. A window that never gets there never confirms: its next start counts."""
    if not choice.on_trial:
        log.info("window up on centre settings version %s (last good)", choice.version)
        return
    seconds = confirm_after_seconds()
    log.info("window up on centre settings version %s (on trial): confirming after %.0f s healthy", choice.version,
             seconds)
    timer = QTimer(parent)
    timer.setInterval(RECHECK_MS)

    def check() -> None:
        if not healthy():
            if not timer.isActive():
                log.info("centre settings version %s: waiting for a healthy window to confirm", choice.version)
                timer.start()
            return
        timer.stop()
        # a write and an fsync: off the GUI thread, like every other disk write of the window
        run_job("confirm-centre-settings", lambda: confirm_window_start(home, choice.version),
                on_error=lambda exc: log.error("centre settings version %s not confirmed: %s", choice.version, exc))

    timer.timeout.connect(check)
    QTimer.singleShot(int(seconds * 1000), parent, check)
