"""How was it? Five levels on the national good/bad review scale; a reason when low."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QLabel, QLineEdit, QPushButton, QWidget

from kiosk.ratings import COMMENT_MAX, LEVELS, REASONS
from kiosk.usecases.ratings import rate_service
from ui.i18n import msg, translate
from ui.jobs import run_job
from ui.kiosk.context import KioskContext
from ui.kiosk.screens.base import Screen
from ui.text import para
from ui.theme import set_role
from ui.widgets.column_grid import ColumnGrid
from ui.widgets.wrap_button import WrapButton


class RatingScreen(Screen):
    name = "rating"
    finished = Signal()

    def __init__(self, ctx: KioskContext, application_id: str | None = None, service_item: str | None = None) -> None:
        super().__init__(ctx, back=True, next_=True)
        self.application_id = application_id
        self.service_item = service_item
        self.level: int | None = None
        self.done = False
        levels = ColumnGrid(max_columns=len(LEVELS), spacing=12)  # five across when they fit, else more rows
        self.level_group = QButtonGroup(self)
        self.level_buttons: dict[int, QPushButton] = {}
        for level in sorted(LEVELS, reverse=True):
            button = set_role(WrapButton(), "rating")
            button.reserve("✔ ")
            button.setObjectName(f"level_{level}")
            button.setCheckable(True)
            button.clicked.connect(lambda _=False, lv=level: self.choose(lv))
            self.level_group.addButton(button)
            levels.addWidget(button)
            self.level_buttons[level] = button
        self.body.addLayout(levels)
        self.reason_title = set_role(QLabel(), "subtitle")
        self.body.addWidget(self.reason_title)
        self.reason_box = QWidget()
        grid = ColumnGrid(self.reason_box, max_columns=3, spacing=12)
        self.reason_group = QButtonGroup(self)
        self.reason_buttons: dict[str, QPushButton] = {}
        for code in REASONS:
            button = set_role(WrapButton(), "tab")
            button.reserve("✔ ")
            button.setObjectName(f"reason_{code}")
            button.setCheckable(True)
            button.toggled.connect(self._relabel)
            self.reason_group.addButton(button)
            grid.addWidget(button)
            self.reason_buttons[code] = button
        self.body.addWidget(self.reason_box)
        self.comment = QLineEdit()
        self.comment.setObjectName("ratingComment")
        self.comment.setMaxLength(COMMENT_MAX)
        self.body.addWidget(self.comment)
        self.thanks = set_role(QLabel(), "ok")
        self.thanks.setWordWrap(True)
        self.thanks.hide()
        self.body.addWidget(self.thanks)
        self.body.addStretch(1)
        self._show_reasons()
        self.retranslate()

    def choose(self, level: int) -> None:
        self.level = level
        self.ctx.clear_report()
        self._relabel()
        self._show_reasons()

    def _show_reasons(self) -> None:
        low = self.level is not None and self.level <= 2
        for w in (self.reason_title, self.reason_box, self.comment):
            w.setVisible(low and not self.done)

    def _relabel(self, _checked: bool = False) -> None:
        for level, button in self.level_buttons.items():
            stars = "★" * level + "☆" * (5 - level)
            button.setText(("✔ " if button.isChecked() else "") + f"{stars}\n{msg(LEVELS[level])}")
        for code, button in self.reason_buttons.items():
            button.setText(("✔ " if button.isChecked() else "") + msg(REASONS[code]))

    def reason(self) -> str | None:
        if self.level is None or self.level > 2:
            return None
        return next((c for c, b in self.reason_buttons.items() if b.isChecked()), None)

    def on_next(self) -> None:
        if self.done:
            self.finished.emit()
            return
        if self.level is None:
            from kiosk.errors import Message, UserFacingError

            self.ctx.report(UserFacingError(Message("请先选择一个评价等级。", "Please choose a rating first.")))
            return
        level, reason = self.level, self.reason()
        comment = self.comment.text() if level <= 2 else None
        self.next_button.setEnabled(False)
        terminal, item, application_id = self.ctx.terminal, self.service_item, self.application_id
        run_job("rating", lambda: rate_service(terminal, level, reason_code=reason, comment=comment,
                                               service_item=item, application_id=application_id),
                on_done=self._saved, on_error=self._failed)

    def _saved(self, _result: object) -> None:
        self.done = True
        self.next_button.setEnabled(True)
        for b in self.level_buttons.values():
            b.setEnabled(False)
        self._show_reasons()
        self.thanks.show()
        self.retranslate()

    def _failed(self, exc: BaseException) -> None:
        self.next_button.setEnabled(True)
        self.ctx.report(exc)

    def retranslate(self) -> None:
        super().retranslate()
        self.set_heading(translate("Kiosk", "Rate our service"),
                         translate("Kiosk", "How satisfied are you with this service? Tap one of the five choices."))
        self.next_button.setText(translate("Kiosk", "Finish") if self.done else translate("Kiosk", "Send my rating"))
        self.back_button.setVisible(not self.done)
        self.reason_title.setText(translate("Kiosk", "Please tell us why (choose one):"))
        self.comment.setPlaceholderText(translate("Kiosk", "Anything else you would like to tell us (optional)"))
        self.comment.setAccessibleName(self.comment.placeholderText())
        self.thanks.setText(para("✔ " + translate("Kiosk", "Thank you. Your rating has been recorded and helps us "
                                                           "improve.")))
        self._relabel()
