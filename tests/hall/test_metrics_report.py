"""The queue's figures in `onewindow report` (csv, json, xml, xlsx), and a note instead of zeros with the hub away."""
from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kiosk import demo_hall
from kiosk.cli import main
from kiosk.settings import load_settings
from kiosk.terminal import Terminal
from kiosk.usecases.reports import hall_report
from tests.hall.test_metrics import DAY, DAY_TICKETS, SESSIONS
from tests.helpers.fake_hall import FakeHall


@pytest.fixture
def terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Terminal:
    terminal = Terminal.open(load_settings(tmp_path / "home"), parts=False)
    hub = FakeHall(counter_no=3)
    for t in DAY_TICKETS:  # the hand-computed day of test_metrics
        hub.tickets[t.ticket_id] = t
    hub.sessions = list(SESSIONS)
    terminal.hall = hub
    monkeypatch.setattr("kiosk.cli.report_cmd.terminal_from_args", lambda args: terminal)
    return terminal


def report(tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    out = tmp_path / f"report.{fmt}"
    assert main(["report", "--from", "2026-11-28", "--to", DAY, "--format", fmt, "--out", str(out)]) == 0
    return out, capsys.readouterr().err


def test_every_format_carries_the_queue_figures(terminal, tmp_path, capsys):
    data = json.loads(report(tmp_path, "json", capsys)[0].read_text(encoding="utf-8"))
    queue = data["queue"]
    assert queue["available"] is True and queue["target_minutes"] == 30
    period = next(r for r in queue["figures"] if r["day"] == "" and r["group"] == "total")
    assert (period["issued"], period["served"], period["no_shows"], period["still_waiting"]) == (7, 4, 1, 1)
    assert period["mean_wait_minutes"] == 33.0 and period["within_target_share"] == 0.75
    day = next(r for r in queue["figures"] if r["day"] == DAY and r["group"] == "category" and r["key"] == "B")
    assert (day["issued"], day["served"], day["no_shows"]) == (2, 1, 1)
    assert not [r for r in queue["figures"] if r["day"] == "2026-11-28" and r["issued"]]  # an empty day is empty
    idle = {r["counter_no"]: r for r in queue["counters"] if r["day"] == ""}
    assert idle[1]["idle_minutes"] == 120.0 and idle[1]["served"] == 3

    text = report(tmp_path, "csv", capsys)[0].read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    start = rows.index(["queue_figures", "target_minutes=30"])
    header = rows[start + 1]
    total = dict(zip(header, rows[start + 2]))
    assert total["group"] == "total" and total["issued"] == "7" and total["within_target_share"] == "0.75"
    assert ["queue_counters", "target_minutes=30"] in rows

    root = ET.parse(report(tmp_path, "xml", capsys)[0]).getroot()
    queue_node = root.find("queue")
    assert queue_node is not None and queue_node.get("available") == "true"
    first = queue_node.find("figure")
    assert first.findtext("group") == "total" and first.findtext("served") == "4"

    book = load_workbook(report(tmp_path, "xlsx", capsys)[0])
    sheet = book["queue"]
    values = list(sheet.values)
    assert values[0][:2] == ("target_minutes", 30)
    head = values[1]
    assert dict(zip(head, values[2]))["no_shows"] == 1
    assert "queue_counters" in book.sheetnames


def test_hub_away_says_so_in_every_format_and_never_zeros(terminal, tmp_path, capsys):
    terminal.hall.reachable = False  # type: ignore[union-attr]
    out, err = report(tmp_path, "json", capsys)
    queue = json.loads(out.read_text(encoding="utf-8"))["queue"]
    assert queue == {"available": False, "note": {"zh": "叫号服务器暂时无法连接。",
                                                   "en": "The hall's queue server cannot be reached right now."}}
    assert "queue figures missing" in err
    assert ["queue_figures", "unavailable", "叫号服务器暂时无法连接。",
            "The hall's queue server cannot be reached right now."] in list(
        csv.reader(io.StringIO(report(tmp_path, "csv", capsys)[0].read_text(encoding="utf-8-sig"))))
    node = ET.parse(report(tmp_path, "xml", capsys)[0]).getroot().find("queue")
    assert node.get("available") == "false" and node.find("figure") is None
    assert "cannot be reached" in ET.tostring(node, encoding="unicode")
    assert list(load_workbook(report(tmp_path, "xlsx", capsys)[0])["queue"].values)[0][0] == "unavailable"


def test_without_a_hub_the_report_is_as_before(terminal, tmp_path, capsys):
    terminal.hall = None
    data = json.loads(report(tmp_path, "json", capsys)[0].read_text(encoding="utf-8"))
    assert data["queue"] is None
    assert "queue" not in report(tmp_path, "csv", capsys)[0].read_text(encoding="utf-8-sig")


def test_the_supervisors_report_carries_them_too(terminal):
    _clerk, lead = demo_hall.add_staff(terminal)
    from datetime import date

    made = hall_report(terminal, lead, date(2026, 11, 29), date(2026, 11, 29), today=date(2026, 11, 30))
    assert made.queue is not None and made.queue["available"] is True
