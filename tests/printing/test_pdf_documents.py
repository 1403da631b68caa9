"""A4 documents: real PDFs, read back with pdftotext and rendered with pdftoppm."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.cli import EXIT_INVALID, EXIT_OK, EXIT_PENDING, main
from kiosk.store.models import ApplicationMaterial, AuditEntry
from kiosk.terminal import Terminal
from printing.errors import DocumentUnavailable
from printing.pdf import fonts as pdf_fonts
from printing.pdf.documents import build_document
from printing.queue import PRINTED, enqueue_document, process_pending
from printing.records import find_application
from tests.printing.conftest import NAME, RARE, accept_case


def _pdf(terminal: Terminal, key: str, kind: str, lang: str = "zh", missing=None) -> bytes:
    catalog = terminal.catalog
    with terminal.store.transaction() as session:
        return build_document(kind, find_application(session, key), terminal.settings, catalog, lang=lang,
                              missing=missing)


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout


@pytest.mark.parametrize("kind", ["form", "acceptance", "receipt_copy"])
def test_documents_extract_chinese_and_the_rare_character(terminal: Terminal, submitted, tmp_path: Path,
                                                          kind: str) -> None:
    if kind == "acceptance":
        accept_case(terminal, submitted.id)
    pdf = _pdf(terminal, submitted.receipt_no, kind, lang="en")
    assert pdf.startswith(b"%PDF") and b"/FontFile2" in pdf  # TrueType embedded
    text = _text(pdf, tmp_path)
    assert NAME in text and RARE in text
    for expected in (submitted.receipt_no, "西湖区政务服务中心", "居民身份证换领", "1101**********002X",
                     "第1页", "Page1of"):
        assert expected in text.replace(" ", ""), expected
    assert "11010519491231002X" not in text


def test_form_lists_every_field_and_material(terminal: Terminal, submitted, tmp_path: Path) -> None:
    text = _text(_pdf(terminal, submitted.id, "form"), tmp_path)
    for expected in ("有效期满", "2004-01-01", "窗口领取", "浙江省杭州市西湖区文三路100号", "原居民身份证", "居民户口簿",
                     "居民身份证数码照片回执", "申请人签字"):
        assert expected in text, expected


def test_rare_character_needs_the_tounicode_fix(terminal: Terminal, submitted, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """reportlab's own CMap writes <20BB7> for 𠮷; pdftotext then cannot give the character back."""
    from reportlab.pdfbase import ttfonts

    pdf_fonts.setup_fonts()
    monkeypatch.setattr(pdf_fonts, "install_tounicode_fix", lambda: None)
    monkeypatch.setattr(ttfonts, "makeToUnicodeCMap", pdf_fonts.REPORTLAB_TOUNICODE)
    broken = _text(_pdf(terminal, submitted.id, "receipt_copy"), tmp_path)
    assert RARE not in broken and "张" in broken
    monkeypatch.setattr(ttfonts, "makeToUnicodeCMap", pdf_fonts.to_unicode_cmap)
    assert RARE in _text(_pdf(terminal, submitted.id, "receipt_copy"), tmp_path)
    assert "<D842DFB7>" in pdf_fonts.to_unicode_cmap("X", [0x20BB7])
    assert "<5F20>" in pdf_fonts.to_unicode_cmap("X", [ord("张")])


def test_supplement_names_each_missing_material(terminal: Terminal, submitted, tmp_path: Path) -> None:
    with pytest.raises(DocumentUnavailable):  # nothing marked missing yet
        _pdf(terminal, submitted.id, "supplement")
    with terminal.store.transaction() as session:
        for m in session.scalars(select(ApplicationMaterial).where(ApplicationMaterial.application_id == submitted.id)):
            if m.material_code in ("household_register", "photo_receipt"):
                m.review_state, m.review_note = "missing", f"{m.name_zh}复印件不清晰，请提交原件"
    text = _text(_pdf(terminal, submitted.id, "supplement", lang="en"), tmp_path)
    assert "居民户口簿" in text and "居民户口簿复印件不清晰" in text and "居民身份证数码照片回执" in text
    assert "Household Register Booklet" in text
    assert "原居民身份证" not in text.split("申请信息")[0]  # only the missing ones are listed
    explicit = _text(_pdf(terminal, submitted.id, "supplement", missing=[
        {"name_zh": "委托书", "note": "需本人签字"}]), tmp_path)
    assert "委托书" in explicit and "需本人签字" in explicit and "居民户口簿复印件" not in explicit


def test_pages_render_to_png(terminal: Terminal, submitted, tmp_path: Path) -> None:
    path = tmp_path / "form.pdf"
    path.write_bytes(_pdf(terminal, submitted.id, "form", lang="en"))
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(path), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert pages and all(p.stat().st_size > 5000 for p in pages)
    total = len(pages)
    text = _text(path.read_bytes(), tmp_path)
    assert f"共{total}页" in text.replace(" ", "")


def test_cli_saves_pdfs_and_audits(terminal: Terminal, submitted, home: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out" / "receipt.pdf"
    assert main(["--home", str(home), "print", "receipt", "--application", submitted.receipt_no,
                 "--pdf", str(out)]) == EXIT_OK
    assert json.loads(capsys.readouterr().out)["kind"] == "receipt_copy"
    assert RARE in _text(out.read_bytes(), tmp_path)
    assert main(["--home", str(home), "print", "supplement", "--application", submitted.id, "--pdf",
                 str(tmp_path / "s.pdf"), "--missing", "户口簿=缺首页", "--missing", "照片回执"]) == EXIT_OK
    assert "缺首页" in _text((tmp_path / "s.pdf").read_bytes(), tmp_path)
    assert main(["--home", str(home), "print", "supplement", "--application", submitted.id, "--pdf",
                 str(tmp_path / "t.pdf")]) == EXIT_INVALID
    assert "没有需要补正的材料" in capsys.readouterr().err
    with terminal.store.transaction() as session:
        printed = list(session.scalars(select(AuditEntry).where(AuditEntry.action == "printed")))
    assert [e.details["kind"] for e in printed] == ["receipt_copy", "supplement"]


def _fake_lp(tmp_path: Path, exit_code: int = 0) -> Path:
    """A stand-in for CUPS's `lp` on PATH that keeps what it was given (no CUPS server in the sandbox)."""
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    script = bindir / "lp"
    script.write_text(f"#!/bin/sh\necho \"$@\" > {tmp_path}/lp-args\ncat > {tmp_path}/lp-input\n"
                      + ("echo 'request id is Office-7 (1 file(s))'\n" if exit_code == 0 else
                         "echo 'lp: The printer or class does not exist.' >&2\n") + f"exit {exit_code}\n")
    script.chmod(0o755)
    return bindir


def test_documents_go_to_cups(terminal: Terminal, submitted, tmp_path: Path, monkeypatch, home: Path,
                              capsys) -> None:
    monkeypatch.setenv("PATH", f"{_fake_lp(tmp_path)}{os.pathsep}{os.environ['PATH']}")
    accept_case(terminal, submitted.id)
    assert main(["--home", str(home), "print", "acceptance", "--application", submitted.id,
                 "--printer", "cups:Office"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out)["state"] == PRINTED
    assert "-d Office" in (tmp_path / "lp-args").read_text()
    assert "受理通知书" in _text((tmp_path / "lp-input").read_bytes(), tmp_path)
    with terminal.store.transaction() as session:  # "printed" here means: CUPS took it, and the audit says so
        [row] = session.scalars(select(AuditEntry).where(AuditEntry.action == "printed")).all()
        assert row.details["delivery"] == "submitted_to_spooler" and not row.details["confirmed_by_printer"]


def test_cups_refusal_keeps_the_job(terminal: Terminal, submitted, tmp_path: Path, monkeypatch, home: Path,
                                    capsys) -> None:
    monkeypatch.setenv("PATH", f"{_fake_lp(tmp_path, exit_code=1)}{os.pathsep}{os.environ['PATH']}")
    assert main(["--home", str(home), "print", "form", "--application", submitted.id,
                 "--printer", "cups:Nowhere"]) == EXIT_PENDING
    assert "does not exist" in capsys.readouterr().err
    monkeypatch.setenv("PATH", f"{_fake_lp(tmp_path)}{os.pathsep}{os.environ['PATH']}")
    [outcome] = process_pending(terminal, force=True)
    assert outcome.printed and outcome.kind == "form"


def test_real_lp_without_a_cups_server_keeps_the_job(terminal: Terminal, submitted) -> None:
    with terminal.store.transaction() as session:
        enqueue_document(session, submitted.id, "receipt_copy", printer="cups:")
    [outcome] = process_pending(terminal)
    assert outcome.state == "pending" and outcome.error_code == "spooler_failed"


def test_document_for_a_receipt_printer_address_is_refused(terminal: Terminal, submitted, home: Path,
                                                           capsys) -> None:
    assert main(["--home", str(home), "print", "form", "--application", submitted.id,
                 "--printer", "tcp://127.0.0.1:9"]) == EXIT_INVALID
    assert "CUPS" in capsys.readouterr().err


def test_documents_queued_to_a_folder_are_saved_as_pdfs(terminal: Terminal, submitted, tmp_path: Path) -> None:
    from printing.queue import enqueue_document, process_pending

    folder = tmp_path / "notices"
    folder.mkdir()
    with terminal.store.transaction() as session:
        enqueue_document(session, submitted.id, "supplement", printer=f"file:{folder}",
                         missing=[{"name_zh": "居民户口簿", "note": "首页缺失"}])
        enqueue_document(session, submitted.id, "form", printer=f"file:{tmp_path / 'no-such-dir' / 'x.pdf'}")
    outcomes = {o.kind: o for o in process_pending(terminal, force=True)}
    assert outcomes["supplement"].state == "printed" and outcomes["supplement"].details["delivery"] == "saved_to_folder"
    assert outcomes["form"].state != "printed"  # the folder is missing: the job waits, nothing is lost
    saved = list(folder.glob("supplement-*.pdf"))
    assert len(saved) == 1
    text = _text(saved[0].read_bytes(), tmp_path)
    assert "居民户口簿" in text and "首页缺失" in text
