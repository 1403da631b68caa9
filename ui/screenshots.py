"""Driving windows to a state for screenshots and benchmarks, without a person at the screen."""
from __future__ import annotations

import time
from collections.abc import Callable


def pump(until: Callable[[], bool], timeout: float = 20.0) -> None:
    """Process Qt events until `until()` holds; raise when the window does not get there in time."""
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + timeout
    while not until():
        if time.monotonic() > deadline:
            raise TimeoutError("the screen did not get there in time")
        QApplication.processEvents()
        time.sleep(0.01)
    for _ in range(5):
        QApplication.processEvents()
