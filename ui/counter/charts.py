"""Bar charts for the supervisor's dashboard: every bar carries its number, so nothing is read from colour alone."""
from __future__ import annotations

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QValueAxis
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QFont

from ui.i18n import colon

BLUE, GREEN, AMBER, RED, GREY = "#1d4f91", "#1b6b2a", "#b7791f", "#a3120f", "#8793a3"


def _font(px: int, bold: bool = False) -> QFont:
    from PySide6.QtWidgets import QApplication

    font = QFont(QApplication.font())
    font.setPixelSize(px)
    font.setBold(bold)
    return font


def _chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    chart.setTitleFont(_font(19, bold=True))
    chart.legend().setFont(_font(15))
    chart.setMargins(QMargins(8, 8, 8, 8))
    chart.setBackgroundRoundness(6)
    return chart


def _bars(chart: QChart, categories: list[str], values: list[int], colours: list[str] | str,
          name: str) -> None:
    series = QBarSeries()
    if isinstance(colours, str):
        bar = QBarSet(name)
        bar.append([float(v) for v in values])
        bar.setColor(QColor(colours))
        series.append(bar)
        chart.legend().hide()
    else:  # one set per category, so each bar keeps its own colour and legend words
        for category, value, colour in zip(categories, values, colours):
            bar = QBarSet(f"{category}{colon()}{value}")
            bar.append([float(value)])
            bar.setColor(QColor(colour))
            series.append(bar)
        categories = [name]
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    for bar in series.barSets():
        bar.setLabelColor(QColor("#1a1a1a"))
        bar.setLabelFont(_font(14, bold=True))
    series.setLabelsVisible(True)
    series.setLabelsPosition(QBarSeries.LabelsPosition.LabelsOutsideEnd)
    series.setLabelsFormat("@value")
    series.setLabelsPrecision(6)
    chart.addSeries(series)
    axis_x = QBarCategoryAxis()
    axis_x.append(categories)
    axis_x.setLabelsFont(_font(14))
    if len(categories) > 10:  # a fortnight or a month of dates: upright, or the chart elides them to "1…"
        axis_x.setLabelsAngle(-90)
    axis_y = QValueAxis()
    top = max(values + [1])
    step = max(1, -(-top // 5))  # whole numbers only: these are counts of cases
    top = (top // step + 1) * step  # room above the highest bar for its number
    axis_y.setRange(0, top)
    axis_y.setTickType(QValueAxis.TickType.TicksDynamic)
    axis_y.setTickAnchor(0)
    axis_y.setTickInterval(step)
    axis_y.setLabelFormat("%d")
    axis_y.setLabelsFont(_font(14))
    chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(axis_x)
    series.attachAxis(axis_y)
