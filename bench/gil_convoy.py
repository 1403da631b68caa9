#!/usr/bin/env python3
"""What Python's switch interval does to the GUI thread while a job thread runs Python (issue 10).

The GUI thread lets go of Python's lock in most of its calls into Qt (PySide
releases it around C++ calls that may take time), and a job thread busy in
Python takes it at once. To get it back the GUI thread waits until the job
thread has held it for the switch interval (5 ms by default), and then does
one more Qt call and lets go again. A screen's layout and paint makes
hundreds of such calls, so a few milliseconds of GUI work can take tens of
milliseconds while a submission's SQLAlchemy work runs on a pool thread: the
"blocked" part of the soak's longest stalls. `ui.threads.favour_gui_thread`
sets the window process's interval; this measures it.

For each interval: a widget tree like a kiosk screen's (60 wrapped labels in
a layout, laid out and painted) is built and destroyed 30 times, alone and
while a thread spins in pure Python; printed: the build's wall time (median,
90th percentile, max), its CPU time, and how much Python the spinning thread
got done meanwhile (against the same thread alone), so the cost of switching
more often is shown beside its gain.

    .venv/bin/python bench/gil_convoy.py [--intervals 0.005,0.002,0.001,0.0005]

Not a test: the figures depend on the machine and on its load (printed).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

BUILDS = 30


def build_screen() -> None:
    from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

    screen = QWidget()
    layout = QVBoxLayout(screen)
    for i in range(60):
        label = QLabel(f"材料 {i}: 居民户口簿 / household register")
        label.setWordWrap(True)
        layout.addWidget(label)
        label.setText("请放入材料 Please place the material " * (i % 4 + 1))
    screen.resize(1080, 1920)
    screen.grab()
    screen.deleteLater()


class Spinner:
    """A job thread's pure-Python work: counts loops until told to stop."""

    def __init__(self) -> None:
        self.loops = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0
            for i in range(1000):
                total += i * i
            self.loops += 1

    def __enter__(self) -> Spinner:
        self._thread.start()
        time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def builds_ms() -> tuple[list[float], list[float]]:
    from PySide6.QtCore import QCoreApplication

    walls, cpus = [], []
    for _ in range(BUILDS):
        started, cpu = time.perf_counter(), time.thread_time()
        build_screen()
        QCoreApplication.sendPostedEvents(None, 0)  # the deleteLater, as the event loop would
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.thread_time() - cpu) * 1000)
    return walls, cpus


def spinner_alone_rate(seconds: float = 1.0) -> float:
    with Spinner() as spinner:
        start_loops, started = spinner.loops, time.perf_counter()
        time.sleep(seconds)
        return (spinner.loops - start_loops) / (time.perf_counter() - started)


def figures(walls: list[float], cpus: list[float]) -> str:
    ordered = sorted(walls)
    p90 = ordered[int(len(ordered) * 0.9) - 1]
    return (f"wall median {statistics.median(walls):6.1f}  p90 {p90:6.1f}  max {max(walls):6.1f} ms; "
            f"CPU median {statistics.median(cpus):5.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--intervals", default="0.005,0.002,0.001,0.0005",
                        help="switch intervals to compare, in seconds (CPython's default is 0.005)")
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    from ui.fonts import install_fonts

    app = QApplication(sys.argv[:1])
    install_fonts(app)
    for _ in range(5):
        build_screen()  # fonts, styles and caches warmed before anything is measured
    load = os.getloadavg()
    print(f"gil_convoy: {os.cpu_count()} CPUs, load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
          f"{BUILDS} builds of a 60-label screen per line")
    for interval in (float(part) for part in args.intervals.split(",")):
        sys.setswitchinterval(interval)
        alone_rate = spinner_alone_rate()
        walls, cpus = builds_ms()
        print(f"interval {interval * 1000:4.1f} ms  GUI alone:        {figures(walls, cpus)}")
        with Spinner() as spinner:
            start_loops, started = spinner.loops, time.perf_counter()
            walls, cpus = builds_ms()
            rate = (spinner.loops - start_loops) / (time.perf_counter() - started)
        share = 100 * rate / alone_rate if alone_rate else 0.0
        print(f"interval {interval * 1000:4.1f} ms  GUI beside a job: {figures(walls, cpus)}; "
              f"the job got {share:4.1f} % of its speed alone")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
