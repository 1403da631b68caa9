from __future__ import annotations

import threading
import time

import pytest

from kiosk.devices.thread import DeviceThread, device_thread


def test_calls_run_serially_in_order_on_one_thread() -> None:
    worker = DeviceThread()
    seen: list[tuple[int, int]] = []
    active = 0
    overlap = []

    def job(i: int) -> int:
        nonlocal active
        active += 1
        overlap.append(active)
        time.sleep(0.005)
        seen.append((i, threading.get_ident()))
        active -= 1
        return i * 2

    futures = [worker.submit(job, i) for i in range(20)]
    assert [f.result(timeout=10) for f in futures] == [i * 2 for i in range(20)]
    assert [i for i, _ in seen] == list(range(20))
    assert {t for _, t in seen} == {worker.ident}
    assert worker.ident != threading.get_ident()
    assert max(overlap) == 1
    worker.shutdown()


def test_an_exception_reaches_the_caller_and_the_thread_lives_on() -> None:
    worker = DeviceThread()

    def boom() -> None:
        raise ValueError("device said no")

    with pytest.raises(ValueError, match="device said no"):
        worker.call(boom, timeout=10)
    assert worker.call(lambda: 42, timeout=10) == 42
    worker.shutdown()
    with pytest.raises(RuntimeError):
        worker.submit(lambda: 1)


def test_nested_call_from_the_device_thread_does_not_deadlock() -> None:
    worker = DeviceThread()
    assert worker.call(lambda: worker.call(lambda: "inner", timeout=5), timeout=5) == "inner"
    worker.shutdown()


def test_the_process_has_one_default_device_thread() -> None:
    assert device_thread() is device_thread()
