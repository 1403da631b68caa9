"""A soak of one window process: hundreds of citizens at the kiosk and decisions at the counter, over a bad link.

    .venv/bin/python bench/terminal_soak.py [--flows 300] [--decisions 100]

The parent starts the reference platform, a loopback link that cuts
connections every few hundred kilobytes and goes down for seconds at a time,
and a loopback receipt printer that runs out of paper now and then. It
enrolls a terminal and starts ONE window process (offscreen) holding a kiosk
window and a counter window on that terminal, with the sync and print
workers running, as a hall's terminal runs them. That process drives the
windows through the real event loop (no sleeps, no processEvents loops):
each kiosk flow chooses a service, types the applicant, scans every material
with the recording scanner, submits and lets the receipt print; every few
flows a clerk at the counter checks a case and decides it. A heartbeat timer
on the GUI thread measures the longest stall.

Each stall over 50 ms in which the GUI thread was blocked (neither running
nor waiting for a CPU: waiting for Python's lock, nearly always) is reported
to the parent, which samples every thread's CPU time from /proc every 4 ms
(outside the window process, so the sampling takes none of its GIL) and
names the threads that ran meanwhile and where each was ("blocked_stalls").
Each one in which it waited over 15 ms for a CPU is reported too: the parent
also samples every thread on the machine every 20 ms and names those that had
the CPUs meanwhile, with their processes ("queued_stalls").

The parent watches the child: a death by signal or a fatal error is a crash;
no progress for `--hang-seconds` is a hang (every thread's stack is asked for
with SIGABRT, which faulthandler writes to the crash log, and kept). Afterwards
it lets the link recover, waits for the terminal to report nothing pending,
and checks the platform: every application exactly once and complete, every
decision exactly once, no receipt number twice. It prints the figures and, on
its last line, whether every target is met:

  crashes 0, hangs 0, longest GUI stall <= 50 ms, RSS growth flow 50 -> 300 <= 10 %, exactly once.

The platform, the link and the printer stand in for what is not on a hall's
PC (the central platform, the network, the printer's own board), and the
parent's sampler is the observer: all of them run at a lower CPU priority
(`--simulators-nice`, 10 by default; 0 gives them the window's), so that on a
two-core machine a stall measures the terminal's own processes, not the
simulators competing with it for a CPU. The figure printed says which was used.

Not a test: it runs for many minutes and its figures depend on the machine.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
from collections import deque
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ITEMS = ("330106000173002001", "330106000177001001", "330106000184002001")
STALL_TARGET_MS = 50.0
RSS_GROWTH_TARGET = 0.10
LONG_GAP_S = 0.12  # a gap this long has the GUI thread's stack taken while it lasts (`long_gap_stacks`)
GAP_SAMPLES = 3  # stacks taken per long gap, 10 ms apart: what it spends its time on, not only where it ends


# --- the child: one window process ----------------------------------------------------------------

def endless_scanner_class():  # noqa: ANN201 - a Scanner subclass, made after the imports are allowed
    from kiosk.devices.fake import RecordingScanner
    from kiosk.materials.pages import CapturedPage
    from kiosk.materials.samples import text_page

    class EndlessScanner(RecordingScanner):
        """The recording scanner, with a fresh copy of one printed page for every scan: a soak scans
        hundreds of times, and a script of hundreds of pages held in memory would be the leak measured."""

        def __init__(self) -> None:
            super().__init__("fake:soak")
            self.page, _ = text_page(dpi=150, seed=3, lines=10)

        def _scan(self, settings):  # noqa: ANN001, ANN202
            self.calls.clear()  # keep nothing per scan
            self.threads.clear()
            return [CapturedPage(image=self.page.copy(), dpi=150, source="fake")]

    return EndlessScanner


def rss_kb(pid: int | str = "self") -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def lower_priority(tid: int, nice: int) -> None:
    """One thread (Linux: nice is per thread, and threads and processes it starts inherit it)."""
    if nice:
        try:
            os.setpriority(os.PRIO_PROCESS, tid, nice)
        except OSError as exc:
            print(f"could not lower the priority of {tid}: {exc}", file=sys.stderr)


def sync_child_rss_kb(terminal: Any) -> int:
    """The window's sync process (`sync.process`): its memory must not grow over months either."""
    process = getattr(getattr(terminal.sync, "worker", None), "_process", None)
    return rss_kb(process.pid) if process is not None else 0


class ThreadClock:
    """Every thread of the window process: its time on a CPU and waiting for one (Linux schedstat), sampled
    every few ms by the parent, which shares no GIL with it (reading /proc in the window process releases
    and retakes its GIL, and each retake waits up to the switch interval behind a busy thread).

    A stall in which the GUI thread neither ran nor waited for a CPU was spent
    blocked, nearly always on Python's lock (the GIL): the threads that ran
    meanwhile, with where each was when the GUI thread got going again, name
    the holder.
    """

    def __init__(self, pid: int, every: float = 0.004, keep_seconds: float = 20.0, nice: int = 0) -> None:
        self.pid, self.every, self.nice = pid, every, nice
        self.fds: dict[int, int] = {}
        self.names: dict[int, str] = {}  # the OS's thread names (Qt names its threads; Python 3.11 does not)
        self.samples: list[tuple[float, dict[int, tuple[int, int]]]] = []
        self.keep = int(keep_seconds / every)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        threading.Thread(target=self._run, name="thread-clock", daemon=True).start()

    def _read(self) -> dict[int, tuple[int, int]]:
        now: dict[int, tuple[int, int]] = {}
        try:
            tids = [int(t) for t in os.listdir(f"/proc/{self.pid}/task")]
        except OSError:
            return now
        for tid in tids:
            fd = self.fds.get(tid)
            try:
                if fd is None:
                    fd = self.fds[tid] = os.open(f"/proc/{self.pid}/task/{tid}/schedstat", os.O_RDONLY)
                    self.names[tid] = Path(f"/proc/{self.pid}/task/{tid}/comm").read_text().strip()
                run_ns, wait_ns = os.pread(fd, 200, 0).split()[:2]
                now[tid] = (int(run_ns), int(wait_ns))
            except (OSError, ValueError):
                continue
        for tid in [t for t in self.fds if t not in now]:  # ended
            os.close(self.fds.pop(tid))
        return now

    def _run(self) -> None:
        lower_priority(threading.get_native_id(), self.nice)  # the observer takes no CPU the window wants
        while not self.stop.wait(self.every):
            sample = (time.time(), self._read())
            with self.lock:
                self.samples.append(sample)
                if len(self.samples) > 2 * self.keep:
                    del self.samples[:self.keep]

    def ran(self, begin: float, end: float) -> dict[int, tuple[float, float]]:
        """Each thread's ms on a CPU and waiting for one between the samples around `begin` and `end`."""
        with self.lock:
            samples = list(self.samples)
        first = next((s for s in reversed(samples) if s[0] <= begin), None)
        last = next((s for s in samples if s[0] >= end), samples[-1] if samples else None)
        if first is None or last is None:
            return {}
        return {tid: ((run - first[1].get(tid, (0, 0))[0]) / 1e6, (wait - first[1].get(tid, (0, 0))[1]) / 1e6)
                for tid, (run, wait) in last[1].items()}

    def comm(self, tid: int) -> str:
        return f"tid {tid} ({self.names.get(tid, '?')})"

    def who_ran(self, stall: dict[str, Any], limit_ms: float = 5.0) -> str:
        """`stall`: the window process's report of a blocked stall (its end, length, threads and their places)."""
        ran = self.ran(stall["end"] - stall["gap"] / 1000, stall["end"])
        threads = stall["threads"]
        out = []
        for tid, (cpu, waited) in sorted(ran.items(), key=lambda kv: -kv[1][0]):
            info = threads.get(str(tid), {})
            if info.get("gui") or cpu + waited < limit_ms:
                continue
            where = f" at {info['where']}" if info.get("where") else ""
            name = info.get("name") or self.comm(tid)  # a thread Python does not know: Qt's, a C library's
            out.append(f"{name} ran {cpu:.0f} ms (+{waited:.0f} waiting){where}")
        jobs = f"; jobs meanwhile: {', '.join(stall['jobs'][:4])}" if stall.get("jobs") else ""
        return f"{stall['gap']:.0f} ms wall, {stall['blocked']:.0f} blocked ({stall['what']}): " + \
            ("; ".join(out[:3]) or "no other thread ran") + jobs


class MachineClock:
    """Every thread on the machine: its time on a CPU (Linux schedstat), sampled every 20 ms by the parent.
    For a stall in which the GUI thread waited for a CPU: which threads, of which processes, had the CPUs
    meanwhile ("queued_stalls"). Threads are looked for again every half second; one that began and ended
    in between is not seen, and one that began during the stall counts from 0."""

    def __init__(self, every: float = 0.02, keep_seconds: float = 20.0, nice: int = 0) -> None:
        self.every, self.nice = every, nice
        self.fds: dict[tuple[int, int], int] = {}
        self.labels: dict[tuple[int, int], str] = {}
        self.samples: list[tuple[float, dict[tuple[int, int], int]]] = []
        self.keep = int(keep_seconds / every)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        threading.Thread(target=self._run, name="machine-clock", daemon=True).start()

    @staticmethod
    def _process(pid: int) -> str:
        try:
            words = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return f"pid {pid}"
        text = " ".join(w.decode(errors="replace").rsplit("/", 1)[-1] for w in words if w)
        for key, name in (("--child", "window"), ("platform serve", "platform"), ("multiprocessing", "worker"),
                          ("sync.process", "sync"), (" sync", "sync"), ("terminal_soak", "soak parent")):
            if key in text:
                return f"{name} {pid}"
        return f"{text[:40]} {pid}"

    def _look(self) -> None:
        for pid in (int(p) for p in os.listdir("/proc") if p.isdigit()):
            try:
                tids = [int(t) for t in os.listdir(f"/proc/{pid}/task")]
            except OSError:
                continue
            for tid in tids:
                if (pid, tid) in self.fds:
                    continue
                try:
                    self.fds[(pid, tid)] = os.open(f"/proc/{pid}/task/{tid}/schedstat", os.O_RDONLY)
                    comm = Path(f"/proc/{pid}/task/{tid}/comm").read_text().strip()
                except OSError:
                    continue
                self.labels[(pid, tid)] = f"{self._process(pid)}/{comm}"

    def _run(self) -> None:
        lower_priority(threading.get_native_id(), self.nice)
        ticks = 0
        while not self.stop.wait(self.every):
            if ticks % 25 == 0:  # listing every process's threads costs more than reading them: twice a second
                self._look()
            ticks += 1
            now: dict[tuple[int, int], int] = {}
            for key, fd in list(self.fds.items()):
                try:
                    now[key] = int(os.pread(fd, 200, 0).split()[0])
                except (OSError, ValueError, IndexError):
                    os.close(self.fds.pop(key))
            with self.lock:
                self.samples.append((time.time(), now))
                if len(self.samples) > 2 * self.keep:
                    del self.samples[:self.keep]

    def who_had_the_cpus(self, stall: dict[str, Any], limit_ms: float = 3.0) -> str:
        begin, end = stall["end"] - stall["gap"] / 1000, stall["end"]
        deadline = time.time() + 2.0
        while time.time() < deadline:  # a sample after the stall's end (this sampler runs niced, and may lag)
            with self.lock:
                if self.samples and self.samples[-1][0] >= end:
                    break
            time.sleep(self.every)
        with self.lock:
            samples = list(self.samples)
        first = next((x for x in reversed(samples) if x[0] <= begin), None)
        last = next((x for x in samples if x[0] >= end), samples[-1] if samples else None)
        if first is None or last is None:
            return f"{stall['gap']:.0f} ms wall: not sampled"
        ran = sorted(((run - first[1].get(key, 0)) / 1e6, key) for key, run in last[1].items())  # 0: began since
        out = [f"{self.labels.get(key, key)} {ms:.0f} ms" for ms, key in reversed(ran) if ms >= limit_ms]
        return (f"{stall['gap']:.0f} ms wall, {stall['queue']:.0f} waiting for a CPU ({stall['what']}), "
                f"in {1000 * (last[0] - first[0]):.0f} ms sampled: " + ("; ".join(out[:6]) or "nothing ran"))


def thread_places() -> dict[str, dict[str, Any]]:
    """Every Python thread by its OS id, with where it is now (for the parent's ThreadClock); no GIL release."""
    frames = sys._current_frames()
    out: dict[str, dict[str, Any]] = {}
    for t in threading.enumerate():
        frame = frames.get(t.ident) if t.ident is not None else None
        where = " < ".join(_frame_line(f) for f in _project_frames(frame)[:3]) if frame is not None else ""
        out[str(t.native_id)] = {"name": t.name, "where": where, "gui": t is threading.main_thread()}
    return out


def _project_frames(frame: Any) -> list[Any]:
    """Innermost first; the project's own frames first of all, then the library frames above them."""
    frames = []
    while frame is not None:
        frames.append(frame)
        frame = frame.f_back
    ours = [f for f in frames if str(ROOT) in f.f_code.co_filename and "/.venv/" not in f.f_code.co_filename]
    return frames[:1] + ours if ours and frames[0] is not ours[0] else ours or frames


def _frame_line(frame: Any) -> str:
    path = frame.f_code.co_filename
    if "site-packages/" in path:
        short = path.split("site-packages/")[1]
    elif path.startswith(str(ROOT)):
        short = path[len(str(ROOT)) + 1:]
    else:
        short = path.rsplit("/", 1)[-1]
    return f"{short}:{frame.f_lineno} {frame.f_code.co_name}"


def child(args: argparse.Namespace) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from kiosk import demo_hall
    from kiosk.demo import sample_form, valid_id
    from kiosk.settings import load_settings
    from kiosk.terminal import Devices
    from ui.counter.context import CounterContext
    from ui.counter.window import CounterWindow
    from ui.dialogs import ConfirmDialog
    from ui.fonts import install_fonts
    from ui.kiosk.window import KioskWindow
    from ui.terminal_setup import open_terminal

    EndlessScanner = endless_scanner_class()
    app = QApplication(sys.argv[:1])
    from ui.threads import favour_gui_thread, gc_guard, install_gc_guard

    install_gc_guard()  # what the entry points install (garbage on the GUI thread, the lock back to it sooner)
    favour_gui_thread()
    if os.environ.get("SOAK_SWITCH"):  # to compare switch intervals (CPython's default: 0.005)
        sys.setswitchinterval(float(os.environ["SOAK_SWITCH"]))
    install_fonts(app)
    settings = load_settings(args.home, printer=args.printer, idle_timeout_seconds=3600,
                             document_printer=f"file:{args.notices}")
    from kiosk.logs import configure_logging

    configure_logging(settings.home)  # as the window's entry points do: the log, and crash.log for fatal errors
    import faulthandler
    import signal as signals

    faulthandler.register(signals.SIGUSR1, file=sys.stderr, all_threads=True)  # the watchdog's "where are you?"
    terminal = open_terminal(settings)  # background workers: sync and printing, as in a window
    terminal.devices = Devices(scanner=EndlessScanner())
    ConfirmDialog.ask = classmethod(lambda cls, *a, **k: True)  # type: ignore[method-assign]  # the clerk confirms

    kiosk = KioskWindow(terminal, speech=False, sync_poll_ms=1000)
    kiosk.resize(1080, 1920)
    kiosk.show()
    counter = CounterWindow(CounterContext(terminal), lock_seconds=3600, sync_poll_ms=1000)
    counter.resize(1920, 1080)
    counter.show()
    from ui.threads import START_UP_SETTLED_MS, freeze_start_up

    # what the entry points do once start-up has settled (the counter loads its notice fonts meanwhile); the
    # flows start after it
    QTimer.singleShot(START_UP_SETTLED_MS, freeze_start_up)

    stalls: list[float] = []
    stalls_cpu: list[float] = []  # the GUI thread's CPU time in each of those gaps
    stalls_blocked: list[float] = []  # and the time it was blocked (neither running nor waiting for a CPU)
    causes: dict[str, list[float]] = {"gc": [], "driver": []}  # what ran on the GUI thread, and for how long
    import gc as _gc

    gc_started: list[Any] = [0.0, (0, 0, 0), 0.0]
    gc_worst: list[tuple[float, str]] = []  # the longest collections: generation, young counts, freed, CPU

    def gc_watch(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_started[:] = [time.perf_counter(), _gc.get_count(), time.thread_time()]
        elif measuring[0]:
            took = (time.perf_counter() - gc_started[0]) * 1000
            causes["gc"].append(took)
            gc_worst.append((took, f"{took:.0f} ms ({(time.thread_time() - gc_started[2]) * 1000:.0f} ms CPU) "
                                   f"gen{info.get('generation')}, counts {gc_started[1]}, "
                                   f"{info.get('collected')} freed"))
            gc_worst.sort(reverse=True)
            del gc_worst[5:]
            busy.append((gc_started[0], time.perf_counter(), f"gc:gen{info.get('generation')}"))

    _gc.callbacks.append(gc_watch)
    import ui.jobs as jobs_module

    busy: list[tuple[float, float, str]] = []  # (start, end, what) of work on the GUI thread, for attribution
    original_deliver = jobs_module.Job._deliver

    def timed_deliver(self: Any, ok: bool, value: Any) -> None:
        started = time.perf_counter()
        try:
            original_deliver(self, ok, value)
        finally:
            if measuring[0]:
                busy.append((started, time.perf_counter(), f"job:{self.name}"))
                if self.name.startswith(SCREEN_JOBS):
                    changed_at[0] = time.perf_counter()

    jobs_module.Job._deliver = timed_deliver  # type: ignore[method-assign]

    # Which jobs ran on the pool threads, and when: a stall blocked on Python's lock names the jobs that ran
    # through it (the parent's thread clock sees only a pool thread, "Dummy-3"). Only the job's name is taken:
    # a reference to the Job on the pool thread could be its last (see ui/jobs.py).
    job_runs: deque[tuple[float, float, str]] = deque(maxlen=400)
    jobs_running: dict[int, tuple[float, str]] = {}
    original_run = jobs_module._Runnable.run

    def timed_run(self: Any) -> None:
        key = self._key
        jobs_running[key] = (time.perf_counter(), getattr(jobs_module._running.get(key), "name", "?"))
        try:
            original_run(self)
        finally:
            started, name = jobs_running.pop(key)
            job_runs.append((started, time.perf_counter(), name))

    jobs_module._Runnable.run = timed_run  # type: ignore[method-assign]

    def jobs_between(begin: float, end: float) -> list[str]:
        runs = list(job_runs) + [(started, end, f"{name} (still running)")
                                 for started, name in list(jobs_running.values())]
        overlaps = [(min(b1, end) - max(b0, begin), name) for b0, b1, name in runs]
        return [f"{name} {ms * 1000:.0f} ms" for ms, name in sorted(overlaps, reverse=True) if ms > 0.002]
    clock = QElapsedTimer()
    clock.start()
    last = [clock.nsecsElapsed()]
    measuring = [False]

    stall_log: list[tuple[float, str]] = []
    SCREEN_JOBS = ("submit", "counter-login", "counter-case", "counter-check", "counter-decide", "counter-pages",
                   "counter-walkin", "kiosk-process", "kiosk-thumbnail", "print-receipt", "counter-print")
    changed_at = [0.0]  # when the screen last changed (a tap, or the answer of a job the person waits for)
    idle_stalls: list[tuple[float, str]] = []

    idle_max = [0.0]

    def run_queue_ms() -> float:
        """The GUI thread's time so far waiting for a CPU while ready to run (Linux schedstat): the machine's
        load, as opposed to its own work (CPU time) or waiting for a lock (neither)."""
        try:
            if not schedstat:  # opened once, here on the GUI thread (thread-self is the opener's thread): an open
                schedstat.append(os.open("/proc/thread-self/schedstat", os.O_RDONLY))  # per beat was the
            return int(os.pread(schedstat[0], 200, 0).split()[1]) / 1e6  # heartbeat's own biggest cost
        except (OSError, IndexError, ValueError):
            return 0.0

    schedstat: list[int] = []

    last_cpu = [time.thread_time()]
    last_usage = [resource.getrusage(resource.RUSAGE_THREAD)]
    last_queue = [run_queue_ms()]
    # the longest stalls with the GUI thread's own CPU time meanwhile: a stall of 120 ms wall in which the thread
    # ran for 30 ms was spent waiting (for a CPU on a loaded machine, or for Python's lock held by a worker)
    worst: list[tuple[float, float, float, str]] = []
    # the gaps with the most of the GUI thread's own CPU: the window's own work, whatever the machine's load
    heaviest: list[tuple[float, float, str]] = []

    def beat() -> None:
        now = clock.nsecsElapsed()
        now_cpu = time.thread_time()
        now_queue = run_queue_ms()
        now_usage = resource.getrusage(resource.RUSAGE_THREAD)
        if measuring[0]:
            gap = (now - last[0]) / 1e6
            gap_cpu = (now_cpu - last_cpu[0]) * 1000
            gap_queue = now_queue - last_queue[0]
            stalls.append(gap)
            stalls_cpu.append(gap_cpu)
            stalls_blocked.append(max(0.0, gap - gap_cpu - gap_queue))
            if gap > 15:  # a late beat: what was the GUI thread doing meanwhile?
                end = time.perf_counter()
                begin = end - gap / 1000
                spent: dict[str, float] = {}
                for b0, b1, what in busy:
                    overlap = min(b1, end) - max(b0, begin)
                    if overlap > 0:
                        spent[what] = spent.get(what, 0.0) + overlap * 1000
                top = max(spent.items(), key=lambda kv: kv[1]) if spent else ("other", gap)
                heaviest.append((gap_cpu, gap, top[0]))
                if len(heaviest) > 40:
                    heaviest.sort(reverse=True)
                    del heaviest[10:]
                if gap > 50:
                    stall_log.append((gap, f"{top[0]} ({top[1]:.0f} ms)"))
                    # the kernel's share of the GUI CPU and the page faults behind it: a gap where memory the
                    # kernel reclaimed is faulted back in is the machine's, not the code's
                    kernel = (now_usage.ru_stime - last_usage[0].ru_stime) * 1000
                    faults = (now_usage.ru_minflt - last_usage[0].ru_minflt, now_usage.ru_majflt - last_usage[0].ru_majflt)
                    stolen = stolen_ms(time.monotonic() - gap / 1000)
                    worst.append((gap, gap_cpu, gap_queue, f"{top[0]} [{kernel:.0f} ms of the CPU in the kernel, "
                                                            f"{faults[0]} minor + {faults[1]} major page faults, "
                                                            f"{stolen}]"))
                    blocked = gap - gap_cpu - gap_queue
                    if blocked > 25:  # blocked, not working: the parent says who ran meanwhile (who had the GIL)
                        report("BLOCKED", end=time.time(), gap=gap, blocked=blocked, what=top[0],
                               threads=thread_places(), jobs=jobs_between(begin, end))
                    if gap_queue > 15:  # waiting for a CPU: the parent says which threads had them
                        report("QUEUED", end=time.time(), gap=gap, queue=gap_queue, what=top[0])
                    if stall_times is not None:  # a development aid: to line stalls up with a py-spy trace
                        stall_times.write(json.dumps({"end": time.time(), "gap": gap, "cpu": gap_cpu,
                                                      "queue": gap_queue, "what": top[0]}) + "\n")
                        stall_times.flush()
                    worst.sort(reverse=True)
                    del worst[10:]
                screen_work = any(w.startswith("input:") or w.startswith(tuple("job:" + j for j in SCREEN_JOBS))
                                  for w in spent)
                if not screen_work and begin - changed_at[0] > 0.5:
                    idle_max[0] = max(idle_max[0], gap)
                    if gap > 50:
                        idle_stalls.append((gap, top[0]))
            else:
                idle_max[0] = max(idle_max[0], gap)
            del busy[:max(0, len(busy) - 200)]
        last[0] = now
        last_cpu[0] = now_cpu
        last_queue[0] = now_queue
        last_usage[0] = now_usage
        beat_at[0] = time.monotonic()

    # Time the hypervisor gave this VM's CPUs to others ("steal" in /proc/stat): a thread's CPU time counts it
    # as its own, so a gap where every piece of code ran several times slower than usual, with no page faults,
    # may be the host's. Read by the gap watcher every 10 ms (off the GUI thread); /proc/stat counts in ticks.
    steal_ring: deque[tuple[float, int]] = deque(maxlen=400)
    tick_ms = 1000 / os.sysconf("SC_CLK_TCK")

    def read_steal() -> int:
        try:
            with open("/proc/stat", "rb") as stat:
                return int(stat.readline().split()[8])
        except (OSError, IndexError, ValueError):
            return -1

    def stolen_ms(since: float) -> str:
        ring = list(steal_ring)
        before = [v for t, v in ring if t <= since]
        if not before or ring[-1][1] < 0 or before[-1] < 0:
            return "steal unknown"
        return f"{(ring[-1][1] - before[-1]) * tick_ms:.0f} ms stolen by the host"

    # A long gap's cause, caught while it lasts: a thread of the window process looks at the GUI thread's
    # Python stack once a gap passes --stack-gaps-ms (it gets Python's lock whenever the GUI thread runs Python,
    # which it does in every layout and handler of ours), so a rare 300 ms gap names its code.
    beat_at = [time.monotonic()]
    long_gap_stacks: list[str] = []
    gui_ident = threading.get_ident()
    watching = threading.Event()

    def watch_gaps() -> None:
        sampled_for, samples = 0.0, 0
        while not watching.wait(0.01):
            steal_ring.append((time.monotonic(), read_steal()))
            began = beat_at[0]
            since = time.monotonic() - began
            if began != sampled_for:
                sampled_for, samples = began, 0
            if measuring[0] and since > args.stack_gaps_ms / 1000 and samples < GAP_SAMPLES \
                    and len(long_gap_stacks) < 60:
                frame = sys._current_frames().get(gui_ident)
                if frame is not None:  # the top frame is `app.exec` while Qt runs C++ only (painting, layout)
                    # the frames' own fields: `traceback` checks each source file (linecache), and that took this
                    # thread 38 ms of CPU within one gap of the process it measures (runs S and T)
                    where, f = [], frame
                    while f is not None and len(where) < 10:
                        where.append(f"{f.f_code.co_filename.rsplit('/', 2)[-1]}:{f.f_lineno} {f.f_code.co_name}")
                        f = f.f_back
                    long_gap_stacks.append(f"{since * 1000:.0f} ms into the gap of {began:.3f}: " + " < ".join(where))
                    f = None  # no frame of the GUI thread kept alive here
                samples += 1
                del frame

    threading.Thread(target=watch_gaps, name="soak-gap-watch", daemon=True).start()

    stall_times = open(os.environ["SOAK_STALL_TIMES"], "a") if os.environ.get("SOAK_STALL_TIMES") else None  # noqa: SIM115
    heartbeat = QTimer()
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(beat)
    heartbeat.start()

    figures: dict[str, Any] = {"rss_kb": {}, "sync_rss_kb": {}, "flows": 0, "decisions": 0, "receipts_printed": 0,
                               "receipts_waiting": 0, "errors": []}

    def report(tag: str, **data: Any) -> None:
        print(f"{tag} {json.dumps(data, ensure_ascii=False)}", flush=True)

    def typed() -> bool:
        """The condition after one field is typed: the next turn. The driver used to fill a whole form in one
        turn of the event loop, and that burst (a minute of a person's typing) was measured as one GUI stall."""
        return True

    def kiosk_flow(n: int):  # noqa: ANN202 - a generator of conditions
        nav = kiosk.nav
        code = ITEMS[n % len(ITEMS)]
        nav.show_browser()  # each step is one tap, as a person taps: seconds apart, one screen at a time
        yield lambda: nav.current() is not None and nav.current().name == "browser"
        nav.show_guide(code)
        yield lambda: nav.current().name == "guide"
        nav.start_application(terminal.catalog.item(code))
        yield lambda: nav.current().name == "identity"
        ident = nav.screens["identity"]
        applicant = {"name": "张三" if n % 2 else "李𠮷", "phone": f"138{n:08d}"[:11],
                     "id_number": valid_id(f"110105{1950 + n % 50}0101{n % 1000:03d}")}
        for field in ident.applicant.fields:  # a person fills one field at a time, seconds apart: a turn each
            field.set_raw(applicant.get(field.key, ""))
            yield typed
        ident._store()
        ident.on_next()
        yield lambda: nav.current().name in ("licences", "form", "materials")
        if nav.current().name == "licences":  # enrolled, and a material a licence may stand for: the citizen says no
            nav.screens["licences"].decline()
            yield lambda: nav.current().name in ("form", "materials")
        if nav.current().name == "form":
            form = nav.screens["form"]
            for key, value in sample_form(code).items():
                form.view.field(key).set_raw(value)
                yield typed
            form.on_next()
        yield lambda: nav.current().name == "materials"
        materials = nav.screens["materials"]
        for spec in materials.item.materials:
            if spec.required:
                materials.panel.capture(spec.code, "scanner")
                yield lambda: not materials.busy
        materials.on_next()
        yield lambda: nav.current().name == "review"
        nav.screens["review"].on_next()
        yield lambda: "result" in nav.screens and nav.screens["result"].print_message is not None
        result = nav.screens["result"]
        if result.printed:
            figures["receipts_printed"] += 1
        else:
            figures["receipts_waiting"] += 1
        kiosk.end_session("done")

    def counter_decision(k: int):  # noqa: ANN202
        if counter.staff is None:
            counter.login.user.setText("clerk1")
            counter.login.password.setText(demo_hall.PASSWORD)
            counter.login.submit()
            yield lambda: counter.staff is not None
        worklist = counter.screens["worklist"]
        loads = worklist.loads
        worklist.refresh()
        yield lambda: worklist.loads > loads
        waiting = [r for r in worklist.rows if r.status.value in ("submitted", "received")]
        if not waiting:
            return
        case = waiting[0]
        if "review_built_before_first_open" not in figures:  # was the first case's page made in the turns ahead?
            figures["review_built_before_first_open"] = dict.get(counter.screens, "review") is not None
        counter.open_case(case.id)
        review = counter.screens["review"]
        yield lambda: review.detail is not None and review.detail.row.id == case.id and not review.busy
        supplement = k % 5 == 4
        for i, material in enumerate(review.detail.materials):
            if not material.files and not material.required:  # an optional material the citizen did not give:
                continue  # nothing to check (Valid is disabled without a file), and Accept does not wait for it
            review.material_list.setCurrentRow(i)
            yield lambda m=material: review.current_code == m.code and not review.busy
            if not material.files:  # required, brought on paper to the counter, and not scanned: the clerk asks
                supplement = True  # for it (Valid needs a file, as kiosk.review.check_material does)
            if not material.files or (supplement and material.required
                                      and material.code != review.detail.materials[0].code):
                review.reason.setPlainText("请补交清晰的原件扫描 / please bring a clear copy")
                review.missing_button.click()
            else:
                review.valid_button.click()
            yield lambda m=material: not review.busy and review.detail.material(m.code).review_state != "unchecked"
        if not any(m.review_state in ("missing", "invalid") for m in review.detail.materials):
            supplement = False  # its only required material is the first, marked valid: nothing to ask for
        before = review.last_outcome
        (review.supplement_button if supplement else review.accept_button).click()
        yield lambda: review.last_outcome is not before and not review.busy
        figures["decisions"] += 1

    def plan():  # noqa: ANN202
        measuring[0] = True  # from the first tap: the heartbeat's gap before it was start-up's (the freeze)
        last[0], last_cpu[0], last_queue[0] = clock.nsecsElapsed(), time.thread_time(), run_queue_ms()
        last_usage[0], beat_at[0] = resource.getrusage(resource.RUSAGE_THREAD), time.monotonic()
        decided = 0
        for n in range(1, args.flows + 1):
            yield from kiosk_flow(n)
            figures["flows"] = n
            if n in (50, args.flows):
                figures["rss_kb"][str(n)] = rss_kb()
                figures["sync_rss_kb"][str(n)] = sync_child_rss_kb(terminal)
            if decided < args.decisions and n % max(1, args.flows // args.decisions) == 0:
                yield from counter_decision(decided)
                decided += 1
            report("FLOW", n=n, decisions=figures["decisions"], rss_kb=rss_kb(),
                   longest_stall_ms=round(max(stalls, default=0.0), 1))
        while decided < args.decisions:
            yield from counter_decision(decided)
            decided += 1
        measuring[0] = False
        report("DRIVEN", **figures)
        deadline = time.monotonic() + args.settle_seconds
        from kiosk.usecases.link import link_view

        while time.monotonic() < deadline:  # the link recovers: let sync and the printer catch up
            view = link_view(terminal)
            if view.pending_items == 0 and view.pending_prints == 0:
                break
            terminal.sync.poke() if terminal.sync else None
            yield _after(1.0)
        view = link_view(terminal)
        figures["pending_items"], figures["pending_prints"] = view.pending_items, view.pending_prints
        figures["prints_need_staff"], figures["refused_items"] = view.prints_need_staff, view.refused_items

    def _after(seconds: float):  # noqa: ANN202
        until = time.monotonic() + seconds
        return lambda: time.monotonic() >= until

    def _where(gen: Any) -> str:
        """The driver's innermost line: which tap or screen change the time went to."""
        frame, line = gen.gi_frame, ""
        while gen is not None and gen.gi_frame is not None:
            frame = gen.gi_frame
            line = f"{frame.f_code.co_name}:{frame.f_lineno}"
            gen = gen.gi_yieldfrom
        return line

    tap: list[Any] = ["", 0.0, 0.0]  # the step waited for since the last tap, the GUI thread's CPU time then, the clock
    tap_cpu: dict[str, list[float]] = {}
    tap_wall: dict[str, list[float]] = {}  # how long each tap took to answer: its GUI CPU includes the idle turns
    # SOAK_PROFILE_TAP=text: cProfile (GUI-thread CPU) of the taps whose driver line contains the text, written to
    # SOAK_PROFILE_TAP_OUT (a development aid: what one step's GUI time is made of)
    profile_tap = os.environ.get("SOAK_PROFILE_TAP", "")
    tap_profiler_on = [False]
    if profile_tap:
        import cProfile

        tap_profiler: Any = cProfile.Profile(time.thread_time)
    else:
        tap_profiler = None

    def _tap_name(gen: Any) -> str:
        import linecache

        where = _where(gen)
        name, _, line = where.partition(":")
        text = linecache.getline(__file__, int(line)).strip() if line.isdigit() else ""
        return f"{where} {text[:70]}"

    steps = plan()
    waiting: list[Any] = [lambda: True]

    def where_now(_signum: int, _frame: object) -> None:  # runs only if the GUI thread still turns
        print(f"DRIVER waiting at {_where(steps)}; jobs running {jobs_module.running_jobs()}", file=sys.stderr,
              flush=True)
        review = counter.screens.get("review") if counter.staff is not None else None
        if review is not None:  # the counter's state, when it is the counter that waits
            states = [(m.code, m.review_state, len(m.files)) for m in review.detail.materials] if review.detail else []
            print(f"COUNTER review busy={review.busy} current={review.current_code} materials={states} "
                  f"valid_enabled={review.valid_button.isEnabled()} missing_enabled={review.missing_button.isEnabled()} "
                  f"status={review.detail.row.status if review.detail else None} decisions={figures['decisions']} "
                  f"check_error={review.check_error.text()!r} message={review.message.text()[:200]!r}",
                  file=sys.stderr, flush=True)

    signals.signal(signals.SIGUSR2, where_now)

    def advance() -> None:
        started = time.perf_counter()
        try:
            if waiting[0]():
                now_cpu = time.thread_time()
                if tap[0] and measuring[0]:  # the GUI thread's CPU from the last tap until this one
                    tap_cpu.setdefault(tap[0], []).append((now_cpu - tap[1]) * 1000)
                    tap_wall.setdefault(tap[0], []).append((time.perf_counter() - tap[2]) * 1000)
                if tap_profiler is not None and tap_profiler_on[0]:
                    tap_profiler.disable()
                    tap_profiler_on[0] = False
                waiting[0] = next(steps)
                tap[0], tap[1], tap[2] = _tap_name(steps), now_cpu, time.perf_counter()
                if tap_profiler is not None and measuring[0] and profile_tap in tap[0]:
                    tap_profiler.enable()  # only this tap's GUI-thread time, from the tap to its answer
                    tap_profiler_on[0] = True
            if measuring[0]:
                ended = time.perf_counter()
                causes["driver"].append((ended - started) * 1000)
                busy.append((started, ended, "input:" + _where(steps)))
                changed_at[0] = ended
            QTimer.singleShot(20, advance)
        except StopIteration:
            figures["longest_stall_ms"] = round(max(stalls, default=0.0), 1)
            figures["stall_p99_ms"] = round(sorted(stalls)[int(len(stalls) * 0.99)] if stalls else 0.0, 1)
            figures["stalls_over_50ms"] = sum(1 for x in stalls if x > 50)
            figures["most_gui_cpu_in_one_gap_ms"] = round(max(stalls_cpu, default=0.0), 1)
            figures["gaps_with_gui_cpu_over_50ms"] = sum(1 for x in stalls_cpu if x > 50)
            # blocked: waiting for Python's lock (mostly), which the machine's load does not explain
            figures["most_blocked_in_one_gap_ms"] = round(max(stalls_blocked, default=0.0), 1)
            figures["gaps_blocked_over_25ms"] = sum(1 for x in stalls_blocked if x > 25)
            # wall = the GUI thread's CPU + its wait for a CPU (machine load) + the rest: blocked (Python's lock
            # held by another thread, or the 10 ms the heartbeat's timer waits)
            figures["heaviest_gui_gaps"] = [f"{c:.0f} ms GUI CPU in {g:.0f} ms wall: {w}"
                                            for c, g, w in sorted(heaviest, reverse=True)[:10]]
            figures["worst_stalls"] = [f"{g:.0f} ms wall = {c:.0f} CPU + {q:.0f} waiting for a CPU + "
                                       f"{max(0.0, g - c - q):.0f} blocked: {w}" for g, c, q, w in worst]
            guard = gc_guard()
            figures["gc_off_gui_thread"] = len(guard.off_thread_collections) if guard is not None else None
            figures["gc_longest_ms"] = round(max(causes["gc"], default=0.0), 1)
            figures["gc_over_50ms"] = sum(1 for x in causes["gc"] if x > 50)
            figures["gc_worst"] = [w for _, w in gc_worst]
            figures["driver_longest_ms"] = round(max(causes["driver"], default=0.0), 1)
            figures["driver_over_50ms"] = sum(1 for x in causes["driver"] if x > 50)
            by_cause: dict[str, list[float]] = {}
            for gap, what in stall_log:
                by_cause.setdefault(what.split(" (")[0], []).append(gap)
            figures["stalls_by_cause"] = {k: {"count": len(v), "longest_ms": round(max(v), 1)}
                                          for k, v in sorted(by_cause.items(), key=lambda kv: -max(kv[1]))}
            figures["gui_cpu_ms_per_tap"] = {k: {"n": len(v), "mean": round(sum(v) / len(v), 1),
                                                 "max": round(max(v), 1),
                                                 "wall_mean": round(sum(tap_wall[k]) / len(tap_wall[k]), 1)}
                                             for k, v in tap_cpu.items()}
            if tap_profiler is not None:
                tap_profiler.dump_stats(os.environ.get("SOAK_PROFILE_TAP_OUT", "soak-tap.prof"))
            # the screen standing still (nobody tapped, no answer arrived): only background work could stall it
            figures["longest_stall_idle_ms"] = round(idle_max[0], 1)
            figures["long_gap_stacks"] = list(long_gap_stacks)
            figures["idle_stalls_over_50ms"] = [f"{g:.0f} ms {w}" for g, w in idle_stalls][:20]
            report("DONE", **figures)
            app.quit()
        except Exception as exc:  # a defect in the product or the driver: reported, the run ends
            figures["errors"].append(f"{type(exc).__name__}: {exc}")
            report("ERROR", error=figures["errors"][-1])
            app.quit()

    QTimer.singleShot(START_UP_SETTLED_MS + 500, advance)
    if os.environ.get("SOAK_PROFILE"):  # where the GUI thread's time goes (a development aid)
        import cProfile

        profiler = cProfile.Profile(time.thread_time)  # the GUI thread's CPU, not the wall clock other threads share
        code = profiler.runcall(app.exec)
        profiler.dump_stats(os.environ["SOAK_PROFILE"])
    else:
        code = app.exec()
    heartbeat.stop()
    watching.set()
    kiosk.close()
    counter.close()
    from ui.jobs import wait_idle

    wait_idle(30_000)
    terminal.close()
    return code


# --- the parent: platform, link, printer, watchdog, exactly-once -----------------------------------

def run(cmd: list[str], **kw: Any) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--home", type=Path)
    parser.add_argument("--printer", default="")
    parser.add_argument("--notices", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--flows", type=int, default=300)
    parser.add_argument("--decisions", type=int, default=100)
    parser.add_argument("--hang-seconds", type=float, default=180.0)
    parser.add_argument("--settle-seconds", type=float, default=300.0)
    parser.add_argument("--simulators-nice", type=int, default=10,
                        help="CPU niceness of the platform, link, printer and sampler (0: the window's own)")
    parser.add_argument("--stack-gaps-ms", type=float, default=LONG_GAP_S * 1000,
                        help="a gap longer than this has the GUI thread's Python stack taken while it lasts, up to "
                             f"{GAP_SAMPLES} times 10 ms apart (printed under long_gap_stacks)")
    parser.add_argument("--keep", action="store_true", help="keep the run's data dirs and logs (kept anyway after "
                        "a crash or a hang)")
    args = parser.parse_args()
    if args.child:
        return child(args)

    from kiosk import demo_hall
    from kiosk.settings import load_settings
    from kiosk.store import close_all
    from kiosk.terminal import Terminal
    from sync.embedded import LocalPlatform, start_platform
    from sync.linksim import BadLink
    from tests.printing.printer_server import PAPER_OUT, READY, PrinterServer

    work = Path(tempfile.mkdtemp(prefix="onewindow-soak-"))
    home, platform_home = work / "terminal", work / "platform"
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    platform = start_platform(platform_home, "127.0.0.1", port, log_file=work / "platform.log")
    link = BadLink(port, cut_every=400_000, seed=7)
    printer = PrinterServer()
    # not the hall PC's own work: the platform, the network and the printer (their later threads inherit it)
    lower_priority(platform.pid, args.simulators_nice)
    for thread in threading.enumerate():
        if thread.name == "badlink-accept" or thread is printer._thread:
            lower_priority(thread.native_id or 0, args.simulators_nice)
    stop = threading.Event()

    def weather() -> None:
        """The link drops for seconds now and then; the printer runs out of paper now and then."""
        rng = random.Random(11)
        while not stop.wait(rng.uniform(15, 30)):
            link.down = True
            if rng.random() < 0.5:
                printer.answers = dict(PAPER_OUT)
            stop.wait(rng.uniform(3, 8))
            link.down = False
            printer.answers = dict(READY)

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ONEWINDOW_CONFIG": str(work / "none.toml")}
    result: dict[str, Any] = {"crashes": 0, "hangs": 0, "simulators_nice": args.simulators_nice}
    try:
        terminal = Terminal.open(load_settings(home))
        demo_hall.add_staff(terminal)
        close_all()
        # one PC that takes applications and decides them: a counter, whose staff the platform must know
        code = run([sys.executable, "-m", "kiosk", "platform", "enroll-code", "--home", str(platform_home),
                    "--hall", "330106001", "--device-name", "soak-kiosk", "--role", "counter"],
                   env=env).strip().split()[-1]
        for username, role, display_name in demo_hall.DEMO_STAFF:
            run([sys.executable, "-m", "kiosk", "platform", "staff", "add", "--home", str(platform_home), "--hall",
                 "330106001", username, "--role", role, "--display-name", display_name, "--password-stdin"],
                env=env, input=demo_hall.PASSWORD + "\n")
        run([sys.executable, "-m", "kiosk", "--home", str(home), "enroll", "--platform", link.url(), "--code", code],
            env=env)
        threading.Thread(target=weather, daemon=True).start()
        started = time.monotonic()
        notices = work / "notices"
        notices.mkdir()
        child_err = (work / "child.stderr").open("w")  # a file, not a pipe nobody reads until the end
        proc = subprocess.Popen([sys.executable, __file__, "--child", "--home", str(home), "--printer", printer.uri,
                                 "--notices", str(notices),
                                 "--flows", str(args.flows), "--decisions", str(args.decisions),
                                 "--settle-seconds", str(args.settle_seconds),
                                 "--stack-gaps-ms", str(args.stack_gaps_ms)],
                                stdout=subprocess.PIPE, stderr=child_err, text=True, env=env)
        done: dict[str, Any] = {}
        clock = ThreadClock(proc.pid, nice=args.simulators_nice)
        machine = MachineClock(nice=args.simulators_nice)
        queued: list[tuple[float, str]] = []  # the stalls that waited longest for a CPU, with who had them
        blocked: list[tuple[float, str]] = []  # the longest blocked stalls, with who ran meanwhile
        last_progress = time.monotonic()
        assert proc.stdout is not None
        while True:
            ready, _, _ = select.select([proc.stdout], [], [], 5.0)
            if ready:
                line = proc.stdout.readline()
                if not line:
                    break
                last_progress = time.monotonic()
                tag, _, data = line.partition(" ")
                if tag == "FLOW":
                    info = json.loads(data)
                    if info["n"] % 25 == 0:
                        print(f"  flow {info['n']}: decisions {info['decisions']}, RSS {info['rss_kb'] // 1024} MB, "
                              f"longest stall so far {info['longest_stall_ms']} ms", flush=True)
                elif tag == "BLOCKED":
                    stall = json.loads(data)
                    time.sleep(max(0.0, stall["end"] + 2 * clock.every - time.time()))  # a sample after its end
                    blocked.append((stall["blocked"], clock.who_ran(stall)))
                    blocked.sort(reverse=True)
                    del blocked[10:]
                elif tag == "QUEUED":
                    stall = json.loads(data)  # who_had_the_cpus waits for a sample after the stall's end itself
                    queued.append((stall["queue"], machine.who_had_the_cpus(stall)))
                    queued.sort(reverse=True)
                    del queued[10:]
                elif tag in ("DONE", "DRIVEN", "ERROR"):
                    done[tag] = json.loads(data)
            elif time.monotonic() - last_progress > args.hang_seconds:
                result["hangs"] += 1
                print(f"HANG: no progress for {args.hang_seconds:.0f} s; asking for every thread's stack", flush=True)
                proc.send_signal(signal.SIGUSR2)  # the driver's position, if the GUI thread still turns
                time.sleep(2)
                proc.send_signal(signal.SIGUSR1)  # every thread's stack (faulthandler), to stderr
                time.sleep(2)
                proc.send_signal(signal.SIGABRT)  # and again in logs/crash.log as the process ends
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                break
        proc.wait(120)
        clock.stop.set()
        machine.stop.set()
        child_err.close()
        stderr = (work / "child.stderr").read_text(errors="replace")
        if result["hangs"]:
            stacks = stderr[stderr.find("DRIVER waiting"):] if "DRIVER waiting" in stderr else stderr[-20000:]
            print(f"where it hung ({work / 'child.stderr'}):\n{stacks[-20000:]}", flush=True)
        if proc.returncode != 0 and not result["hangs"]:
            result["crashes"] += 1
            print(f"CRASH: exit {proc.returncode}\n{stderr[-3000:]}", flush=True)
        if "Fatal Python error" in stderr:
            result["crashes"] = max(result["crashes"], 1)
        result["minutes"] = round((time.monotonic() - started) / 60, 1)
        figures = done.get("DONE") or done.get("DRIVEN") or {}
        if "ERROR" in done:
            print(f"DRIVER ERROR: {done['ERROR']}", flush=True)
        stop.set()
        link.down = False
        printer.answers = dict(READY)
        result.update(exactly_once(home, platform_home, figures))
        result.update({k: figures.get(k) for k in ("flows", "decisions", "longest_stall_ms", "stall_p99_ms",
                                                   "stalls_over_50ms", "most_gui_cpu_in_one_gap_ms",
                                                   "gaps_with_gui_cpu_over_50ms", "most_blocked_in_one_gap_ms",
                                                   "gaps_blocked_over_25ms", "worst_stalls", "heaviest_gui_gaps",
                                                   "gc_off_gui_thread",
                                                   "gui_cpu_ms_per_tap", "gc_longest_ms", "gc_over_50ms", "gc_worst",
                                                   "driver_longest_ms", "driver_over_50ms", "stalls_by_cause",
                                                   "longest_stall_idle_ms", "idle_stalls_over_50ms", "long_gap_stacks",
                                                   "receipts_printed", "receipts_waiting", "pending_items",
                                                   "pending_prints", "prints_need_staff", "refused_items",
                                                   "review_built_before_first_open")})
        result["blocked_stalls"] = [text for _, text in blocked]
        result["queued_stalls"] = [text for _, text in queued]
        rss = figures.get("rss_kb", {})
        first, final = rss.get("50"), rss.get(str(args.flows))
        result["rss_mb_at_50"] = round(first / 1024, 1) if first else None
        result["rss_mb_at_end"] = round(final / 1024, 1) if final else None
        result["rss_growth"] = round((final - first) / first, 3) if first and final else None
        rss = figures.get("sync_rss_kb", {})
        first, final = rss.get("50"), rss.get(str(args.flows))
        result["sync_process_rss_mb_at_50"] = round(first / 1024, 1) if first else None
        result["sync_process_rss_mb_at_end"] = round(final / 1024, 1) if final else None
        result["sync_process_rss_growth"] = round((final - first) / first, 3) if first and final else None
        result["link_cuts"] = link.stats.cuts
    finally:
        stop.set()
        link.close()
        printer.stop()
        LocalPlatform(f"http://127.0.0.1:{port}/api/v1", platform_home, platform).stop()

    print(json.dumps(result, ensure_ascii=False, indent=2))
    missed = []
    if result["crashes"]:
        missed.append(f"crashes {result['crashes']}")
    if result["hangs"]:
        missed.append(f"hangs {result['hangs']}")
    if result.get("flows") != args.flows or result.get("decisions") != args.decisions:
        missed.append(f"driven {result.get('flows')}/{args.flows} flows, {result.get('decisions')}/{args.decisions} "
                      "decisions")
    if result.get("longest_stall_ms") is None or result["longest_stall_ms"] > STALL_TARGET_MS:
        missed.append(f"longest GUI stall {result.get('longest_stall_ms')} ms > {STALL_TARGET_MS:.0f} ms")
    if result.get("rss_growth") is None or result["rss_growth"] > RSS_GROWTH_TARGET:
        missed.append(f"RSS growth {result.get('rss_growth')} > {RSS_GROWTH_TARGET}")
    if result.get("sync_process_rss_growth") is None or result["sync_process_rss_growth"] > RSS_GROWTH_TARGET:
        missed.append(f"sync process RSS growth {result.get('sync_process_rss_growth')} > {RSS_GROWTH_TARGET}")
    if not result.get("exactly_once"):
        missed.append("exactly-once on the platform: " + "; ".join(result.get("exactly_once_problems", [])))
    if result["crashes"] or result["hangs"] or args.keep:
        print(f"kept for inspection: {work} (the window's log, crash.log, the platform's log, child.stderr)")
    else:  # a run leaves nothing behind in /tmp (a terminal's and a platform's data, logs, notices)
        shutil.rmtree(work, ignore_errors=True)
    print("ALL TARGETS MET" if not missed else "TARGETS MISSED: " + "; ".join(missed))
    return 0 if not missed else 1


def exactly_once(home: Path, platform_home: Path, figures: dict[str, Any]) -> dict[str, Any]:
    """Every local application on the platform once and complete; every decision once; receipts unique."""
    from sqlalchemy import select

    from kiosk.settings import load_settings
    from kiosk.store import close_all
    from kiosk.store.models import Application, OutboxItem
    from kiosk.terminal import Terminal
    from sync.server.db import open_platform
    from sync.server.models import Case, Decision

    close_all()
    terminal = Terminal.open(load_settings(home), parts=False)
    with terminal.store.transaction() as s:
        local = {a.id: a.receipt_no for a in s.scalars(select(Application).where(Application.channel == "kiosk",
                                                                                 Application.status != "draft"))}
        decisions = {str((i.payload or {}).get("decision_id")): i.state
                     for i in s.scalars(select(OutboxItem).where(OutboxItem.kind == "decision"))}
    store = open_platform(platform_home)
    problems: list[str] = []
    with store.transaction() as s:
        cases = list(s.scalars(select(Case).where(Case.hall_code == "330106001")))
        platform_decisions = list(s.scalars(select(Decision.decision_id)))
    by_uuid: dict[str, int] = {}
    for c in cases:
        by_uuid[c.uuid] = by_uuid.get(c.uuid, 0) + 1
    missing = [a for a in local if a not in by_uuid]
    twice = [u for u, n in by_uuid.items() if n > 1]
    incomplete = [c.uuid for c in cases if c.uuid in local and not c.complete]
    extra = [c.uuid for c in cases if c.uuid not in local]
    receipts = [c.receipt_no for c in cases if c.receipt_no]
    if missing:
        problems.append(f"{len(missing)} applications never arrived")
    if twice:
        problems.append(f"{len(twice)} applications arrived twice")
    if incomplete:
        problems.append(f"{len(incomplete)} cases incomplete")
    if extra:
        problems.append(f"{len(extra)} cases the terminal does not know")
    if len(set(receipts)) != len(receipts):
        problems.append("a receipt number twice")
    sent_decisions = [d for d, state in decisions.items() if state == "sent"]
    if len(platform_decisions) != len(set(platform_decisions)):
        problems.append("a decision applied twice")
    if set(platform_decisions) != set(sent_decisions) or len(sent_decisions) != len(decisions):
        problems.append(f"decisions: {len(decisions)} taken, {len(sent_decisions)} confirmed, "
                        f"{len(platform_decisions)} on the platform")
    return {"applications_local": len(local), "applications_platform": len(cases),
            "decisions_local": len(decisions), "decisions_platform": len(platform_decisions),
            "exactly_once": not problems, "exactly_once_problems": problems}


if __name__ == "__main__":
    raise SystemExit(main())
