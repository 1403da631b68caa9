#!/usr/bin/env python3
"""The GUI thread's time to refill a counter table (work list, deadlines, print queue...) of N rows.

The counter's tables size their columns to their contents. Set item by item into a table whose columns
were already sized that way (every refresh after the first), each item measured its whole column again:
time growing with the square of the rows. `fill_table` fills with the columns fixed and sizes them once.
The work list, the table that grows to hundreds of rows, is now a model of texts (`ui.counter.cell_table`):
the view asks only for the rows it paints, and the columns are measured from the texts. Prints all three,
for 10 to 1,000 rows of a work list's nine columns (thread CPU time, offscreen, the fill itself and the
event-loop turn after it). Not a test: figures depend on the machine.

    .venv/bin/python bench/counter_table_fill.py [--rows 10,50,100,300]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QTableWidget, QTableWidgetItem  # noqa: E402

from ui.counter.cell_table import Cell, CellTableModel, fit_columns_to_texts, make_cell_view  # noqa: E402
from ui.counter.common import cell, fill_table, fit_columns, make_table  # noqa: E402


def rows(n: int) -> Iterator[list[QTableWidgetItem]]:
    for i in range(n):
        yield [cell("⚠ 2 个工作日后到期"), cell(f"330106-20261130-{i:04d}"), cell("—"), cell("居民身份证换领"),
               cell("张三"), cell("3301**********1234"), cell("自助终端"), cell("已提交"), cell("11-30 14:00")]


def item_by_item(table: QTableWidget, n: int) -> None:
    """How the screens filled their tables before `fill_table`."""
    table.setRowCount(n)
    for r, items in enumerate(rows(n)):
        for c, item in enumerate(items):
            table.setItem(r, c, item)
    fit_columns(table, stretch=3)


TEXTS = ["⚠ 2 个工作日后到期", "330106-20261130-{i:04d}", "—", "居民身份证换领", "张三", "3301**********1234", "自助终端",
         "已提交", "11-30 14:00"]


def once(app: QApplication, fill: str, n: int) -> tuple[float, float]:
    model = CellTableModel([f"column {c}" for c in range(9)])
    table = make_cell_view(model) if fill == "model" else make_table(9)
    table.resize(1800, 900)
    table.show()
    app.processEvents()

    def run() -> None:
        if fill == "model":  # the work list: a model of texts, the columns measured from them
            model.set_rows([[Cell(t.format(i=i), "warn" if c == 0 else None) for c, t in enumerate(TEXTS)]
                            for i in range(n)])
            fit_columns_to_texts(table, model, stretch=3)  # type: ignore[arg-type]
        elif fill == "fill_table":
            fill_table(table, rows(n), n, stretch=3)  # type: ignore[arg-type]
        else:
            item_by_item(table, n)  # type: ignore[arg-type]

    run()  # the first fill sizes the columns to their contents: the refreshes after it are what a clerk waits for
    app.processEvents()
    start = time.thread_time()
    run()
    filled = time.thread_time()
    app.processEvents()
    settled = time.thread_time()
    table.close()
    table.deleteLater()
    app.processEvents()
    return (filled - start) * 1000, (settled - filled) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="10,50,100,300,1000", help="row counts, comma-separated")
    parser.add_argument("--old-up-to", type=int, default=100,
                        help="measure the item-by-item fill only up to this many rows (it takes seconds beyond)")
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    print(f"{'rows':>6} {'item by item ms':>16} {'fill_table ms':>14} {'model ms':>9}   "
          "(GUI thread CPU: refill + the turn after)")
    for n in (int(x) for x in args.rows.split(",")):
        new = sum(once(app, "fill_table", n))
        model = sum(once(app, "model", n))
        old = f"{sum(once(app, 'item_by_item', n)):16.1f}" if n <= args.old_up_to else f"{'(skipped)':>16}"
        print(f"{n:6d} {old} {new:14.1f} {model:9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
