"""Choosing a service: by department or by life theme, or by search.

Search accepts Chinese, English and pinyin initials (typed on the on-screen
keyboard's Latin layout, which an elderly user finds easier than pinyin).
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from kiosk.catalog import ServiceItem
from ui.i18n import lang, translate
from ui.jobs import run_job
from ui.kiosk.catalog_search import SearchIndex
from ui.kiosk.context import KioskContext
from ui.kiosk.screens.base import Screen
from ui.text import para
from ui.theme import set_role
from ui.widgets.column_grid import ColumnGrid
from ui.widgets.wrap_button import WrapButton

ALL = "__all__"


class BrowserScreen(Screen):
    name = "browser"
    item_chosen = Signal(str)

    def __init__(self, ctx: KioskContext) -> None:
        super().__init__(ctx, back=True, next_=False)
        self.catalog = ctx.catalog
        self.index: SearchIndex | None = ctx.extras.get("search_index")
        self.mode = "department"
        self.group = ALL
        search_row = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("searchBox")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.refresh)
        search_row.addWidget(self.search, 1)
        self.body.addLayout(search_row)
        mode_row = QHBoxLayout()
        self.mode_group = QButtonGroup(self)
        self.by_department = set_role(QPushButton(), "tab")
        self.by_theme = set_role(QPushButton(), "tab")
        for button, mode in ((self.by_department, "department"), (self.by_theme, "theme")):
            button.setCheckable(True)
            self.mode_group.addButton(button)
            button.clicked.connect(lambda _=False, m=mode: self.set_mode(m))
            mode_row.addWidget(button)
        self.by_department.setChecked(True)
        mode_row.addStretch(1)
        self.body.addLayout(mode_row)
        self.groups_box = QWidget()
        self.groups = ColumnGrid(self.groups_box, max_columns=4, spacing=10)  # as many columns as the width holds
        self.body.addWidget(self.groups_box)
        self.count_label = set_role(QLabel(), "hint")
        self.body.addWidget(self.count_label)
        self.items_box = QWidget()
        self.items = ColumnGrid(self.items_box, max_columns=2, spacing=12)
        self.body.addWidget(self.items_box)
        self.body.addStretch(1)
        self.item_buttons: dict[str, QPushButton] = {}
        self.group_buttons: dict[str, QPushButton] = {}
        # what the grids show now: building a grid of wrapping buttons costs a tenth of a second, so it is
        # rebuilt only when the list, the language or the grouping really changed
        self._shown_items: tuple[object, ...] = ()
        self._shown_groups: tuple[object, ...] = ()
        self.group_choice = QButtonGroup(self)
        if self.index is None:
            run_job("search-index", lambda: SearchIndex.build(self.catalog), on_done=self._index_ready)
        self._build_groups()
        self.retranslate()

    def on_enter(self) -> None:
        self._label_groups()
        self.refresh()

    def reset(self) -> None:
        """A new citizen: no search text, every service, by department (the screen is kept between citizens)."""
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        if self.mode != "department" or self.group != ALL:
            self.by_department.setChecked(True)
            self.set_mode("department")
        self.refresh()
        self.scroll.verticalScrollBar().setValue(0)

    def _index_ready(self, index: SearchIndex) -> None:
        self.index = index
        self.ctx.extras["search_index"] = index
        if self.search.text():
            self.refresh()

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self.group = ALL
        self._build_groups()
        self.refresh()

    def _group_of(self, item: ServiceItem) -> tuple[str, str]:
        dep = item.department if self.mode == "department" else item.theme
        return dep.code, dep.name.get(lang())

    def _build_groups(self) -> None:
        for button in self.group_buttons.values():
            self.group_choice.removeButton(button)
            button.setParent(None)
            button.deleteLater()
        self.group_buttons = {}
        seen: dict[str, str] = {ALL: ""}
        for item in self.catalog.items:
            code, _name = self._group_of(item)
            seen.setdefault(code, code)
        for code in seen:
            button = set_role(WrapButton(), "tab")
            button.reserve("✔ ")
            button.setObjectName(f"group_{code}")
            button.setCheckable(True)
            button.setChecked(code == self.group)
            button.clicked.connect(lambda _=False, c=code: self.choose_group(c))
            self.group_choice.addButton(button)
            self.group_buttons[code] = button
        self._label_groups()

    def _place_groups(self) -> None:
        self.groups.clear()
        for button in self.group_buttons.values():
            self.groups.addWidget(button)

    def _label_groups(self) -> None:
        key = (lang(), self.mode, self.group, tuple(self.group_buttons))
        if key == self._shown_groups:
            return
        self._shown_groups = key
        names = {self._group_of(i)[0]: self._group_of(i)[1] for i in self.catalog.items}
        for code, button in self.group_buttons.items():
            text = translate("Kiosk", "All services") if code == ALL else names.get(code, code)
            button.setText(("✔ " if button.isChecked() else "") + text)
        self._place_groups()

    def choose_group(self, code: str) -> None:
        self.group = code
        self._label_groups()
        self.refresh()

    def visible_items(self) -> list[ServiceItem]:
        """A search looks through every service (the group buttons are hidden meanwhile); else the chosen group."""
        query = self.search.text().strip()
        if query:
            if self.index is None:  # first search before the index is ready: build it now
                self.index = SearchIndex.build(self.catalog)
            return self.index.search(query)
        found = list(self.catalog.items)
        if self.group != ALL:
            found = [i for i in found if self._group_of(i)[0] == self.group]
        return found

    def _show_filters(self, searching: bool) -> None:
        """While searching, the results come right under the search box, not below a screenful of group buttons
        (in large English text the groups alone fill a 1366x768 screen)."""
        for widget in (self.by_department, self.by_theme, self.groups_box):
            widget.setVisible(not searching)

    def refresh(self) -> None:
        searching = bool(self.search.text().strip())
        self._show_filters(searching)
        if searching:
            self.scroll.verticalScrollBar().setValue(0)
        items = self.visible_items()
        key = (lang(), tuple(i.code for i in items))
        if key == self._shown_items:
            return
        self._shown_items = key
        for button in self.item_buttons.values():
            button.setParent(None)
            button.deleteLater()
        self.item_buttons = {}
        for item in items:
            button = set_role(WrapButton(), "item")
            button.setObjectName(f"item_{item.code}")
            days = (translate("Kiosk", "Done on the spot") if item.promised_limit_days == 0  # not "within 0 days"
                    else translate("Kiosk", "Done within %1 working days").replace("%1", str(item.promised_limit_days)))
            button.setText(f"{item.name.get(lang())}\n{item.department.name.get(lang())} · {days}")
            button.clicked.connect(lambda _=False, c=item.code: self.item_chosen.emit(c))
            self.item_buttons[item.code] = button
        for button in self.item_buttons.values():
            self.items.addWidget(button)
        if items:
            self.count_label.setText(translate("Kiosk", "Services found: %1. Tap one to read its guide.")
                                     .replace("%1", str(len(items))))
        else:
            self.count_label.setText(para(translate(
                "Kiosk", "No service matches your search. Try fewer characters, or the first letters of the "
                         "pinyin (for example sfz for 身份证).")))

    def retranslate(self) -> None:
        super().retranslate()
        self.set_heading(translate("Kiosk", "Choose a service"),
                         translate("Kiosk", "Search by name or by the first letters of its pinyin, or browse by "
                                            "department or by life event."))
        self.search.setPlaceholderText(translate("Kiosk", "Search, e.g. 身份证 or sfz"))
        self.search.setAccessibleName(self.search.placeholderText())
        self.by_department.setText(translate("Kiosk", "By department"))
        self.by_theme.setText(translate("Kiosk", "By life event"))
        self._label_groups()
        self.refresh()
