"""The queue ticket on the thermal printer: real ESC/POS bytes read back by our decoder, a real TCP printer.

The ticket comes from the in-memory hall (`tests.helpers.fake_hall`, the
test's edge); everything after issuing is the real print path: the job row,
the claim, the bytes, the printer's status answers, the retry and expiry.
"""
from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image

from kiosk.errors import Message
from kiosk.print_jobs import PrintKind, PrintState, enqueue_ticket
from kiosk.queue.model import Category, IssuedTicket, Priority
from kiosk.settings import load_settings
from kiosk.store.models import PrintJob, utcnow
from kiosk.terminal import Terminal
from kiosk.usecases.ticket_print import no_printer_message, print_ticket, ticket_payload
from printing.preview import ticket_preview_png
from printing.queue import FAILED, PENDING, PRINTED, TICKET_PRINT_WINDOW_MINUTES, process_pending, run_job
from printing.receipt.chinese import text_columns
from printing.receipt.escpos_out import receipt_bytes
from printing.receipt.model import printer_model
from printing.ticket.content import ticket_content
from printing.ticket.layout import number_magnify, ticket_blocks
from tests.helpers.fake_hall import FakeHall
from tests.printing.conftest import RARE, audit_entries, job_row
from tests.printing.escpos_decoder import decode
from tests.printing.printer_server import PAPER_OUT, READY, PrinterServer

LARGEST = 0x77  # GS ! n: 8 times wide, 8 times high


def _terminal(home: Path, printer: str = "") -> Terminal:
    terminal = Terminal.open(load_settings(home, printer=printer))
    terminal.hall = FakeHall()
    return terminal


def _issue(hall: FakeHall, category: str = "A", priority: Priority = Priority.NORMAL, ahead: int = 0) -> IssuedTicket:
    for _ in range(ahead):
        hall.issue(category, Priority.NORMAL)
    return hall.issue(category, priority)


def _bytes(terminal: Terminal, issued: IssuedTicket, *, lang: str = "zh", paper: int = 80,
           profile: str = "default") -> bytes:
    assert isinstance(terminal.hall, FakeHall)
    category = next(c for c in terminal.hall.categories() if c.code == issued.ticket.category)
    payload = {"lang": lang, "ticket": ticket_payload(issued, category)}
    model = printer_model(profile, paper)
    return receipt_bytes(ticket_blocks(ticket_content(payload, terminal.settings), model.columns, model.dots), model)


def test_ticket_bytes_read_back_with_the_number_at_the_largest_size(home: Path) -> None:
    terminal = _terminal(home)
    issued = _issue(terminal.hall, "B", Priority.ELDERLY, ahead=3)  # type: ignore[arg-type]
    data = _bytes(terminal, issued)
    decoded = decode(data)
    assert decoded.kanji_mode_seen and decoded.initialised == 1 and decoded.cuts == 1
    lines = decoded.text_lines
    number_line = lines.index(issued.ticket.number)
    assert issued.ticket.number == "B004"
    assert decoded.line_sizes[number_line] == LARGEST
    # everything else at the normal or double size
    assert all(size in (0x00, 0x11) for n, size in enumerate(decoded.line_sizes) if n != number_line)
    text = decoded.text
    issued_local = issued.ticket.issued_at.astimezone()
    for expected in ("西湖区政务服务中心", "排队号票", "户籍与出入境", "号票类型：老年人优先", "前面等候：3 人",
                     f"预计等候：约 {issued.estimated_wait_minutes} 分钟",
                     f"取号时间：{issued_local:%Y-%m-%d %H:%M}", "扫码查看排队进度", "请保管好本号票。"):
        assert expected in text, expected
    assert "?" not in text and "Queue ticket" not in text  # Chinese only unless the citizen used English
    assert "离线" not in text
    assert len(decoded.qr) == 1 and decoded.qr[0].printed
    assert decoded.qr[0].payload.decode() == issued.status_url
    assert not decoded.rasters


def test_english_kiosk_adds_english_beside_the_chinese_and_soon_for_an_empty_line(home: Path) -> None:
    terminal = _terminal(home)
    issued = _issue(terminal.hall, "A", Priority.APPOINTMENT)  # type: ignore[arg-type]
    text = decode(_bytes(terminal, issued, lang="en")).text
    for expected in ("西湖区政务服务中心", "Xihu District Government Service Center", "排队号票", "Queue ticket",
                     "社会保障", "Social security", "号票类型：预约", "Ticket type: Appointment",
                     "前面等候：0 人", "People ahead of you: 0", "预计等候：很快", "Estimated wait: soon",
                     "Scan to see your place in the line"):
        assert expected in text, expected


@pytest.mark.parametrize(("paper", "number", "magnify"), [(80, "A015", 8), (58, "A015", 8), (58, "A5001", 6),
                                                          (80, "C10001", 8), (58, "C10001", 5)])
def test_the_number_always_fits_the_paper(paper: int, number: str, magnify: int) -> None:
    model = printer_model("default", paper)
    assert number_magnify(number, model.dots) == magnify
    assert text_columns(number) * 12 * magnify <= model.dots


def test_an_offline_ticket_says_so_calmly(home: Path) -> None:
    terminal = _terminal(home)
    terminal.hall.reachable = False  # type: ignore[union-attr]
    issued = _issue(terminal.hall, "C")  # type: ignore[arg-type]
    assert issued.offline
    text = decode(_bytes(terminal, issued, lang="en")).text
    assert "本号由本机在叫号系统暂时离线时发出，照常有效。" in text
    assert "valid as usual" in text


def test_a_rare_character_in_a_line_name_prints_as_a_glyph_never_a_question_mark(home: Path) -> None:
    terminal = Terminal.open(load_settings(home))
    terminal.hall = FakeHall(categories=(Category("D", Message(f"{RARE}家村便民服务", "Village services")),))
    issued = terminal.hall.issue("D", Priority.DISABLED)
    decoded = decode(_bytes(terminal, issued))
    assert "?" not in decoded.text
    assert "\ufffc家村便民服务" in decoded.text_lines
    assert len(decoded.inline_images()) == 1 and decoded.inline_images()[0].ink > 40
    assert "号票类型：残疾人优先" in decoded.text


def test_print_ticket_queues_a_ticket_job_and_prints_it_on_a_real_printer(home: Path) -> None:
    printer = PrinterServer()
    try:
        terminal = _terminal(home, printer.uri)
        issued = _issue(terminal.hall, "A", Priority.ELDERLY, ahead=2)  # type: ignore[arg-type]
        outcome = print_ticket(terminal, issued, actor="kiosk:1", lang="zh")
        assert outcome is not None and outcome.printed and outcome.kind == PrintKind.TICKET
        assert outcome.message() == Message("号票已打印，请取走。", "Your ticket has been printed; please take it.")
        job = job_row(terminal, outcome.job_id)
        assert job.kind == "ticket" and job.application_id is None and job.state == PRINTED
        ticket = job.payload["ticket"]
        assert ticket["number"] == issued.ticket.number == "A003"
        assert (ticket["category_zh"], ticket["category_en"]) == ("社会保障", "Social security")
        assert ticket["priority"] == "elderly" and ticket["people_ahead"] == 2
        assert job.payload["requested_by"] == "kiosk:1"
        [data] = printer.printed_jobs()
        decoded = decode(data)
        assert decoded.line_sizes[decoded.text_lines.index("A003")] == LARGEST
        assert "社会保障" in decoded.text and "号票类型：老年人优先" in decoded.text
        assert [e.details["kind"] for e in audit_entries(terminal, "printed")] == ["ticket"]
    finally:
        printer.stop()


def test_out_of_paper_keeps_the_number_and_the_job_prints_when_paper_is_back(home: Path) -> None:
    printer = PrinterServer(answers=dict(PAPER_OUT))
    try:
        terminal = _terminal(home, printer.uri)
        issued = _issue(terminal.hall, "B")  # type: ignore[arg-type]
        outcome = print_ticket(terminal, issued, actor="kiosk:1")
        assert outcome is not None and outcome.state == PrintState.PENDING and not outcome.printed
        said = outcome.message()
        assert issued.ticket.number in said.zh and issued.ticket.number in said.en
        assert "不会丢失" in said.zh and "will not be lost" in said.en
        assert printer.printed_jobs() == []
        assert issued.ticket.ticket_id in terminal.hall.tickets  # type: ignore[union-attr]  # issued all the same
        printer.answers = dict(READY)  # paper refilled
        [again] = process_pending(terminal, force=True)
        assert again.job_id == outcome.job_id and again.state == PRINTED
        assert issued.ticket.number in decode(printer.printed_jobs()[0]).text_lines
    finally:
        printer.stop()


def test_a_ticket_that_waited_past_its_window_is_never_printed_late(home: Path) -> None:
    printer = PrinterServer(answers=dict(PAPER_OUT))
    try:
        terminal = _terminal(home, printer.uri)
        outcome = print_ticket(terminal, _issue(terminal.hall), actor="kiosk:1")  # type: ignore[arg-type]
        assert outcome is not None and outcome.state == PENDING
        printer.answers = dict(READY)
        later = utcnow() + timedelta(minutes=TICKET_PRINT_WINDOW_MINUTES, seconds=5)
        assert process_pending(terminal, force=True, now=later) == []
        job = job_row(terminal, outcome.job_id)
        assert job.state == FAILED and "号票未能在取号人离开前打印" in (job.last_error or "")
        assert printer.printed_jobs() == []
        assert [e.details["kind"] for e in audit_entries(terminal, "print_expired")] == ["ticket"]
    finally:
        printer.stop()


def test_no_printer_here_queues_nothing_and_says_to_remember_the_number(home: Path) -> None:
    terminal = _terminal(home)
    issued = _issue(terminal.hall)  # type: ignore[arg-type]
    assert print_ticket(terminal, issued, actor="kiosk:1") is None
    with terminal.store.transaction() as session:
        assert session.query(PrintJob).count() == 0
    said = no_printer_message(issued.ticket.number)
    assert "A001" in said.zh and "A001" in said.en


def test_a_ticket_job_that_cannot_be_read_fails_with_a_reason_instead_of_crashing(home: Path) -> None:
    printer = PrinterServer()
    try:
        terminal = _terminal(home, printer.uri)
        with terminal.store.transaction() as session:
            job_id = enqueue_ticket(session, {"number": "A001"}, printer=printer.uri, actor="test").id
        outcome = run_job(terminal, job_id)
        assert outcome is not None and outcome.state == FAILED and outcome.error_code == "ticket_payload"
        assert "号票打印任务内容不完整" in (job_row(terminal, job_id).last_error or "")
        assert printer.printed_jobs() == []
    finally:
        printer.stop()


def test_the_preview_draws_the_ticket_with_the_number_biggest(home: Path) -> None:
    import numpy as np

    terminal = _terminal(home)
    issued = _issue(terminal.hall, "A", ahead=14)  # type: ignore[arg-type]
    payload = {"lang": "zh", "ticket": ticket_payload(issued, terminal.hall.categories()[0])}  # type: ignore[union-attr]
    image = Image.open(io.BytesIO(ticket_preview_png(payload, terminal.settings)))
    assert image.width == 576

    def bands(png: bytes) -> list[int]:
        """Heights of the horizontal bands that hold ink, top to bottom."""
        inked = (np.asarray(Image.open(io.BytesIO(png)).convert("L")) < 128).any(axis=1)
        heights, run = [], 0
        for row in inked:
            if row:
                run += 1
            elif run:
                heights, run = heights + [run], 0
        return heights + ([run] if run else [])

    without_qr = {"lang": "zh", "ticket": {**payload["ticket"], "status_url": ""}}
    heights = bands(ticket_preview_png(without_qr, terminal.settings))
    tallest = max(heights)
    assert tallest >= 100  # the number's digits: an 8 x 8 cell is 192 dots tall
    assert sorted(heights)[-2] <= tallest / 2  # nothing else comes near it (the hall's name is double, ~40)
    assert heights.index(tallest) <= 4  # near the top, after the hall's name, the title and the rule


def test_staff_reprint_a_ticket_that_did_not_print_marked_as_a_reprint(home: Path) -> None:
    from kiosk import staff as staff_accounts
    from kiosk.usecases.print_queue import jobs_needing_staff, reprint_job

    printer = PrinterServer(answers=dict(PAPER_OUT))
    try:
        terminal = _terminal(home, printer.uri)
        issued = _issue(terminal.hall, "C")  # type: ignore[arg-type]
        outcome = print_ticket(terminal, issued, actor="kiosk:1")
        assert outcome is not None and outcome.state == PENDING
        later = utcnow() + timedelta(minutes=TICKET_PRINT_WINDOW_MINUTES + 1)
        process_pending(terminal, force=True, now=later)  # expired: failed, for staff
        with terminal.store.transaction() as session:
            clerk = staff_accounts.add_staff(session, "ticket.clerk", "ticket-pass-1", "clerk", actor="test").id
        [row] = jobs_needing_staff(terminal, clerk)
        assert row.kind == PrintKind.TICKET and row.kind_label.zh == "排队号票"
        printer.answers = dict(READY)  # the citizen came to the counter and asks for the paper
        decision = reprint_job(terminal, clerk, outcome.job_id)
        assert decision.printed is not None and decision.printed.printed
        decoded = decode(printer.printed_jobs()[0])
        assert "排队号票（补打）" in decoded.text and issued.ticket.number in decoded.text_lines
    finally:
        printer.stop()
