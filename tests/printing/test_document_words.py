"""What the notices and the receipt say: only what is true of the case, where and by when, in Chinese words.

Real PDFs read back with pdftotext, real ESC/POS bytes decoded, the real CLI.
"""
from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kiosk import review
from kiosk import staff as staff_accounts
from kiosk.cli import EXIT_INVALID, EXIT_OK, main
from kiosk.errors import UserFacingError
from kiosk.notices import NoticeNotAllowed, supplement_asked_on
from kiosk.print_jobs import enqueue_document
from kiosk.settings import load_settings
from kiosk.store.models import Application, PrintJob
from kiosk.terminal import Terminal
from kiosk.workdays import default_calendar
from printing.errors import DocumentUnavailable
from printing.pdf.documents import build_document
from printing.receipt.content import receipt_content
from printing.receipt.escpos_out import receipt_bytes
from printing.receipt.layout import receipt_blocks
from printing.receipt.model import printer_model
from printing.records import find_application
from tests.printing.conftest import accept_case
from tests.printing.escpos_decoder import decode
from tests.test_glossary_words import english_in, punctuation_in


def _pdf(terminal: Terminal, key: str, kind: str, lang: str = "zh", settings=None) -> bytes:
    with terminal.store.transaction() as session:
        return build_document(kind, find_application(session, key), settings or terminal.settings, terminal.catalog,
                              lang=lang)


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout


def _ask_for_supplement(terminal: Terminal, app_id: str) -> None:
    with terminal.store.transaction() as session:
        staff = staff_accounts.add_staff(session, "words.clerk", "words-pass-1", "clerk", actor="test")
        app = session.get(Application, app_id)
        review.check_material(session, app, "id_card", "valid", staff=staff)
        review.check_material(session, app, "household_register", "missing", staff=staff, reason="户口簿首页缺失")
        review.decide(session, app, "needs_supplement", staff=staff)


def _jobs(terminal: Terminal) -> int:
    with terminal.store.transaction() as session:
        return session.scalar(select(func.count()).select_from(PrintJob)) or 0


def test_no_acceptance_notice_for_a_case_not_accepted(terminal: Terminal, submitted, home: Path, tmp_path: Path,
                                                      capsys) -> None:
    out = tmp_path / "acceptance.pdf"
    assert main(["--home", str(home), "print", "acceptance", "--application", submitted.receipt_no,
                 "--pdf", str(out)]) == EXIT_INVALID
    err = capsys.readouterr().err
    assert "尚未受理，不能出具受理通知书" in err and "has not been accepted" in err and not out.exists()
    folder = tmp_path / "notices"
    folder.mkdir()
    assert main(["--home", str(home), "print", "acceptance", "--application", submitted.id,
                 "--printer", f"file:{folder}"]) == EXIT_INVALID
    assert "尚未受理" in capsys.readouterr().err
    assert _jobs(terminal) == 0 and not list(folder.iterdir())  # nothing queued, nothing written
    with terminal.store.transaction() as session:
        with pytest.raises(NoticeNotAllowed):
            enqueue_document(session, submitted.id, "acceptance", printer=f"file:{folder}")
    with pytest.raises(DocumentUnavailable):
        _pdf(terminal, submitted.id, "acceptance")
    _ask_for_supplement(terminal, submitted.id)  # materials missing: still no acceptance notice
    assert main(["--home", str(home), "print", "acceptance", "--application", submitted.id,
                 "--pdf", str(out)]) == EXIT_INVALID
    assert "需补正材料" in capsys.readouterr().err and not out.exists()


def test_acceptance_notice_once_accepted(terminal: Terminal, submitted, home: Path, tmp_path: Path, capsys) -> None:
    accept_case(terminal, submitted.id)
    out = tmp_path / "acceptance.pdf"
    assert main(["--home", str(home), "print", "acceptance", "--application", submitted.id,
                 "--pdf", str(out)]) == EXIT_OK
    text = _text(out.read_bytes(), tmp_path).replace(" ", "")
    assert "予以受理" in text and "合格" in text and "未审核" not in text.split("已收材料")[1]
    with terminal.store.transaction() as session:  # a case accepted, then a material found wanting
        app = session.get(Application, submitted.id)
        app.materials[0].review_state = "missing"
    with pytest.raises(DocumentUnavailable) as err:
        _pdf(terminal, submitted.id, "acceptance")
    assert "缺少或不合格" in err.value.message.zh


def test_supplement_notice_names_deadline_place_and_phone(terminal: Terminal, submitted, tmp_path: Path) -> None:
    _ask_for_supplement(terminal, submitted.id)
    with terminal.store.transaction() as session:
        asked = supplement_asked_on(session.get(Application, submitted.id))
    due = default_calendar().add_working_days(asked, terminal.settings.supplement_days)
    s = terminal.settings
    text = _text(_pdf(terminal, submitted.id, "supplement"), tmp_path).replace(" ", "").replace("\n", "")
    for expected in (f"{due.year}年{due.month}月{due.day}日", f"{s.supplement_days}个工作日", s.hall_name_zh,
                     s.hall_address_zh, s.hall_phone, "公安户政综合窗口", "居民户口簿", "户口簿首页缺失"):
        assert expected in text, expected
    longer = dataclasses.replace(s, supplement_days=10)
    due10 = default_calendar().add_working_days(asked, 10)
    assert f"{due10.year}年{due10.month}月{due10.day}日" in _text(
        _pdf(terminal, submitted.id, "supplement", settings=longer), tmp_path).replace(" ", "")
    english = _text(_pdf(terminal, submitted.id, "supplement", lang="en"), tmp_path)
    assert due.isoformat() in english and "Household Register" in english


def _receipt_text(terminal: Terminal, key: str, settings=None, lang: str = "zh") -> tuple[str, bytes]:
    settings = settings or terminal.settings
    model = printer_model("default", 80)
    with terminal.store.transaction() as session:
        content = receipt_content(find_application(session, key), settings, terminal.catalog, lang=lang)
    decoded = decode(receipt_bytes(receipt_blocks(content, model.columns), model))
    return decoded.text, decoded.qr[0].payload


def test_receipt_gives_address_phone_what_to_bring_and_the_status_address(terminal: Terminal, submitted) -> None:
    text, qr = _receipt_text(terminal, submitted.id)
    s = terminal.settings
    assert qr.decode() == f"https://zwfw.example.gov.cn/status/{submitted.receipt_no}"
    flat = text.replace("\n", "")
    for expected in ("大厅地址：" + s.hall_address_zh, "咨询电话：" + s.hall_phone, "本回执", "身份证原件",
                     "办理窗口：政务服务中心一楼公安户政综合窗口"):
        assert expected in flat, expected
    other = dataclasses.replace(s, status_url_template="https://gov.example/q?no={receipt_no}&src=qr",
                                hall_phone="0571-12345678")
    text, qr = _receipt_text(terminal, submitted.id, other)
    assert qr.decode() == f"https://gov.example/q?no={submitted.receipt_no}&src=qr" and "0571-12345678" in text


def test_status_and_supplement_settings_are_checked(tmp_path: Path) -> None:
    with pytest.raises(UserFacingError) as err:
        load_settings(tmp_path, status_url_template="https://gov.example/status")
    assert "status_url_template" in err.value.message.zh
    with pytest.raises(UserFacingError):
        load_settings(tmp_path, supplement_days=0)
    assert load_settings(tmp_path, status_url_template="").status_url("X-1") == \
        "https://zwfw.example.gov.cn/progress?r=X-1"


def test_chinese_documents_have_no_english_and_chinese_punctuation(terminal: Terminal, submitted,
                                                                   tmp_path: Path) -> None:
    texts = {"receipt": _receipt_text(terminal, submitted.id)[0]}
    for kind in ("form", "receipt_copy"):
        texts[kind] = _text(_pdf(terminal, submitted.id, kind), tmp_path)
    _ask_for_supplement(terminal, submitted.id)
    texts["supplement"] = _text(_pdf(terminal, submitted.id, "supplement"), tmp_path)
    other = submit_other(terminal)
    accept_case(terminal, other)
    texts["acceptance"] = _text(_pdf(terminal, other, "acceptance"), tmp_path)
    for kind, text in texts.items():
        for line in text.splitlines():
            assert not english_in(line), (kind, line, english_in(line))
            assert not punctuation_in(line), (kind, line)
    assert "未审核" in texts["form"] and "合格" in texts["acceptance"]  # review states in words, never "valid"
    assert "西湖区政务服务中心" in texts["supplement"] and "第1页，共1页" in texts["form"].replace(" ", "")


def submit_other(terminal: Terminal) -> str:
    from tests.printing.conftest import submit_example

    return submit_example(terminal, name="李四").id
