"""Fixtures for the set-up tests: the real reference platform, a TCP receipt printer, SANE's test backend."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.devices.conftest import sane_test_backend  # noqa: F401 - a fixture, used by name
from tests.printing.printer_server import PrinterServer
from tests.sync.servers import PlatformServer


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[PlatformServer]:
    server = PlatformServer(tmp_path / "platform")
    yield server
    server.stop()


@pytest.fixture
def printer() -> Iterator[PrinterServer]:
    server = PrinterServer()
    yield server
    server.stop()


def write_config(path: Path, **values: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# set by the hall's IT\n" + "".join(f'{k} = "{v}"\n' for k, v in values.items()), encoding="utf-8")
    return path
