"""The heartbeat's device states and uptimes, read from stand-in /dev, sysfs and /proc trees (no device is
probed: the heartbeat must never compete with the print queue or the device thread for a port)."""
from __future__ import annotations

import os
from pathlib import Path

from kiosk import device_states
from kiosk.heartbeat import camera_state, card_reader_state, printer_state, scanner_state, uptimes


def test_a_usb_scanner_is_there_when_its_node_is(tmp_path: Path) -> None:
    (tmp_path / "bus" / "usb" / "001").mkdir(parents=True)
    (tmp_path / "bus" / "usb" / "001" / "004").touch()
    assert scanner_state("genesys:libusb:001:004", tmp_path)["state"] == "ok"
    assert scanner_state("genesys:libusb:001:005", tmp_path)["state"] == "attention"
    assert scanner_state("net:10.0.0.5:hp", tmp_path)["state"] == "unknown"
    assert scanner_state("", tmp_path) == {"configured": False, "state": "absent", "detail": "no scanner configured"}


def test_cameras_by_their_sysfs_names(tmp_path: Path) -> None:
    assert camera_state("", tmp_path)["state"] == "absent"
    assert camera_state("Doc", tmp_path)["state"] == "attention"  # configured and gone
    (tmp_path / "video0").mkdir()
    (tmp_path / "video0" / "name").write_text("Doc Camera S500\n")
    assert camera_state("doc", tmp_path)["state"] == "ok"
    assert camera_state("default", tmp_path)["detail"] == "1 video device(s): Doc Camera S500"
    assert camera_state("none", tmp_path)["state"] == "absent"


def test_card_reader_port(tmp_path: Path) -> None:
    port = tmp_path / "ttyUSB0"
    assert card_reader_state("serial", str(port))["state"] == "attention"
    port.touch()
    assert card_reader_state("serial", str(port))["state"] == "ok"
    assert card_reader_state("", "")["state"] == "absent"


def test_the_printer_is_what_the_print_queue_last_heard(terminal) -> None:  # type: ignore[no-untyped-def]
    uri = "tcp://192.0.2.10:9100"
    with terminal.store.transaction() as s:
        assert printer_state(uri, device_states.printer_notes(s))["state"] == "unknown"
        device_states.note_printer(s, uri, error_code="printer_not_ready", reasons=("paper_out",))
    with terminal.store.transaction() as s:
        state = printer_state(uri, device_states.printer_notes(s))
        assert (state["state"], state["paper"], state["online"]) == ("attention", "out", True)
        device_states.note_printer(s, uri, error_code="printer_unreachable")
    with terminal.store.transaction() as s:
        state = printer_state(uri, device_states.printer_notes(s))
        assert (state["state"], state["paper"], state["online"]) == ("attention", "unknown", False)
        device_states.note_printer(s, uri, error_code=None)
    with terminal.store.transaction() as s:
        state = printer_state(uri, device_states.printer_notes(s))
        assert (state["state"], state["paper"], state["online"]) == ("ok", "ok", True)
    assert printer_state("", {})["state"] == "absent"


def test_uptimes_from_proc(tmp_path: Path) -> None:
    (tmp_path / "self").mkdir()
    (tmp_path / "uptime").write_text("5000.50 9000.00\n")
    ticks = 100 * 4000  # the process started 4000 s after boot (at 100 ticks a second)
    fields = ["S"] + ["0"] * 18 + [str(ticks)] + ["0"] * 10
    (tmp_path / "self" / "stat").write_text(f"123 (python3 (odd) name) {' '.join(fields)}\n")
    process, boot = uptimes(tmp_path)
    assert boot == 5000.5
    assert process is not None and abs(process - (5000.5 - ticks / os.sysconf("SC_CLK_TCK"))) < 0.2
    assert uptimes(tmp_path / "missing") == (None, None)
