"""The hub link against answers that are not the hub's: a captive portal, garbage, a wrong shape, a hub too
slow for the timeout, a 5xx, a refusal, nobody listening. A real HTTP server on 127.0.0.1 plays each one;
the kiosk falls back to its own numbers only when the hub truly did not answer."""
from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kiosk.errors import Message, UserFacingError
from kiosk.queue import offline
from kiosk.queue.model import Category, HallUnavailable, Pairing, Priority, Role
from kiosk.settings import load_settings
from kiosk.terminal import Terminal
from kiosk.usecases.queue import hall_status, take_ticket
from sync.hall import wire
from sync.hall.client import HubClient, HubRefused, HubUnreachable, Timeouts
from sync.hall.pairing import save_pairing

FAST = Timeouts(connect=1.0, read=0.5)
ISSUED = {"ticket": {"ticket_id": "t-1", "number": "A001", "category": "A", "priority": "normal", "state": "waiting",
                     "service_day": "2026-11-30", "issued_at": "2026-11-30T01:00:00+00:00", "issued_by": "kiosk-1"},
          "people_ahead": 0, "estimated_wait_minutes": 0, "status_url": "http://hub/t/t-1"}


class Behaviour:
    mode = "ok"
    requests: list[tuple[str, str]] = []
    auth: list[str | None] = []


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, content_type: str = "application/json", hub: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if hub:
            self.send_header(wire.PROTOCOL_HEADER, wire.PROTOCOL_VERSION)
        self.end_headers()
        self.wfile.write(body)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        Behaviour.requests.append((self.path, body))
        Behaviour.auth.append(self.headers.get("Authorization"))
        mode = Behaviour.mode
        if mode == "portal":
            self._send(200, b"<html><body>Please log in to the guest Wi-Fi</body></html>", "text/html", hub=False)
        elif mode == "garbage":
            self._send(200, b'{"ticket": {"number": "A0')
        elif mode == "wrong_shape":
            self._send(200, json.dumps({"ticket": {"number": 15}}).encode())
        elif mode == "slow":
            time.sleep(1.0)
            self._send(200, json.dumps(ISSUED).encode())
        elif mode == "fault":
            self._send(503, b'{"error": "busy"}')
        elif mode == "refuse":
            self._send(409, json.dumps({"error": "category_closed",
                                        "message": {"zh": "该类业务今日已停止取号。", "en": "This line is closed for today."}}).encode())
        elif mode == "refuse_bare":
            self._send(403, b"forbidden", "text/plain")
        else:
            self._send(200, json.dumps(ISSUED).encode())

    do_GET = do_POST = _handle


@pytest.fixture
def fake_server() -> Iterator[str]:
    Behaviour.mode, Behaviour.requests, Behaviour.auth = "ok", [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


@pytest.mark.parametrize("mode", ["portal", "garbage", "wrong_shape", "slow", "fault"])
def test_anything_but_the_hubs_answer_is_unreachable_and_maybe_delivered(fake_server, mode):
    Behaviour.mode = mode
    client = HubClient(fake_server, "tok", timeouts=FAST)
    with pytest.raises(HubUnreachable) as err:
        client.categories()
    assert err.value.delivered_maybe
    assert isinstance(err.value, HallUnavailable) and err.value.message.zh and err.value.message.en
    assert "tok" not in str(err.value)


def test_nobody_listening_was_certainly_not_delivered():
    with pytest.raises(HubUnreachable) as err:
        HubClient(_closed_port(), timeouts=FAST).categories()
    assert not err.value.delivered_maybe


def test_a_refusal_carries_the_hubs_own_message(fake_server):
    Behaviour.mode = "refuse"
    with pytest.raises(HubRefused) as err:
        HubClient(fake_server, timeouts=FAST).blocks()
    assert err.value.status == 409 and err.value.code == "category_closed"
    assert err.value.message == Message("该类业务今日已停止取号。", "This line is closed for today.")
    Behaviour.mode = "refuse_bare"
    with pytest.raises(UserFacingError) as err2:
        HubClient(fake_server, timeouts=FAST).blocks()
    assert "403" in err2.value.message.zh and "403" in err2.value.message.en


def test_the_token_goes_in_a_header_and_never_in_the_address(fake_server):
    client = HubClient(fake_server, "secret", timeouts=FAST)
    with pytest.raises(HubUnreachable):
        client.categories()  # the fake answers an IssuedTicket here: not a list, so not the hub's answer
    assert Behaviour.auth == ["Bearer secret"] and "secret" not in Behaviour.requests[0][0]
    assert "secret" not in repr(client)


# --- the kiosk falls back to its own numbers ------------------------------------------------------------------

def _kiosk(home, url: str) -> Terminal:
    settings = load_settings(home)
    save_pairing(settings, url, Pairing("hub-1", "kiosk-1", Role.KIOSK, "tok", kiosk_slot=2,
                                        categories=(Category("A", Message("社保", "Social security")),)))
    t = Terminal.open(settings)
    assert t.hall is not None
    t.hall.timeouts = FAST  # type: ignore[attr-defined]
    return t


@pytest.mark.parametrize("mode", ["portal", "garbage", "slow", "fault"])
def test_a_lost_answer_is_asked_again_with_the_same_id_then_issued_offline(home, fake_server, mode):
    Behaviour.mode = mode
    t = _kiosk(home, fake_server)
    issued = take_ticket(t, "A", Priority.ELDERLY)
    assert issued.offline and issued.ticket.issued_offline and issued.ticket.number == "A5501"  # slot 2's range
    assert issued.ticket.priority == Priority.ELDERLY
    assert issued.status_url == f"{fake_server}/t/{issued.ticket.ticket_id}"
    posted = [json.loads(body)["ticket_id"] for path, body in Behaviour.requests if path == wire.TICKETS]
    assert len(posted) == 2 and posted[0] == posted[1]  # the same request twice: idempotent at the hub
    assert posted[0] != issued.ticket.ticket_id  # the kiosk's own ticket has an id of its own
    lost = offline.unresolved_lost_requests(t.store)
    assert [r.lost_request_id for r in lost] == [posted[0]]
    status = hall_status(t)
    assert status.configured and status.reachable is False and status.offline_tickets_pending == 1


def test_a_hub_nobody_reaches_gives_an_offline_ticket_with_nothing_to_look_for(home):
    t = _kiosk(home, _closed_port())
    issued = take_ticket(t, "A", Priority.NORMAL)
    assert issued.offline and issued.ticket.number == "A5501"
    assert offline.unresolved_lost_requests(t.store) == []
    assert take_ticket(t, "a", Priority.NORMAL).ticket.number == "A5502"


def test_a_refusal_issues_nothing(home, fake_server):
    Behaviour.mode = "refuse"
    t = _kiosk(home, fake_server)
    with pytest.raises(UserFacingError) as err:
        take_ticket(t, "A", Priority.NORMAL)
    assert err.value.message.en == "This line is closed for today."
    assert hall_status(t).offline_tickets_pending == 0


def test_a_line_the_hub_never_listed_is_refused_offline_too(home):
    t = _kiosk(home, _closed_port())
    offline.remember_categories(t.store, (Category("A", Message("社保", "Social security")),))
    with pytest.raises(UserFacingError):
        take_ticket(t, "Q", Priority.NORMAL)
    assert hall_status(t).offline_tickets_pending == 0


@pytest.mark.parametrize("mode", ["portal", "garbage", "fault"])
def test_a_board_behind_something_that_is_not_the_hub_reports_the_link_down(home, fake_server, mode):
    Behaviour.mode = mode
    t = _kiosk(home, fake_server)
    got: list[object] = []
    links: list[bool] = []
    done = threading.Event()

    def on_link(up: bool) -> None:
        links.append(up)
        done.set()

    sub = t.hall.subscribe(0, got.extend, on_link)
    try:
        assert done.wait(20)
        assert links == [False] and got == []
    finally:
        sub.stop()
    t.close()
