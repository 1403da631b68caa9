"""`BoardWindow`: the hall's call board, landscape or portrait, readable across the hall.

It shows what `ui.board.link.BoardLink` knows (the last known state stays while the link is down,
with a plain notice that says so) and hands each new call to `ui.board.voice.BoardVoice`.
Landscape: the newest call large on the left, the recent calls on the right, the lines' counts
under both. Portrait: the same one above the other.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QResizeEvent
from PySide6.QtWidgets import QGridLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.errors import Message
from kiosk.queue.model import Call, HallPart
from ui import i18n
from ui.board import texts
from ui.board.link import BoardLink
from ui.board.voice import BoardVoice, Speaker
from ui.board.widgets import (BACKGROUND, SOFT, TEXT, WARNING_BACK, WARNING_TEXT, CallPanel, RecentPanel,
                              WaitingPanel, draw_line, fitted)

log = logging.getLogger(__name__)

HIGHLIGHT_MS = 10_000  # a new call stands out this long
RECENT_ROWS = {"landscape": 6, "portrait": 5}


class Header(QWidget):
    """The hall's name on the left, the time and date on the right."""

    def __init__(self, hall_name: Message, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hall_name = hall_name
        self.unit = 1.0
        self.moment = datetime.now()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        rect = QRectF(self.rect())
        time_text, date_text = texts.clock(self.moment)
        base = self.font()
        clock_w = min(rect.width() * 0.4, 520 * self.unit)
        name_w = rect.width() - clock_w - 24 * self.unit
        zh_h, en_h = rect.height() * 0.6, rect.height() * 0.36
        draw_line(painter, QRectF(rect.left(), rect.top(), name_w, zh_h), self.hall_name.zh, TEXT,
                  fitted(base, self.hall_name.zh, name_w, zh_h, bold=True), Qt.AlignmentFlag.AlignLeft)
        draw_line(painter, QRectF(rect.left(), rect.top() + zh_h, name_w, en_h), self.hall_name.en, SOFT,
                  fitted(base, self.hall_name.en, name_w, en_h), Qt.AlignmentFlag.AlignLeft)
        right = QRectF(rect.right() - clock_w, rect.top(), clock_w, rect.height())
        draw_line(painter, QRectF(right.left(), right.top(), right.width(), zh_h), time_text, TEXT,
                  fitted(base, time_text, right.width(), zh_h, bold=True), Qt.AlignmentFlag.AlignRight)
        draw_line(painter, QRectF(right.left(), right.top() + zh_h, right.width(), en_h), date_text, SOFT,
                  fitted(base, date_text, right.width(), en_h), Qt.AlignmentFlag.AlignRight)
        painter.end()


class Notice(QWidget):
    """One plain line across the board: the link is down, not paired, or the voice is off."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message: Message | None = None
        self.warning = True
        self.unit = 1.0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def show_message(self, message: Message | None, *, warning: bool = True) -> None:
        self.message, self.warning = message, warning
        self.setVisible(message is not None)
        self.update()

    def text(self) -> str:
        return f"{self.message.zh} {self.message.en}" if self.message is not None else ""

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        if self.message is None:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect())
        back, fore = (WARNING_BACK, WARNING_TEXT) if self.warning else (QColor("#12305a"), SOFT)
        painter.setBrush(back)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawRoundedRect(rect, 12 * self.unit, 12 * self.unit)
        inner = rect.adjusted(20 * self.unit, 4 * self.unit, -20 * self.unit, -4 * self.unit)
        mark = "⚠ " if self.warning else ""
        zh_h, en_h = inner.height() * 0.56, inner.height() * 0.42
        draw_line(painter, QRectF(inner.left(), inner.top(), inner.width(), zh_h), mark + self.message.zh, fore,
                  fitted(self.font(), mark + self.message.zh, inner.width(), zh_h, bold=True))
        draw_line(painter, QRectF(inner.left(), inner.top() + zh_h, inner.width(), en_h), self.message.en, fore,
                  fitted(self.font(), self.message.en, inner.width(), en_h))
        painter.end()


class BoardWindow(QWidget):
    def __init__(self, hall: HallPart | None, *, hall_name: Message, speaker: Speaker | None = None,
                 speech: bool = False, clock: Callable[[], datetime] = datetime.now) -> None:
        """`speaker`: the voice to use (tests: a recording one); else `speech` starts the read-aloud engine."""
        super().__init__()
        i18n.set_language("zh")  # the Chinese half of every label; the English half is the source text
        self.setObjectName("boardRoot")
        self.setWindowTitle(f"{hall_name.zh} 叫号屏")
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, BACKGROUND)
        self.setPalette(palette)
        self.setAutoFillBackground(True)
        self._clock = clock
        self.orientation = ""
        self._shape: tuple[str, tuple[int, ...]] | None = None
        self.header = Header(hall_name, self)
        self.notice = Notice(self)
        self.voice_note = Notice(self)
        self.call_panel = CallPanel(self)
        self.recent_panel = RecentPanel(self)
        self.waiting_panel = WaitingPanel(self)
        self.recent_panel.counter_label = texts.counter
        self.call_panel.heading = texts.now_calling()
        self.call_panel.empty = texts.no_calls_yet()
        self.recent_panel.heading = texts.recent_calls()
        self.waiting_panel.heading = texts.waiting()
        self.notice.show_message(None)
        self.voice_note.show_message(None)
        self.body = QGridLayout()
        outer = QVBoxLayout(self)
        outer.addWidget(self.header)
        outer.addWidget(self.notice)
        outer.addLayout(self.body, 1)
        outer.addWidget(self.voice_note)
        self.outer = outer
        if speaker is None and speech:
            from ui.speech import ReadAloud

            speaker = ReadAloud(self)
        self.speaker = speaker
        self.voice = BoardVoice(speaker, self)
        self.voice.availability_changed.connect(self._show_voice)
        self.link = BoardLink(hall, self)
        self.link.changed.connect(self.refresh)
        self.link.called.connect(self._called)
        self._highlight = QTimer(self)
        self._highlight.setSingleShot(True)
        self._highlight.timeout.connect(self._unhighlight)
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._tick)
        self._ticker.start()
        self._tick()
        self._arrange(1920, 1080)
        self.refresh()
        self._show_voice()
        self.link.start()

    # --- what it shows ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        view = self.link.view
        if not self.link.paired:
            self.notice.show_message(texts.not_paired())
        elif self.link.link_up is None and view is None:
            self.notice.show_message(texts.connecting(), warning=False)
        elif self.link.link_up is False:
            self.notice.show_message(texts.link_down())
        else:
            self.notice.show_message(None)
        if view is not None:
            self.call_panel.call = view.newest
            self.recent_panel.calls = view.recent[1:]
            names = {c.code: c.name for c in view.categories}
            lines = [(code, names.get(code, Message(code, code)), count) for code, count in sorted(view.waiting.items())]
            if len(lines) != len(self.waiting_panel.lines):
                self.waiting_panel.lines = lines
                self._arrange(self.width(), self.height())  # more lines, more room for their counts
            self.waiting_panel.lines = lines
        for panel in (self.call_panel, self.recent_panel, self.waiting_panel):
            panel.update()

    def _called(self, calls: list[Call]) -> None:
        self.call_panel.highlighted = True
        self.call_panel.update()
        self._highlight.start(HIGHLIGHT_MS)
        self.voice.hear(calls)

    def _unhighlight(self) -> None:
        self.call_panel.highlighted = False
        self.call_panel.update()

    def _show_voice(self) -> None:
        """A board meant to speak that cannot says so, and that the calls go on (a silent board by choice does not)."""
        speaker = self.speaker
        starting = speaker is not None and getattr(speaker, "state", "") == "starting"
        silent = speaker is not None and not starting and not self.voice.available
        self.voice_note.show_message(texts.voice_off() if silent else None, warning=False)

    def _tick(self) -> None:
        self.header.moment = self._clock()
        self.header.update()

    # --- for tests and screenshots ---------------------------------------------------------------------
    def headline(self) -> str:
        return self.call_panel.headline()

    def recent_lines(self) -> list[str]:
        return self.recent_panel.lines()

    def waiting_counts(self) -> dict[str, int]:
        view = self.link.view
        return dict(view.waiting) if view is not None else {}

    def report(self, error: BaseException) -> None:
        """A defect in a slot: logged; the board keeps showing what it knows."""
        log.error("board: %s\n%s", error, getattr(error, "__traceback_text__", ""))

    # --- layout ----------------------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        self._arrange(event.size().width(), event.size().height())
        super().resizeEvent(event)

    def _arrange(self, width: int, height: int) -> None:
        portrait = height > width
        unit = min(width / 1080, height / 1920) if portrait else min(width / 1920, height / 1080)
        unit = max(0.4, unit)
        for piece in (self.header, self.notice, self.voice_note, self.call_panel, self.recent_panel,
                      self.waiting_panel):
            piece.unit = unit
        margin = int(24 * unit)
        self.outer.setContentsMargins(margin, int(margin * 0.6), margin, int(margin * 0.6))
        self.outer.setSpacing(int(16 * unit))
        self.header.setFixedHeight(int(110 * unit))
        self.notice.setFixedHeight(int(96 * unit))
        self.voice_note.setFixedHeight(int(64 * unit))
        self.body.setSpacing(int(20 * unit))
        orientation = "portrait" if portrait else "landscape"
        many = len(self.waiting_panel.lines) > 6  # a hall with many lines: their counts need more room
        self.recent_panel.rows = RECENT_ROWS[orientation] - (1 if many and portrait else 0)
        self.waiting_panel.columns = 3 if many and not portrait else 2
        stretch = (11, 6, 9) if portrait and many else (12, 9, 6) if portrait else (9, 8) if many else (10, 7)
        shape = (orientation, stretch)
        if shape == self._shape:
            return
        self._shape = shape
        self.orientation = orientation
        for panel in (self.call_panel, self.recent_panel, self.waiting_panel):
            self.body.removeWidget(panel)
        for i in range(4):
            self.body.setRowStretch(i, 0)
            self.body.setColumnStretch(i, 0)
        if portrait:
            self.body.addWidget(self.call_panel, 0, 0)
            self.body.addWidget(self.recent_panel, 1, 0)
            self.body.addWidget(self.waiting_panel, 2, 0)
        else:
            self.body.addWidget(self.call_panel, 0, 0)
            self.body.addWidget(self.recent_panel, 0, 1, 2, 1)
            self.body.addWidget(self.waiting_panel, 1, 0)
            self.body.setColumnStretch(0, 13)
            self.body.setColumnStretch(1, 7)
        for row, factor in enumerate(stretch):
            self.body.setRowStretch(row, factor)
        self.outer.invalidate()
        self.outer.activate()  # now: the resize that turned it round has already been laid out the old way

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(1920, 1080)

    def closeEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt's name and type
        self._ticker.stop()
        self._highlight.stop()
        self.voice.close()
        self.link.close()
        close = getattr(self.speaker, "close", None)
        if close is not None:
            close()
        super().closeEvent(event)

