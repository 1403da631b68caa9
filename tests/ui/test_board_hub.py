"""The board window against a real hub process: it follows the calls, says when the hub is gone (keeping what
it showed), catches up when the hub is back, and a restarted board shows the current state within 5 s.

The board is a `Terminal` paired with the hub as a board (its own data dir, the real `sync.hall.part`); the
kiosk and the counter that make the calls use the hub client directly.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.errors import Message
from kiosk.queue.model import IssueRequest, Priority
from sync.hall.client import HubClient
from tests.hall.hub_process import HubProcess, hub  # noqa: F401 - the fixture
from tests.hall.link_devices import paired_terminal
from ui.board import texts
from ui.board.window import BoardWindow

HALL_NAME = Message("西湖区政务服务中心", "Xihu District Government Service Center")


@pytest.fixture
def hall(hub: HubProcess, tmp_path: Path):  # noqa: F811
    board = paired_terminal(hub, tmp_path / "board", "board", "board-1")
    kiosk = HubClient(hub.base_url, hub.pair("kiosk", "kiosk-1", cli=False).token)
    counter = HubClient(hub.base_url, hub.pair("counter", "counter-4", counter_no=4, cli=False).token)
    counter.open_counter(None)
    yield board, kiosk, counter
    board.close()


def issue(kiosk: HubClient, category: str) -> None:
    import uuid

    kiosk.issue(IssueRequest(str(uuid.uuid4()), category, Priority.NORMAL))


def open_board(qtbot, terminal) -> BoardWindow:  # noqa: ANN001 - pytest-qt's fixture, a Terminal
    window = BoardWindow(terminal.hall, hall_name=HALL_NAME)
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_the_board_follows_a_real_hub_through_a_kill_and_a_restart(qtbot, hub, hall):  # noqa: F811
    board_terminal, kiosk, counter = hall
    line = counter.state().categories[0].code
    for _ in range(4):
        issue(kiosk, line)
    first = counter.call_next()
    assert first is not None
    window = open_board(qtbot, board_terminal)
    qtbot.waitUntil(lambda: window.headline() == f"{first.number} → 4 号窗口", timeout=5_000)
    assert window.waiting_counts()[line] == 3
    counter.ticket_action(first.ticket_id, "start")
    counter.ticket_action(first.ticket_id, "finish")
    second = counter.call_next()
    assert second is not None
    qtbot.waitUntil(lambda: window.headline() == f"{second.number} → 4 号窗口", timeout=5_000)
    assert window.recent_lines() == [f"{first.number} → 4 号窗口"] and window.waiting_counts()[line] == 2

    hub.kill()
    qtbot.waitUntil(lambda: window.notice.isVisible(), timeout=10_000)
    assert window.notice.message == texts.link_down()
    assert window.headline() == f"{second.number} → 4 号窗口"  # the last known state stays on screen
    hub.start()
    counter.ticket_action(second.ticket_id, "no-show")
    third = counter.call_next()
    assert third is not None
    qtbot.waitUntil(lambda: window.headline() == f"{third.number} → 4 号窗口", timeout=20_000)
    qtbot.waitUntil(lambda: not window.notice.isVisible(), timeout=5_000)
    assert window.waiting_counts()[line] == 1 and window.link.follower.gaps == 0

    window.close()  # the board is killed; calls go on meanwhile
    counter.ticket_action(third.ticket_id, "start")
    counter.ticket_action(third.ticket_id, "finish")
    fourth = counter.call_next()
    assert fourth is not None
    issue(kiosk, line)
    again = open_board(qtbot, board_terminal)
    qtbot.waitUntil(lambda: again.headline() == f"{fourth.number} → 4 号窗口", timeout=5_000)
    assert again.waiting_counts()[line] == 1
    assert again.recent_lines()[:2] == [f"{third.number} → 4 号窗口", f"{second.number} → 4 号窗口"]
