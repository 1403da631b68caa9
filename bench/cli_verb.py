#!/usr/bin/env python3
"""How long a short `onewindow` verb takes, start to exit, as a script or a clerk's shell sees it.

Runs `onewindow --home H applications --json` (a verb that opens the store and reads it) and
`onewindow --home H print --help` (one that only loads its command) several times each, alternating,
in fresh processes, on a home made once beforehand. Prints the min, median and max wall time of each,
and, from one more run of each inside the process, the time Python's collector took.

    .venv/bin/python bench/cli_verb.py [--runs 9]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

GC_PROBE = """
import gc, sys, time
spent = [0.0, 0, 0.0]
def watch(phase, info):
    if phase == "start":
        spent[2] = time.perf_counter()
    else:
        spent[0] += time.perf_counter() - spent[2]
        spent[1] += 1
gc.callbacks.append(watch)
sys.argv = ["onewindow", *sys.argv[1:]]
from kiosk.cli import main
try:
    main(program=True)
finally:
    sys.stdout.flush()
    print(f"GC {spent[0] * 1000:.0f} {spent[1]}", file=sys.stderr)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ow-cli-") as tmp:
        home = str(Path(tmp) / "home")
        verbs = {"applications --json": ["applications", "--json"], "print --help": ["print", "--help"]}
        subprocess.run([sys.executable, "-m", "kiosk", "--home", home, "applications", "--json"], cwd=ROOT,
                       capture_output=True, check=True, timeout=120)  # the store made, the profiles cached
        walls: dict[str, list[float]] = {name: [] for name in verbs}
        for _ in range(args.runs):
            for name, argv in verbs.items():
                start = time.perf_counter()
                subprocess.run([sys.executable, "-m", "kiosk", "--home", home, *argv], cwd=ROOT,
                               capture_output=True, check=True, timeout=120)
                walls[name].append(time.perf_counter() - start)
        print(f"{'verb':<22} {'min s':>6} {'median s':>9} {'max s':>6} {'GC ms (collections)':>20}")
        for name, argv in verbs.items():
            probe = subprocess.run([sys.executable, "-c", GC_PROBE, "--home", home, *argv], cwd=ROOT,
                                   capture_output=True, text=True, timeout=120)
            gc_line = next((line.split()[1:] for line in probe.stderr.splitlines() if line.startswith("GC ")),
                           ["?", "?"])
            w = walls[name]
            print(f"{name:<22} {min(w):>6.2f} {statistics.median(w):>9.2f} {max(w):>6.2f} "
                  f"{gc_line[0] + ' (' + gc_line[1] + ')':>20}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
