"""The queue panel and the dashboard's queue figures fit the counters' screens, in both languages.

Rendered offscreen at 1920x1080, 1366x768 and 1280x1024 with a busy hall (a ticket being served, every
line waiting, two kiosks asking for help, the transfer picker open) and audited for clipped text and
widgets outside the window. The PNGs go to $QUEUE_SHOTS_DIR when set (to be looked at), else to a
temporary folder.
"""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from kiosk.errors import Message
from kiosk.queue.model import CounterSession, CounterState, Priority, Ticket, TicketState
from tests.helpers.fake_hall import FakeHall
from tests.ui.counter.conftest import click, log_in
from tests.ui.layout_audit import audit_at

SIZES = ((1920, 1080), (1366, 768), (1280, 1024))


def busy_hall() -> FakeHall:
    hub = FakeHall(counter_no=3)
    now = datetime.now(timezone.utc)
    for n in range(14):
        hub.issue("ABC"[n % 3], (Priority.NORMAL, Priority.ELDERLY, Priority.APPOINTMENT)[n % 3 if n < 3 else 0])
    for counter in (1, 2, 5, 7, 12):
        hub.counter_open[counter] = CounterState(counter, True, ("A", "B"))
    for n in range(6):  # some of the day already served, for the dashboard
        issued = now - timedelta(minutes=90 - n * 10)
        hub.tickets[f"done{n}"] = Ticket(f"done{n}", f"B{100 + n}", "B", Priority.NORMAL, TicketState.DONE, hub.day,
                                         issued, "kiosk-1", called_at=issued + timedelta(minutes=8 + 4 * n),
                                         counter_no=3, started_at=issued + timedelta(minutes=9 + 4 * n),
                                         finished_at=issued + timedelta(minutes=17 + 4 * n), calls=1)
    hub.sessions.append(CounterSession(3, now - timedelta(hours=2)))
    for kiosk, step in (("kiosk-1", Message("拍摄并上传材料", "Photograph and upload the materials")),
                        ("kiosk-2", Message("填写申请表", "Fill in the application form"))):
        hub.device_name = kiosk
        hub.request_help(step.en.lower().replace(" ", "_"), step)
    hub.device_name = "counter-3"
    return hub


@pytest.mark.parametrize("language", ["zh", "en"])
def test_queue_panel_and_dashboard_fit_and_are_rendered(qtbot, hall, make_window, tmp_path, language):
    hall.terminal.hall = hub = busy_hall()
    out = Path(os.environ.get("QUEUE_SHOTS_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    window = make_window(language=language)
    log_in(qtbot, window, "lead1")
    click(qtbot, window.nav_buttons["queue"])
    queue = window.screens["queue"]
    qtbot.waitUntil(lambda: queue.loads > 0 and len(queue.help_rows) == 2, timeout=10_000)
    click(qtbot, queue.open_button)
    qtbot.waitUntil(lambda: 3 in hub.counter_open and hub.counter_open[3].open and queue.next_button.isEnabled(), timeout=10_000)
    click(qtbot, queue.next_button)
    qtbot.waitUntil(lambda: queue.current is not None and queue.start_button.isEnabled(), timeout=10_000)
    click(qtbot, queue.start_button)
    qtbot.waitUntil(lambda: queue.current.state == TicketState.SERVING and queue.finish_button.isEnabled(),
                    timeout=10_000)
    click(qtbot, queue.transfer_button)
    problems: list[str] = []
    for size in SIZES:
        found = audit_at(window, size)
        problems += [f"queue {size}: {p}" for p in found]
        window.grab().save(str(out / f"counter_queue_{language}_{size[0]}x{size[1]}.png"))
    queue.transfer.hide()
    qtbot.wait(100)  # the layout settles without the picker
    window.grab().save(str(out / f"counter_queue_{language}_plain.png"))
    click(qtbot, window.nav_buttons["dashboard"])
    dashboard = window.screens["dashboard"]
    qtbot.waitUntil(lambda: dashboard.loads > 0 and dashboard.queue_panel.isVisible(), timeout=10_000)
    for size in SIZES:
        found = audit_at(window, size)
        problems += [f"dashboard {size}: {p}" for p in found]
        window.grab().save(str(out / f"counter_dashboard_{language}_{size[0]}x{size[1]}.png"))
    from PySide6.QtWidgets import QScrollArea

    area = dashboard.findChild(QScrollArea)
    area.ensureWidgetVisible(dashboard.queue_panel)
    qtbot.wait(50)
    window.grab().save(str(out / f"counter_dashboard_{language}_queue_part.png"))
    assert not problems, "\n".join(problems[:40])
