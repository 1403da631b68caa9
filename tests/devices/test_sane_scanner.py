"""Real libsane with its `test` backend: no hardware, the same calls a real scanner gets."""
from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from PIL import Image

from kiosk.cli import main
from kiosk.devices.base import ScannerError, ScanSettings
from kiosk.devices.thread import device_thread


def test_lists_the_test_backend_devices(sane_test_backend: Path) -> None:
    from kiosk.devices.sane_scanner import list_scanners

    names = [s.name for s in list_scanners()]
    assert "test:0" in names and "test:1" in names
    assert all(s.transport == "sane" for s in list_scanners())


def test_scans_a_grey_page_at_the_asked_resolution_on_the_device_thread(sane_test_backend: Path) -> None:
    from kiosk.devices.sane_scanner import SaneScanner

    scanner = SaneScanner("test:0")
    future = scanner.scan(ScanSettings(dpi=75, colour="grayscale"))
    pages = future.result(timeout=60)
    assert len(pages) == 1
    page = pages[0]
    assert page.image.mode == "L" and page.dpi == 75 and page.source == "scanner"
    # the driver asks for the whole scan area (the pipeline finds the page): 200 mm in the test backend
    assert abs(page.image.width - round(200 / 25.4 * 75)) <= 2
    colour = scanner.scan_now(ScanSettings(dpi=50, colour="colour"))
    assert colour[0].image.mode == "RGB"
    scanner.close().result(timeout=30)


def test_feeder_gives_several_pages(sane_test_backend: Path) -> None:
    from kiosk.devices.sane_scanner import SaneScanner

    scanner = SaneScanner("test:1")
    pages = scanner.scan_now(ScanSettings(dpi=30, source="feeder", max_pages=3))
    assert len(pages) == 3
    scanner.close().result(timeout=30)


def test_an_empty_feeder_becomes_the_documented_error(sane_test_backend: Path) -> None:
    """End to end through libsane: its test backend's feeder runs out at every eleventh `sane_start`.

    Trouble at `sane_start` is used, not its `read-return-value` option: with that option the first `sane_read`
    fails at once and `sane_cancel` cancels the backend's reader thread (asynchronously) while it is still
    starting, in `malloc`; it then dies holding the allocator's lock and the join waits for ever. That hung CI
    once (see kiosk.devices.thread); nothing in this program can make that call return.
    """
    from kiosk.devices.sane_scanner import SaneScanner

    scanner = SaneScanner("test:0")
    pages = scanner.scan_now(ScanSettings(dpi=10, source="feeder", max_pages=10))
    assert len(pages) == 10  # the backend's sheets 1-10
    with pytest.raises(ScannerError) as info:
        scanner.scan_now(ScanSettings(dpi=10, source="feeder"))  # its eleventh start: out of documents
    assert info.value.code == "no_documents"
    assert (info.value.message.zh, info.value.message.en) == (
        "进纸器中没有纸张，请放入材料。", "The document feeder is empty; please load the pages.")
    scanner.close().result(timeout=30)


@pytest.mark.parametrize("status,code", [(6, "jammed"), (7, "no_documents"), (8, "cover_open"), (3, "busy"),
                                         (9, "io_error"), (11, "busy"), (4, "bad_settings"), (1, "bad_settings")])
def test_sanes_own_status_texts_become_documented_errors(status: int, code: str) -> None:
    """python-sane raises its error with libsane's `sane_strstatus` text; each is read from the installed libsane
    (SANE_STATUS_JAMMED = 6 ... in sane.h) and must give its documented code and both languages' message."""
    import ctypes
    import ctypes.util

    _sane = pytest.importorskip("_sane")
    from kiosk.devices.sane_scanner import _error

    libsane = ctypes.CDLL(ctypes.util.find_library("sane") or "libsane.so.1")
    libsane.sane_strstatus.restype = ctypes.c_char_p
    libsane.sane_strstatus.argtypes = [ctypes.c_int]
    text = libsane.sane_strstatus(status).decode()
    error = _error(_sane.error(text))
    assert error.code == code, text
    documented = ScannerError(code, text).message
    assert (error.message.zh, error.message.en) == (documented.zh, documented.en) and documented.zh != documented.en


def test_unknown_device_is_no_device(sane_test_backend: Path) -> None:
    from kiosk.devices.sane_scanner import SaneScanner

    with pytest.raises(ScannerError) as info:
        SaneScanner("nosuch:0").scan_now()
    assert info.value.code == "no_device"


def test_cli_lists_and_scans(sane_test_backend: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {"test:0", "test:1"} <= {d["name"] for d in listed}

    out = tmp_path / "page.png"
    assert main(["scan", "--device", "test:0", "--out", str(out), "--dpi", "60"]) == 0
    with Image.open(out) as img:
        assert img.mode == "L" and round(img.info["dpi"][0]) == 60

    assert main(["scan", "--device", "nosuch:0", "--out", str(out)]) == 2
    assert "scanner was not found" in capsys.readouterr().err


def test_device_calls_do_not_run_on_the_callers_thread(sane_test_backend: Path) -> None:
    from kiosk.devices import sane_scanner

    assert device_thread().call(threading.get_ident) != threading.get_ident()
    assert sane_scanner.list_scanners()  # served by the device thread


def _sigpipe_ignored() -> bool:
    for line in open("/proc/self/status", encoding="ascii"):
        if line.startswith("SigIgn:"):
            return bool(int(line.split()[1], 16) & (1 << 12))  # bit SIGPIPE - 1
    raise AssertionError("no SigIgn line")


def test_a_scan_leaves_sigpipe_ignored_so_a_broken_socket_raises_instead_of_killing(sane_test_backend: Path) -> None:
    """libsane resets SIGPIPE to its default while scanning; a later write to a closed socket killed the process."""
    import socket

    from kiosk.devices.sane_scanner import SaneScanner

    assert _sigpipe_ignored()
    scanner = SaneScanner("test:0")
    scanner.scan_now(ScanSettings(dpi=50, colour="grayscale"))
    scanner.close().result(timeout=30)
    assert _sigpipe_ignored()
    a, b = socket.socketpair()
    b.close()
    with pytest.raises(BrokenPipeError):
        for _ in range(100):
            a.send(b"x" * 65536)
    a.close()
