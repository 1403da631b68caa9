"""The terminal's link against a real hub process: two kiosks, three counters and a board, each a Terminal
with its own data dir, paired through `pair_with_hub`."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from kiosk.errors import Message, UserFacingError
from kiosk.queue.model import EventKind, Priority, Role, TicketState
from kiosk.usecases.queue import (hall_state, hall_status, help_request, pair_with_hub, queue_categories,
                                  request_help, take_ticket)
from sync.hall.pairing import load_pairing, pairing_path
from tests.hall.hub_process import hub  # noqa: F401 - the fixture
from tests.hall.link_devices import Board, paired_terminal, wait_until


@pytest.fixture
def hall(hub, tmp_path: Path):  # noqa: F811
    devices = {
        "k1": paired_terminal(hub, tmp_path / "k1", "kiosk", "kiosk-1"),
        "k2": paired_terminal(hub, tmp_path / "k2", "kiosk", "kiosk-2"),
        "c1": paired_terminal(hub, tmp_path / "c1", "counter", "counter-1", counter_no=1),
        "c2": paired_terminal(hub, tmp_path / "c2", "counter", "counter-2", counter_no=2),
        "c3": paired_terminal(hub, tmp_path / "c3", "counter", "counter-3", counter_no=3),
        "board": paired_terminal(hub, tmp_path / "board", "board", "board-1"),
    }
    yield devices
    for t in devices.values():
        t.close()


def test_a_hall_session_issuing_calling_transfer_no_show_help_and_the_board(hub, hall):  # noqa: F811
    k1, k2, c1, c2, c3, board_t = (hall[n] for n in ("k1", "k2", "c1", "c2", "c3", "board"))
    lines = [c.code for c in queue_categories(k1)]
    assert len(lines) >= 2
    a, b = lines[0], lines[1]
    assert load_pairing(k1.settings).pairing.role == Role.KIOSK and k1.hall.pairing.kiosk_slot != k2.hall.pairing.kiosk_slot

    board = Board()
    sub = board_t.hall.subscribe(0, board.on_events, board.on_link)
    try:
        c1.hall.open_counter((a,))
        c2.hall.open_counter((a, b))
        c3.hall.open_counter(None)
        issued = [take_ticket(k1, a, Priority.NORMAL), take_ticket(k1, a, Priority.NORMAL),
                  take_ticket(k2, b, Priority.NORMAL), take_ticket(k2, a, Priority.ELDERLY)]
        assert not any(i.offline for i in issued)
        numbers = [i.ticket.number for i in issued]
        # unique; after its first ticket each kiosk set a block aside (a one-shot terminal refills at once)
        assert len(set(numbers)) == 4 and numbers[0] == f"{a}001"
        assert issued[1].people_ahead == 1 and issued[1].status_url.startswith(hub.base_url + "/t/")

        first = c1.hall.call_next()
        assert first is not None and first.ticket_id == issued[3].ticket.ticket_id  # the elderly go first
        assert c1.hall.recall(first.ticket_id).calls == 2
        c1.hall.start(first.ticket_id)
        done = c1.hall.finish(first.ticket_id)
        assert done.state == TicketState.DONE and done.started_at and done.finished_at
        assert c1.hall.link(first.ticket_id, "330106001-001-261130-00001-5").application_ref

        second = c2.hall.call_next()
        assert second is not None
        assert c2.hall.no_show(second.ticket_id).state == TicketState.NO_SHOW
        with pytest.raises(UserFacingError):  # a refusal with the hub's message: not this counter's ticket
            c3.hall.start(second.ticket_id)

        third = c3.hall.call_next()
        assert third is not None
        moved = c3.hall.transfer(third.ticket_id, 1)
        assert moved.state == TicketState.WAITING and moved.counter_no == 1
        again = c1.hall.call_next()
        assert again is not None and again.ticket_id == third.ticket_id

        # help on request: the kiosk asks, a counter acknowledges, the kiosk sees who is coming
        asked = request_help(k2, "materials", Message("上传材料", "Materials"))
        assert help_request(k2, asked.help_id).acknowledged_at is None
        ack = c2.hall.acknowledge_help(asked.help_id)
        assert ack.acknowledged_by and help_request(k2, asked.help_id).acknowledged_at is not None
        c2.hall.close_help(asked.help_id)
        with pytest.raises(UserFacingError):  # a kiosk may not call
            k1.hall.call_next()

        state = hall_state(board_t)
        wait_until(lambda: board.last == state.seq, what="the board to follow every event")
        assert board.seqs == list(range(1, state.seq + 1))  # in order, no gaps, no duplicates
        kinds = [e.kind for e in board.events]
        assert kinds.count(EventKind.ISSUED) == 4 and kinds.count(EventKind.CALLED) == 4
        assert EventKind.HELP_ACKNOWLEDGED in kinds and EventKind.TRANSFERRED in kinds
        assert board.links == [True]
        assert state.waiting.get(a, 0) == 0 and state.waiting.get(b, 0) == 1
        assert [c.number for c in state.recent_calls][0] == third.number
    finally:
        sub.stop()

    # the board stopped; the hall goes on; a new subscription from the last number catches up
    seen = board.last
    more = take_ticket(k1, b, Priority.DISABLED)
    called = c2.hall.call_next()
    assert called is not None and called.ticket_id == more.ticket.ticket_id
    restarted = Board()
    sub2 = board_t.hall.subscribe(seen, restarted.on_events, restarted.on_link)
    try:
        target = hall_state(board_t).seq
        wait_until(lambda: restarted.last == target, what="the restarted board to catch up")
        assert restarted.seqs == list(range(seen + 1, target + 1))
    finally:
        sub2.stop()

    day = state.service_day
    tickets = c1.hall.tickets(day)
    assert len(tickets) == 5 and len({t.number for t in tickets}) == 5
    assert any(s.counter_no == 3 for s in c1.hall.counter_sessions(day))
    assert c1.hall.close_counter().open is False


def test_pairing_is_kept_privately_and_a_damaged_file_means_not_paired(hub, tmp_path, caplog):  # noqa: F811
    t = paired_terminal(hub, tmp_path / "k", "kiosk", "kiosk-9")
    path = pairing_path(t.settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    token = t.hall.pairing.token
    assert token in path.read_text() and token not in repr(load_pairing(t.settings))
    assert hall_status(t).configured and take_ticket(t, queue_categories(t)[0].code, Priority.NORMAL)
    t.close()

    path.write_text('{"hub_url": "http://127.0.0.1:1", "pairing": {"hub_id": 3}}')
    from kiosk.settings import load_settings
    from kiosk.store import close_all
    from kiosk.terminal import Terminal

    close_all()
    caplog.clear()
    again = Terminal.open(load_settings(tmp_path / "k"))
    assert again.hall is None and "damaged" in caplog.text
    status = hall_status(again)
    assert not status.configured
    # pairing again repairs it; a used code is refused with the hub's message and changes nothing
    code = hub.pair_code("kiosk", name="kiosk-9", cli=False)
    pair_with_hub(again, code, hub.base_url)
    assert again.hall is not None and hall_status(again).configured
    kept = path.read_bytes()
    with pytest.raises(UserFacingError) as err:
        pair_with_hub(again, code, hub.base_url)
    assert err.value.message.zh and err.value.message.en
    assert path.read_bytes() == kept
    with pytest.raises(UserFacingError):
        pair_with_hub(again, "", hub.base_url)
    with pytest.raises(UserFacingError):
        pair_with_hub(again, "ABC", "file:///etc/passwd")
    assert path.read_bytes() == kept
    again.close()


def test_hall_url_set_but_not_paired(tmp_path, monkeypatch):
    from kiosk.queue.model import HallUnavailable
    from kiosk.settings import load_settings
    from kiosk.terminal import Terminal

    monkeypatch.setenv("ONEWINDOW_HALL_URL", "http://127.0.0.1:9")
    t = Terminal.open(load_settings(tmp_path / "x"))
    assert t.hall is not None and not hall_status(t).configured
    with pytest.raises(HallUnavailable) as err:
        take_ticket(t, "A", Priority.NORMAL)
    assert "pair" in err.value.message.en
    assert os.environ["ONEWINDOW_HALL_URL"]


def test_pairing_with_another_hub_than_hall_url_is_refused(hub, tmp_path, monkeypatch):  # noqa: F811
    from kiosk.settings import load_settings
    from kiosk.terminal import Terminal

    monkeypatch.setenv("ONEWINDOW_HALL_URL", "http://127.0.0.1:9")
    t = Terminal.open(load_settings(tmp_path / "y"))
    with pytest.raises(UserFacingError) as err:
        pair_with_hub(t, hub.pair_code("kiosk", cli=False), hub.base_url)
    assert "hall_url" in err.value.message.zh and "hall_url" in err.value.message.en
    assert load_pairing(t.settings) is None and not hall_status(t).configured
