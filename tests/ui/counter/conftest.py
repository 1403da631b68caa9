"""Counter fixtures: a hall with staff and one kiosk case, a window factory, and a stand-in for CUPS's `lp`."""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from kiosk.settings import load_settings
from kiosk.submission import local_today
from kiosk.terminal import Terminal
from kiosk import demo_hall as demo
from ui.counter.context import CounterContext
from ui.counter.window import CounterWindow



@dataclass
class Hall:
    terminal: Terminal
    clerk_id: int
    supervisor_id: int
    case_id: str
    receipt_no: str
    today: date  # the day its case came in, and the day its counter windows count from


@pytest.fixture
def hall(tmp_path: Path) -> Hall:
    terminal = Terminal.open(load_settings(tmp_path / "home", document_printer="cups:Counter"))
    clerk_id, lead_id = demo.add_staff(terminal)
    # One moment for the case and for the windows' day. A day taken when this module was imported was the
    # day before for the tests that ran after midnight: their case came in "tomorrow" (two dashboard tests
    # failed in a run of tests/ui that crossed 00:00).
    moment = datetime.now(timezone.utc)
    submitted = demo.submit_at(terminal, demo.id_card_draft(1), when=moment)
    return Hall(terminal, clerk_id, lead_id, submitted.id, submitted.receipt_no, local_today(moment))


@pytest.fixture
def lp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test printer for A4 notices: an `lp` on PATH that keeps the PDF it was given (no CUPS in the sandbox)."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    script = bindir / "lp"
    jobs = tmp_path / "printed"
    jobs.mkdir()
    script.write_text(f'#!/bin/sh\nn=$(ls {jobs} | wc -l)\necho "$@" > {jobs}/job-$n.args\ncat > {jobs}/job-$n.pdf\n'
                      'echo "request id is Counter-1 (1 file(s))"\n')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    return jobs


@pytest.fixture
def make_window(qtbot: Any, hall: Hall) -> Callable[..., CounterWindow]:
    def build(*, lock_seconds: int = 600, language: str = "zh") -> CounterWindow:
        window = CounterWindow(CounterContext(hall.terminal, today=hall.today), language=language,
                               lock_seconds=lock_seconds, sync_poll_ms=500)
        qtbot.addWidget(window)
        window.resize(1920, 1080)
        window.show()
        qtbot.waitExposed(window)
        return window

    return build


def click(qtbot: Any, button: Any) -> None:
    qtbot.waitUntil(lambda: button.isVisible() and button.isEnabled(), timeout=10_000)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def waiting_card(queue: Any, code: str) -> str:
    """A line's "waiting" card; empty until the hub's first state has built the cards, which comes over the
    network after the queue page opens, so a wait on it must not fail with a KeyError before then."""
    card = queue.lines.cards.get(code)
    return card.text() if card is not None else ""


def log_in(qtbot: Any, window: CounterWindow, username: str, password: str = demo.PASSWORD) -> None:
    window.login.user.setText(username)
    window.login.password.setText(password)
    click(qtbot, window.login.button)
    qtbot.waitUntil(lambda: window.staff is not None, timeout=10_000)
    worklist = window.screens.get("worklist")
    if worklist is not None:
        qtbot.waitUntil(lambda: worklist.loads > 0, timeout=10_000)


def open_review(qtbot: Any, window: CounterWindow, application_id: str) -> Any:
    window.open_case(application_id)
    review = window.screens["review"]
    qtbot.waitUntil(lambda: review.detail is not None and review.current_code in review.pages, timeout=20_000)
    return review


def pdf_text(path: Path) -> str:
    import subprocess

    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout


def case_application(hall: Hall) -> Any:
    """The hall's case as stored now (an `Application` row)."""
    from kiosk.store.models import Application

    with hall.terminal.store.transaction() as s:
        return s.get(Application, hall.case_id)


def select_material(qtbot: Any, review: Any, code: str) -> None:
    """Choose a material in the review's list and wait until its pages (if any) are shown."""
    row = next(i for i, m in enumerate(review.detail.materials) if m.code == code)
    review.material_list.setCurrentRow(row)
    qtbot.waitUntil(lambda: review.current_code == code and (code in review.pages or not
                                                             review.current_material().files), timeout=20_000)
