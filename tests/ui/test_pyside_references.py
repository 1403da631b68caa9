"""The Qt binding keeps CPython's reference counts honest (PySide6 6.12.0 on CPython 3.11 did not).

6.12.0 released a reference to None on every void Qt call and to True or
False on bool calls and signal emits: a window aborts with "Fatal Python
error: none_dealloc" after hours of idling. This is the guard against an
upgrade that brings such a build back (pyproject.toml pins below 6.12).
"""
from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QPushButton


class _Pinger(QObject):
    ping = Signal()


class _Nothing(QRunnable):
    def run(self) -> None:  # a Python override Qt calls from a pool thread
        pass


def test_qt_calls_emits_and_overrides_leave_none_true_and_false_as_they_were(qtbot) -> None:
    button = QPushButton()
    qtbot.addWidget(button)
    pinger = _Pinger()
    before = {name: sys.getrefcount(value) for name, value in (("None", None), ("True", True), ("False", False))}
    for _ in range(500):
        button.update()  # void
        button.isVisible()  # bool
        pinger.ping.emit()
    pool = QThreadPool()
    for _ in range(100):
        pool.start(_Nothing())
    assert pool.waitForDone(10_000)
    after = {name: sys.getrefcount(value) for name, value in (("None", None), ("True", True), ("False", False))}
    lost = {name: before[name] - after[name] for name in before}
    assert all(n < 50 for n in lost.values()), f"references lost by Qt calls: {lost}"
