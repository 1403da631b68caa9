"""The hall's A4 documents: application form, acceptance notice, supplement notice, receipt copy.

Every document carries the hall's name, the receipt number, a QR code for
the progress lookup and "page X of Y" on every page. Chinese first; English
follows each label when the terminal is set to English. ID numbers are
masked on paper as on screen.

Two steps: `printing.pdf.facts.document_facts` reads what a document says
from the store, in plain values (a millisecond, inside the caller's
session), and `render_document` lays it out with reportlab (a hundred
milliseconds and more of pure Python, with no session). A window process
runs the second step in its worker process (`kiosk.processes`), where it
cannot keep the GUI thread waiting for Python's lock; `build_document` does
both here.
"""
from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from kiosk import glossary as g
from kiosk.catalog import Catalog
from kiosk.errors import Message
from kiosk.licences.model import REUSED_LABEL
from kiosk.settings import Settings
from kiosk.store.models import Application
from printing.pdf.facts import TITLES, DocumentFacts, document_facts, in_language
from printing.pdf.fonts import markup, setup_fonts

#: the material review states of kiosk.review.MaterialCheck, as a document words them
REVIEW_STATES = {"unchecked": Message("未审核", "not yet checked"), "valid": Message("合格", "accepted"),
                 "missing": Message("缺少，需补正", "missing, to supplement"),
                 "invalid": Message("不合格", "not acceptable")}
UNKNOWN = Message("—", "—")
REUSED_CELL = Message("电子证照，免提交", "licence used, not handed in")  # `REUSED_LABEL`, short for a table cell


class _Styles:
    def __init__(self, font: str) -> None:
        self.body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=15, wordWrap="CJK")
        self.small = ParagraphStyle("small", parent=self.body, fontSize=8.5, leading=11.5)
        self.title = ParagraphStyle("title", parent=self.body, fontSize=18, leading=24, alignment=TA_CENTER)
        self.subtitle = ParagraphStyle("subtitle", parent=self.body, fontSize=10, leading=14, alignment=TA_CENTER,
                                       textColor=colors.HexColor("#333333"))
        self.para = ParagraphStyle("para", parent=self.body, firstLineIndent=21, spaceAfter=3)
        self.heading = ParagraphStyle("heading", parent=self.body, fontSize=12, leading=18, spaceBefore=8,
                                      spaceAfter=4)


def _numbered_canvas(font: str, header: str, lang: str) -> type[Canvas]:
    class NumberedCanvas(Canvas):
        """Holds pages back until the end, so each can say "page X of Y"."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(font, 8.5)
                self.setFillColor(colors.HexColor("#555555"))
                self.drawString(20 * mm, A4[1] - 12 * mm, header)
                footer = f"第 {self._pageNumber} 页，共 {total} 页"
                if lang == "en":
                    footer += f"    Page {self._pageNumber} of {total}"
                self.drawCentredString(A4[0] / 2, 10 * mm, footer)
                super().showPage()
            super().save()

    return NumberedCanvas


class _Qr(Flowable):
    def __init__(self, payload: str, size: float = 30 * mm) -> None:
        super().__init__()
        self.payload, self.size = payload, size
        self.width = self.height = size

    def draw(self) -> None:
        widget = QrCodeWidget(self.payload, barLevel="M")
        x0, y0, x1, y1 = widget.getBounds()
        drawing = Drawing(self.size, self.size, transform=[self.size / (x1 - x0), 0, 0, self.size / (y1 - y0), 0, 0])
        drawing.add(widget)
        drawing.drawOn(self.canv, 0, 0)


class _Doc:
    """Shared parts of every document, bound to one document's facts and one language."""

    def __init__(self, facts: DocumentFacts, settings: Settings) -> None:
        self.facts, self.settings, self.lang = facts, settings, facts.lang
        self.font = setup_fonts()
        self.s = _Styles(self.font)
        self.content = facts.content

    def t(self, zh: str, en: str) -> str:
        return in_language(self.lang, zh, en)

    def term(self, term: Message) -> str:
        return g.label(term, self.lang)

    def p(self, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        return Paragraph(markup(text), style or self.s.body)

    def header(self, kind: str) -> list[Flowable]:
        title = TITLES[kind]
        out: list[Flowable] = [self.p(self.settings.hall_name_zh, self.s.subtitle)]
        if self.lang == "en":
            out.append(self.p(self.settings.hall_name_en, self.s.subtitle))
        out += [Spacer(1, 3 * mm), self.p(title.zh, self.s.title)]
        if self.lang == "en":
            out.append(self.p(title.en, self.s.subtitle))
        out.append(Spacer(1, 5 * mm))
        return out

    def grid(self, rows: list[list[str]], widths: list[float], header: bool = False) -> Table:
        data = [[self.p(c) for c in row] for row in rows]
        table = Table(data, colWidths=widths, repeatRows=1 if header else 0)
        style = [("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#777777")),
                 ("VALIGN", (0, 0), (-1, -1), "TOP"),
                 ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")))
        else:
            style.append(("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F4F4F4")))
        table.setStyle(TableStyle(style))
        return table

    def basics(self) -> list[list[str]]:
        c = self.content
        item_name = c.item_zh + (f"\n{c.item_en}" if self.lang == "en" else "")
        rows = [[self.term(g.RECEIPT_NO), c.receipt_no],
                [self.term(g.SERVICE_ITEM), item_name],
                [self.term(g.APPLICANT), c.applicant_name],
                [self.term(g.ID_NO), c.id_masked],
                [self.term(g.PHONE), self.facts.applicant_phone]]
        if c.submitted_at:
            rows.append([self.term(g.SUBMITTED_AT), c.submitted_at.strftime("%Y-%m-%d %H:%M")])
        if c.promised_date:
            rows.append([self.term(g.PROMISED_DATE), c.promised_date.isoformat()])
        return rows

    def qr_block(self) -> Table:
        text = self.t(f"扫描二维码或凭{g.RECEIPT_NO.zh}查询办理进度", "Scan the code or use the receipt number to check progress")
        cell = self.p(f"{text}\n{self.content.progress_payload}\n{self.content.receipt_no}", self.s.small)
        table = Table([[_Qr(self.content.progress_payload), cell]], colWidths=[34 * mm, 136 * mm])
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
        return table

    def field_rows(self) -> list[list[str]]:
        return [list(row) for row in self.facts.fields]

    def material_rows(self) -> list[list[str]]:
        rows = [[self.t("序号", "No."), self.t("材料名称", "Material"), self.t("必交", "Required"),
                 self.t("文件/页数", "Files/pages"), self.t("审核结果", "Review")]]
        for n, m in enumerate(self.facts.materials, 1):
            state = REVIEW_STATES.get(m.review_state, UNKNOWN)
            name = m.name_zh + (f"\n{m.name_en}" if self.lang == "en" else "")
            files = (REUSED_CELL.zh + (f"\n{REUSED_CELL.en}" if self.lang == "en" else "") if m.licence else
                     self.file_count(m.files, m.pages))
            rows.append([str(n), name, self.t("是", "yes") if m.required else self.t("否", "no"), files,
                         self.t(state.zh, state.en)])
        return rows

    def reused_block(self) -> list[Flowable]:
        """The materials electronic licences stood for, each with its licence's identifier and validity: what
        the citizen did not have to bring, and what staff look up if they must."""
        if not self.content.reused:
            return []
        rows = [[self.t("序号", "No."), self.t("材料名称", "Material"),
                 self.t("电子证照（证照标识）", "Electronic licence (identifier)")]]
        for n, r in enumerate(self.content.reused, 1):
            rows.append([str(n), r.name_zh + (f"\n{r.name_en}" if self.lang == "en" else ""),
                         f"{self.t(r.licence_zh, f'({r.licence_en})')}，{self.t(r.validity.zh, r.validity.en)}"
                         f"\n{r.identifier}"])
        return [KeepTogether([self.p(self.t(REUSED_LABEL.zh, REUSED_LABEL.en), self.s.heading),
                              self.grid(rows, [12 * mm, 44 * mm, 114 * mm], header=True)])]

    def file_count(self, files: int, pages: int) -> str:
        if not files:
            return self.t("未提交", "none")
        return self.t(f"{files}份，{pages}页", f"{files} file(s), {pages} page(s)")

    def contact_rows(self) -> list[list[str]]:
        """Where to come and whom to call: the hall's address and phone, and the item's counter."""
        s, c = self.settings, self.content
        hall = s.hall_name_zh + (f"\n{s.hall_name_en}" if self.lang == "en" else "")
        rows = [[self.t("办理地点", "Hall"), hall]]
        if c.where is not None:
            rows.append([self.t("办理窗口", "Counter"), c.where.zh + (f"\n{c.where.en}" if self.lang == "en" else "")])
        if s.hall_address_zh:
            rows.append([self.t("地址", "Address"),
                         s.hall_address_zh + (f"\n{s.hall_address_en}" if self.lang == "en" and s.hall_address_en else "")])
        if s.hall_phone:
            rows.append([self.t("咨询电话", "Phone"), s.hall_phone])
        return rows

    def sign_line(self, who_zh: str, who_en: str) -> Paragraph:
        return self.p(f"{self.t(who_zh, who_en)}：____________________　　"
                      f"{self.t('日期', 'Date')}：______年____月____日")


def _form(d: _Doc) -> list[Flowable]:
    out = d.header("form")
    out.append(d.p(d.t("一、基本信息", "1. Applicant and service"), d.s.heading))
    out.append(d.grid(d.basics(), [45 * mm, 125 * mm]))
    out.append(d.p(d.t("二、申请内容", "2. Application details"), d.s.heading))
    out.append(d.grid(d.field_rows() or [["—", "—"]], [45 * mm, 125 * mm]))
    out.append(d.p(d.t("三、申请材料", "3. Materials"), d.s.heading))
    out.append(d.grid(d.material_rows(), [12 * mm, 64 * mm, 26 * mm, 30 * mm, 38 * mm], header=True))
    out += d.reused_block()
    out += [Spacer(1, 6 * mm), d.p(d.t("本人承诺所填信息及所交材料真实、有效。",
                                       "I declare that the information and materials given are true and valid.")),
            Spacer(1, 8 * mm), d.sign_line("申请人签字", "Applicant's signature"), Spacer(1, 8 * mm), d.qr_block()]
    return out


def _acceptance(d: _Doc) -> list[Flowable]:
    c = d.content
    when = c.submitted_at.strftime("%Y年%m月%d日") if c.submitted_at else ""
    promised = c.promised_date.strftime("%Y年%m月%d日") if c.promised_date else "—"
    out = d.header("acceptance")
    out.append(d.p(f"{c.applicant_name}："))
    out.append(d.p(f"您于{when}提交的“{c.item_zh}”申请（{g.RECEIPT_NO.zh}：{c.receipt_no}），申请材料齐全、符合法定形式，"
                   f"本中心决定予以受理，承诺于{promised}前办结。", d.s.para))
    if d.lang == "en":
        out.append(d.p(f"Your application for “{c.item_en}” (receipt number {c.receipt_no}), submitted on "
                       f"{c.submitted_at.date().isoformat() if c.submitted_at else ''}, is complete and in the form "
                       f"the law requires. It has been accepted and will be completed by "
                       f"{c.promised_date.isoformat() if c.promised_date else '—'}.", d.s.para))
    out.append(d.p(d.t("受理信息", "Details"), d.s.heading))
    out.append(d.grid(d.basics(), [45 * mm, 125 * mm]))
    out.append(d.p(d.t("已收材料", "Materials received"), d.s.heading))
    out.append(d.grid(d.material_rows(), [12 * mm, 64 * mm, 26 * mm, 30 * mm, 38 * mm], header=True))
    out += d.reused_block()
    out.append(d.p(d.t("办理地点与咨询", "Where and whom to ask"), d.s.heading))
    out.append(d.grid(d.contact_rows(), [45 * mm, 125 * mm]))
    out += [Spacer(1, 8 * mm), d.p(f"{d.settings.hall_name_zh}（盖章）"),
            d.p(datetime.now().strftime("%Y年%m月%d日")), Spacer(1, 6 * mm), d.qr_block()]
    return out


def _supplement(d: _Doc) -> list[Flowable]:
    items = d.facts.missing
    c, s = d.content, d.settings
    due = d.facts.supplement_due
    assert due is not None  # document_facts sets it for a supplement notice
    due_zh = f"{due.year}年{due.month}月{due.day}日"
    place = s.hall_name_zh  # the item's counter ("政务服务中心一楼……窗口") inside the hall, then the street address
    if c.where is not None:
        place += c.where.zh.removeprefix(s.hall_name_zh).removeprefix("政务服务中心")
    place += f"（{s.hall_address_zh}）" if s.hall_address_zh else ""
    out = d.header("supplement")
    out.append(d.p(f"{c.applicant_name}："))
    out.append(d.p(f"您提交的“{c.item_zh}”申请（{g.RECEIPT_NO.zh}：{c.receipt_no}）材料不齐全或不符合法定形式，"
                   f"请于{due_zh}前（{s.supplement_days}个工作日内）携带本通知书，到{place}补正下列{len(items)}项材料。"
                   f"补齐后将重新计算办理时限。如有疑问，请致电{s.hall_phone}。", d.s.para))
    if d.lang == "en":
        place_en = s.hall_name_en + (f" ({s.hall_address_en})" if s.hall_address_en else "")
        if c.where is not None:
            place_en = f"{c.where.en}, {place_en}"
        out.append(d.p(f"Your application for “{c.item_en}” (receipt number {c.receipt_no}) is incomplete or not in "
                       f"the required form. Please bring this notice and the {len(items)} material(s) below to "
                       f"{place_en} by {due.isoformat()} ({s.supplement_days} working days); the time limit starts "
                       f"again once they are complete. Questions: {s.hall_phone}.", d.s.para))
    rows = [[d.t("序号", "No."), d.t("需补正的材料", "Material to supplement"), d.t("说明", "What is needed")]]
    for n, m in enumerate(items, 1):
        name = m.name_zh + (f"\n{m.name_en}" if d.lang == "en" and m.name_en else "")
        rows.append([str(n), name, m.note or d.t("请提交该材料", "Please provide this material")])
    out.append(Spacer(1, 3 * mm))
    out.append(d.grid(rows, [12 * mm, 78 * mm, 80 * mm], header=True))
    out.append(d.p(d.t("补正期限与地点", "Deadline and place"), d.s.heading))
    out.append(d.grid([[d.t("补正截止日期", "Deadline"), d.t(due_zh, f"({due.isoformat()})")]] + d.contact_rows(),
                      [45 * mm, 125 * mm]))
    out.append(d.p(d.t("申请信息", "Application"), d.s.heading))
    out.append(d.grid(d.basics(), [45 * mm, 125 * mm]))
    out += [Spacer(1, 8 * mm), d.p(f"{d.settings.hall_name_zh}（盖章）"),
            d.p(datetime.now().strftime("%Y年%m月%d日")), Spacer(1, 6 * mm), d.qr_block()]
    return out


def _receipt_copy(d: _Doc) -> list[Flowable]:
    out = d.header("receipt_copy")
    out.append(d.grid(d.basics(), [45 * mm, 125 * mm]))
    out.append(d.p(d.t("已收材料", "Materials received"), d.s.heading))
    received = [m for m in d.content.materials]
    rows = [[d.t("序号", "No."), d.t("材料名称", "Material"), d.t("文件/页数", "Files/pages")]]
    for n, m in enumerate(received, 1):
        rows.append([str(n), m.name_zh + (f"\n{m.name_en}" if d.lang == "en" else ""), d.file_count(m.files, m.pages)])
    if not received:
        rows.append(["—", d.t("无", "none"), ""])
    out.append(d.grid(rows, [12 * mm, 118 * mm, 40 * mm], header=True))
    out += d.reused_block()
    for zh, en in d.content.to_hand_in:
        out.append(d.p(d.t(f"需到窗口提交：{zh}", f"To hand in at the counter: {en}")))
    out.append(d.p(d.t("领取结果", "Collecting the result"), d.s.heading))
    out.append(d.p(d.t(d.content.collect_with.zh, d.content.collect_with.en)))
    out.append(d.grid(d.contact_rows(), [45 * mm, 125 * mm]))
    out += [Spacer(1, 8 * mm), d.qr_block()]
    return out


def render_document(facts: DocumentFacts, settings: Settings) -> bytes:
    """The PDF bytes: reportlab's layout, no store (the worker process runs it for a window)."""
    d = _Doc(facts, settings)
    story = {"form": _form, "acceptance": _acceptance, "receipt_copy": _receipt_copy,
             "supplement": _supplement}[facts.kind]
    flowables = story(d)
    buf = io.BytesIO()
    title = TITLES[facts.kind]
    receipt_no = facts.content.receipt_no
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=f"{title.zh} {receipt_no}", author=settings.hall_name_zh,
                            subject=title.en, creator="OneWindow")
    header = f"{settings.hall_name_zh}  ·  {title.zh}  ·  {receipt_no}"
    doc.build(flowables, canvasmaker=_numbered_canvas(d.font, header, facts.lang))
    return buf.getvalue()


def build_document(kind: str, app: Application, settings: Settings, catalog: Catalog | None, *, lang: str = "zh",
                   missing: list[dict[str, str]] | None = None) -> bytes:
    """The PDF bytes of one document, made here; raises DocumentUnavailable when it cannot be made."""
    return render_document(document_facts(kind, app, settings, catalog, lang=lang, missing=missing), settings)
