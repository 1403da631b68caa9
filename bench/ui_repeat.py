#!/usr/bin/env python3
"""Run the Qt tests N times, each in a fresh process, and count crashes and hangs.

A segfault or a freeze that shows up once in twenty runs is invisible in one
run and closes a kiosk once a day, so this runs `tests/ui` (or the paths
given) N times in a row, each in its own `python -X faulthandler -m pytest`
with a wall-clock limit, and sorts each run into:

- ok       every test passed;
- failed   pytest reported failing tests (exit status 1), nothing worse;
- crash    the process died of a signal or an exit status pytest never uses
           (a segfault, an abort, a silent death), or printed "Fatal Python error";
- hang     the run outlived its limit, or pytest-timeout / pytest's
           faulthandler_timeout fired because one test never finished.

For a hang, every thread's stack is taken before the process is killed:
`py-spy dump --native` when py-spy is installed, then SIGABRT, on which
faulthandler prints every Python thread. For a crash, `--cores` lets the run
dump core and prints every thread's native and Python stack from it with gdb
(`--gdb` runs each under gdb instead: slower, and it shifts the timing). The
stack excerpt of each failure is printed at the end; the whole output of each
bad run is kept in the log directory. Not a test: it prints figures (target:
0 crashes and 0 hangs at N=30).

    .venv/bin/python bench/ui_repeat.py 30
    .venv/bin/python bench/ui_repeat.py 20 tests/ui/counter --timeout 300 --cores
    .venv/bin/python bench/ui_repeat.py 30 --jobs 2     # two runs side by side: half the wall time

With `--jobs J`, J runs go side by side, each in its own process group with its own
pytest temporary directory (`--basetemp` under the log directory) and its own ports
(the tests draw theirs at random below the ephemeral range). Side by side is also
the harsher test: every run's timing is disturbed by the other's, as a busy hall PC's is.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTEST_EXIT_CODES = {0, 1, 2, 3, 4, 5}  # ok, failed, interrupted, internal error, usage error, no tests
HANG_RE = re.compile(r"^\++ Timeout \++$|^Timeout \(\d+:\d\d:\d\d\)!$", re.MULTILINE)  # pytest-timeout, faulthandler_timeout
CRASH_MARKERS = ("Fatal Python error", "terminate called")  # and any death by a signal (the exit status)


@dataclass
class Run:
    index: int
    verdict: str
    seconds: float
    returncode: int | None
    log: Path
    summary: str
    excerpt: str


def _signal_name(returncode: int | None) -> str:
    if returncode is None or returncode >= 0:
        return str(returncode)
    try:
        return f"{returncode} ({signal.Signals(-returncode).name})"
    except ValueError:
        return str(returncode)


def _excerpt(text: str, lines: int) -> str:
    """The part of the output that says where it died: the fatal error or timeout dump, or py-spy's stacks."""
    found = HANG_RE.search(text)
    starts = [text.find(m) for m in ("received signal SIG", "Fatal Python error", "=== py-spy dump ===", "Thread 0x", "Current thread 0x")]
    starts = [at for at in starts if at >= 0] + ([found.start()] if found else [])
    if starts:
        at = min(starts)
        return "\n".join(text[at:].splitlines()[:lines])
    return "\n".join(text.splitlines()[-lines:])


def _summary(text: str) -> str:
    found = re.findall(r"^=* ?(\d+ (?:passed|failed|errors?|skipped)\b.* in [\d.]+s.*?) ?=*$", text, flags=re.MULTILINE)
    if found:
        return found[-1]
    progress = re.findall(r"\[\s*(\d+%)\]", text)
    return f"no summary; last progress {progress[-1]}" if progress else "no summary"


def _stacks_of_hung(proc: subprocess.Popen[bytes], out: Path, grace: float, pyspy: bool = True) -> None:
    """Append every thread's stack to the log: py-spy (native frames too) first, then faulthandler on SIGABRT."""
    local = Path(sys.executable).with_name("py-spy")
    tool = (shutil.which("py-spy") or (str(local) if local.exists() else None)) if pyspy else None
    if proc.poll() is None:
        with out.open("ab") as log:
            if tool:
                log.write(b"\n=== py-spy dump ===\n")
                log.flush()
                try:
                    subprocess.run([tool, "dump", "--native", "--pid", str(proc.pid)], stdout=log, stderr=log,
                                   timeout=60, check=False)
                except subprocess.TimeoutExpired:
                    log.write(b"py-spy dump timed out\n")
            log.write(b"\n=== SIGABRT (faulthandler dump follows) ===\n")
        try:
            proc.send_signal(signal.SIGABRT)
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            pass
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    try:  # children it left behind (servers, helper processes) die with it
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


GDB = ["gdb", "-q", "-batch", "-iex", "set auto-load safe-path /", "-ex", "set pagination off", "-ex", "set print thread-events off",
       "-ex", "handle SIGPIPE SIGUSR1 SIGUSR2 nostop noprint pass", "-ex", "run", "-ex", "info threads",
       "-ex", "thread apply all bt 40", "-ex", "thread apply all py-bt", "--args"]
GDB_EXIT = re.compile(r"^\[Inferior 1 \(process \d+\) exited (normally|with code (\d+))\]$", re.MULTILINE)


def _inferior(gdb: subprocess.Popen[bytes]) -> int | None:
    try:
        children = Path(f"/proc/{gdb.pid}/task/{gdb.pid}/children").read_text().split()
    except OSError:
        return None
    return int(children[0]) if children else None


def _allow_core() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))


def _core_stacks(core_dir: Path, pid: int, log: Path) -> None:
    """Native stacks of every thread from the crashed run's core file (then the core goes: they are large)."""
    cores = [p for p in (core_dir / "core", core_dir / f"core.{pid}") if p.exists()]
    if not cores:
        return
    with log.open("ab") as out:
        out.write(b"\n=== native stacks from the core file ===\n")
        out.flush()
        subprocess.run(["gdb", "-q", "-batch", "-iex", "set auto-load safe-path /", "-ex", "info threads",
                        "-ex", "thread apply all bt 40", "-ex", "thread apply all py-bt", sys.executable,
                        str(cores[0])], stdout=out, stderr=subprocess.STDOUT, timeout=300, check=False)
    for core in cores:
        core.unlink()


def run_once(index: int, paths: list[str], timeout: float, logdir: Path, extra: list[str], lines: int,
             gdb: bool = False, cores: bool = False) -> Run:
    log = logdir / f"run-{index:03d}.log"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONFAULTHANDLER="1")
    basetemp = logdir / f"tmp-{index:03d}"  # its own: pytest wipes and prunes its base temp dir
    cmd = [sys.executable, "-X", "faulthandler", "-m", "pytest", *paths, "-q", "-p", "no:cacheprovider",
           "-o", f"faulthandler_timeout={max(30, int(timeout * 0.8))}", f"--basetemp={basetemp}", *extra]
    if gdb:  # native stacks of every thread at the fault (or, for a hang, at the SIGABRT sent below)
        cmd = [*GDB, *cmd]
    started = time.monotonic()
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True,
                                preexec_fn=_allow_core if cores else None)
    timed_out = False
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        inferior = _inferior(proc) if gdb else None
        if inferior is not None:
            os.kill(inferior, signal.SIGABRT)  # gdb stops on it and prints every thread's native stack
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                pass
        _stacks_of_hung(proc, log, grace=15, pyspy=not gdb)
    else:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # leftovers of a finished run must not disturb the next one
        except ProcessLookupError:
            pass
    seconds = time.monotonic() - started
    if cores and proc.returncode is not None and proc.returncode < 0:
        _core_stacks(ROOT, proc.pid, log)
    text = log.read_text(errors="replace")
    rc = proc.returncode
    if gdb and not timed_out:
        exited = GDB_EXIT.search(text)
        rc = (int(exited.group(2) or 0) if exited else -1)  # no normal exit under gdb: it died of a signal
    if timed_out or HANG_RE.search(text):
        verdict = "hang"
    elif (rc is not None and rc not in PYTEST_EXIT_CODES) or any(m in text for m in CRASH_MARKERS):
        verdict = "crash"
    elif rc == 0:
        verdict = "ok"
    else:
        verdict = "failed"
    excerpt = "" if verdict == "ok" else _excerpt(text, lines)
    if verdict == "ok":  # a bad run keeps its files beside its log
        shutil.rmtree(basetemp, ignore_errors=True)
    return Run(index, verdict, seconds, rc, log, _summary(text), excerpt)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, help="how many runs")
    ap.add_argument("paths", nargs="*", default=["tests/ui"], help="test paths (default: tests/ui)")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds one run may take before it counts as hung")
    ap.add_argument("--logs", type=Path, default=None, help="keep each run's output here (default: a temp dir)")
    ap.add_argument("--lines", type=int, default=60, help="lines of stack excerpt to print per failure")
    ap.add_argument("--gdb", action="store_true",
                    help="run each under gdb: native stacks of every thread at a crash or hang (slower)")
    ap.add_argument("--cores", action="store_true",
                    help="let a crashed run dump core (kernel core_pattern 'core' in the project dir) and print "
                         "every thread's native stack from it with gdb")
    ap.add_argument("--pytest-arg", action="append", default=[], help="an extra pytest argument (repeatable)")
    ap.add_argument("--jobs", type=int, default=1, help="runs side by side (default 1)")
    args = ap.parse_args(argv)
    if args.jobs < 1:
        ap.error("--jobs must be at least 1")

    logdir = args.logs or Path(tempfile.mkdtemp(prefix="ui_repeat-"))
    logdir.mkdir(parents=True, exist_ok=True)
    print(f"{args.n} runs of {' '.join(args.paths)}, {args.jobs} at a time, {args.timeout:.0f} s limit each; "
          f"logs in {logdir}", flush=True)
    started = time.monotonic()

    def one(i: int) -> Run:
        run = run_once(i, args.paths, args.timeout, logdir, args.pytest_arg, args.lines, args.gdb, args.cores)
        print(f"run {i:3d}/{args.n}: {run.verdict:6s} {run.seconds:6.1f} s  exit {_signal_name(run.returncode):14s}"
              f" {run.summary}", flush=True)
        if run.verdict == "ok":
            run.log.unlink(missing_ok=True)
        return run

    with ThreadPoolExecutor(max_workers=args.jobs) as runner:
        runs = list(runner.map(one, range(1, args.n + 1)))

    counts = {v: sum(r.verdict == v for r in runs) for v in ("ok", "failed", "crash", "hang")}
    times = sorted(r.seconds for r in runs)
    print()
    for run in runs:
        if run.verdict != "ok":
            print(f"--- run {run.index}: {run.verdict}, exit {_signal_name(run.returncode)}, log {run.log}")
            print(run.excerpt)
            print()
    print(f"runs {len(runs)}  ok {counts['ok']}  failed {counts['failed']}  crash {counts['crash']}  "
          f"hang {counts['hang']}  median {times[len(times) // 2]:.1f} s  max {times[-1]:.1f} s  "
          f"wall {time.monotonic() - started:.0f} s ({args.jobs} at a time)")
    return 0 if counts["crash"] == counts["hang"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
