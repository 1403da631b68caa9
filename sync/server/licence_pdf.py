"""The licence library's PDFs: a licence's page, and the annotated copy (加注件) made for one use.

reportlab with the CJK TrueType font shipped in assets/fonts (the platform cannot import `printing`, a sibling
layer, so it registers the font itself). `invariant` output: the same licence renders to the same bytes, so
a signature over a file's SHA-256 means one page. The copy is the licence's page with a diagonal watermark
drawn over it, in Chinese and English, naming the service item, the date and the application: a copy taken
for one application is worthless for another.
"""
from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph, Spacer, Table, TableStyle

from kiosk.assets import asset

FONT = "OneWindowLicenceCJK"
_lock = threading.Lock()


def _font() -> str:
    with _lock:
        if FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(FONT, str(asset("fonts", "wqy-zenhei.ttc")), subfontIndex=0))
    return FONT


@dataclass(frozen=True)
class LicencePage:
    """What a licence's page shows (its GB/T 36903 metadata, labelled in both languages)."""

    type_name_zh: str
    type_name_en: str
    rows: tuple[tuple[str, str, str], ...]  # (label zh, label en, value)


@dataclass(frozen=True)
class Watermark:
    item_zh: str
    item_en: str
    on: date
    application_id: str

    def lines(self) -> tuple[str, ...]:
        """Short lines, so that whole copies of the mark fit the page at an angle."""
        day = self.on.isoformat()
        return (f"仅供办理“{self.item_zh}”使用", f"{day}  申请编号 {self.application_id}",
                f"For “{self.item_en}” only", f"{day}  Application {self.application_id}", "电子证照加注件 / Annotated copy")


@dataclass(frozen=True)
class Rendered:
    data: bytes
    pages: int


def _story(page: LicencePage) -> list[Any]:
    font = _font()
    title = ParagraphStyle("t", fontName=font, fontSize=20, leading=28, alignment=1)
    sub = ParagraphStyle("s", fontName=font, fontSize=12, leading=17, alignment=1, textColor=colors.HexColor("#333333"))
    cell = ParagraphStyle("c", fontName=font, fontSize=11, leading=16)
    label = ParagraphStyle("l", parent=cell, textColor=colors.HexColor("#444444"))
    foot = ParagraphStyle("f", fontName=font, fontSize=9, leading=13, textColor=colors.HexColor("#555555"))
    rows = [[Paragraph(f"{escape(zh)}<br/>{escape(en)}", label), Paragraph(escape(value) or "—", cell)]
            for zh, en, value in page.rows]
    table = Table(rows, colWidths=[52 * mm, 118 * mm])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#888888")),
                               ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                               ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F2F2F2"))]))
    return [Paragraph("电子证照", sub), Paragraph(escape(page.type_name_zh), title),
            Paragraph(escape(page.type_name_en), sub), Spacer(1, 8 * mm), table, Spacer(1, 8 * mm),
            Paragraph("本证照由省电子证照库（参考平台演示库）签发，文件的 SHA-256 由电子证照库的 Ed25519 密钥签名。"
                      "<br/>Issued by the province's electronic licence library (the reference platform's demo "
                      "library); the file's SHA-256 is signed with the library's Ed25519 key.", foot)]


def _draw_watermark(canvas: Canvas, mark: Watermark) -> None:
    """The mark in a staggered grid at 30 degrees, over the page (a mark under the text could be cut out)."""
    canvas.saveState()
    size = 9.5
    canvas.setFont(_font(), size)
    canvas.setFillColor(colors.HexColor("#B00000"))
    canvas.setFillAlpha(0.33)
    width, height = A4
    canvas.translate(width / 2, height / 2)
    canvas.rotate(30)
    lines = mark.lines()
    block = max(canvas.stringWidth(line, _font(), size) for line in lines)
    step_y = size * 1.35 * (len(lines) + 1.2)
    for row in range(-6, 7):
        offset = (block / 2 + 20) * (row % 2)
        for col in range(-3, 4):
            x = col * (block + 40) + offset
            y = row * step_y
            for n, line in enumerate(lines):
                canvas.drawCentredString(x, y - n * size * 1.35, line)
    canvas.restoreState()


def render(page: LicencePage, watermark: Watermark | None = None, *, title: str = "licence") -> Rendered:
    """The licence's page as a PDF; with `watermark`, the annotated copy for one use."""
    out = io.BytesIO()
    pages = 0

    def on_page_end(canvas: Canvas, _doc: Any) -> None:
        nonlocal pages
        pages += 1
        if watermark is not None:
            _draw_watermark(canvas, watermark)

    doc = BaseDocTemplate(out, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=25 * mm,
                          bottomMargin=20 * mm, title=title, author="OneWindow licence library", invariant=1)
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPageEnd=on_page_end)])
    doc.build(_story(page))
    return Rendered(out.getvalue(), pages)
