"""`onewindow report`: hall statistics for open-data publication, without personal data."""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from kiosk.cli import terminal_from_args
from kiosk.errors import Message, UserFacingError
from kiosk.reports import FORMATS, build_report, write_report
from kiosk.usecases.reports import queue_report_section
from kiosk.workdays import default_calendar


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("report", help="export hall statistics (no names, ID numbers or phone numbers)")
    p.add_argument("--from", dest="date_from", type=_date, required=True)
    p.add_argument("--to", dest="date_to", type=_date, required=True)
    p.add_argument("--format", choices=FORMATS, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    terminal = terminal_from_args(args)
    with terminal.store.transaction() as s:
        report = build_report(s, terminal.catalog, default_calendar(), args.date_from, args.date_to)
    report.queue = queue_report_section(terminal, args.date_from, args.date_to)
    try:
        size = write_report(report, args.format, args.out)
    except OSError as exc:
        raise UserFacingError(Message(f"无法写入 {args.out}：{exc.strerror}", f"Cannot write {args.out}: {exc.strerror}"),
                              code="report_write") from None
    print(f"{args.out}: {len(report.cases)} cases, {size} bytes")
    finished, share = report.summary["finished"], report.summary["one_visit_share"]
    if share is None:
        print("最多跑一次：本期没有办结的案件 / at most one visit: no finished cases in this period")
    else:
        print(f"最多跑一次 / at most one visit: {report.summary['finished_in_one_visit']} / {finished} "
              f"({share:.1%}) of finished cases")
    if report.queue is not None and not report.queue["available"]:
        note = report.queue["note"] or {}
        print(f"叫号统计缺失 / queue figures missing: {note.get('zh', '')} / {note.get('en', '')}", file=sys.stderr)
    return 0
