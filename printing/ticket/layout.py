"""A queue ticket as blocks for the thermal printer: the number as large as the printer prints, then the rest.

Like the receipt, Chinese always, English beside it when the citizen used
the kiosk in English. The number is the one thing read from across a hall,
so it uses the printer's largest character size (GS ! up to 8 x 8) that
still fits the paper's width.
"""
from __future__ import annotations

from printing.receipt.chinese import text_columns, wrap
from printing.receipt.layout import Block, Feed, Line, QrCode, Rule
from printing.ticket.content import TicketContent

MAX_MAGNIFY = 8  # ESC/POS character size: 1..8 times in width and height
CELL = 12  # dots of a half-width cell at size 1


def number_magnify(number: str, dots: int) -> int:
    """The largest size at which `number` fits on one line of `dots` printable dots."""
    width = max(1, text_columns(number)) * CELL
    return max(1, min(MAX_MAGNIFY, dots // width))


def _lines(text: str, columns: int, **style: object) -> list[Block]:
    return [Line(t, **style) for t in wrap(text, columns)]  # type: ignore[arg-type]


def _wait(c: TicketContent) -> tuple[str, str]:
    if c.wait_minutes <= 0:
        return "很快", "soon"
    return f"约 {c.wait_minutes} 分钟", f"about {c.wait_minutes} min"


def ticket_blocks(c: TicketContent, columns: int, dots: int) -> list[Block]:
    en = c.lang == "en"

    def both(zh: str, english: str, **style: object) -> list[Block]:
        return _lines(zh, columns, **style) + (_lines(english, columns, **style) if en else [])

    blocks: list[Block] = []
    blocks += _lines(c.hall_zh, columns // 2, align="center", double=True, bold=True)
    if en:
        blocks += _lines(c.hall_en, columns, align="center")
    blocks += both("排队号票" + ("（补打）" if c.reprint else ""), "Queue ticket" + (" (reprint)" if c.reprint else ""),
                   align="center", bold=True)
    blocks.append(Rule())
    blocks.append(Line(c.number, align="center", bold=True, magnify=number_magnify(c.number, dots)))
    blocks += _lines(c.category_zh, columns // 2, align="center", double=True, bold=True)
    if en and c.category_en != c.category_zh:
        blocks += _lines(c.category_en, columns, align="center")
    label = c.priority_label
    blocks += both(f"号票类型：{label.zh}", f"Ticket type: {label.en}", align="center", bold=True)
    blocks.append(Rule())
    wait_zh, wait_en = _wait(c)
    blocks += both(f"前面等候：{c.people_ahead} 人", f"People ahead of you: {c.people_ahead}")
    blocks += both(f"预计等候：{wait_zh}", f"Estimated wait: {wait_en}")
    blocks += both(f"取号时间：{c.issued_at:%Y-%m-%d %H:%M}", f"Issued: {c.issued_at:%Y-%m-%d %H:%M}")
    if c.offline:
        blocks += both("本号由本机在叫号系统暂时离线时发出，照常有效。",
                       "Issued by this kiosk while the queue server was out of reach; valid as usual.")
    blocks.append(Rule())
    if c.status_url:
        blocks.append(QrCode(c.status_url))
        blocks += both("扫码查看排队进度", "Scan to see your place in the line", align="center")
    blocks += both("请留意叫号屏和语音叫号，叫到号时请到对应窗口。",
                   "Watch the call board and listen for your number, then go to the counter it names.")
    blocks += both("请保管好本号票。", "Please keep this ticket.")
    blocks.append(Feed(2))
    return blocks
