"""Hall statistics for supervisors and open-data publication.

Nothing personal leaves through a report: no names, ID numbers, phone
numbers, form contents or receipt numbers; a case is a row number, its
service item, channel, dates and outcome.
"""
from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import visits
from kiosk.catalog import Catalog
from kiosk.errors import Message, UserFacingError
from kiosk.fsutil import write_atomic
from kiosk.lifecycle import TERMINAL, Status
from kiosk.store.models import Application, Rating
from kiosk.workdays import WorkCalendar

if TYPE_CHECKING:
    from kiosk.queue.metrics import PeriodFigures

FORMATS = ("csv", "json", "xml", "xlsx")


@dataclass(frozen=True)
class CaseRow:
    row: int
    submitted_date: str
    service_item_code: str
    service_item_name: str
    department: str
    channel: str
    status: str
    promised_date: str
    completed_date: str
    working_days_left: int | None
    within_promised_time: bool | None
    overdue: bool
    visits: int = 0  # trips to the hall for this case (kiosk.visits); an online application is none


@dataclass
class Report:
    date_from: str
    date_to: str
    generated_at: str
    cases: list[CaseRow] = field(default_factory=list)
    per_day: dict[str, int] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    # the hall queue's figures (`queue_section`); None: this terminal takes part in no hall queue
    queue: dict[str, Any] | None = None


def queue_section(period: "PeriodFigures | None", note: Message | None = None) -> dict[str, Any]:
    """The queue's part of a report: its figures, or, when the hub could not be asked, why there are none
    (never zeros that look like an empty hall)."""
    from kiosk.queue.metrics import counter_table, figure_table

    if period is None:
        return {"available": False, "note": {"zh": note.zh, "en": note.en} if note else None}
    return {"available": True, "target_minutes": period.target_minutes,
            "figures": figure_table(period), "counters": counter_table(period)}


def _local_date(moment: datetime | None) -> date | None:
    return moment.astimezone().date() if moment else None


def build_report(session: Session, catalog: Catalog, calendar: WorkCalendar, date_from: date, date_to: date,
                 *, today: date | None = None) -> Report:
    if date_to < date_from:
        raise UserFacingError(Message("结束日期不能早于开始日期。", "The end date cannot be before the start date."),
                              code="report_dates")
    today = today or date.today()
    start = datetime.combine(date_from, time.min).astimezone().astimezone(timezone.utc)
    end = datetime.combine(date_to, time.max).astimezone().astimezone(timezone.utc)
    apps = session.scalars(select(Application).where(Application.submitted_at.is_not(None),
                                                     Application.submitted_at >= start,
                                                     Application.submitted_at <= end)
                           .order_by(Application.submitted_at))
    report = Report(date_from.isoformat(), date_to.isoformat(), datetime.now(timezone.utc).isoformat(timespec="seconds"))
    per_day: Counter[str] = Counter()
    apps = list(apps)
    trips = visits.counts(session, [a.id for a in apps])
    for index, app in enumerate(apps, start=1):
        item = catalog.item(app.service_item_code)
        submitted = _local_date(app.submitted_at)
        completed = _local_date(app.completed_at) if Status(app.status) in TERMINAL else None
        promised = app.promised_date
        within = (completed <= promised) if (completed and promised) else None
        overdue = bool(promised and ((completed and completed > promised) or (not completed and today > promised)))
        left = calendar.working_days_between(today, promised) if (promised and not completed) else None
        per_day[submitted.isoformat() if submitted else "?"] += 1
        report.cases.append(CaseRow(
            row=index, submitted_date=submitted.isoformat() if submitted else "",
            service_item_code=app.service_item_code, service_item_name=item.name.zh if item else "",
            department=item.department.name.zh if item else "", channel=app.channel, status=app.status,
            promised_date=promised.isoformat() if promised else "", completed_date=completed.isoformat() if completed else "",
            working_days_left=left, within_promised_time=within, overdue=overdue, visits=trips.get(app.id, 0),
        ))
    report.per_day = dict(sorted(per_day.items()))
    ratings = list(session.scalars(select(Rating).where(Rating.at >= start, Rating.at <= end)))
    by_level = Counter(r.score for r in ratings)
    completed_cases = [c for c in report.cases if c.completed_date]
    on_time = [c for c in completed_cases if c.within_promised_time]
    report.summary = {
        "applications": len(report.cases),
        "completed": len(completed_cases),
        "completed_within_promised_time": len(on_time),
        "on_time_rate": round(len(on_time) / len(completed_cases), 4) if completed_cases else None,
        "overdue": sum(1 for c in report.cases if c.overdue),
        "ratings": {str(level): by_level.get(level, 0) for level in range(5, 0, -1)},
        "satisfaction_rate": round((by_level[5] + by_level[4]) / len(ratings), 4) if ratings else None,
        "by_channel": dict(Counter(c.channel for c in report.cases)),
        "by_status": dict(Counter(c.status for c in report.cases)),
        **one_visit_summary(report.cases),
    }
    return report


#: a case the hall has finished with the citizen: accepted (the citizen need not come back unless asked),
#: decided, or refused; a withdrawn one is left out
FINISHED = (Status.ACCEPTED.value, Status.APPROVED.value, Status.REJECTED.value)


def one_visit_summary(cases: list[CaseRow]) -> dict[str, Any]:
    """最多跑一次: of the finished cases, how many took at most one trip to the hall (an online case finished
    at the window is one; one done wholly online is none), and their share."""
    finished = [c for c in cases if c.status in FINISHED]
    by_visits = Counter(min(c.visits, 3) for c in finished)
    at_most_one = by_visits[0] + by_visits[1]
    return {
        "finished": len(finished),
        "finished_by_visits": {"0": by_visits[0], "1": by_visits[1], "2": by_visits[2], "3+": by_visits[3]},
        "finished_in_one_visit": at_most_one,
        "one_visit_share": round(at_most_one / len(finished), 4) if finished else None,
    }


def _safe_cell(value: Any) -> Any:
    """Spreadsheets run cells that start with = + - @ as formulas; open data must never do that."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


CASE_COLUMNS = [f for f in CaseRow.__dataclass_fields__]


def to_csv(report: Report) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CASE_COLUMNS)
    for case in report.cases:
        writer.writerow([_safe_cell("" if v is None else v) for v in asdict(case).values()])
    if report.queue is not None:  # a second table after an empty line: the hall queue's figures
        writer.writerow([])
        if report.queue["available"]:
            for title, rows in (("queue_figures", report.queue["figures"]), ("queue_counters", report.queue["counters"])):
                writer.writerow([title, f"target_minutes={report.queue['target_minutes']}"])
                if rows:
                    writer.writerow(list(rows[0]))
                for row in rows:
                    writer.writerow([_safe_cell("" if v is None else v) for v in row.values()])
        else:
            note = report.queue["note"] or {"zh": "", "en": ""}
            writer.writerow(["queue_figures", "unavailable", note["zh"], note["en"]])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel opens Chinese CSV correctly


def to_json(report: Report) -> bytes:
    return json.dumps(asdict(report), ensure_ascii=False, indent=2).encode("utf-8")


def to_xml(report: Report) -> bytes:
    root = ET.Element("hallReport", {"from": report.date_from, "to": report.date_to, "generatedAt": report.generated_at})
    summary = ET.SubElement(root, "summary")
    for key, value in report.summary.items():
        node = ET.SubElement(summary, key)
        if isinstance(value, dict):
            for k, v in value.items():
                ET.SubElement(node, "entry", {"key": str(k)}).text = str(v)
        else:
            node.text = "" if value is None else str(value)
    days = ET.SubElement(root, "perDay")
    for day, count in report.per_day.items():
        ET.SubElement(days, "day", {"date": day}).text = str(count)
    cases = ET.SubElement(root, "cases")
    for case in report.cases:
        node = ET.SubElement(cases, "case")
        for key, value in asdict(case).items():
            ET.SubElement(node, key).text = "" if value is None else str(value)
    if report.queue is not None:
        queue = ET.SubElement(root, "queue", {"available": str(report.queue["available"]).lower()})
        if report.queue["available"]:
            queue.set("targetMinutes", str(report.queue["target_minutes"]))
            for tag, rows in (("figure", report.queue["figures"]), ("counter", report.queue["counters"])):
                for row in rows:
                    node = ET.SubElement(queue, tag)
                    for key, value in row.items():
                        ET.SubElement(node, key).text = "" if value is None else str(value)
        elif report.queue["note"]:
            ET.SubElement(queue, "note", {"lang": "zh"}).text = report.queue["note"]["zh"]
            ET.SubElement(queue, "note", {"lang": "en"}).text = report.queue["note"]["en"]
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    sheet = wb.active
    sheet.title = "cases"
    sheet.append(CASE_COLUMNS)
    for case in report.cases:
        sheet.append([_safe_cell(v) for v in asdict(case).values()])
    days = wb.create_sheet("per_day")
    days.append(["date", "applications"])
    for day, count in report.per_day.items():
        days.append([day, count])
    summary = wb.create_sheet("summary")
    for key, value in report.summary.items():
        summary.append([key, json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else value])
    if report.queue is not None:
        if report.queue["available"]:
            for title, rows in (("queue", report.queue["figures"]), ("queue_counters", report.queue["counters"])):
                sheet = wb.create_sheet(title)
                sheet.append(["target_minutes", report.queue["target_minutes"]])
                if rows:
                    sheet.append(list(rows[0]))
                for row in rows:
                    sheet.append([_safe_cell(v) for v in row.values()])
        else:
            sheet = wb.create_sheet("queue")
            note = report.queue["note"] or {"zh": "", "en": ""}
            sheet.append(["unavailable", note["zh"], note["en"]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


WRITERS = {"csv": to_csv, "json": to_json, "xml": to_xml, "xlsx": to_xlsx}


def write_report(report: Report, fmt: str, out: Path) -> int:
    data = WRITERS[fmt](report)
    write_atomic(out, data, mode=0o644)
    return len(data)
