"""The one worker process for CPU-heavy work: results and errors come back, and a dead worker is replaced."""
from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool

import pytest

from kiosk.processes import call_here, call_in_process, shutdown_processes


@pytest.fixture(autouse=True)
def _own_pool() -> Iterator[None]:
    shutdown_processes()
    yield
    shutdown_processes()


def _die() -> None:
    os._exit(3)  # what a worker killed by the OOM killer looks like to the pool


def test_work_runs_in_another_process_and_its_errors_come_back() -> None:
    assert call_in_process(os.getpid, timeout=120) != os.getpid()
    with pytest.raises(ZeroDivisionError):
        call_in_process(divmod, 1, 0, timeout=60)
    assert call_here(os.getpid) == os.getpid()


def test_the_worker_asks_for_less_cpu_than_its_window() -> None:
    from kiosk.processes import NICENESS

    assert call_in_process(os.nice, 0, timeout=120) == min(19, os.nice(0) + NICENESS)


def test_a_worker_that_died_is_replaced_for_the_next_call() -> None:
    with pytest.raises(BrokenProcessPool):
        call_in_process(_die, timeout=120)
    assert call_in_process(divmod, 7, 2, timeout=120) == (3, 1)
