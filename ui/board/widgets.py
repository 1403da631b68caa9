"""The board's pieces: text fitted to its box, the newest call, a row of the recent calls, a line's count.

Everything is sized from the window (a board hangs on walls of every size and both ways round), so
the pieces paint their own text at the largest size that fits rather than taking sizes from a style
sheet: the newest call fills its panel, and nothing is ever cut off or elided.
"""
from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from kiosk.errors import Message
from kiosk.queue.model import Call

BACKGROUND = QColor("#0b1f3a")
PANEL = QColor("#12305a")
TEXT = QColor("#ffffff")
SOFT = QColor("#c9d6ea")  # English lines and captions: 9:1 on the panel
NUMBER = QColor("#ffd54a")  # ticket numbers: 10:1 on the panel
HIGHLIGHT = QColor("#ffd54a")
WARNING_BACK = QColor("#ffd54a")
WARNING_TEXT = QColor("#1a1a1a")


def font_px(base: QFont, px: float, *, bold: bool = False) -> QFont:
    font = QFont(base)
    font.setPixelSize(max(8, int(px)))
    font.setBold(bold)
    return font


def fitted(base: QFont, text: str, width: float, height: float, *, bold: bool = False,
           largest: float = 1000) -> QFont:
    """The largest pixel size at which `text` (one line) fits in width x height."""
    low, high = 8.0, max(8.0, min(largest, height))
    while high - low > 1:
        middle = (low + high) / 2
        metrics = QFontMetricsF(font_px(base, middle, bold=bold))
        if metrics.horizontalAdvance(text) <= width and metrics.height() <= height:
            low = middle
        else:
            high = middle
    return font_px(base, low, bold=bold)


def fitted_wrapped(base: QFont, text: str, width: float, height: float, *, largest: float = 1000) -> QFont:
    """The largest pixel size at which `text`, wrapped at word boundaries, fits in width x height."""
    low, high = 8.0, max(8.0, min(largest, height))
    flags = int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap)
    while high - low > 1:
        middle = (low + high) / 2
        box = QFontMetricsF(font_px(base, middle)).boundingRect(QRectF(0, 0, width, 10_000), flags, text)
        if box.width() <= width and box.height() <= height:
            low = middle
        else:
            high = middle
    return font_px(base, low)


def draw_line(painter: QPainter, rect: QRectF, text: str, colour: QColor, font: QFont,
              align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignCenter) -> None:
    painter.setFont(font)
    painter.setPen(QPen(colour))
    painter.drawText(rect, int(align | Qt.AlignmentFlag.AlignVCenter), text)


class Panel(QWidget):
    """A rounded panel that paints its own contents (`paint_contents`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.unit = 1.0  # the window's scale: 1.0 on a full HD screen
        self.highlighted = False

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(100, 60)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        radius = 18 * self.unit
        rect = QRectF(self.rect()).adjusted(2, 2, -2, -2)
        painter.setBrush(PANEL)
        if self.highlighted:
            painter.setPen(QPen(HIGHLIGHT, max(3.0, 8 * self.unit)))
            rect = rect.adjusted(4 * self.unit, 4 * self.unit, -4 * self.unit, -4 * self.unit)
        else:
            painter.setPen(Qt.PenStyle.NoPen)
        painter.drawRoundedRect(rect, radius, radius)
        pad = 28 * self.unit
        self.paint_contents(painter, rect.adjusted(pad, pad * 0.7, -pad, -pad * 0.7))
        painter.end()

    def paint_contents(self, painter: QPainter, rect: QRectF) -> None:
        raise NotImplementedError

    def title(self, painter: QPainter, rect: QRectF, message: Message) -> QRectF:
        """The panel's heading (Chinese, then English beside it); returns the space left under it."""
        height = 54 * self.unit
        zh_font = font_px(self.font(), 44 * self.unit, bold=True)
        draw_line(painter, QRectF(rect.left(), rect.top(), rect.width(), height), message.zh, SOFT, zh_font,
                  Qt.AlignmentFlag.AlignLeft)
        zh_width = QFontMetricsF(zh_font).horizontalAdvance(message.zh + "  ")
        en_rect = QRectF(rect.left() + zh_width, rect.top(), max(0.0, rect.width() - zh_width), height)
        draw_line(painter, en_rect, message.en, SOFT,
                  fitted(self.font(), message.en, en_rect.width(), 34 * self.unit), Qt.AlignmentFlag.AlignLeft)
        return rect.adjusted(0, height + 14 * self.unit, 0, 0)


class CallPanel(Panel):
    """The newest call, as large as the panel allows: "A015 → 3 号窗口", and its caption in both languages."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.call: Call | None = None
        self.call_px = 0  # the pixel size the call was last painted at
        self.heading = Message("", "")
        self.empty = Message("", "")

    def headline(self) -> str:
        return f"{self.call.number} → {self.call.counter_no} 号窗口" if self.call is not None else ""

    def paint_contents(self, painter: QPainter, rect: QRectF) -> None:
        body = self.title(painter, rect, self.heading)
        base = self.font()
        if self.call is None:
            line = body.height() / 5
            middle = body.top() + body.height() / 2
            draw_line(painter, QRectF(body.left(), middle - line, body.width(), line), self.empty.zh, TEXT,
                      fitted(base, self.empty.zh, body.width(), line * 0.8))
            draw_line(painter, QRectF(body.left(), middle, body.width(), line), self.empty.en, SOFT,
                      fitted(base, self.empty.en, body.width(), line * 0.6))
            return
        caption = self.call.caption()
        caption_h = min(body.height() * 0.16, 70 * self.unit)
        english_h = caption_h * 0.75
        call_h = body.height() - caption_h - english_h - 16 * self.unit
        number, arrow, counter = self.call.number, "  →  ", f"{self.call.counter_no} 号窗口"
        one_line = fitted(base, number + arrow + counter, body.width(), call_h, bold=True)
        two_lines = fitted(base, max(number, "→ " + counter, key=len) + " ", body.width(), call_h / 2, bold=True)
        if two_lines.pixelSize() > one_line.pixelSize() * 1.15:  # a tall panel (portrait): number above counter
            self.call_px = two_lines.pixelSize()
            half = call_h / 2
            draw_line(painter, QRectF(body.left(), body.top(), body.width(), half), number, NUMBER, two_lines)
            draw_line(painter, QRectF(body.left(), body.top() + half, body.width(), half), "→ " + counter, TEXT,
                      two_lines)
        else:
            self.call_px = one_line.pixelSize()
            metrics = QFontMetricsF(one_line)
            widths = [metrics.horizontalAdvance(t) for t in (number, arrow, counter)]
            x = body.left() + (body.width() - sum(widths)) / 2
            for text, width, colour in zip((number, arrow, counter), widths, (NUMBER, TEXT, TEXT)):
                draw_line(painter, QRectF(x, body.top(), width + 2, call_h), text, colour, one_line)
                x += width
        top = body.top() + call_h + 8 * self.unit
        draw_line(painter, QRectF(body.left(), top, body.width(), caption_h), caption.zh, TEXT,
                  fitted(base, caption.zh, body.width(), caption_h, bold=True))
        draw_line(painter, QRectF(body.left(), top + caption_h, body.width(), english_h), caption.en, SOFT,
                  fitted(base, caption.en, body.width(), english_h))


class RecentPanel(Panel):
    """The calls before the newest: number and counter, one a row, the newest first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.calls: tuple[Call, ...] = ()
        self.heading = Message("", "")
        self.counter_label = lambda n: Message(str(n), str(n))  # noqa: E731 - replaced by the window
        self.rows = 5

    def lines(self) -> list[str]:
        return [f"{c.number} → {self.counter_label(c.counter_no).zh}" for c in self.calls[:self.rows]]

    def paint_contents(self, painter: QPainter, rect: QRectF) -> None:
        body = self.title(painter, rect, self.heading)
        row_h = body.height() / max(1, self.rows)
        base = self.font()
        number_w = body.width() * 0.36
        for i, call in enumerate(self.calls[:self.rows]):
            top = body.top() + i * row_h
            label = self.counter_label(call.counter_no)
            line_h = row_h * 0.62
            number_font = fitted(base, "A0000", number_w, line_h, bold=True, largest=120 * self.unit)
            draw_line(painter, QRectF(body.left(), top, number_w, line_h), call.number, NUMBER, number_font,
                      Qt.AlignmentFlag.AlignLeft)
            right = QRectF(body.left() + number_w, top, body.width() - number_w, line_h)
            draw_line(painter, right, label.zh, TEXT,
                      fitted(base, label.zh, right.width(), line_h, largest=number_font.pixelSize()),
                      Qt.AlignmentFlag.AlignLeft)
            english = QRectF(right.left(), top + line_h, right.width(), row_h * 0.32)
            draw_line(painter, english, label.en, SOFT,
                      fitted(base, label.en, english.width(), english.height()), Qt.AlignmentFlag.AlignLeft)


class WaitingPanel(Panel):
    """How many wait in each line: the line's letter and name, and the count."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = Message("", "")
        self.lines: list[tuple[str, Message, int]] = []  # code, name, tickets waiting
        self.columns = 2

    def paint_contents(self, painter: QPainter, rect: QRectF) -> None:
        body = self.title(painter, rect, self.heading)
        if not self.lines:
            return
        columns = max(1, min(self.columns, len(self.lines)))
        rows = (len(self.lines) + columns - 1) // columns
        gap = 56 * self.unit  # between two columns: a count must not read as part of the next line's letter
        cell_w, cell_h = (body.width() + gap) / columns, body.height() / rows
        base = self.font()
        largest = 72 * self.unit
        code_w = min(cell_h - 6 * self.unit, (cell_w - gap) * 0.16)
        count_w = (cell_w - gap) * 0.2
        name_w = cell_w - gap - code_w - count_w - 8 * self.unit
        zh_h, en_h = (cell_h - 6 * self.unit) * 0.55, (cell_h - 6 * self.unit) * 0.43
        # one size for every line's name (a board of ragged sizes reads as a list of different importance)
        zh_font = min((fitted(base, name.zh, name_w, zh_h, bold=True, largest=largest * 0.7)
                       for _c, name, _n in self.lines), key=lambda f: f.pixelSize())
        en_font = min((fitted_wrapped(base, name.en, name_w, en_h, largest=largest * 0.42)
                       for _c, name, _n in self.lines), key=lambda f: f.pixelSize())
        code_font = fitted(base, "W", code_w, (cell_h - 6 * self.unit) * 0.8, bold=True, largest=largest * 1.3)
        count_font = fitted(base, "000", count_w, (cell_h - 6 * self.unit) * 0.8, bold=True, largest=largest * 1.2)
        wrap = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap)
        for i, (code, name, count) in enumerate(self.lines):
            cell = QRectF(body.left() + (i % columns) * cell_w, body.top() + (i // columns) * cell_h,
                          cell_w - gap, cell_h - 6 * self.unit)
            draw_line(painter, QRectF(cell.left(), cell.top(), code_w, cell.height()), code, NUMBER, code_font,
                      Qt.AlignmentFlag.AlignLeft)
            left = cell.left() + code_w
            draw_line(painter, QRectF(left, cell.top(), name_w, zh_h), name.zh, TEXT, zh_font,
                      Qt.AlignmentFlag.AlignLeft)
            painter.setFont(en_font)
            painter.setPen(QPen(SOFT))
            painter.drawText(QRectF(left, cell.top() + zh_h, name_w, en_h), wrap, name.en)
            draw_line(painter, QRectF(cell.right() - count_w, cell.top(), count_w, cell.height()), str(count),
                      NUMBER, count_font, Qt.AlignmentFlag.AlignRight)
