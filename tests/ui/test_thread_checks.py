"""The threading model, checked: jobs let go of GUI-made things on the GUI thread, garbage is collected there,
and a test that touches a Qt object off its thread fails."""
from __future__ import annotations

import gc
import operator
import os
import subprocess
import sys
import threading
from pathlib import Path

from kiosk.processes import shutdown_processes
from ui.jobs import pool, run_job, run_process_job, running_jobs, wait_idle
from ui.threads import gc_guard

ROOT = Path(__file__).resolve().parents[2]


class Witness:
    """Records the thread it dies on."""

    deaths: list[tuple[str, str]] = []

    def __init__(self, name: str) -> None:
        self.name = name

    def __del__(self) -> None:
        Witness.deaths.append((self.name, threading.current_thread().name))


def test_a_job_lets_go_of_its_closure_result_and_error_on_the_gui_thread(qtbot) -> None:  # noqa: ANN001
    Witness.deaths = []
    results: list[str] = []

    def closure() -> object:  # like a screen's lambda: it captures something only the job holds on to
        captured = Witness("closure")
        return lambda: captured.name

    def failing() -> None:
        held_by_the_traceback = Witness("error's frame")  # noqa: F841 - the traceback keeps this frame alive
        raise ValueError("on purpose")

    run_job("closure", closure(), on_done=results.append)
    run_job("result", lambda: Witness("result"), on_done=lambda w: results.append(w.name))
    run_job("error", failing, on_error=lambda exc: results.append(type(exc).__name__))
    assert wait_idle(10_000)
    qtbot.waitUntil(lambda: running_jobs() == 0, timeout=10_000)
    assert sorted(results) == ["ValueError", "closure", "result"]
    qtbot.waitUntil(lambda: len(Witness.deaths) == 3, timeout=5_000)
    gui = threading.main_thread().name
    assert sorted(Witness.deaths) == [("closure", gui), ("error's frame", gui), ("result", gui)]


def test_a_process_job_reports_on_the_gui_thread_and_holds_no_pool_thread(qtbot) -> None:  # noqa: ANN001
    answers: list[tuple[object, str]] = []
    try:
        run_process_job("add", operator.add, 2, 3,
                        on_done=lambda v: answers.append((v, threading.current_thread().name)))
        run_process_job("bad", operator.truediv, 1, 0,
                        on_error=lambda e: answers.append((type(e).__name__, threading.current_thread().name)))
        assert running_jobs() == 2 and pool().activeThreadCount() == 0  # no pool thread sits waiting for the other process
        qtbot.waitUntil(lambda: len(answers) == 2, timeout=60_000)
    finally:
        shutdown_processes()
    gui = threading.main_thread().name
    assert sorted(answers, key=str) == sorted([(5, gui), ("ZeroDivisionError", gui)], key=str)


def test_a_job_started_off_the_gui_thread_is_refused(qtbot) -> None:  # noqa: ANN001, ARG001 - needs the app
    """Its callbacks could never run (the worker thread has no event loop): better an error than a silent hang."""
    errors: list[str] = []

    def start() -> None:
        try:
            run_job("from-a-thread", lambda: None)
        except RuntimeError as exc:
            errors.append(str(exc))

    worker = threading.Thread(target=start)
    worker.start()
    worker.join(10)
    assert errors == ["job 'from-a-thread' started off the GUI thread: its callbacks could never run there"]
    assert running_jobs() == 0


def test_garbage_is_collected_on_the_gui_thread_only(qtbot) -> None:  # noqa: ANN001
    collector = gc_guard()
    assert collector is not None and not gc.isenabled()
    Witness.deaths = []

    def make_cycle() -> None:
        cycle = Witness("cycle")
        cycle.me = cycle  # type: ignore[attr-defined] - only the cyclic collector can free this

    make_cycle()

    def allocate() -> list[dict[str, int]]:  # what a SQLAlchemy job does: cross the collector's thresholds
        return [{"n": i} for i in range(20_000)]

    kept: list[object] = []  # alive until the end, so the allocation counts stay over the threshold
    for _ in range(4):
        run_job("allocate", allocate, on_done=kept.append)
    assert wait_idle(30_000)
    qtbot.waitUntil(lambda: Witness.deaths != [], timeout=10_000)  # the GUI-thread timer collected it
    assert Witness.deaths == [("cycle", threading.main_thread().name)]
    assert collector.off_thread_collections == []


STRESS = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
from ui import jobs
state = {"started": 0, "done": 0}
def finished(_result):
    state["done"] += 1
    if state["done"] == TOTAL:
        app.quit()
def top_up():  # keep eight jobs in flight; each Job dies on the GUI thread as soon as it has delivered
    while state["started"] - state["done"] < 8 and state["started"] < TOTAL:
        state["started"] += 1
        jobs.run_job("stress", lambda: [{"n": i} for i in range(50)], on_done=finished)
timer = QTimer()
timer.timeout.connect(top_up)
timer.start(0)
app.exec()
print("delivered", state["done"])
"""


def test_thirty_thousand_jobs_in_a_row_neither_crash_nor_wear_down_none_and_true() -> None:
    """Issue 10's segfault in five seconds: the old job helper died here in about one run of two (and, without
    `ui.pyside_fixes`, every run aborts on None's or True's reference count)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-X", "faulthandler", "-c", "TOTAL = 30_000\n" + STRESS], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    assert (done.returncode, done.stdout.strip()) == (0, "delivered 30000"), done.stderr[-3000:]


def test_each_broken_rule_fails_its_test() -> None:
    """`thread_violations.py` breaks one rule per test; the checks must turn each into a failure."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-m", "pytest", "tests/ui/thread_violations.py", "-q", "-p",
                           "no:cacheprovider", "-o", "python_files=thread_violations.py"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "3 passed, 3 errors" in out, out  # each test body passes; its teardown check fails it
    assert "off-thread call: QLabel.setText() called on thread" in out, out
    assert "Qt: QObject::setParent: Cannot set parent, new parent is in a different thread" in out, out
    assert "garbage collection started on thread" in out, out
