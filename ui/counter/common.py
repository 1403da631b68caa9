"""Small pieces every counter screen uses: deadline and status words, tables, the screen frame.

Urgency is always a symbol and words ("⛔ overdue by 2 working days"),
never a colour alone; the colour only repeats what the words say.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QTableView, QTableWidget, QTableWidgetItem,
                               QWidget)

from kiosk.worklist import Urgency
from ui.i18n import msg, translate
from ui.theme import set_role
from ui.widgets.box_layouts import FlexibleVBoxLayout

CHANNEL_WORDS = {"kiosk": QT_TRANSLATE_NOOP("Counter", "Kiosk"), "counter": QT_TRANSLATE_NOOP("Counter", "Walk-in"), "online": QT_TRANSLATE_NOOP("Counter", "Online"),
                 "cli": QT_TRANSLATE_NOOP("Counter", "Command line")}


def tr(text: str) -> str:
    return translate("Counter", text)


def channel_text(channel: str) -> str:
    """Never the raw code on a Chinese screen: an unknown channel reads "other"."""
    return tr(CHANNEL_WORDS[channel]) if channel in CHANNEL_WORDS else translate("Counter", "Other")


def deadline_text(urgency: Urgency, days_left: int | None) -> tuple[str, str]:
    """(words with a symbol, stylesheet role)."""
    if urgency is Urgency.OVERDUE:
        late = abs(days_left or 0)
        if late:
            return "⛔ " + translate("Counter", "Overdue by %1 working days").replace("%1", str(late)), "error"
        return "⛔ " + translate("Counter", "Overdue"), "error"
    if urgency is Urgency.DUE_SOON:
        if not days_left:
            return "⚠ " + translate("Counter", "Due today"), "warn"
        return "⚠ " + translate("Counter", "%1 working days left").replace("%1", str(days_left)), "warn"
    if urgency is Urgency.ON_TRACK:
        return "✔ " + translate("Counter", "%1 working days left").replace("%1", str(days_left)), "ok"
    return "—", "hint"


URGENCY_COLOURS = {"error": "#a3120f", "warn": "#7a4b00", "ok": "#1b6b2a", "hint": "#3b4654"}
URGENCY_BACKGROUNDS = {"error": "#fde8e7", "warn": "#fff4d6"}
# Made with the module, which the counter imports while nobody waits (`CounterWindow._prepare`): a process's
# first QBrush(QColor) has PySide create the Python enums its overloads name, 15-26 ms, and it came at the
# clerk's log-in, in the work list's first table (issue 10).
URGENCY_FOREGROUND_BRUSHES = {role: QBrush(QColor(colour)) for role, colour in URGENCY_COLOURS.items()}
URGENCY_BACKGROUND_BRUSHES = {role: QBrush(QColor(colour)) for role, colour in URGENCY_BACKGROUNDS.items()}


def when(moment: datetime | date | None) -> str:
    if moment is None:
        return "—"
    if isinstance(moment, datetime):
        return moment.astimezone().strftime("%Y-%m-%d %H:%M")
    return moment.isoformat()


def status_words(label: object) -> str:
    return msg(label)


def set_up_case_table(table: QTableView) -> None:
    """How every counter table looks and behaves: rows selected whole, nothing editable, texts elided."""
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(46)
    table.setWordWrap(False)
    table.setProperty("role", "cases")
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.horizontalHeader().setHighlightSections(False)
    table.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


def make_table(columns: int, parent: QWidget | None = None) -> QTableWidget:
    table = QTableWidget(0, columns, parent)
    set_up_case_table(table)
    return table


def cell(text: str, *, role: str | None = None, data: object = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setToolTip(text)
    if role in URGENCY_COLOURS:
        item.setForeground(URGENCY_FOREGROUND_BRUSHES[role])
        if role in URGENCY_BACKGROUNDS:
            item.setBackground(URGENCY_BACKGROUND_BRUSHES[role])
            font = QFont(item.font())
            font.setBold(True)
            item.setFont(font)
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    return item


def fill_table(table: QTableWidget, rows: Iterable[Sequence[QTableWidgetItem]], count: int, *, stretch: int) -> None:
    """Put `count` rows of items in a table, then size its columns to them once (`fit_columns`).

    While its columns are sized to their contents, every item set measures its whole column again, so
    refilling a work list cost time growing with the square of its rows: 0.44 s of the GUI thread for
    50 cases and 1.7 s for 100, on each refresh. The columns keep their widths while it fills."""
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.setRowCount(count)
    for r, items in enumerate(rows):
        for c, item in enumerate(items):
            table.setItem(r, c, item)
    fit_columns(table, stretch)


def fit_columns(table: QTableWidget, stretch: int) -> None:
    """Every column as wide as its content, one column takes the rest: nothing clipped at 1920 px."""
    header = table.horizontalHeader()
    for column in range(table.columnCount()):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch if column == stretch
                                    else QHeaderView.ResizeMode.ResizeToContents)


class CounterScreen(QWidget):
    """A title, a hint and a body; subclasses fill `self.body` and relabel in `retranslate()`."""

    name = "screen"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"counter_{self.name}")
        self.outer = FlexibleVBoxLayout(self)  # stretches to the window; its least height is what it reports
        self.outer.setContentsMargins(32, 20, 32, 20)
        self.outer.setSpacing(14)
        self.title = set_role(QLabel(), "title")
        self.hint = set_role(QLabel(), "hint")
        self.hint.setWordWrap(True)
        self.message = set_role(QLabel(), "error")
        self.message.setWordWrap(True)
        self.message.hide()
        self.outer.addWidget(self.title)
        self.outer.addWidget(self.hint)
        self.outer.addWidget(self.message)
        self.body = FlexibleVBoxLayout()
        self.body.setSpacing(12)
        self.outer.addLayout(self.body, 1)
        self._message: object = None
        self._message_role = "error"

    def show_message(self, getter: object, role: str = "error") -> None:
        """`getter` gives the text in the current language (so a language switch relabels it), or None."""
        self._message, self._message_role = getter, role
        self._render_message()

    def _render_message(self) -> None:
        if callable(self._message):
            mark = {"error": "✖ ", "ok": "✔ ", "warn": "⚠ "}.get(self._message_role, "")
            self.message.setText(mark + self._message())
            set_role(self.message, self._message_role)
            self.message.show()
        else:
            self.message.hide()

    def show_error(self, exc: BaseException) -> None:
        from ui.errors import message_for

        message = message_for(exc)
        self.show_message(lambda m=message: msg(m))

    def retranslate(self) -> None:
        self._render_message()

    def on_enter(self) -> None:
        """Called each time the screen is shown: refresh from the store."""
