"""Printer addresses, status bytes and the transports that need no network."""
from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.terminal import Terminal
from printing.drivers import open_printer
from printing.errors import PrinterUnreachable, PrinterUriInvalid
from printing.queue import PRINTED, enqueue_receipt, process_pending
from printing.receipt.model import UnknownProfile, printer_model
from printing.status import PrinterStatus, is_status_byte
from printing.uri import parse_printer_uri
from tests.printing.escpos_decoder import decode


def test_uris() -> None:
    tcp = parse_printer_uri("tcp://192.0.2.7")
    assert (tcp.scheme, tcp.target, tcp.port) == ("tcp", "192.0.2.7", 9100)
    assert parse_printer_uri("tcp://printer.local:9101?timeout=2").options == {"timeout": "2"}
    usb = parse_printer_uri("usb:04b8:0202")
    assert (usb.vendor_id, usb.product_id) == (0x04B8, 0x0202)
    serial = parse_printer_uri("serial:/dev/ttyS0?baudrate=19200")
    assert serial.target == "/dev/ttyS0" and serial.options["baudrate"] == "19200"
    assert parse_printer_uri("serial:/dev/ttyUSB0").options["baudrate"] == "9600"
    assert parse_printer_uri("file:/dev/usb/lp0").target == "/dev/usb/lp0"
    assert parse_printer_uri("file:///tmp/x").target == "/tmp/x"
    assert parse_printer_uri("cups:Office").target == "Office" and not parse_printer_uri("cups:").is_receipt_printer


@pytest.mark.parametrize("uri", ["", "lpt1", "http://x", "tcp://", "tcp://h:99999", "usb:04b8", "usb:xyz:1",
                                 "usb:1ffff:1", "serial:ttyS0", "serial:/dev/ttyS0?baudrate=1234", "file:rel/path",
                                 "fake:"])
def test_bad_uris(uri: str) -> None:
    with pytest.raises(PrinterUriInvalid) as info:
        parse_printer_uri(uri)
    assert info.value.resultcode == 10 and info.value.message.zh and info.value.message.en


def test_status_bytes() -> None:
    assert is_status_byte(0x12) and not is_status_byte(0x00) and not is_status_byte(0xFF)
    assert PrinterStatus(0x12, 0x12, 0x12).ready
    assert PrinterStatus(0x12, 0x12, 0x1E).paper_near_end and PrinterStatus(0x12, 0x12, 0x1E).ready
    assert PrinterStatus(0x1A, 0x32, 0x72).reasons == ("paper_out",)
    assert PrinterStatus(0x1A, 0x16, 0x12).reasons == ("cover_open",)
    assert PrinterStatus(0x1A, 0x52, 0x12).reasons == ("error",)
    assert PrinterStatus(0x1A, None, None).reasons == ("offline",)
    unknown = PrinterStatus()
    assert not unknown.known and unknown.ready


def test_file_transport_writes_the_receipt(terminal: Terminal, submitted, tmp_path: Path) -> None:
    out = tmp_path / "lp0"
    with terminal.store.transaction() as session:
        enqueue_receipt(session, submitted.id, printer=f"file:{out}")
    [outcome] = process_pending(terminal)
    assert outcome.state == PRINTED
    # a file cannot answer status: "printed" means every byte was written, and the outcome says only that
    assert outcome.details["delivery"] == "written_to_device" and not outcome.details["confirmed_by_printer"]
    decoded = decode(out.read_bytes())
    assert submitted.receipt_no in decoded.text and decoded.status_queries == []


def test_a_printer_declared_mute_is_not_asked_and_counts_as_written(terminal: Terminal, submitted) -> None:
    from tests.printing.printer_server import PrinterServer

    mute = PrinterServer(answers=None)  # an RS-232 line with no return wire behaves like this
    try:
        with terminal.store.transaction() as session:
            enqueue_receipt(session, submitted.id, printer=mute.uri + "&status=none")
        [outcome] = process_pending(terminal)
        assert outcome.state == PRINTED and outcome.details["delivery"] == "written_to_device"
        decoded = decode(mute.wait_jobs(1)[0])
        assert decoded.status_queries == [] and submitted.receipt_no in decoded.text
    finally:
        mute.stop()


def test_status_after_the_job_says_ready_silent_or_what_is_wrong(terminal: Terminal) -> None:
    from printing.drivers.fake import FakePrinter

    fake = FakePrinter.named("settle")
    try:
        with fake:
            assert fake.status_after_job().ready  # settle 0 for the fake: one look
            fake.answers = {}
            assert not fake.status_after_job().known
            fake.set_paper_out()
            assert fake.status_after_job().reasons == ("paper_out",)
    finally:
        FakePrinter.forget_all()


def test_file_transport_to_a_missing_directory_stays_pending(terminal: Terminal, submitted, tmp_path: Path) -> None:
    with terminal.store.transaction() as session:
        enqueue_receipt(session, submitted.id, printer=f"file:{tmp_path}/no/such/dir/lp0")
    [outcome] = process_pending(terminal)
    assert outcome.state == "pending" and outcome.error_code == "printer_unreachable"


@pytest.mark.parametrize("uri", ["serial:/dev/ttyNOSUCHDEVICE?baudrate=9600", "usb:04b8:0e15"])
def test_absent_serial_and_usb_printers_are_unreachable(uri: str) -> None:
    with pytest.raises(PrinterUnreachable):
        open_printer(uri, timeout=1).open()


def test_profiles() -> None:
    assert printer_model("TM-T88V", 80).columns == 42
    assert printer_model("default", 58).columns == 32 and printer_model("default", 80).columns == 48
    assert not printer_model("POS-5890", 58).native_qr
    with pytest.raises(UnknownProfile):
        printer_model("No-Such-Printer", 80)


def test_unknown_profile_fails_the_job_not_forever(terminal: Terminal, submitted) -> None:
    with terminal.store.transaction() as session:
        enqueue_receipt(session, submitted.id, printer="fake:p", profile="No-Such-Printer")
    [outcome] = process_pending(terminal)
    assert outcome.state == "failed" and outcome.error_code == "printer_profile"
    assert process_pending(terminal, force=True) == []


def test_screen_previews(terminal: Terminal, submitted) -> None:
    import io

    from PIL import Image

    from printing.preview import qr_png, receipt_preview_png

    preview = Image.open(io.BytesIO(receipt_preview_png(terminal, submitted.receipt_no)))
    assert preview.width == 576 and preview.height > 600
    qr = Image.open(io.BytesIO(qr_png("https://zwfw.example.gov.cn/progress?r=" + submitted.receipt_no)))
    assert qr.width == qr.height and qr.width > 200
