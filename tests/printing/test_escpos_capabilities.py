"""python-escpos's printer profiles come from one cache per machine, and its import leaves nothing behind."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

REPORT = """
import json, logging, os, sys, tempfile
import printing.receipt.model  # imports python-escpos's profiles, as every receipt does
import escpos.capabilities as caps
print(json.dumps({"pickle": caps.pickle_path, "profiles": len(caps.CAPABILITIES["profiles"]),
                  "root_handlers": len(logging.getLogger().handlers), "tempdir": tempfile.gettempdir()}))
"""


def _run(tmp_path: Path, cache: Path) -> dict:
    scratch = tmp_path / "tmp"
    scratch.mkdir(exist_ok=True)
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "TMPDIR": str(scratch)}
    env.pop("ESCPOS_CAPABILITIES_PICKLE_DIR", None)
    env.pop("ESCPOS_CAPABILITIES_FILE", None)
    done = subprocess.run([sys.executable, "-c", REPORT], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    report["stderr"] = done.stderr
    report["left_in_tmp"] = sorted(p.name for p in scratch.iterdir())
    return report


def test_the_profiles_are_read_from_one_cache_and_nothing_is_left_in_tmp(tmp_path):
    cache = tmp_path / "cache"
    first = _run(tmp_path, cache)
    pickles = list(cache.glob("onewindow/escpos-capabilities/*/*.capabilities.pickle"))
    assert [str(p) for p in pickles] == [first["pickle"]]
    assert first["left_in_tmp"] == []  # python-escpos's own mkdtemp() went with our private directory
    assert first["root_handlers"] == 0  # its logging.basicConfig() is undone
    assert first["profiles"] > 10
    written = pickles[0].stat().st_mtime_ns
    second = _run(tmp_path, cache)
    assert second["pickle"] == first["pickle"] and second["left_in_tmp"] == []
    assert pickles[0].stat().st_mtime_ns == written  # read, not written again


def test_the_cached_profiles_are_what_python_escpos_reads_from_its_file(tmp_path):
    import importlib.resources

    import yaml

    from printing.escpos_capabilities import _prepared

    directory = _prepared(tmp_path)
    assert directory is not None
    import pickle

    cached = pickle.loads(next(directory.glob("*.capabilities.pickle")).read_bytes())
    text = (importlib.resources.files("escpos") / "capabilities.json").read_text()
    assert cached == yaml.safe_load(text) == json.loads(text)


def test_a_cache_that_cannot_be_written_falls_back_to_python_escpos_and_still_leaves_nothing(tmp_path):
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache directory should be")
    report = _run(tmp_path, blocked)
    assert report["profiles"] > 10
    assert "printer profiles are not cached" in report["stderr"]
    assert not report["pickle"].startswith(str(blocked))
    assert report["left_in_tmp"] == []


def test_a_directory_left_by_a_process_killed_during_the_import_goes_at_the_next_import(tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(gone.stdout)  # a process that has ended (its id is not reused within this test)
    left = scratch / f"onewindow-escpos-{dead}-x1y2z3"
    (left / "tmpabc").mkdir(parents=True)  # as python-escpos's own mkdtemp() leaves it inside ours
    alive = scratch / f"onewindow-escpos-{os.getppid()}-a1b2c3"  # another import running right now
    alive.mkdir()
    not_ours = scratch / "onewindow-escpos-notes"  # no process id in the name: not one of these
    not_ours.mkdir()
    a_file = scratch / f"onewindow-escpos-{dead}-file"
    a_file.write_text("not a directory")
    report = _run(tmp_path, tmp_path / "cache")
    assert report["left_in_tmp"] == sorted([alive.name, not_ours.name, a_file.name])
