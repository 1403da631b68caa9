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


def test_a_scanner_driver_that_never_returns_does_not_hold_the_card_reader() -> None:
    """A SANE backend can wait for ever in `sane_cancel` (see kiosk.devices.thread): the citizen's identity card is
    still read, on its own thread, while the scanner's thread is stuck."""
    from kiosk.devices.base import ScanSettings
    from kiosk.devices.fake import RecordingScanner
    from kiosk.devices.id_card_reader import FakeIdCardReader, IdCardData
    from kiosk.devices.thread import ID_CARDS

    stuck, release = threading.Event(), threading.Event()

    class WedgedScanner(RecordingScanner):
        def _scan(self, settings: ScanSettings) -> list:
            stuck.set()
            release.wait(60)  # the driver's call that does not come back
            return []

    scanner = WedgedScanner()
    reader = FakeIdCardReader([IdCardData("张三", "11010519491231002X")])
    try:
        pending = scanner.scan()
        assert stuck.wait(10)
        assert reader.read().result(timeout=5).id_number == "11010519491231002X"
        assert not pending.done()
        assert reader._thread is device_thread(ID_CARDS) and scanner._thread is device_thread()
        assert reader._thread.ident != scanner._thread.ident
    finally:
        release.set()
    assert pending.result(timeout=10) == []


def test_the_window_stops_every_kind_of_device_thread_at_exit() -> None:
    from kiosk.devices.thread import ID_CARDS
    from ui.lifecycle import _stop_device_thread

    threads = [device_thread(), device_thread(ID_CARDS)]
    assert [t.call(lambda: "up", timeout=5) for t in threads] == ["up", "up"]
    assert _stop_device_thread()
    assert not any(t._thread.is_alive() for t in threads)
    assert device_thread() is not threads[0]  # a later use starts a fresh one
