"""Where one platform instance spends its CPU: py-spy's sampled stacks (every thread, so also the
threadpool that runs FastAPI's sync routes, which cProfile would not see), summed per function."""
from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")


def py_spy() -> str | None:
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.is_file() else shutil.which("py-spy")


class Recorder:
    """py-spy attached to a running platform for the measured phase only (start-up and imports left out),
    sampling only the thread holding the GIL: Python's CPU, not threads waiting on PostgreSQL (C code that
    releases the GIL, such as hashing large buffers, is under-counted). SIGINT makes it write its samples."""

    def __init__(self, binary: str, pid: int, out: Path, rate: int = 200) -> None:
        self.out = out
        self.process = subprocess.Popen(
            [binary, "record", "--pid", str(pid), "--format", "raw", "--rate", str(rate), "--nonblocking", "--gil",
             "--subprocesses", "--full-filenames", "--output", str(out)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            _out, err = self.process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _out, err = self.process.communicate()
        return err.decode(errors="replace")[-500:]


ROOT = Path(__file__).resolve().parents[2]  # the checkout whose platform is profiled


def _short(path: str) -> str:
    """A file name as it reads in the repository or inside its package (site-packages, the standard library)."""
    for marker in ("site-packages/", "/lib/python3.11/"):  # first: a virtualenv may live inside the checkout
        if marker in path:
            return path.split(marker, 1)[1]
    if path.startswith(str(ROOT) + "/"):
        return path[len(str(ROOT)) + 1:]
    return path


def _frame(raw: str) -> str:
    m = FRAME.match(raw.strip())
    if not m:
        return raw.strip()
    return f"{m.group('func')} ({_short(m.group('file'))})"


def package_of(frame: str) -> str:
    """The part of the program a frame belongs to: this project's module, or a library's top package."""
    where = frame.rsplit("(", 1)[-1].rstrip(")")
    parts = where.split("/")
    if parts[0] in ("sync", "kiosk") and len(parts) > 1:
        return "/".join(parts[:-1]) + "/" + parts[-1].removesuffix(".py")
    return parts[0].removesuffix(".py") if len(parts) > 1 else "stdlib:" + where.removesuffix(".py")


def by_package(own: list[tuple[str, int]]) -> list[tuple[str, int]]:
    groups: Counter[str] = Counter()
    for frame, n in own:
        groups[package_of(frame)] += n
    return groups.most_common()


def summarize(collapsed: Path, top: int = 20) -> tuple[int, list[tuple[str, int]], list[tuple[str, int]]]:
    """(samples, every function's self cost, every function's inclusive cost), most costly first."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [_frame(f) for f in stack.split(";")[1:]]  # the first is the process/thread
        if not frames:
            continue
        total += n
        own[frames[-1]] += n
        for f in set(frames):
            inclusive[f] += n
    return total, own.most_common(), inclusive.most_common()
