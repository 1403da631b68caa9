"""Receipts (real ESC/POS bytes, decoded) and A4 documents (real PDFs, read with pdftotext) list the
materials electronic licences stood for (已调用电子证照，免提交, with the identifier) apart from the ones
handed in."""
from __future__ import annotations

import hashlib
import subprocess
import uuid
from datetime import date
from pathlib import Path

import pytest

from kiosk.catalog_store import install_catalog
from kiosk.catalog import Text
from kiosk.licences.identifier import make_identifier
from kiosk.licences.model import LicenceRef
from kiosk.lifecycle import move  # noqa: F401 - used through accept_case
from kiosk.materials.intake import MaterialFile
from kiosk.submission import ApplicationDraft, SubmittedApplication
from kiosk.terminal import Terminal
from printing.pdf.documents import build_document
from printing.receipt.content import receipt_content
from printing.receipt.escpos_out import receipt_bytes
from printing.receipt.layout import receipt_blocks
from printing.receipt.model import printer_model
from printing.records import find_application
from tests.conftest import ID_CARD_ITEM
from tests.helpers.files import jpeg_bytes
from tests.printing.conftest import accept_case
from tests.printing.escpos_decoder import decode
from tests.sync.licence_library import copy_pdf
from tests.sync.test_terminal_licences import ID_TYPE, HOUSEHOLD_TYPE, catalog_with_licence_types

ID_LICENCE = make_identifier(ID_TYPE, "11330000002482457N", "0000001")
HOUSEHOLD_LICENCE = make_identifier(HOUSEHOLD_TYPE, "11330000002482457N", "0000002")


def _ref(identifier: str, type_code: str, name: tuple[str, str], until: date | None, data: bytes) -> LicenceRef:
    return LicenceRef(identifier=identifier, type_code=type_code, type_name=Text(*name), issuer_name="杭州市公安局",
                      valid_until=until, use_id=str(uuid.uuid4()), sha256=hashlib.sha256(data).hexdigest())


@pytest.fixture
def reused(terminal: Terminal) -> SubmittedApplication:
    with terminal.store.transaction() as s:
        install_catalog(s, catalog_with_licence_types(), source="test")
    terminal.reload_catalog()
    app_id = str(uuid.uuid4())
    id_copy, household_copy = copy_pdf(ID_LICENCE, app_id), copy_pdf(HOUSEHOLD_LICENCE, app_id)
    draft = ApplicationDraft(
        service_item=ID_CARD_ITEM, id=app_id,
        applicant={"name": "张三", "id_type": "resident", "id_number": "11010519491231002X", "phone": "13800138000"},
        form={"renewal_reason": "expired", "old_card_expiry": "2004-01-01", "collection_method": "counter",
              "mailing_address": "浙江省杭州市西湖区文三路100号"},
        materials={"id_card": [MaterialFile("id.pdf", id_copy, "application/pdf", 1)],
                   "household_register": [MaterialFile("hk.pdf", household_copy, "application/pdf", 1)],
                   "photo_receipt": [MaterialFile("photo.jpg", jpeg_bytes(seed=5), "image/jpeg", 1)]},
        licences={"id_card": _ref(ID_LICENCE, ID_TYPE, ("居民身份证", "Resident ID card"), None, id_copy),
                  "household_register": _ref(HOUSEHOLD_LICENCE, HOUSEHOLD_TYPE, ("居民户口簿", "Household register"),
                                             date(2031, 5, 1), household_copy)})
    return terminal.submit(draft, channel="kiosk", actor="kiosk:device1")


def _receipt_text(terminal: Terminal, receipt_no: str, *, lang: str, paper: int) -> str:
    with terminal.store.transaction() as session:
        content = receipt_content(find_application(session, receipt_no), terminal.settings, terminal.catalog,
                                  lang=lang)
    model = printer_model("default", paper)
    return decode(receipt_bytes(receipt_blocks(content, model.columns), model)).text


@pytest.mark.parametrize("paper", [58, 80])
def test_receipt_lists_reused_apart_from_received(terminal: Terminal, reused: SubmittedApplication,
                                                  paper: int) -> None:
    text = _receipt_text(terminal, reused.receipt_no, lang="en", paper=paper)
    flat = text.replace("\n", "").replace(" ", "")
    received = text[text.index("已收材料"):text.index("已调用电子证照")]
    assert "居民身份证数码照片回执" in received and "居民户口簿" not in received  # only what was handed in
    after = text[text.index("已调用电子证照，免提交"):]
    assert "Electronic licence used; no need to hand in" in after.replace("\n", " ")
    assert "原居民身份证（居民身份证，长期有效）" in flat and "居民户口簿（居民户口簿，有效期至2031-05-01）" in flat
    assert ID_LICENCE in flat and HOUSEHOLD_LICENCE in flat
    assert "validlong-term" in flat and "validuntil2031-05-01" in flat


def test_receipt_in_chinese_only_has_no_english_lines(terminal: Terminal, reused: SubmittedApplication) -> None:
    text = _receipt_text(terminal, reused.receipt_no, lang="zh", paper=80)
    assert "已调用电子证照，免提交" in text and "no need to hand in" not in text
    assert ID_LICENCE in text.replace("\n", "").replace(" ", "")


def _pdf_text(terminal: Terminal, key: str, kind: str, lang: str, tmp_path: Path) -> str:
    with terminal.store.transaction() as session:
        pdf = build_document(kind, find_application(session, key), terminal.settings, terminal.catalog, lang=lang)
    path = tmp_path / f"{kind}-{lang}.pdf"
    path.write_bytes(pdf)
    # reading order (no -layout): a table cell's lines stay together
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout


@pytest.mark.parametrize("kind", ["form", "acceptance", "receipt_copy"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a4_documents_name_each_reused_licence(terminal: Terminal, reused: SubmittedApplication, tmp_path: Path,
                                               kind: str, lang: str) -> None:
    if kind == "acceptance":
        accept_case(terminal, reused.id)
    text = _pdf_text(terminal, reused.receipt_no, kind, lang, tmp_path)
    flat = text.replace(" ", "").replace("\n", "")
    assert "已调用电子证照，免提交" in flat
    assert ID_LICENCE in flat and HOUSEHOLD_LICENCE in flat
    assert "长期有效" in flat and "有效期至2031-05-01" in flat
    assert ("Electronic licence used" in text) == (lang == "en")
    if kind == "receipt_copy":
        received = flat[flat.index("已收材料"):flat.index("已调用电子证照")]
        assert "居民身份证数码照片回执" in received and "居民户口簿" not in received
