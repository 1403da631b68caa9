"""A temporary directory of the test's own for a walk run in a child process (its TMPDIR)."""
from __future__ import annotations

from pathlib import Path


def scratch(tmp_path: Path) -> Path:
    """What the child leaves in its temporary directory is then found by the test, not lost in /tmp (where
    every run of the walks had left its kiosk home: 766 MB after a day of test runs)."""
    path = tmp_path / "tmp"
    path.mkdir(exist_ok=True)
    return path
