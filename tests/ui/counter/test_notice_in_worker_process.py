"""A window's terminal lays its notices out in the worker process, as `ui.terminal_setup.open_terminal` sets it.

reportlab laying a notice out in a thread of the window process kept the
GUI thread waiting for Python's lock for 60-120 ms at the decide tap (issue
10); in the worker process it shares no lock with the GUI.
"""
from __future__ import annotations

import os
from typing import Any

from kiosk.processes import call_in_process, shutdown_processes
from tests.ui.counter.conftest import case_application, click, log_in, open_review, pdf_text, select_material
from ui.dialogs import ConfirmDialog


def test_the_acceptance_notice_is_laid_out_in_the_worker_process(qtbot, hall, make_window, lp, monkeypatch):
    monkeypatch.setattr(ConfirmDialog, "ask", classmethod(lambda cls, *a, **k: True))
    laid_out: list[int] = []

    def in_worker(fn: Any, *args: Any, timeout: float | None = None) -> Any:
        result = call_in_process(_with_pid, fn, *args, timeout=timeout)
        laid_out.append(result[0])
        return result[1]

    assert hall.terminal.printing is not None
    hall.terminal.printing.lay_out_documents_with(in_worker)
    try:
        window = make_window()
        log_in(qtbot, window, "clerk1")
        review = open_review(qtbot, window, hall.case_id)
        for code in ("id_card", "household_register"):
            select_material(qtbot, review, code)
            click(qtbot, review.valid_button)
            qtbot.waitUntil(lambda c=code: review.detail.material(c).review_state == "valid", timeout=10_000)
        click(qtbot, review.accept_button)
        qtbot.waitUntil(lambda: review.last_outcome is not None, timeout=60_000)
    finally:
        shutdown_processes()
    assert case_application(hall).status == "accepted" and review.last_outcome.printed is True
    # the font warm-up (at the window's start) and the notice, both in another process
    assert laid_out and all(pid != os.getpid() for pid in laid_out)
    assert "受理通知书" in pdf_text(sorted(lp.glob("*.pdf"))[0])


def _with_pid(fn: Any, *args: Any) -> tuple[int, Any]:
    return os.getpid(), fn(*args)
