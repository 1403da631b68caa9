"""Kiosks issuing while the hub is down (its process stopped), and the hand-over after it restarts: no number
twice, none lost. A board follows the hub through the restart. A request whose answer is lost on the way
back (a proxy that forwards it and drops the answer) is found at the hub afterwards and shown to staff."""
from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from kiosk.queue import numbering, offline
from kiosk.queue.model import EventKind, Priority
from kiosk.usecases.queue import hall_state, hall_status, hand_over_tickets, queue_categories, take_ticket
from tests.hall.hub_process import hub  # noqa: F401 - the fixture
from tests.hall.link_devices import Board, paired_terminal, wait_until


def test_kiosks_issue_with_the_hub_down_and_hand_over_after_its_restart(hub, tmp_path: Path):  # noqa: F811
    k1 = paired_terminal(hub, tmp_path / "k1", "kiosk", "kiosk-1")  # one-shot: hands over when asked
    k2 = paired_terminal(hub, tmp_path / "k2", "kiosk", "kiosk-2", background=True)  # a window: its worker does
    c1 = paired_terminal(hub, tmp_path / "c1", "counter", "counter-1", counter_no=1)
    board_t = paired_terminal(hub, tmp_path / "b", "board", "board-1")
    board = Board()
    sub = board_t.hall.subscribe(0, board.on_events, board.on_link)
    try:
        a = queue_categories(k1)[0].code
        online = [take_ticket(k1, a, Priority.NORMAL) for _ in range(2)]  # k1 now holds a block
        assert not any(i.offline for i in online)
        wait_until(lambda: offline.remaining(k2.store, offline.service_day()).get(a, 0) >= numbering.REFILL_BELOW,
                   what="k2's worker to fetch its blocks")
        k2_block = offline.remaining(k2.store, offline.service_day())[a]
        c1.hall.open_counter(None)

        hub.kill()
        wait_until(lambda: board.links[-1:] == [False], what="the board to see the link go down")
        down = [take_ticket(k1, a, Priority.NORMAL) for _ in range(3)] + \
               [take_ticket(k2, a, Priority.ELDERLY) for _ in range(3)]
        assert all(i.offline and i.ticket.issued_offline for i in down)
        # the QR code points at the hub's page for the ticket, which exists once it is handed over
        assert all(i.status_url == f"{hub.base_url}/t/{i.ticket.ticket_id}" for i in down)
        numbers = [i.ticket.number for i in down]
        assert len(set(numbers)) == 6 and not set(numbers) & {i.ticket.number for i in online}
        assert hall_status(k1).offline_tickets_pending == 3 and hall_status(k1).reachable is False
        # k2's block is fresh from the hub; the kiosk without a block of its own would use its slot's range
        assert offline.remaining(k2.store, offline.service_day())[a] == k2_block - 3

        hub.start()
        assert hand_over_tickets(k1) == 3
        assert hand_over_tickets(k1) == 0  # idempotent: nothing left to send
        wait_until(lambda: hall_status(k2).offline_tickets_pending == 0, what="k2's worker to hand over")
        assert hall_status(k1).offline_tickets_pending == 0 and hall_status(k1).reachable is True

        day = offline.service_day()
        held = {t.number: t for t in c1.hall.tickets(day)}
        assert len(held) == 8 and set(numbers) | {i.ticket.number for i in online} == set(held)
        assert all(held[n].issued_offline for n in numbers)
        first = c1.hall.call_next()
        assert first is not None and first.priority == Priority.ELDERLY  # handed over tickets are in the line
        page = requests.get(down[0].status_url, timeout=10)
        assert page.status_code == 200 and down[0].ticket.number in page.text

        state = hall_state(board_t)
        wait_until(lambda: board.last == state.seq, what="the board to catch up after the restart")
        assert board.seqs == list(range(1, state.seq + 1))
        assert board.links[0] is True and False in board.links and board.links[-1] is True
        assert sum(e.kind == EventKind.ISSUED for e in board.events) == 8
    finally:
        sub.stop()
        for t in (k1, k2, c1, board_t):
            t.close()


def test_a_kiosk_without_blocks_uses_its_emergency_range(hub, tmp_path: Path):  # noqa: F811
    k = paired_terminal(hub, tmp_path / "k", "kiosk", "kiosk-1")
    a = queue_categories(k)[0].code
    slot = k.hall.pairing.kiosk_slot
    hub.kill()
    issued = take_ticket(k, a, Priority.NORMAL)
    assert issued.offline and issued.ticket.number == numbering.format_number(a, numbering.emergency_range(slot)[0])
    hub.start()
    assert hand_over_tickets(k) == 1
    k.close()


class DroppingProxy:
    """Forwards HTTP to the hub; while `drop` is set, a ticket request reaches the hub and its answer is lost."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.drop = False
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)
            while len(body) < length:
                body += conn.recv(65536)
            method, path = head.split(b" ")[:2]
            headers = {k.decode(): v.decode().strip() for k, _, v in
                       (line.partition(b":") for line in head.split(b"\r\n")[1:])
                       if k.lower() not in (b"host", b"content-length", b"connection")}
            r = requests.request(method.decode(), f"http://127.0.0.1:{self.target_port}{path.decode()}",
                                 headers=headers, data=body, timeout=10)
            if self.drop and method == b"POST" and path.decode().split("?")[0].endswith("/tickets"):
                return  # the hub issued it; the answer never comes back
            out = f"HTTP/1.1 {r.status_code} {r.reason}\r\n".encode()
            for k, v in r.headers.items():
                if k.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                    out += f"{k}: {v}\r\n".encode()
            out += f"Content-Length: {len(r.content)}\r\nConnection: close\r\n\r\n".encode() + r.content
            conn.sendall(out)

    def close(self) -> None:
        self.closed = True
        self.sock.close()


@pytest.fixture
def proxy(hub) -> Iterator[DroppingProxy]:  # noqa: F811
    p = DroppingProxy(hub.port)
    yield p
    p.close()


def test_a_ticket_whose_answer_was_lost_is_found_at_the_hub_and_shown_to_staff(hub, proxy, tmp_path):  # noqa: F811
    k = paired_terminal(hub, tmp_path / "k", "kiosk", "kiosk-1")
    c = paired_terminal(hub, tmp_path / "c", "counter", "counter-1", counter_no=1)
    k.hall.hub_url = f"http://127.0.0.1:{proxy.port}"  # as if the hub were across a flaky switch
    a = queue_categories(k)[0].code
    proxy.drop = True
    issued = take_ticket(k, a, Priority.NORMAL)
    assert issued.offline  # both tries reached the hub; neither answer came back
    proxy.drop = False
    assert hand_over_tickets(k) == 1
    day = offline.service_day()
    at_hub = {t.ticket_id: t for t in c.hall.tickets(day)}
    assert issued.ticket.ticket_id in at_hub and len(at_hub) == 2  # the kiosk's own ticket and the lost one
    lost = next(t for t in at_hub.values() if t.ticket_id != issued.ticket.ticket_id)
    assert not lost.issued_offline
    status = hall_status(k)
    assert status.note is not None and lost.number in status.note.zh and lost.number in status.note.en
    assert offline.unheld_at_hub(k.store, day) == [lost.number]
    # the counters hear of it too: a help request from this kiosk that names the number
    told = [h for h in hall_state(c).open_help if h.step == "unheld-ticket"]
    assert len(told) == 1 and lost.number in told[0].step_label.zh and lost.number in told[0].step_label.en
    assert hand_over_tickets(k) == 0 and len([h for h in hall_state(c).open_help if h.step == "unheld-ticket"]) == 1
    for t in (k, c):
        t.close()
