"""The receipt's ESC/POS bytes, decoded by our own decoder: Chinese mode, GB18030, rare glyphs, QR."""
from __future__ import annotations

from escpos.printer import Dummy
from PIL import ImageChops

from kiosk.terminal import Terminal
from printing.receipt.chinese import Run, split_runs, text_columns, wrap
from printing.receipt.content import receipt_content
from printing.receipt.escpos_out import receipt_bytes
from printing.receipt.glyphs import render_glyph
from printing.receipt.layout import QrCode, receipt_blocks
from printing.receipt.model import printer_model
from printing.records import find_application
from tests.printing.conftest import NAME, RARE
from tests.printing.escpos_decoder import decode


def _bytes(terminal: Terminal, receipt_no: str, *, profile: str = "default", paper: int = 80, lang: str = "zh",
           two_byte_set: str = "gb18030") -> bytes:
    catalog = terminal.catalog
    with terminal.store.transaction() as session:
        app = find_application(session, receipt_no)
        content = receipt_content(app, terminal.settings, catalog, lang=lang)
    model = printer_model(profile, paper, two_byte_set)
    return receipt_bytes(receipt_blocks(content, model.columns), model)


def test_runs_keep_punctuation_and_split_out_rare_characters() -> None:
    runs = split_runs(f"A：{NAME}，")
    assert runs == [Run(data="A：张".encode("gb18030")), Run(glyph=RARE), Run(data="，".encode("gb18030"))]
    # a printer with only GB2312 gets GBK-only characters as glyphs too
    assert split_runs("朱镕基", "gb2312")[1] == Run(glyph="镕")
    assert all(not r.glyph for r in split_runs("朱镕基"))


def test_python_escpos_text_alone_would_lose_the_name() -> None:
    """Why we encode ourselves: python-escpos sends 𠮷 as a four-byte GB18030 code without FS &,
    which a printer's two-byte Chinese font reads as two wrong characters."""
    dummy = Dummy()
    dummy.text(NAME)
    assert b"\x1c&" not in dummy.output
    assert RARE.encode("gb18030") in dummy.output and len(RARE.encode("gb18030")) == 4


def test_wrap_fits_columns_and_keeps_closing_punctuation_off_line_starts() -> None:
    text = "居民身份证数码照片回执，居民户口簿（原件），Renewal of Resident Identity Card for elderly applicants"
    for columns in (32, 48):
        lines = wrap(text, columns, indent=2)
        assert all(text_columns(line) <= columns for line in lines)
        assert not any(line.strip()[:1] in "，）" for line in lines)
        assert "".join(l.strip() for l in lines).replace(" ", "") == text.replace(" ", "")


def test_receipt_decodes_to_chinese_text_rare_glyph_and_native_qr(terminal: Terminal, submitted) -> None:
    data = _bytes(terminal, submitted.receipt_no)
    decoded = decode(data)
    assert decoded.kanji_mode_seen and decoded.initialised == 1 and decoded.cuts == 1
    text = decoded.text
    for expected in ("西湖区政务服务中心", "受理回执", "居民身份证换领", submitted.receipt_no, "1101**********002X",
                     "承诺办结日期：" + submitted.promised_date.isoformat(), "原居民身份证（1份，1页）",
                     "居民户口簿（1份，2页）", "扫码或凭回执编号查询办理进度", "大厅地址：", "咨询电话：" + terminal.settings.hall_phone,
                     "领取结果：", "身份证原件"):
        assert expected in text, expected
    assert "?" not in text
    name_line = next(line for line in decoded.lines if "申请人" in "".join(p for p in line if isinstance(p, str)))
    assert [p if isinstance(p, str) else "IMG" for p in name_line] == list("申请人：张") + ["IMG"]
    glyph = name_line[-1]
    assert glyph.kind == "column" and glyph.image.size == (24, 24)
    # it is 𠮷 as Hanazono draws it, not a box and not another character
    assert glyph.ink > 40
    assert ImageChops.difference(glyph.image.convert("L"), render_glyph(RARE).convert("L")).getbbox() is None
    other = render_glyph("\U00020000")
    assert ImageChops.difference(glyph.image.convert("L"), other.convert("L")).getbbox() is not None
    assert len(decoded.qr) == 1 and decoded.qr[0].printed
    assert decoded.qr[0].payload.decode() == f"https://zwfw.example.gov.cn/status/{submitted.receipt_no}"
    assert not decoded.rasters
    assert len(data) <= 2048


def test_58mm_lines_fit_32_columns(terminal: Terminal, submitted) -> None:
    decoded = decode(_bytes(terminal, submitted.receipt_no, paper=58, lang="en"))
    for line in decoded.lines:
        width = sum(2 if isinstance(p, object) and not isinstance(p, str) else text_columns(p) for p in line)
        assert width <= 32, line
    assert "Materials received" in decoded.text and "Receipt number" in decoded.text


def test_profile_without_qr_or_column_images_gets_rasters(terminal: Terminal, submitted) -> None:
    decoded = decode(_bytes(terminal, submitted.receipt_no, profile="POS-5890", paper=58))
    assert not decoded.qr  # POS-5890 has no native QR
    assert len(decoded.rasters) == 2  # the name line and the QR code
    name_raster, qr_raster = decoded.rasters
    assert name_raster.image.size == (384, 30) and name_raster.ink > 100
    assert qr_raster.image.width == 384 and qr_raster.image.height > 100
    assert not any("申请人" in line for line in decoded.text_lines)
    assert "回执编号" in decoded.text


def test_gb2312_printer_draws_gbk_only_characters(terminal: Terminal) -> None:
    from tests.printing.conftest import submit_example

    result = submit_example(terminal, name="朱镕基")
    decoded = decode(_bytes(terminal, result.receipt_no, two_byte_set="gb2312"))
    line = next(l for l in decoded.lines if l and l[0] == "申")
    assert [p if isinstance(p, str) else "IMG" for p in line] == list("申请人：朱") + ["IMG", "基"]
    decoded = decode(_bytes(terminal, result.receipt_no))
    assert "申请人：朱镕基" in decoded.text_lines


def test_blocks_carry_the_progress_payload(terminal: Terminal, submitted) -> None:
    catalog = terminal.catalog
    with terminal.store.transaction() as session:
        content = receipt_content(find_application(session, submitted.id), terminal.settings, catalog)
    qr = [b for b in receipt_blocks(content, 48) if isinstance(b, QrCode)]
    assert qr == [QrCode(terminal.settings.status_url(submitted.receipt_no))]
