#!/usr/bin/env python3
"""CPU time of the counter's work-list read (`kiosk.usecases.cases.work_list`) against the number of waiting cases.

The work list is read on a window's job thread after every decision and every refresh, and the thread's
Python shares one lock with the GUI thread: in `bench/terminal_soak.py`, at about 200 waiting cases, the
counter's taps waited 35–52 ms behind it (issue 10). Printed per size: the read's CPU ms (median of 7) and
the deadlines page's, which reads the same rows.

    .venv/bin/python bench/work_list_read.py            # 10, 100, 200 and 400 cases

Not a test: the figures depend on the machine (load printed).
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    from kiosk import demo_hall
    from kiosk.settings import load_settings
    from kiosk.terminal import Terminal
    from kiosk.usecases import cases

    sizes = [int(a) for a in sys.argv[1:]] or [10, 100, 200, 400]
    home = Path(tempfile.mkdtemp(prefix="onewindow-worklist-"))
    terminal = Terminal.open(load_settings(home, device_no=1), parts=False)
    _clerk, lead = demo_hall.add_staff(terminal)
    print(f"load {os.getloadavg()[0]:.1f}")
    print(f"{'cases':>6} {'work_list ms':>13} {'deadlines ms':>13}")
    made = 0
    for size in sizes:
        while made < size:
            demo_hall.submit_at(terminal, demo_hall.id_card_draft(made))
            made += 1
        figures = []
        for read in (lambda: cases.work_list(terminal, lead), lambda: cases.deadlines(terminal, lead, hall_wide=True)):
            times = []
            for _ in range(7):
                started = time.thread_time()
                rows = read()
                times.append((time.thread_time() - started) * 1000)
            assert len(rows) == size, (len(rows), size)
            figures.append(statistics.median(times))
        print(f"{size:>6} {figures[0]:>13.1f} {figures[1]:>13.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
