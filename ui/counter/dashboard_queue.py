"""The hall queue's figures on the supervisor's dashboard: the same numbers `onewindow report` exports.

They come with the hall report (`Report.queue`); with the hub away the panel says so in words instead of
showing zeros, and without a hub it stays hidden.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCharts import QChart, QChartView
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from ui.counter.charts import BLUE, GREY, _bars, _chart
from ui.i18n import lang, translate
from ui.theme import set_role
from ui.widgets.column_grid import ColumnGrid

CARDS = ("issued", "served", "wait", "walk", "service", "no_shows", "within")


def _minutes(value: Any) -> str:
    return "—" if value is None else f"{value:.1f}"


class QueueFiguresPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("queueFigures")
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(10)
        self.title = set_role(QLabel(), "subtitle")
        box.addWidget(self.title)
        self.note = set_role(QLabel(), "error")
        self.note.setObjectName("queueFiguresNote")
        self.note.setWordWrap(True)
        box.addWidget(self.note)
        grid = ColumnGrid(max_columns=len(CARDS), spacing=12, column_width=150)
        self.cards: dict[str, tuple[QLabel, QLabel]] = {}
        for key in CARDS:
            card = set_role(QFrame(), "card")
            inner = QVBoxLayout(card)
            inner.setContentsMargins(14, 8, 14, 8)
            number = set_role(QLabel("—"), "figure")
            number.setObjectName(f"queue_{key}")
            words = set_role(QLabel(), "hint")
            words.setWordWrap(True)
            inner.addWidget(number)
            inner.addWidget(words)
            grid.addWidget(card)
            self.cards[key] = (number, words)
        box.addLayout(grid)
        charts = QGridLayout()
        charts.setSpacing(12)
        self.views: dict[str, QChartView] = {}
        for index, key in enumerate(("wait_by_hour", "idle")):
            view = QChartView(QChart())
            view.setObjectName(f"chart_queue_{key}")
            view.setRenderHint(QPainter.RenderHint.Antialiasing)
            view.setMinimumHeight(260)
            charts.addWidget(view, 0, index)
            self.views[key] = view
        self.chart_box = QWidget()
        self.chart_box.setLayout(charts)
        box.addWidget(self.chart_box)
        self.queue: dict[str, Any] | None = None
        self.setVisible(False)
        self.retranslate()

    def show_queue(self, queue: dict[str, Any] | None) -> None:
        self.queue = queue
        self.setVisible(queue is not None)
        self._label_cards()
        self._draw()

    def _draw(self) -> None:
        queue = self.queue
        if queue is None:
            return
        available = bool(queue.get("available"))
        self.note.setVisible(not available)
        self.chart_box.setVisible(available)
        for number, _words in self.cards.values():
            number.parentWidget().setVisible(available)
        if not available:
            note = queue.get("note") or {}
            self.note.setText("⚠ " + translate("Counter", "The queue figures are missing: the hall's queue server "
                                               "could not be asked (%1). They are not zero; look again later.")
                              .replace("%1", note.get(lang(), "")))
            return
        rows = queue["figures"]
        total = next(r for r in rows if r["day"] == "" and r["group"] == "total")
        share = total["within_target_share"]
        values = {"issued": str(total["issued"]), "served": str(total["served"]),
                  "wait": _minutes(total["mean_wait_minutes"]), "walk": _minutes(total["mean_walk_minutes"]),
                  "service": _minutes(total["mean_service_minutes"]), "no_shows": str(total["no_shows"]),
                  "within": "—" if share is None else f"{share * 100:.0f} %"}
        for key, (number, _words) in self.cards.items():
            number.setText(values[key])
        hours = [r for r in rows if r["day"] == "" and r["group"] == "hour"]
        wait = _chart(translate("Counter", "Average wait by hour of the ticket (minutes)"))
        _bars(wait, [f"{r['key']}:00" for r in hours] or ["—"],
              [round(r["mean_wait_minutes"] or 0) for r in hours] or [0], BLUE, translate("Counter", "Minutes"))
        counters = [r for r in queue["counters"] if r["day"] == ""]
        idle = _chart(translate("Counter", "Idle time per counter while open (minutes)"))
        _bars(idle, [translate("Counter", "Counter %1").replace("%1", str(c["counter_no"])) for c in counters] or ["—"],
              [round(c["idle_minutes"]) for c in counters] or [0], GREY, translate("Counter", "Minutes"))
        for key, chart in (("wait_by_hour", wait), ("idle", idle)):
            old = self.views[key].chart()
            self.views[key].setChart(chart)
            old.deleteLater()

    def charts(self) -> dict[str, QChart]:
        return {f"queue_{key}": view.chart() for key, view in self.views.items()}

    def retranslate(self) -> None:
        self.title.setText(translate("Counter", "Hall queue"))
        self._label_cards()
        self._draw()

    def _label_cards(self) -> None:
        target = (self.queue or {}).get("target_minutes")
        words = {"issued": translate("Counter", "Tickets issued"), "served": translate("Counter", "Served"),
                 "wait": translate("Counter", "Average wait (min)"), "walk": translate("Counter", "Average walk to the counter (min)"),
                 "service": translate("Counter", "Average service (min)"), "no_shows": translate("Counter", "Did not come"),
                 "within": translate("Counter", "Served after waiting at most %1 min").replace("%1", str(target or "—"))}
        for key, (_number, label) in self.cards.items():
            label.setText(words[key])
