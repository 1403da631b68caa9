"""`bench/platform_load.py --quick` runs end to end: real PostgreSQL, real `platform serve` processes, a
handful of simulated terminals, one instance SIGKILLed halfway, and its exactly-once verdicts.

Only that the bench works is checked here, never its speed: figures belong to the bench's own output.
"""
from __future__ import annotations

import os
import re
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
