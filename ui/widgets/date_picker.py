"""A large year / month / day picker for dates, instead of typing "2025-05-01" on a keyboard.

One tap picks the month, one the day; the year moves by one or by ten with
big keys (an ID card's expiry is a year or two away, a birth date decades).
Days that the chosen month does not have are hidden, so an impossible date
cannot be picked. The picker writes the date as the domain reads it
(ISO `YYYY-MM-DD`) into the field it is attached to, through the field's
own editing signals, so the field's check runs as for typed text.
"""
from __future__ import annotations

import calendar
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QButtonGroup, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSizePolicy,
                               QVBoxLayout, QWidget)

from ui.i18n import lang, translate
from ui.metrics import touch_px
from ui.theme import set_role
from ui.widgets.made_when_shown import MadeWhenShown
from ui.widgets.number_pad import follow_focus

MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def parse_iso(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


class DatePicker(MadeWhenShown):
    """Year stepper, twelve month keys, up to thirty-one day keys; `date_chosen` on every change. The keys
    are made when it is first shown (`MadeWhenShown`)."""

    date_chosen = Signal(object)  # datetime.date
    opened = Signal()  # shown for its field: the screen scrolls it into view

    def __init__(self, initial: date | None = None, *, minimum: date = date(1900, 1, 1),
                 maximum: date = date(2099, 12, 31), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("datePicker")
        self.minimum, self.maximum = minimum, maximum
        self.edit: QLineEdit | None = None
        self._date = self._clamp(initial or date.today())
        self._keys: tuple[QLabel, dict[int, QPushButton], dict[int, QPushButton], dict[int, QPushButton]] | None = None
        self.setMaximumWidth(900)

    @property
    def year_label(self) -> QLabel:
        return self._made_keys()[0]

    @property
    def year_keys(self) -> dict[int, QPushButton]:
        return self._made_keys()[1]

    @property
    def month_keys(self) -> dict[int, QPushButton]:
        return self._made_keys()[2]

    @property
    def day_keys(self) -> dict[int, QPushButton]:
        return self._made_keys()[3]

    def _made_keys(self) -> tuple[QLabel, dict[int, QPushButton], dict[int, QPushButton], dict[int, QPushButton]]:
        self.made()
        assert self._keys is not None
        return self._keys

    def _make(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(12)
        year_row = QHBoxLayout()
        year_row.setSpacing(10)
        year_keys: dict[int, QPushButton] = {}
        year_label = set_role(QLabel(), "big")
        year_label.setObjectName("pickedYear")
        year_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        for step in (-10, -1, 0, 1, 10):
            if step == 0:
                year_row.addWidget(year_label, 1)
                continue
            key = self._key(("‹‹ " if step == -10 else "‹ " if step == -1 else "") + f"{step:+d}"
                            + (" ›" if step == 1 else " ››" if step == 10 else ""), f"year_{step:+d}")
            key.clicked.connect(lambda _=False, s=step: self.step_year(s))
            year_keys[step] = key
            year_row.addWidget(key)
        outer.addLayout(year_row)
        self.month_group = QButtonGroup(self)
        months = QGridLayout()
        months.setSpacing(8)
        month_keys: dict[int, QPushButton] = {}
        for month in range(1, 13):
            key = self._key("", f"month_{month}", checkable=True)
            self.month_group.addButton(key)
            key.clicked.connect(lambda _=False, m=month: self.set_month(m))
            months.addWidget(key, (month - 1) // 6, (month - 1) % 6)
            month_keys[month] = key
        outer.addLayout(months)
        self.day_group = QButtonGroup(self)
        days = QGridLayout()
        days.setSpacing(8)
        day_keys: dict[int, QPushButton] = {}
        for day in range(1, 32):
            key = self._key(str(day), f"day_{day}", checkable=True)
            self.day_group.addButton(key)
            key.clicked.connect(lambda _=False, d=day: self.set_day(d))
            days.addWidget(key, (day - 1) // 7, (day - 1) % 7)
            day_keys[day] = key
        outer.addLayout(days)
        self._keys = (year_label, year_keys, month_keys, day_keys)
        self.retranslate()

    @staticmethod
    def _key(text: str, name: str, *, checkable: bool = False) -> QPushButton:
        key = set_role(QPushButton(text), "key")
        key.setObjectName(name)
        key.setCheckable(checkable)
        key.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the date field keeps the focus
        key.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        key.setMinimumHeight(touch_px())  # 15 mm, whatever the sheet says
        return key

    # -- the date ----------------------------------------------------------------
    def date(self) -> date:
        return self._date

    def _clamp(self, value: date) -> date:
        return min(max(value, self.minimum), self.maximum)

    def set_date(self, value: date, *, emit: bool = False) -> None:
        self._date = self._clamp(value)
        self._show()
        if emit:
            self._chosen()

    def _with(self, year: int, month: int, day: int) -> date:
        """A real date: the day is cut to the month's length (31 March, one month back, is 28/29 February)."""
        return date(year, month, min(day, calendar.monthrange(year, month)[1]))

    def step_year(self, step: int) -> None:
        year = min(max(self._date.year + step, self.minimum.year), self.maximum.year)
        self.set_date(self._with(year, self._date.month, self._date.day), emit=True)

    def set_month(self, month: int) -> None:
        self.set_date(self._with(self._date.year, month, self._date.day), emit=True)

    def set_day(self, day: int) -> None:
        self.set_date(self._with(self._date.year, self._date.month, day), emit=True)

    def _chosen(self) -> None:
        if self.edit is not None and not self.edit.isReadOnly():
            text = self._date.isoformat()
            if self.edit.text() != text:
                self.edit.selectAll()
                self.edit.insert(text)  # emits textEdited, as typing would
        self.date_chosen.emit(self._date)

    def _show(self) -> None:
        if self._keys is None:
            return  # shown from the date when first built
        value = self._date
        self.year_label.setText(f"{value.year} 年" if lang() == "zh" else str(value.year))
        self.year_label.setAccessibleName(self.year_label.text())
        length = calendar.monthrange(value.year, value.month)[1]
        for month, key in self.month_keys.items():
            key.setChecked(month == value.month)
            key.setText(("✔" if month == value.month else "") + self._month_name(month))  # not by colour alone
            inside = self._with(value.year, month, 1) <= self.maximum and \
                date(value.year, month, calendar.monthrange(value.year, month)[1]) >= self.minimum
            key.setEnabled(inside)
        for day, key in self.day_keys.items():
            key.setVisible(day <= length)
            key.setChecked(day == value.day)
            key.setText(("✔" if day == value.day else "") + str(day))
            if day <= length:
                key.setEnabled(self.minimum <= date(value.year, value.month, day) <= self.maximum)
        for step, key in self.year_keys.items():
            key.setEnabled(self.minimum.year <= value.year + step <= self.maximum.year)

    @staticmethod
    def _month_name(month: int) -> str:
        return f"{month} 月" if lang() == "zh" else MONTHS_EN[month - 1]

    # -- the field ---------------------------------------------------------------
    def attach(self, edit: QLineEdit, *, follow: bool = True) -> "DatePicker":
        """Write into `edit`; start from its date when it holds one; show while it has the focus."""
        self.edit = edit
        start = parse_iso(edit.text())
        if start is not None:
            self.set_date(start)
        edit.setInputMethodHints(edit.inputMethodHints() | Qt.InputMethodHint.ImhDate)
        edit.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)  # the picker, not the keyboard
        if follow:
            follow_focus(self, edit, self.opened)
            self.opened.connect(self._from_field)
        return self

    def _from_field(self) -> None:
        """Opening again starts from what the field holds now (typed, restored, or wiped for the next citizen:
        then today, never the date the last citizen picked)."""
        if self.edit is not None:
            self.set_date(parse_iso(self.edit.text()) or date.today())

    def retranslate(self) -> None:
        if self._keys is None:
            return  # translated when first built
        for month, key in self.month_keys.items():
            key.setAccessibleName(self._month_name(month))
        for day, key in self.day_keys.items():
            key.setAccessibleName(translate("Widgets", "Day %1").replace("%1", str(day)))
        names = {-10: translate("Widgets", "Ten years earlier"), -1: translate("Widgets", "One year earlier"),
                 1: translate("Widgets", "One year later"), 10: translate("Widgets", "Ten years later")}
        for step, key in self.year_keys.items():
            key.setAccessibleName(names[step])
        self._show()
