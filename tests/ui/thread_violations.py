"""Tests that break the threading model on purpose: `test_thread_checks.py` runs them and expects each to fail.

Not collected in a normal run (the name does not start with `test_`). Each
rule is broken while the GUI thread is parked in `wait_idle`, so the broken
rule cannot race the GUI thread, and in a way Qt survives (it refuses a
parent across threads; a hidden label has nothing to repaint).
"""
from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel

from ui.jobs import run_job, running_jobs, wait_idle


def _run_and_wait(qtbot, fn) -> None:  # noqa: ANN001
    run_job("breaks-a-rule", fn)
    assert wait_idle(10_000)
    qtbot.waitUntil(lambda: running_jobs() == 0, timeout=10_000)


def test_a_job_sets_the_text_of_a_label(qtbot) -> None:  # noqa: ANN001 - the off-thread check catches it
    label = QLabel("before")
    qtbot.addWidget(label)
    _run_and_wait(qtbot, lambda: label.setText("from a worker thread"))


def test_a_job_parents_its_timer_to_a_gui_object(qtbot) -> None:  # noqa: ANN001 - only Qt's warning tells
    owner = QObject()

    def work() -> None:
        timer = QTimer()  # made here, so it lives on this thread and calling it is this thread's business
        timer.setParent(owner)  # Qt refuses and warns: the new parent is in a different thread

    _run_and_wait(qtbot, work)


def test_a_job_collects_garbage(qtbot) -> None:  # noqa: ANN001 - the GC guard's counter catches it
    _run_and_wait(qtbot, gc.collect)
