"""The call board: what it shows after start, new calls, the link going down and back, a restart's catch-up.

The hub is `tests.helpers.fake_hall.FakeHall` (an in-memory `HallPart`, at the test's edge); its
events are made on a plain thread, as the real link's callbacks arrive, so the hand-over to the GUI
thread is exercised (the off-thread check of tests/ui/conftest.py watches that thread).
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from kiosk.errors import Message
from kiosk.queue.model import Priority
from tests.helpers.fake_hall import FakeHall
from ui.board import texts
from ui.board.window import BoardWindow

HALL_NAME = Message("西湖区政务服务中心", "Xihu District Government Service Center")


class LinkedHall(FakeHall):
    """FakeHall whose subscription also reports the link, as the real part's does."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.on_link: list[Callable[[bool], None]] = []

    def subscribe(self, since, on_events, on_link):  # noqa: ANN001, ANN201 - the protocol's
        self.on_link.append(on_link)
        return super().subscribe(since, on_events, on_link)

    def link(self, up: bool) -> None:
        self.reachable = up
        for callback in list(self.on_link):
            callback(up)


def off_gui_thread(fn: Callable[[], Any]) -> Any:
    """Run `fn` on a plain thread (where the real part's callbacks run) and return its result."""
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(fn()), name="hub-link")
    thread.start()
    thread.join(10)
    assert not thread.is_alive()
    return result[0] if result else None


def issue(hall: FakeHall, *categories: str) -> None:
    for category in categories:
        hall.issue(category, Priority.NORMAL)


def call_at(hall: FakeHall, counter: int) -> str:
    hall.counter_no = counter
    hall.open_counter()
    ticket = off_gui_thread(hall.call_next)
    assert ticket is not None
    return ticket.number


def open_board(qtbot: Any, hall: Any, size: tuple[int, int] = (1920, 1080), **kwargs: Any) -> BoardWindow:
    window = BoardWindow(hall, hall_name=HALL_NAME, **kwargs)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_the_board_shows_the_current_state_after_start(qtbot):
    hall = LinkedHall()
    issue(hall, "A", "A", "A", "B", "C")
    call_at(hall, 2)  # A001 to counter 2
    call_at(hall, 5)  # A002 to counter 5
    window = open_board(qtbot, hall)
    qtbot.waitUntil(lambda: window.link.view is not None, timeout=5_000)
    assert window.headline() == "A002 → 5 号窗口"
    assert window.recent_lines() == ["A001 → 2 号窗口"]
    assert window.waiting_counts() == {"A": 1, "B": 1, "C": 1}
    assert not window.notice.isVisible()  # nothing wrong to say
    assert window.call_panel.call is not None and window.call_panel.call.caption().en == \
        "Ticket A002, please go to counter 5"


def test_new_calls_and_tickets_appear_as_they_happen(qtbot):
    hall = LinkedHall()
    window = open_board(qtbot, hall)
    qtbot.waitUntil(lambda: window.link.view is not None, timeout=5_000)
    assert window.headline() == "" and window.waiting_counts() == {"A": 0, "B": 0, "C": 0}
    off_gui_thread(lambda: issue(hall, "B", "B", "A"))
    qtbot.waitUntil(lambda: window.waiting_counts() == {"A": 1, "B": 2, "C": 0}, timeout=5_000)
    hall.counter_no = 7
    hall.open_counter(("B",))
    with qtbot.waitSignal(window.link.called, timeout=5_000) as called:
        off_gui_thread(hall.call_next)
    assert [c.number for c in called.args[0]] == ["B001"]
    assert window.headline() == "B001 → 7 号窗口" and window.call_panel.highlighted
    assert window.waiting_counts() == {"A": 1, "B": 1, "C": 0}
    first = hall.tickets[called.args[0][0].ticket_id]
    off_gui_thread(lambda: hall.recall(first.ticket_id))
    qtbot.waitUntil(lambda: window.call_panel.call is not None and window.call_panel.call.recall, timeout=5_000)
    assert window.recent_lines() == []  # a recall is still that ticket: shown once
    assert window.link.follower.gaps == 0


def test_link_down_keeps_the_last_state_on_screen_and_says_so(qtbot):
    hall = LinkedHall()
    issue(hall, "A", "A")
    call_at(hall, 3)
    window = open_board(qtbot, hall)
    qtbot.waitUntil(lambda: window.headline() == "A001 → 3 号窗口", timeout=5_000)
    snapshots = window.link.snapshots
    off_gui_thread(lambda: hall.link(False))
    qtbot.waitUntil(lambda: window.notice.isVisible(), timeout=5_000)
    assert window.notice.message == texts.link_down() and window.notice.warning
    assert window.notice.message.zh != window.notice.message.en  # its Chinese is in the catalogue
    assert window.headline() == "A001 → 3 号窗口" and window.waiting_counts() == {"A": 1, "B": 0, "C": 0}
    window.grab()  # it paints, with the notice, without error
    off_gui_thread(lambda: hall.link(True))
    qtbot.waitUntil(lambda: not window.notice.isVisible(), timeout=5_000)
    qtbot.waitUntil(lambda: window.link.snapshots > snapshots, timeout=5_000)  # a check after the outage


def test_a_hub_away_at_start_is_asked_again_until_it_answers(qtbot):
    hall = LinkedHall()
    issue(hall, "C")
    hall.reachable = False
    window = open_board(qtbot, hall)
    window.link._retry_ms = window.link._next_retry_ms = 50
    qtbot.waitUntil(lambda: window.link.link_up is False, timeout=5_000)
    assert window.notice.isVisible() and window.notice.message == texts.link_down()
    assert window.link.view is None and window.headline() == ""
    hall.reachable = True
    qtbot.waitUntil(lambda: window.link.view is not None, timeout=5_000)
    assert window.waiting_counts()["C"] == 1 and not window.notice.isVisible()


def test_a_board_killed_and_restarted_shows_the_current_state_within_five_seconds(qtbot):
    hall = LinkedHall()
    issue(hall, "A", "A", "A", "B")
    call_at(hall, 1)
    first = open_board(qtbot, hall)
    qtbot.waitUntil(lambda: first.headline() == "A001 → 1 号窗口", timeout=5_000)
    first.close()
    call_at(hall, 4)  # while no board runs
    call_at(hall, 6)
    issue(hall, "C")
    second = open_board(qtbot, hall)
    qtbot.waitUntil(lambda: second.headline() == "A003 → 6 号窗口", timeout=5_000)
    assert second.recent_lines() == ["A002 → 4 号窗口", "A001 → 1 号窗口"]
    assert second.waiting_counts() == {"A": 0, "B": 1, "C": 1}
    call_at(hall, 2)  # and it follows from there
    qtbot.waitUntil(lambda: second.headline() == "B001 → 2 号窗口", timeout=5_000)


def test_an_unpaired_board_says_how_to_pair_it(qtbot):
    window = open_board(qtbot, None)
    assert window.notice.isVisible() and window.notice.message == texts.not_paired()
    assert "onewindow queue pair" in window.notice.message.zh
    window.grab()


def test_both_orientations_and_a_small_panel_lay_out_every_piece(qtbot):
    hall = LinkedHall()
    issue(hall, "A", "B")
    call_at(hall, 3)
    window = open_board(qtbot, hall)
    qtbot.waitUntil(lambda: window.link.view is not None, timeout=5_000)
    for size, orientation in (((1920, 1080), "landscape"), ((1080, 1920), "portrait"), ((1366, 768), "landscape")):
        window.resize(*size)
        qtbot.waitUntil(lambda: window.orientation == orientation and window.width() == size[0], timeout=5_000)
        qtbot.wait(0)
        inside = window.rect()
        for piece in (window.header, window.call_panel, window.recent_panel, window.waiting_panel):
            assert inside.contains(piece.geometry()), (size, piece)
            assert piece.height() > 80 * window.call_panel.unit, (size, piece)
        if orientation == "portrait":
            assert window.call_panel.geometry().bottom() < window.recent_panel.geometry().top()
        else:
            assert window.call_panel.geometry().right() < window.recent_panel.geometry().left()
        image = window.grab().toImage()
        assert image.width() == size[0]


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)], ids=["landscape", "portrait"])
def test_the_newest_call_is_drawn_large(qtbot, size):
    hall = LinkedHall()
    issue(hall, "A")
    call_at(hall, 10)
    window = open_board(qtbot, hall, size)
    qtbot.waitUntil(lambda: window.link.view is not None and window.width() == size[0], timeout=5_000)
    window.grab()
    # readable across a hall: the call is painted at least 120 px high on a full HD board, either way round
    assert window.call_panel.call_px >= 120, window.call_panel.call_px
