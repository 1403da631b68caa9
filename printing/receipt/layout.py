"""The receipt as a list of blocks (lines, rules, a QR code), fitted to the paper's columns.

Columns count 12-dot cells: 32 on 58 mm paper, 48 on 80 mm; a Chinese
character takes two. English is added beside the Chinese when the terminal
is set to English, never instead of it (staff read the Chinese).
"""
from __future__ import annotations

from dataclasses import dataclass

from kiosk import glossary as g
from kiosk.errors import Message
from kiosk.licences.model import REUSED_LABEL
from printing.receipt.chinese import text_columns, wrap
from printing.receipt.content import ReceiptContent


@dataclass(frozen=True)
class Line:
    text: str
    align: str = "left"  # left | center
    bold: bool = False
    double: bool = False
    magnify: int = 1  # 1..8: GS ! character size for ASCII (a ticket's number); overrides `double`

    @property
    def scale(self) -> int:
        return self.magnify if self.magnify > 1 else (2 if self.double else 1)


@dataclass(frozen=True)
class Rule:
    char: str = "-"


@dataclass(frozen=True)
class QrCode:
    payload: str


@dataclass(frozen=True)
class Feed:
    lines: int = 1


Block = Line | Rule | QrCode | Feed


def _lines(text: str, columns: int, *, indent: int = 0, **style: object) -> list[Block]:
    return [Line(t, **style) for t in wrap(text, columns, indent)]  # type: ignore[arg-type]


def _dotted(label: str, identifier: str, columns: int, *, indent: int) -> list[Block]:
    """A licence identifier broken only after its dots, so each printed piece is a whole field a person can
    read out or compare; a field longer than a line is cut as any word is."""
    pieces = [p + "." for p in identifier.split(".")]
    pieces[-1] = pieces[-1][:-1]
    lines: list[str] = []
    line = label
    for piece in pieces:
        if text_columns(line + piece) > columns and line.strip() and line != label:
            lines.append(line)
            line = " " * indent
        line += piece
    lines.append(line)
    return [b for text in lines for b in _lines(text, columns, indent=indent)]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def receipt_blocks(c: ReceiptContent, columns: int) -> list[Block]:
    en = c.lang == "en"

    def field(term: Message, value: str, **style: object) -> list[Block]:
        return _lines(f"{g.label(term, c.lang)}：{value}", columns, indent=2, **style)

    def said(message: Message, **style: object) -> list[Block]:
        out = _lines(message.zh, columns, **style)
        return out + (_lines(message.en, columns, **style) if en else [])

    blocks: list[Block] = []
    blocks += _lines(c.hall_zh, columns // 2, align="center", double=True, bold=True)
    if en:
        blocks += _lines(c.hall_en, columns, align="center")
    title = "受理回执" + (" Application Receipt" if en else "")
    if c.reprint:
        title += "（补打）" + (" (reprint)" if en else "")
    blocks += _lines(title, columns, align="center", bold=True)
    blocks.append(Rule())
    blocks += field(g.SERVICE_ITEM, c.item_zh)
    if en and c.item_en != c.item_zh:
        blocks += _lines("  " + c.item_en, columns, indent=2)
    blocks += field(g.RECEIPT_NO, c.receipt_no, bold=True)
    blocks += field(g.APPLICANT, c.applicant_name)
    if c.id_masked:
        blocks += field(g.ID_NO, c.id_masked)
    if c.submitted_at:
        blocks += field(g.SUBMITTED_AT, c.submitted_at.strftime("%Y-%m-%d %H:%M"))
    if c.promised_date:
        blocks += field(g.PROMISED_DATE, c.promised_date.isoformat())
    blocks.append(Rule())
    blocks += _lines("已收材料" + (" Materials received" if en else "") + "：", columns)
    if not c.materials:
        blocks += _lines("  无" + (" (none)" if en else ""), columns)
    for n, m in enumerate(c.materials, 1):
        count = f"（{m.files}份，{m.pages}页）"
        blocks += _lines(f"{n}. {m.name_zh}{count}", columns, indent=3)
        if en:
            blocks += _lines(f"   {m.name_en} ({_count(m.files, 'file')}, {_count(m.pages, 'page')})", columns,
                             indent=3)
    if c.reused:
        blocks += _lines(f"{REUSED_LABEL.zh}" + (f" {REUSED_LABEL.en}" if en else "") + "：", columns)
    for n, r in enumerate(c.reused, 1):
        blocks += _lines(f"{n}. {r.name_zh}（{r.licence_zh}，{r.validity.zh}）", columns, indent=3)
        if en:
            blocks += _lines(f"   {r.name_en} ({r.licence_en}, {r.validity.en})", columns, indent=3)
        blocks += _dotted(f"   证照标识{' ID' if en else ''}：", r.identifier, columns, indent=3)
    for zh, en_name in c.to_hand_in:
        blocks += _lines(f"需到窗口提交：{zh}", columns, indent=2, bold=True)
        if en:
            blocks += _lines(f"  To hand in at the counter: {en_name}", columns, indent=2)
    blocks.append(Rule())
    blocks += said(Message(f"领取结果：{c.collect_with.zh}", f"Collecting the result: {c.collect_with.en}"))
    if c.where is not None:
        blocks += said(Message(f"办理窗口：{c.where.zh}", f"Counter: {c.where.en}"))
    if c.hall_address_zh:
        blocks += said(Message(f"大厅地址：{c.hall_address_zh}", f"Address: {c.hall_address_en or c.hall_address_zh}"))
    if c.hall_phone:
        blocks += said(Message(f"咨询电话：{c.hall_phone}", f"Phone: {c.hall_phone}"))
    blocks.append(Rule())
    blocks.append(QrCode(c.progress_payload))
    blocks += _lines(f"扫码或凭{g.RECEIPT_NO.zh}查询办理进度", columns, align="center")
    if en:
        blocks += _lines("Scan to check progress", columns, align="center")
    blocks += _lines(f"查询网址：{c.progress_site}", columns)
    blocks += _lines(f"也可在大厅{g.KIOSK.zh}输入{g.RECEIPT_NO.zh}查询。", columns)
    if en:
        blocks += _lines(f"Online: {c.progress_site}, or at any self-service kiosk in the hall.", columns)
    blocks.append(Feed(2))
    return blocks


def block_text(blocks: list[Block]) -> str:
    """The receipt's words, for the screen and for tests; the QR code appears as its payload."""
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Line):
            out.append(b.text)
        elif isinstance(b, QrCode):
            out.append(f"[QR {b.payload}]")
    return "\n".join(out)


def widest(blocks: list[Block]) -> int:
    return max((text_columns(b.text) * b.scale for b in blocks if isinstance(b, Line)), default=0)
