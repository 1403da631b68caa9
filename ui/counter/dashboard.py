"""The hall dashboard for supervisors: applications per day, completion on time, overdue cases, ratings.

Figures come from `kiosk.reports.build_report`, the same numbers that
`onewindow report` exports for open data, so the screen and the published
file never disagree. Every bar carries its number and every slice its
words, so nothing is read from colour alone.
"""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP

from datetime import timedelta

from PySide6.QtCharts import QChart, QChartView, QPieSeries
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (QDateEdit, QFrame, QGridLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout,
                               QWidget)

from kiosk.ratings import LEVELS
from ui.counter.charts import AMBER, BLUE, GREEN, GREY, RED, _bars, _chart, _font
from ui.counter.common import CounterScreen, tr
from kiosk.usecases.reports import hall_report
from ui.counter.context import CounterContext
from ui.i18n import colon, msg, translate
from ui.jobs import run_job
from ui.theme import set_role
from ui.widgets.column_grid import ColumnGrid
from ui.widgets.flow_layout import FlowLayout
from ui.widgets.box_layouts import FlexibleVBoxLayout

SUMMARY = (("applications", QT_TRANSLATE_NOOP("Counter", "Applications")), ("completed", QT_TRANSLATE_NOOP("Counter", "Completed")), ("on_time_rate", QT_TRANSLATE_NOOP("Counter", "Completed on time")),
           ("overdue", QT_TRANSLATE_NOOP("Counter", "Overdue")), ("satisfaction_rate", QT_TRANSLATE_NOOP("Counter", "Satisfied or very satisfied")))


class DashboardScreen(CounterScreen):
    name = "dashboard"

    def __init__(self, ctx: CounterContext, staff_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.staff_id = staff_id
        self.report: object = None
        self.loads = 0
        today = ctx.day()
        controls = FlowLayout(spacing=10, line_spacing=8)  # wraps on a narrow screen
        self.from_label, self.to_label = QLabel(), QLabel()
        self.date_from = QDateEdit(QDate(today - timedelta(days=13)))
        self.date_to = QDateEdit(QDate(today))
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setMinimumWidth(170)
        self.week_button = set_role(QPushButton(), "tab")
        self.month_button = set_role(QPushButton(), "tab")
        self.week_button.clicked.connect(lambda: self.last_days(7))
        self.month_button.clicked.connect(lambda: self.last_days(30))
        self.show_button = set_role(QPushButton(), "primary")
        self.show_button.setObjectName("showReport")
        self.show_button.clicked.connect(self.refresh)
        for w in (self.from_label, self.date_from, self.to_label, self.date_to, self.week_button, self.month_button,
                  self.show_button):
            controls.addWidget(w)
        controls.add_stretch()
        self.export_hint = set_role(QLabel(), "hint")
        controls.addWidget(self.export_hint)
        self.body.addLayout(controls)

        # Figures and charts scroll together on a short screen, and fill the screen when it is tall enough.
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget()
        inner.setObjectName("scrollBody")
        content = FlexibleVBoxLayout(inner)  # fills the area when it is tall enough, else scrolls
        content.setContentsMargins(0, 0, 8, 0)
        content.setSpacing(12)
        figures = ColumnGrid(max_columns=len(SUMMARY), spacing=12, column_width=170)
        self.figures: dict[str, tuple[QLabel, QLabel]] = {}
        for key, _words in SUMMARY:
            card = set_role(QFrame(), "card")
            box = QVBoxLayout(card)
            box.setContentsMargins(18, 10, 18, 10)
            number = set_role(QLabel("—"), "figure")
            number.setObjectName(f"summary_{key}")
            words = set_role(QLabel(), "hint")
            words.setWordWrap(True)
            box.addWidget(number)
            box.addWidget(words)
            figures.addWidget(card)
            self.figures[key] = (number, words)
        content.addLayout(figures)

        grid = QGridLayout()
        grid.setSpacing(12)
        self.views: dict[str, QChartView] = {}
        for index, key in enumerate(("per_day", "on_time", "overdue", "ratings")):
            view = QChartView(QChart())
            view.setObjectName(f"chart_{key}")
            view.setRenderHint(QPainter.RenderHint.Antialiasing)
            view.setMinimumHeight(260)
            grid.addWidget(view, index // 2, index % 2)
            self.views[key] = view
        content.addLayout(grid, 1)
        from ui.counter.dashboard_queue import QueueFiguresPanel

        self.queue_panel = QueueFiguresPanel()  # the hall queue's figures, when this counter has a hub
        content.addWidget(self.queue_panel)
        scroll.setWidget(inner)
        self.body.addWidget(scroll, 1)
        self.retranslate()

    def last_days(self, days: int) -> None:
        today = self.ctx.day()
        self.date_to.setDate(QDate(today))
        self.date_from.setDate(QDate(today - timedelta(days=days - 1)))
        self.refresh()

    def on_enter(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        start, end = self.date_from.date().toPython(), self.date_to.date().toPython()
        terminal, today = self.ctx.terminal, self.ctx.today
        run_job("counter-report", lambda: hall_report(terminal, self.staff_id, start, end, today=today),
                on_done=self._loaded, on_error=self._failed)

    def _loaded(self, report: object) -> None:
        self.loads += 1
        self.report = report
        self.show_message(None)
        self._draw()

    def _failed(self, exc: BaseException) -> None:
        self.loads += 1
        self.show_error(exc)

    # --- charts -------------------------------------------------------------------------------
    def charts(self) -> dict[str, QChart]:
        return {key: view.chart() for key, view in self.views.items()}

    def _draw(self) -> None:
        report = self.report
        if report is None:
            return
        summary = report.summary  # type: ignore[attr-defined]
        for key, (number, _words) in self.figures.items():
            value = summary.get(key)
            if key.endswith("_rate"):
                number.setText("—" if value is None else f"{value * 100:.0f} %")
            else:
                number.setText(str(value))

        per_day = _chart(translate("Counter", "Applications per day"))
        start, end = self.date_from.date().toPython(), self.date_to.date().toPython()
        days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
        counts = report.per_day  # type: ignore[attr-defined]
        _bars(per_day, [d.strftime("%m-%d") for d in days], [counts.get(d.isoformat(), 0) for d in days], BLUE,
              translate("Counter", "Applications"))

        cases = report.cases  # type: ignore[attr-defined]
        on_time = sum(1 for c in cases if c.completed_date and c.within_promised_time)
        late = sum(1 for c in cases if c.completed_date and c.within_promised_time is False)
        open_ = sum(1 for c in cases if not c.completed_date)
        timely = _chart(translate("Counter", "Completion within the promised time"))
        pie = QPieSeries()
        for words, value, colour in ((translate("Counter", "On time"), on_time, GREEN), (translate("Counter", "Late"), late, RED),
                                     (translate("Counter", "Not finished yet"), open_, GREY)):
            if value:
                piece = pie.append(f"{words}{colon()}{value}", value)
                piece.setColor(QColor(colour))
                piece.setLabelVisible(True)
                piece.setLabelFont(_font(15, bold=True))
        if not pie.count():
            pie.append(translate("Counter", "No cases in this period"), 1).setLabelVisible(True)
        timely.addSeries(pie)
        timely.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)  # leaves the slices' words room at any width

        overdue_open = sum(1 for c in cases if not c.completed_date and c.overdue)
        soon = sum(1 for c in cases if not c.completed_date and not c.overdue and c.working_days_left is not None
                   and c.working_days_left <= 2)
        overdue = _chart(translate("Counter", "Open cases by deadline"))
        _bars(overdue, ["⛔ " + translate("Counter", "Overdue"), "⚠ " + translate("Counter", "Due within 2 working days"), "✔ " + translate("Counter", "Completed late")],
              [overdue_open, soon, late], [RED, AMBER, GREY], translate("Counter", "Cases"))

        ratings = _chart(translate("Counter", "Satisfaction ratings"))
        levels = summary.get("ratings", {})
        _bars(ratings, [msg(LEVELS[level]) for level in range(5, 0, -1)],
              [int(levels.get(str(level), 0)) for level in range(5, 0, -1)], BLUE, translate("Counter", "Ratings"))
        for key, chart in (("per_day", per_day), ("on_time", timely), ("overdue", overdue), ("ratings", ratings)):
            old = self.views[key].chart()
            self.views[key].setChart(chart)
            old.deleteLater()
        self.queue_panel.show_queue(getattr(report, "queue", None))

    def retranslate(self) -> None:
        super().retranslate()
        self.title.setText(translate("Counter", "Hall dashboard"))
        self.hint.setText(translate("Counter", "Applications received in the chosen period and what became of them. Open data: "
                             "onewindow report --from DATE --to DATE --format csv|json|xml|xlsx --out FILE"))
        self.from_label.setText(translate("Counter", "From"))
        self.to_label.setText(translate("Counter", "to"))
        self.date_from.setAccessibleName(self.from_label.text())
        self.date_to.setAccessibleName(self.to_label.text())
        self.week_button.setText(translate("Counter", "Last 7 days"))
        self.month_button.setText(translate("Counter", "Last 30 days"))
        self.show_button.setText(translate("Counter", "Show"))
        self.export_hint.setText("")
        for key, words in SUMMARY:
            self.figures[key][1].setText(tr(words))
        self.queue_panel.retranslate()
        self._draw()
