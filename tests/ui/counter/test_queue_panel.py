"""The counter's queue panel: calling, serving, transfer, help requests, the hub away, and the visit linked.

The hub stands in as `FakeHall` at the test's edge; the hub's own events arrive on other threads, as the
real link's do, and the panel must show them through its GUI-thread bridge.
"""
from __future__ import annotations

import threading

import pytest

from kiosk import demo_hall as demo
from kiosk.errors import Message
from kiosk.queue.model import CounterState, Priority, TicketState
from tests.helpers.fake_hall import FakeHall
from tests.ui.counter.conftest import click, log_in, waiting_card
from ui.dialogs import ConfirmDialog, ImportFileDialog


@pytest.fixture
def fake_hub(hall) -> FakeHall:
    hub = FakeHall(counter_no=3)
    hall.terminal.hall = hub
    return hub


def open_queue(qtbot, make_window, *, language: str = "zh"):
    window = make_window(language=language)
    log_in(qtbot, window, "clerk1")
    click(qtbot, window.nav_buttons["queue"])
    queue = window.screens["queue"]
    qtbot.waitUntil(lambda: queue.loads > 0 and queue.follower.subscription is not None, timeout=10_000)
    return window, queue


def from_another_thread(work) -> None:
    """What the hub's link does: act (and so emit events) on its own thread."""
    thread = threading.Thread(target=work)
    thread.start()
    thread.join(10)
    assert not thread.is_alive()


def test_no_hub_no_queue_tab(qtbot, hall, make_window):
    window = make_window()
    log_in(qtbot, window, "clerk1")
    assert "queue" not in window.screens and "queue" not in window.nav_buttons


def test_call_start_finish_in_priority_order(qtbot, hall, fake_hub, make_window):
    regular = fake_hub.issue("A", Priority.NORMAL).ticket
    elderly = fake_hub.issue("A", Priority.ELDERLY).ticket
    window, queue = open_queue(qtbot, make_window)
    qtbot.waitUntil(lambda: "2" in waiting_card(queue, "A"), timeout=10_000)
    assert not queue.finish_button.isEnabled() and not queue.recall_button.isEnabled()
    click(qtbot, queue.open_button)
    qtbot.waitUntil(lambda: 3 in fake_hub.counter_open and fake_hub.counter_open[3].open and "3" in queue.link_label.text(), timeout=10_000)
    click(qtbot, queue.next_button)
    qtbot.waitUntil(lambda: queue.current is not None, timeout=10_000)
    assert queue.current.ticket_id == elderly.ticket_id and queue.card.number.text() == elderly.number
    assert "老年人优先" in queue.card.detail.text()
    qtbot.waitUntil(lambda: "1 人等候" in waiting_card(queue, "A"), timeout=10_000)
    assert not queue.next_button.isEnabled() and not queue.finish_button.isEnabled()
    click(qtbot, queue.recall_button)
    qtbot.waitUntil(lambda: queue.current is not None and queue.current.calls == 2, timeout=10_000)
    click(qtbot, queue.start_button)
    qtbot.waitUntil(lambda: queue.current is not None and queue.current.state == TicketState.SERVING, timeout=10_000)
    assert "正在办理" in queue.card.state.text()
    click(qtbot, queue.finish_button)
    qtbot.waitUntil(lambda: queue.current is None and queue.next_button.isEnabled(), timeout=10_000)
    assert fake_hub.tickets[elderly.ticket_id].state == TicketState.DONE
    click(qtbot, queue.next_button)
    qtbot.waitUntil(lambda: queue.current is not None and queue.current.ticket_id == regular.ticket_id,
                    timeout=10_000)
    click(qtbot, queue.no_show_button)
    qtbot.waitUntil(lambda: queue.current is None, timeout=10_000)
    click(qtbot, queue.next_button)
    qtbot.waitUntil(lambda: queue.message.isVisible() and "没有人" in queue.message.text(), timeout=10_000)
    assert fake_hub.tickets[regular.ticket_id].state == TicketState.NO_SHOW
    assert [name for name, _ in fake_hub.calls_made if name in ("recall", "start", "finish", "no_show")] == \
        ["recall", "start", "finish", "no_show"]


def test_events_from_the_hubs_thread_reach_the_panel(qtbot, hall, fake_hub, make_window):
    window, queue = open_queue(qtbot, make_window, language="en")
    queue.backstop.stop()  # only the events may bring the news here
    from_another_thread(lambda: fake_hub.issue("B", Priority.NORMAL))
    qtbot.waitUntil(lambda: "1 waiting" in waiting_card(queue, "B"), timeout=10_000)
    kiosk = FakeHall(counter_no=None, device_name="kiosk-2")
    kiosk.help, kiosk.events, kiosk.subscribers, kiosk.lock = (fake_hub.help, fake_hub.events,
                                                               fake_hub.subscribers, fake_hub.lock)
    from_another_thread(lambda: kiosk.request_help("materials", Message("上传材料", "Materials")))
    qtbot.waitUntil(lambda: len(queue.help_rows) == 1, timeout=10_000)
    row = next(iter(queue.help_rows.values()))
    assert "kiosk-2" in row.words.text() and "Materials" in row.words.text()
    qtbot.waitUntil(lambda: "⚑ 1" in window.nav_buttons["queue"].text(), timeout=10_000)
    click(qtbot, row.button)
    qtbot.waitUntil(lambda: not row.button.isVisible() and "on the way" in row.words.text(), timeout=10_000)
    assert fake_hub.help[row.request.help_id].acknowledged_at is not None
    assert window.nav_buttons["queue"].text() == "Queue"
    from_another_thread(lambda: fake_hub.close_help(row.request.help_id))
    qtbot.waitUntil(lambda: not queue.help_rows and queue.help_empty.isVisible(), timeout=10_000)


def test_transfer_by_button_or_number_pad_never_to_itself(qtbot, hall, fake_hub, make_window):
    first = fake_hub.issue("C", Priority.NORMAL).ticket
    second = fake_hub.issue("C", Priority.NORMAL).ticket
    fake_hub.counter_open[5] = CounterState(5, True, ("C",))  # another counter open in the hall
    window, queue = open_queue(qtbot, make_window)
    click(qtbot, queue.next_button)
    qtbot.waitUntil(lambda: queue.current is not None, timeout=10_000)
    click(qtbot, queue.transfer_button)
    qtbot.waitUntil(lambda: 5 in queue.transfer.counter_buttons, timeout=10_000)
    assert 3 not in queue.transfer.counter_buttons  # the other open counters only
    click(qtbot, queue.transfer.counter_buttons[5])
    qtbot.waitUntil(lambda: queue.current is None, timeout=10_000)
    assert fake_hub.tickets[first.ticket_id].counter_no == 5
    assert fake_hub.tickets[first.ticket_id].state == TicketState.WAITING
    click(qtbot, queue.next_button)
    qtbot.waitUntil(lambda: queue.current is not None, timeout=10_000)  # the next in line: the other C ticket
    taken = queue.current.ticket_id
    click(qtbot, queue.transfer_button)
    click(qtbot, queue.transfer.pad.keys["3"])  # this counter's own number: refused, nothing changes
    click(qtbot, queue.transfer.go_button)
    qtbot.waitUntil(lambda: queue.message.isVisible() and "本窗口" in queue.message.text(), timeout=10_000)
    assert fake_hub.tickets[taken].state == TicketState.CALLED and fake_hub.tickets[taken].counter_no == 3
    click(qtbot, queue.transfer_button)
    for key in ("1", "2"):
        click(qtbot, queue.transfer.pad.keys[key])
    assert queue.transfer.entry.text() == "12"
    click(qtbot, queue.transfer.go_button)
    qtbot.waitUntil(lambda: queue.current is None, timeout=10_000)
    assert fake_hub.tickets[taken].counter_no == 12
    assert {first.ticket_id, second.ticket_id} == set(fake_hub.tickets)


def test_hub_away_is_said_plainly_and_the_rest_of_the_counter_works(qtbot, hall, fake_hub, make_window):
    fake_hub.issue("A", Priority.NORMAL)
    window, queue = open_queue(qtbot, make_window)
    fake_hub.reachable = False
    click(qtbot, queue.next_button)
    qtbot.waitUntil(lambda: queue.reachable is False and "无法连接" in queue.link_label.text(), timeout=10_000)
    assert not queue.next_button.isEnabled() and queue.current is None
    assert all(t.state == TicketState.WAITING for t in fake_hub.tickets.values())
    worklist = window.screens["worklist"]  # the clerk's other work goes on
    loads = worklist.loads
    click(qtbot, window.nav_buttons["worklist"])
    qtbot.waitUntil(lambda: worklist.loads > loads, timeout=10_000)
    assert [r.id for r in worklist.rows] == [hall.case_id]
    fake_hub.reachable = True
    click(qtbot, window.nav_buttons["queue"])  # the backstop refresh would do the same, later
    qtbot.waitUntil(lambda: queue.reachable is True and queue.next_button.isEnabled(), timeout=10_000)
    assert "无法连接" not in queue.link_label.text()


def test_a_walk_in_filed_while_serving_is_linked_to_the_ticket(qtbot, hall, fake_hub, make_window, tmp_path,
                                                                monkeypatch):
    ticket = fake_hub.issue("A", Priority.NORMAL).ticket
    draft = demo.add_draft(hall.terminal, 8)
    monkeypatch.setattr(ConfirmDialog, "ask", classmethod(lambda cls, *a, **k: True))
    window, queue = open_queue(qtbot, make_window)
    click(qtbot, queue.next_button)
    qtbot.waitUntil(lambda: queue.current is not None, timeout=10_000)
    click(qtbot, queue.start_button)
    qtbot.waitUntil(lambda: queue.current is not None and queue.current.state == TicketState.SERVING, timeout=10_000)
    window.resume_draft(draft)
    walkin = window.screens["walkin"]
    qtbot.waitUntil(lambda: window.current_name == "walkin" and walkin.draft_id == draft, timeout=10_000)
    page = tmp_path / "register.jpg"
    page.write_bytes(demo.jpeg_file(4).data)
    monkeypatch.setattr(ImportFileDialog, "ask", classmethod(lambda cls, parent, start=None: page))
    click(qtbot, walkin.rows["household_register"].import_button)
    qtbot.waitUntil(lambda: walkin.rows["household_register"].done and not walkin.materials_busy, timeout=20_000)
    with qtbot.waitSignal(queue.linked, timeout=20_000):
        click(qtbot, walkin.submit_button)
    assert fake_hub.tickets[ticket.ticket_id].application_ref == walkin.submitted.receipt_no
    assert walkin.submitted.receipt_no in queue.link_label.text()


def test_logout_stops_following(qtbot, hall, fake_hub, make_window):
    window, queue = open_queue(qtbot, make_window)
    assert len(fake_hub.subscribers) == 1
    window.logout()
    qtbot.waitUntil(lambda: not fake_hub.subscribers, timeout=10_000)
    from_another_thread(lambda: fake_hub.issue("A", Priority.NORMAL))  # nobody listens; nothing breaks
    assert "queue" not in window.screens


def test_a_refresh_that_lands_after_the_panel_stopped_does_not_follow_the_hub_again(qtbot, hall, fake_hub,
                                                                                      make_window):
    """Found as a flaky logout test: a refresh still in flight at logout came back and subscribed again,
    and that subscription (a thread in the real link) outlived the window."""
    from ui.jobs import wait_idle

    window, queue = open_queue(qtbot, make_window)
    loads = queue.loads
    queue.refresh()  # its answer arrives after the stop below
    queue.stop()
    qtbot.waitUntil(lambda: queue.loads > loads, timeout=10_000)
    assert wait_idle(10_000)
    qtbot.waitUntil(lambda: not fake_hub.subscribers, timeout=10_000)
    assert not queue.follower.started and queue.follower.subscription is None


def test_the_dashboard_shows_the_queue_figures_or_says_they_are_missing(qtbot, hall, fake_hub, make_window):
    from datetime import datetime, timedelta, timezone

    from kiosk.queue.model import CounterSession, Ticket

    now = datetime.now(timezone.utc).replace(microsecond=0)
    start = now - timedelta(minutes=40)
    fake_hub.tickets["d1"] = Ticket("d1", "A001", "A", Priority.NORMAL, TicketState.DONE, fake_hub.day,
                                    start, "kiosk-1", called_at=start + timedelta(minutes=12), counter_no=3,
                                    started_at=start + timedelta(minutes=14), finished_at=start + timedelta(minutes=24),
                                    calls=1)
    fake_hub.sessions.append(CounterSession(3, start, start + timedelta(minutes=30)))
    window = make_window(language="en")
    log_in(qtbot, window, "lead1")
    click(qtbot, window.nav_buttons["dashboard"])
    dashboard = window.screens["dashboard"]
    qtbot.waitUntil(lambda: dashboard.loads > 0, timeout=10_000)
    panel = dashboard.queue_panel
    assert panel.isVisibleTo(dashboard) and not panel.note.isVisibleTo(dashboard)
    assert panel.cards["served"][0].text() == "1" and panel.cards["wait"][0].text() == "12.0"
    assert panel.cards["within"][0].text() == "100 %" and "30 min" in panel.cards["within"][1].text()
    fake_hub.reachable = False
    loads = dashboard.loads
    click(qtbot, dashboard.show_button)
    qtbot.waitUntil(lambda: dashboard.loads > loads, timeout=10_000)
    assert panel.note.isVisibleTo(dashboard) and "cannot be reached" in panel.note.text()
    assert not panel.cards["served"][0].isVisibleTo(dashboard)  # no zeros standing in for missing figures
