"""`SerialIdCardReader` against the simulator on a real pseudo-terminal: placements, lifts, failures."""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest

from kiosk.devices.id_card_reader import IdCardError
from kiosk.devices.idcard.serial_reader import SerialIdCardReader
from kiosk.devices.idcard.simulator import RESIDENT_FIELDS, ReaderSimulator
from kiosk.devices.thread import DeviceThread


@pytest.fixture
def thread() -> Iterator[DeviceThread]:
    t = DeviceThread("test-devices")
    yield t
    t.shutdown()


@pytest.fixture
def sim() -> Iterator[ReaderSimulator]:
    with ReaderSimulator() as s:
        yield s


@pytest.fixture
def reader(sim: ReaderSimulator, thread: DeviceThread) -> Iterator[SerialIdCardReader]:
    r = SerialIdCardReader(sim.path, thread=thread, timeout=1.0, read_timeout=0.5, wait=2.0, poll_interval=0.05)
    yield r
    r.close().result(5)


def poll(reader: SerialIdCardReader):  # noqa: ANN201
    return reader.poll().result(10)


def failure(reader: SerialIdCardReader) -> IdCardError:
    with pytest.raises(IdCardError) as caught:
        poll(reader)
    return caught.value


def test_the_simulator_is_a_real_tty():
    with ReaderSimulator() as sim:
        fd = os.open(sim.path, os.O_RDWR | os.O_NOCTTY)
        try:
            assert sim.path.startswith("/dev/pts/") and os.isatty(fd)
        finally:
            os.close(fd)


def test_one_placement_gives_exactly_one_read(sim, reader):
    assert poll(reader) is None  # nothing on the reader
    sim.place("resident")
    card = poll(reader)
    assert card is not None and card.name == "张三" and card.id_number == RESIDENT_FIELDS["id_number"]
    for _ in range(3):  # left lying there: not read again
        assert poll(reader) is None
    assert sim.reads == 1
    sim.lift()
    assert poll(reader) is None
    sim.place("resident")
    assert poll(reader).id_number == RESIDENT_FIELDS["id_number"]
    assert sim.reads == 2
    assert sim.commands.count((0x30, 0x01)) == 2


def test_the_foreigners_card_is_read(sim, reader):
    sim.place("foreigner")
    card = poll(reader)
    assert card.kind == "foreign_permanent" and card.english_name == "SMITH, JOHN"


def test_a_bad_checksum_is_read_failed_once_per_placement(sim, reader):
    sim.place("bad_checksum")
    err = failure(reader)
    assert err.code == "read_failed" and "checksum" in err.detail
    assert "重新放在感应区上" in err.message.zh and "lay it on the reader again" in err.message.en
    assert poll(reader) is None  # no error storm while it lies there; lift and place to try again
    sim.lift()
    assert poll(reader) is None
    sim.place("resident")
    assert poll(reader).name == "张三"


def test_a_card_pulled_away_mid_read_gives_read_failed_not_garbage(sim, reader):
    sim.place("pulled")
    err = failure(reader)
    assert err.code == "read_failed" and "no whole answer" in err.detail
    assert sim.card is None and poll(reader) is None
    sim.place("resident")  # placed again: read afresh, no leftovers of the half answer
    assert poll(reader).id_number == RESIDENT_FIELDS["id_number"]


def test_a_card_with_an_invalid_number_is_refused_with_the_reason(sim, reader):
    sim.place("invalid_number")
    err = failure(reader)
    assert err.code == "invalid_number" and "校验位不正确" in err.message.zh


def test_read_waits_for_a_card_then_reads_it(sim, reader):
    future = reader.read()
    assert not future.done()
    sim.place("resident")
    assert future.result(10).name == "张三"


def test_read_without_a_card_says_no_card(reader):
    with pytest.raises(IdCardError) as caught:
        reader.read().result(10)
    assert caught.value.code == "no_card"


def test_a_port_that_does_not_exist_is_no_device(thread):
    reader = SerialIdCardReader("/dev/does-not-exist-idcard", thread=thread)
    err = failure(reader)
    assert err.code == "no_device" and "阅读器未连接" in err.message.zh


def test_a_silent_port_is_no_device_within_the_timeout(thread):
    master, slave = os.openpty()  # a tty with nothing behind it
    try:
        reader = SerialIdCardReader(os.ttyname(slave), thread=thread, timeout=0.3)
        err = failure(reader)
        assert err.code == "no_device" and "no whole answer" in err.detail
        reader.close().result(5)
    finally:
        os.close(master)
        os.close(slave)


def test_garbage_on_the_line_before_the_answer_is_skipped(sim, reader):
    sim.place("resident")
    original = sim.answer

    def noisy(command):  # noqa: ANN001, ANN202
        return b"\x00\x13\xaa\xaa" + original(command)

    sim.answer = noisy  # type: ignore[method-assign]
    assert poll(reader).name == "张三"


def test_watch_yields_each_placement_once_and_stops(sim, reader):
    stop = threading.Event()
    seen: list[object] = []
    original = sim.answer

    def hand(command):  # noqa: ANN001, ANN202 - once the reader has seen the empty field, the next card goes on
        answer = original(command)
        if command == (0x20, 0x01) and sim.card is None and len(seen) == 1:
            sim.place("bad_checksum")
        return answer

    sim.answer = hand  # type: ignore[method-assign]
    sim.place("resident")

    def run() -> None:
        for item in reader.watch(stop, interval=0.02):
            seen.append(item)
            if len(seen) == 1:
                sim.lift()
            else:
                stop.set()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(20)
    assert not worker.is_alive()
    assert getattr(seen[0], "name", None) == "张三"
    assert isinstance(seen[1], IdCardError) and seen[1].code == "read_failed"
