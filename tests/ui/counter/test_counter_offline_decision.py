"""Issue 7 acceptance through the counter UI: a decision made offline reaches the platform when the link returns.

A real reference platform (SQLite) on loopback behind the linksim proxy; the
clerk logs in, checks materials and decides with the real buttons while the
link is down; the decisions wait in the outbox and go up on the first sync
pass after the link comes back. The platform is asked with the real CLI.
"""
from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from kiosk.store.models import Application, OutboxItem
from sync.engine import PassReport, SyncEngine
from sync.linksim import BadLink
from tests.sync.conftest import engine_for, enroll
from tests.sync.servers import PlatformServer
from tests.ui.counter.conftest import Hall, click, log_in, open_review
from kiosk import demo_hall as demo
from ui.counter.window import CounterWindow
from ui.dialogs import ConfirmDialog

ONEWINDOW = Path(sys.executable).with_name("onewindow")


@dataclass
class Link:
    """The terminal's only road to the platform: a proxy the test can cut."""

    platform: PlatformServer
    proxy: BadLink
    engine: SyncEngine


@pytest.fixture
def link(tmp_path: Path, hall: Hall) -> Iterator[Link]:
    platform = PlatformServer(tmp_path / "platform")
    for username, role, display_name in demo.DEMO_STAFF:  # the hall's administrator registered its staff there
        platform.add_staff(hall.terminal.settings.hall_code, username, demo.PASSWORD, role, display_name)
    proxy = BadLink(platform.port)
    try:
        credential = enroll(hall.terminal, platform, url=proxy.url(), name="counter-1")
        yield Link(platform, proxy, engine_for(hall.terminal, credential, read_timeout=5.0))
    finally:
        proxy.close()
        platform.stop()


def platform_cases(platform: PlatformServer) -> dict[str, dict[str, Any]]:
    """What the platform's operator sees: `onewindow platform cases --json`, in its own process."""
    done = subprocess.run([str(ONEWINDOW), "platform", "cases", "--home", str(platform.home), "--json"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return {c["id"]: c for c in json.loads(done.stdout)}


def decisions(hall: Hall) -> list[OutboxItem]:
    with hall.terminal.store.transaction() as s:
        return list(s.scalars(select(OutboxItem).where(OutboxItem.kind == "decision").order_by(OutboxItem.id)))


def status_of(hall: Hall, app_id: str) -> str:
    with hall.terminal.store.transaction() as s:
        return s.get(Application, app_id).status


def sync_until_done(engine: SyncEngine, max_passes: int = 10) -> PassReport:
    report = PassReport()
    for _ in range(max_passes):
        report = engine.run_pass()
        if report.online and report.pending == 0 and report.downloads_pending == 0:
            return report
    raise AssertionError(f"sync did not finish: {report}")


def mark(qtbot: Any, review: Any, code: str, button: str, reason: str = "") -> None:
    """Pick the material in the list, then press the check button, as a clerk does."""
    row = next(i for i, m in enumerate(review.detail.materials) if m.code == code)
    review.material_list.setCurrentRow(row)
    qtbot.waitUntil(lambda: review.current_code == code, timeout=10_000)
    review.reason.setPlainText(reason)
    expected = {"valid_button": "valid", "missing_button": "missing"}[button]
    click(qtbot, getattr(review, button))
    qtbot.waitUntil(lambda: not review.busy and review.detail.material(code).review_state == expected,
                    timeout=10_000)


def test_decisions_made_offline_at_the_counter_reach_the_platform_when_the_link_returns(
        qtbot: Any, hall: Hall, link: Link, make_window: Callable[..., CounterWindow], lp: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # a second kiosk case (JPEG + PDF only) for the supplement request
    second = demo.submit_at(hall.terminal, demo.id_card_draft(2, tiff=False)).id
    report = sync_until_done(link.engine)
    assert report.sent == 2
    before = platform_cases(link.platform)
    assert {before[hall.case_id]["status"], before[second]["status"]} == {"received"}
    assert decisions(hall) == []

    link.proxy.down = True  # the link drops; the counter keeps working
    link.proxy.cut_all()
    offline = link.engine.run_pass()
    assert not offline.online

    monkeypatch.setattr(ConfirmDialog, "ask", classmethod(lambda cls, *a, **k: True))
    window = make_window()
    log_in(qtbot, window, "clerk1")

    review = open_review(qtbot, window, hall.case_id)
    mark(qtbot, review, "id_card", "valid_button")
    mark(qtbot, review, "household_register", "valid_button")
    click(qtbot, review.accept_button)
    qtbot.waitUntil(lambda: review.last_outcome is not None, timeout=30_000)
    assert review.last_outcome.decision.to == "accepted"
    assert "已受理" in review.info_labels["status"][1].text()

    review = open_review(qtbot, window, second)
    mark(qtbot, review, "id_card", "valid_button")
    mark(qtbot, review, "household_register", "missing_button", "户口簿首页缺失，请补交首页原件")
    click(qtbot, review.supplement_button)
    qtbot.waitUntil(lambda: review.last_outcome is not None and review.last_outcome.detail.row.id == second,
                    timeout=30_000)
    assert review.last_outcome.decision.to == "needs_supplement"

    # decided here, offline: the local status moved and both decisions wait in the outbox
    assert status_of(hall, hall.case_id) == "accepted" and status_of(hall, second) == "needs_supplement"
    queued = decisions(hall)
    assert [(i.ref_id, i.state, i.payload["to"]) for i in queued] == \
        [(hall.case_id, "pending", "accepted"), (second, "pending", "needs_supplement")]
    assert queued[1].payload["missing"] == ["household_register"]
    assert all(i.payload["decided_by"] == "clerk1" for i in queued)
    still_offline = link.engine.run_pass()  # a retry while the link is still down changes nothing
    assert not still_offline.online and still_offline.pending == 2
    assert [i.state for i in decisions(hall)] == ["pending", "pending"]
    assert {c["status"] for c in platform_cases(link.platform).values()} == {"received"}  # not there yet
    assert len(list(lp.glob("*.pdf"))) == 2  # the notices printed locally all the same

    link.proxy.down = False  # the link returns
    back = sync_until_done(link.engine)
    assert back.decisions_sent == 2 and back.rejected == 0, back
    assert [i.state for i in decisions(hall)] == ["sent", "sent"]
    cases = platform_cases(link.platform)
    assert cases[hall.case_id]["status"] == "accepted"
    assert cases[second]["status"] == "needs_supplement"
    assert [(d["decision_id"], d["decided_by"]) for d in cases[hall.case_id]["decisions"]] == \
        [(queued[0].payload["decision_id"], "clerk1")]
    assert cases[second]["decisions"][0]["missing"] == ["household_register"]
    # the feed echoes the decisions back without moving anything on the terminal
    assert status_of(hall, hall.case_id) == "accepted" and status_of(hall, second) == "needs_supplement"
