"""`bench/platform_load.py --quick` runs end to end: real PostgreSQL, real `platform serve` processes, a
handful of simulated terminals, one instance SIGKILLed halfway, and its exactly-once verdicts.

Only that the bench works is checked here, never its speed: figures belong to the bench's own output.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sync.servers import pg_bin

ROOT = Path(__file__).resolve().parents[2]


def test_quick_run_reports_exactly_once_with_an_instance_killed(tmp_path: Path) -> None:
    if pg_bin() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL binaries (initdb, pg_ctl) are missing on CI")
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) are not installed")
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "platform_load.py"), "--quick", "--json",
                           "--keep", str(tmp_path / "work")], cwd=ROOT, capture_output=True, text=True, timeout=240)
    out = done.stdout
    assert done.returncode == 0, f"exit {done.returncode}\n{out}\n{done.stderr[-3000:]}"
    rows = [line for line in out.splitlines() if re.match(r"^\d inst, T=\d+", line)]
    assert len(rows) == 2, out  # one instance, and two with one killed halfway
    for row in rows:
        figures = row.split()
        assert float(figures[figures.index("yes:") - 6]) > 0, row  # platform CPU ms per application, from /proc
        assert "0 lost, 0 duplicated, 0 extra" in row and " 0 wrong" in row, row
    assert "instance killed halfway: 0 lost, 0 duplicated" in out
    assert "killed instance 2 (SIGKILL)" in done.stderr
    assert out.rstrip().splitlines()[-1] == "targets (exactly once (CPU not judged in --quick)): met"


def _processes_naming(text: str) -> dict[int, str]:
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:  # ended meanwhile
                continue
            if text in cmdline:
                found[int(entry.name)] = cmdline
    return found


def test_a_bench_stopped_with_sigterm_stops_what_it_started(tmp_path: Path) -> None:
    """`kill` (or `timeout`) of a bench once left its platform instances, PostgreSQL and SeaweedFS running."""
    if pg_bin() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL binaries (initdb, pg_ctl) are missing on CI")
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) are not installed")
    import signal
    import tempfile
    import time

    # every temporary directory of the bench in one place its servers' command lines name (PostgreSQL runs as
    # its own user, so the place is open to it, unlike pytest's)
    own = Path(tempfile.mkdtemp(prefix="ow-sigterm-", dir="/tmp"))
    own.chmod(0o755)
    env = {**os.environ, "TMPDIR": str(own)}
    bench = subprocess.Popen([sys.executable, str(ROOT / "bench" / "platform_load.py"), "--quick"], cwd=ROOT,
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not any("platform serve" in c for c in _processes_naming(str(own)).values()):
            assert bench.poll() is None, bench.stderr.read() if bench.stderr else ""
            assert time.monotonic() < deadline, "no platform instance started"
            time.sleep(0.2)
        started = _processes_naming(str(own))
        kinds = {kind for kind in ("platform serve", "postgres", "weed") for c in started.values() if kind in c}
        assert {"platform serve", "postgres"} <= kinds, started
        bench.send_signal(signal.SIGTERM)
        assert bench.wait(timeout=120) == 128 + signal.SIGTERM
        deadline = time.monotonic() + 30  # PostgreSQL's postmaster ends a moment after `pg_ctl stop` returns
        while _processes_naming(str(own)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _processes_naming(str(own)) == {}
    finally:
        if bench.poll() is None:
            bench.kill()
            bench.wait()
        for pid in _processes_naming(str(own)):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        shutil.rmtree(own, ignore_errors=True)
