"""SANE's `test` backend, enabled through a config dir of the tests' own (the system dll.conf is left alone)."""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def sane_test_backend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    pytest.importorskip("sane")
    from kiosk.devices import sane_scanner

    conf = tmp_path / "sane.d"
    conf.mkdir()
    (conf / "dll.conf").write_text("test\n")
    system_conf = Path("/etc/sane.d/test.conf")
    if system_conf.is_file():
        shutil.copy(system_conf, conf / "test.conf")
    monkeypatch.setenv("SANE_CONFIG_DIR", str(conf))
    sane_scanner.reset()  # SANE reads its config at init: start afresh with ours
    yield conf
    sane_scanner.reset()
