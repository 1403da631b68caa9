"""The event log as clients follow it: the WebSocket (catch-up, live, reconnect), REST paging, help requests."""
from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from kiosk.queue.model import Pairing, Priority, QueueEvent, Ticket, TicketState
from kiosk.queue.numbering import emergency_range
from sync.hall import wire
from tests.hall.hub_process import HubProcess, hall_cli


@pytest.fixture
def hall(tmp_path: Any) -> Any:
    hub = HubProcess(tmp_path / "hub")
    try:
        yield hub, hub.pair("kiosk", "kiosk-1", cli=False), hub.pair("counter", "window-3", counter_no=3, cli=False), \
            hub.pair("board", "board-1", cli=False)
    finally:
        hub.stop()
    assert hub.tracebacks() == ""


def issue(hub: HubProcess, kiosk: Pairing, n: int) -> None:
    for _ in range(n):
        r = hub.post(wire.TICKETS, kiosk, {"ticket_id": str(uuid.uuid4()), "category": "A", "priority": "normal"})
        assert r.status_code == 200


def receive(ws: Any, n: int) -> list[QueueEvent]:
    return [wire.decode_as(QueueEvent, json.loads(ws.recv(timeout=10))) for _ in range(n)]


def test_the_websocket_sends_the_log_then_live_events_and_a_reconnect_gets_exactly_the_missed_ones(hall: Any) -> None:
    hub, kiosk, counter, board = hall
    issue(hub, kiosk, 3)
    with connect(hub.ws_url(0, board.token), open_timeout=10) as ws:
        assert ws.response.headers[wire.PROTOCOL_HEADER] == wire.PROTOCOL_VERSION
        seen = receive(ws, 3)
        assert [e.seq for e in seen] == [1, 2, 3] and [e.ticket.number for e in seen if e.ticket] == ["A001", "A002", "A003"]
        hub.post(wire.COUNTER_OPEN, counter)
        hub.post(wire.CALL_NEXT, counter)
        live = receive(ws, 2)
        assert [(e.seq, e.kind.value) for e in live] == [(4, "counter_opened"), (5, "called")]
        assert live[1].ticket and live[1].ticket.number == "A001" and live[1].counter_no == 3
    last = live[-1].seq
    issue(hub, kiosk, 4)  # while the board is away
    with connect(hub.ws_url(last, board.token), open_timeout=10) as ws:
        missed = receive(ws, 4)
        assert [e.seq for e in missed] == [6, 7, 8, 9]
        issue(hub, kiosk, 1)
        assert [e.seq for e in receive(ws, 1)] == [10]
        with pytest.raises(TimeoutError):
            ws.recv(timeout=0.3)  # nothing repeated, nothing extra


def test_the_websocket_refuses_a_bad_token_or_position(hall: Any) -> None:
    hub, kiosk, counter, board = hall
    for url in (hub.ws_url(0, "wrong"), hub.ws_url(0, "") , hub.ws_url(0, board.token).replace("since=0", "since=-1")):
        with pytest.raises(InvalidStatus):
            with connect(url, open_timeout=10):
                pass


def test_rest_events_page_through_the_log_in_order(hall: Any) -> None:
    hub, kiosk, counter, board = hall
    issue(hub, kiosk, 7)
    seqs: list[int] = []
    since = 0
    while page := hub.get(wire.EVENTS + f"?since={since}&limit=3", board).json():
        assert len(page) <= 3
        seqs += [e["seq"] for e in page]
        since = page[-1]["seq"]
    assert seqs == list(range(1, 8))
    for bad in ("since=-1", "since=x", "limit=0", "limit=5000"):
        r = hub.get(wire.EVENTS + "?" + bad, board)
        assert r.status_code == 422 and r.json()["message"]["en"]


def test_a_help_request_is_asked_acknowledged_and_closed_as_events(hall: Any) -> None:
    hub, kiosk, counter, board = hall
    asked = hub.post(wire.HELP, kiosk, {"step": "materials", "step_label": {"zh": "上传材料", "en": "Materials"}}).json()
    assert asked["kiosk"] == "kiosk-1" and asked["acknowledged_at"] is None
    one = wire.HELP_ONE.format(help_id=asked["help_id"])
    assert [h["help_id"] for h in hub.get(wire.STATE, board).json()["open_help"]] == [asked["help_id"]]
    acked = hub.post(one + "/acknowledge", counter).json()
    assert acked["acknowledged_by"] == "window-3" and acked["acknowledged_at"]
    assert hub.get(one, kiosk).json() == acked  # the kiosk sees that someone is coming
    assert hub.post(one + "/acknowledge", counter).json() == acked
    closed = hub.post(one + "/close", counter).json()
    assert closed["closed_at"]
    assert hub.get(wire.STATE, board).json()["open_help"] == []
    kinds = [(e["kind"], e["help"]["help_id"]) for e in hub.get(wire.EVENTS, board).json()]
    assert kinds == [("help_requested", asked["help_id"]), ("help_acknowledged", asked["help_id"]),
                     ("help_closed", asked["help_id"])]
    assert hub.get(wire.HELP_ONE.format(help_id=str(uuid.uuid4())), kiosk).status_code == 404


def test_sigterm_stops_the_hub_cleanly_with_a_follower_connected(hall: Any) -> None:
    hub, kiosk, counter, board = hall
    issue(hub, kiosk, 1)
    with connect(hub.ws_url(0, board.token), open_timeout=10) as ws:
        assert [e.seq for e in receive(ws, 1)] == [1]
        started = time.monotonic()
        assert hub.stop() == 0
        assert time.monotonic() - started < 8
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=10)
    log = hub.log.read_text()
    assert "hall hub stopped" in log and "Traceback" not in log


def test_pressing_help_again_before_an_answer_is_still_one_request(hall: Any) -> None:
    hub, kiosk, counter, board = hall
    body = {"step": "welcome", "step_label": {"zh": "欢迎", "en": "Welcome"}}
    first = hub.post(wire.HELP, kiosk, body).json()
    assert hub.post(wire.HELP, kiosk, body).json() == first
    other = hub.post(wire.HELP, kiosk, {"step": "unheld-ticket", "step_label": {"zh": "A007 号无人持有", "en": "A007"}})
    assert other.json()["help_id"] != first["help_id"]  # another screen or notice: its own request
    hub.post(wire.HELP_ONE.format(help_id=first["help_id"]) + "/acknowledge", counter)
    second = hub.post(wire.HELP, kiosk, body).json()  # answered: a new press is a new request
    assert second["help_id"] != first["help_id"]
    assert [e["kind"] for e in hub.get(wire.EVENTS, board).json()] == ["help_requested", "help_requested",
                                                                      "help_acknowledged", "help_requested"]


def test_catch_up_pages_through_a_long_log_without_gaps(hall: Any) -> None:
    hub, kiosk, counter, board = hall
    first = emergency_range(kiosk.kiosk_slot)[0]
    day = datetime.now().astimezone().date().isoformat()
    at = datetime.now(timezone.utc) - timedelta(hours=1)
    for line, n in (("B", 450), ("C", 170)):  # 620 events: more than one page of 500
        tickets = [wire.encode(Ticket(str(uuid.uuid4()), f"{line}{first + i}", line, Priority.NORMAL,
                                      TicketState.WAITING, day, at + timedelta(seconds=i), kiosk.device_name,
                                      issued_offline=True))
                   for i in range(n)]
        assert len(hub.post(wire.HANDOVER, kiosk, {"tickets": tickets}).json()["accepted"]) == n
    with connect(hub.ws_url(7, board.token), open_timeout=10) as ws:
        seqs = [e.seq for e in receive(ws, 613)]
        assert seqs == list(range(8, 621))
        with pytest.raises(TimeoutError):
            ws.recv(timeout=0.3)


def test_a_follower_whose_device_is_unpaired_is_dropped(tmp_path: Any) -> None:
    hub = HubProcess(tmp_path / "hub", config="follower_recheck_seconds = 0.2\n")
    try:
        board = hub.pair("board", "board-1", cli=False)
        with connect(hub.ws_url(0, board.token), open_timeout=10) as ws:
            hall_cli(hub.home, "unpair", "board-1")
            with pytest.raises(ConnectionClosed) as info:
                ws.recv(timeout=10)
            assert info.value.rcvd is not None and info.value.rcvd.code == 4401
    finally:
        hub.stop()
    assert hub.tracebacks() == ""
