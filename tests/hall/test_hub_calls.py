"""Issuing and calling at a real hub: the ticket's whole life, illegal moves, the call order and estimates."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests

from kiosk.queue.model import Pairing, Ticket
from kiosk.queue.numbering import emergency_range, format_number
from sync.hall import wire
from tests.hall.hub_process import HubProcess

CONFIG = """
[queue]
fairness_minutes = 15
priority_run = 2
categories_from_catalog = false
[[categories]]
code = "A"
name = { zh = "社会保障", en = "Social security" }
departments = ["hrss"]
minutes_per_ticket = 5
[[categories]]
code = "B"
name = { zh = "户籍", en = "Household registration" }
departments = ["public_security"]
[counters]
4 = ["B"]
"""


@pytest.fixture
def hall(tmp_path: Any) -> Any:
    hub = HubProcess(tmp_path / "hub", config=CONFIG)
    try:
        devices = {"kiosk": hub.pair("kiosk", "kiosk-1", cli=False),
                   "c3": hub.pair("counter", "window-3", counter_no=3, cli=False),
                   "c4": hub.pair("counter", "window-4", counter_no=4, cli=False),
                   "board": hub.pair("board", "board-1", cli=False)}
        yield hub, devices
    finally:
        hub.stop()
    assert hub.tracebacks() == ""


def issue(hub: HubProcess, kiosk: Pairing, category: str = "A", priority: str = "normal") -> dict[str, Any]:
    r = hub.post(wire.TICKETS, kiosk, {"ticket_id": str(uuid.uuid4()), "category": category, "priority": priority})
    assert r.status_code == 200, r.text
    return r.json()


def act(hub: HubProcess, counter: Pairing, ticket_id: str, action: str, body: Any = None) -> requests.Response:
    return hub.post(wire.TICKET_ACTION.format(ticket_id=ticket_id, action=action), counter, body)


def call(hub: HubProcess, counter: Pairing) -> dict[str, Any] | None:
    r = hub.post(wire.CALL_NEXT, counter)
    assert r.status_code in (200, 204), r.text
    return None if r.status_code == 204 else r.json()


def test_a_ticket_from_issue_to_finish_with_its_timestamps(hall: Any) -> None:
    hub, d = hall
    first = issue(hub, d["kiosk"])
    second = issue(hub, d["kiosk"])
    assert (first["ticket"]["number"], second["ticket"]["number"]) == ("A001", "A002")
    assert second["people_ahead"] == 1 and second["estimated_wait_minutes"] == 5  # no counter open: 1 x 5 min
    assert first["status_url"] == hub.url(f"/t/{first['ticket']['ticket_id']}")
    page = requests.get(first["status_url"], timeout=10)
    assert page.status_code == 200 and "A001" in page.text and "等候中" in page.text and "Waiting" in page.text
    assert requests.get(hub.url(f"/t/{uuid.uuid4()}"), timeout=10).status_code == 404

    assert hub.post(wire.COUNTER_OPEN, d["c3"], {"categories": ["A"]}).json()["categories"] == ["A"]
    assert hub.post(wire.COUNTER_OPEN, d["c4"]).json()["categories"] == ["B"]  # from [counters]
    called = call(hub, d["c3"])
    assert called and called["number"] == "A001" and called["state"] == "called" and called["counter_no"] == 3
    assert called["calls"] == 1 and called["called_at"]
    tid = called["ticket_id"]
    recalled = act(hub, d["c3"], tid, "recall").json()
    assert recalled["calls"] == 2 and recalled["called_at"] > called["called_at"]
    started = act(hub, d["c3"], tid, "start").json()
    assert started["state"] == "serving" and started["started_at"]
    linked = act(hub, d["c3"], tid, "link", {"application_ref": "SB2026113000017"}).json()
    assert linked["application_ref"] == "SB2026113000017"
    finished = act(hub, d["c3"], tid, "finish").json()
    assert finished["state"] == "done" and finished["finished_at"] >= finished["started_at"]
    assert act(hub, d["c3"], tid, "finish").json() == finished  # a retried finish changes nothing
    page = requests.get(first["status_url"], timeout=10)
    assert "已办结" in page.text

    state = hub.get(wire.STATE, d["board"]).json()
    assert state["waiting"] == {"A": 1, "B": 0}
    assert [(c["number"], c["counter_no"], c["recall"]) for c in state["recent_calls"]] == [
        ("A001", 3, True), ("A001", 3, False)]
    kinds = [e["kind"] for e in hub.get(wire.EVENTS, d["board"]).json()]
    assert kinds == ["issued", "issued", "counter_opened", "counter_opened", "called", "recalled", "started",
                     "linked", "finished"]
    day = datetime.now().astimezone().date().isoformat()
    tickets = hub.get(wire.TICKETS + f"?day={day}", d["c3"]).json()
    assert [t["number"] for t in tickets] == ["A001", "A002"]
    sessions = hub.get(wire.COUNTER_SESSIONS + f"?day={day}", d["c3"]).json()
    assert sorted(s["counter_no"] for s in sessions) == [3, 4]


def test_no_show_transfer_and_the_moves_a_counter_may_not_make(hall: Any) -> None:
    hub, d = hall
    a = issue(hub, d["kiosk"])["ticket"]
    b = issue(hub, d["kiosk"])["ticket"]
    c = issue(hub, d["kiosk"], "B")["ticket"]
    r = hub.post(wire.CALL_NEXT, d["c3"])
    assert r.status_code == 409 and r.json()["error"] == "counter_closed"
    hub.post(wire.COUNTER_OPEN, d["c3"], {"categories": ["A"]})
    hub.post(wire.COUNTER_OPEN, d["c4"])
    # illegal: finishing a waiting ticket, acting on another counter's ticket, unknown ticket, unknown action
    for tid, action, who in [(a["ticket_id"], "finish", "c3"), (a["ticket_id"], "start", "c3")]:
        r = act(hub, d[who], tid, action)
        assert r.status_code == 409 and r.json()["error"] == "ticket_state" and "A001" in r.json()["message"]["zh"]
    assert act(hub, d["c3"], str(uuid.uuid4()), "finish").status_code == 404
    assert act(hub, d["c3"], a["ticket_id"], "explode").status_code == 404
    assert call(hub, d["c3"])["number"] == "A001"  # type: ignore[index]
    r = hub.post(wire.CALL_NEXT, d["c3"])
    assert r.status_code == 409 and r.json()["error"] == "counter_busy"
    r = act(hub, d["c4"], a["ticket_id"], "start")
    assert r.status_code == 409 and r.json()["error"] == "other_counter"
    assert act(hub, d["c3"], a["ticket_id"], "finish").status_code == 409  # called, not started
    no_show = act(hub, d["c3"], a["ticket_id"], "no-show").json()
    assert no_show["state"] == "no_show" and no_show["no_show_at"]
    assert act(hub, d["c3"], a["ticket_id"], "recall").status_code == 409

    assert call(hub, d["c3"])["number"] == "A002"  # type: ignore[index]
    act(hub, d["c3"], b["ticket_id"], "start")
    for bad in ({"to_counter": 3}, {"to_counter": 0}, {"to_counter": "4"}, {}):
        assert act(hub, d["c3"], b["ticket_id"], "transfer", bad).status_code == 422
    assert act(hub, d["c3"], b["ticket_id"], "transfer", {"to_counter": 77}).status_code == 409
    moved = act(hub, d["c3"], b["ticket_id"], "transfer", {"to_counter": 4}).json()
    assert moved["state"] == "waiting" and moved["counter_no"] == 4
    assert call(hub, d["c3"]) is None  # bound to counter 4 now, and counter 3 serves only line A
    # counter 4 serves line B, but the ticket transferred to it goes before B001
    assert call(hub, d["c4"])["number"] == "A002"  # type: ignore[index]
    assert act(hub, d["c4"], b["ticket_id"], "no-show").json()["state"] == "no_show"
    assert call(hub, d["c4"])["number"] == c["number"] == "B001"  # type: ignore[index]
    assert hub.post(wire.COUNTER_CLOSE, d["c4"]).json()["open"] is False
    state = hub.get(wire.STATE, d["board"]).json()
    assert [(x["counter_no"], x["open"], (x["current"] or {}).get("number")) for x in state["counters"]] == [
        (3, True, None), (4, False, "B001")]


def handed(hub: HubProcess, kiosk: Pairing, number: int, minutes_ago: float, priority: str = "normal") -> dict[str, Any]:
    ticket = Ticket(str(uuid.uuid4()), format_number("A", number), "A", priority, "waiting",  # type: ignore[arg-type]
                    datetime.now().astimezone().date().isoformat(),
                    datetime.now(timezone.utc) - timedelta(minutes=minutes_ago), kiosk.device_name, issued_offline=True)
    return wire.encode(ticket)  # type: ignore[no-any-return]


def test_the_hub_calls_by_priority_with_the_fairness_rules(hall: Any) -> None:
    hub, d = hall
    first = emergency_range(d["kiosk"].kiosk_slot)[0]
    old_normal = handed(hub, d["kiosk"], first, 16)  # issued offline 16 minutes ago: past fairness_minutes
    r = hub.post(wire.HANDOVER, d["kiosk"], {"tickets": [old_normal]})
    assert r.json()["accepted"] == [old_normal["ticket_id"]]
    elderly = [issue(hub, d["kiosk"], "A", "elderly")["ticket"]["number"] for _ in range(3)]
    appointment = issue(hub, d["kiosk"], "A", "appointment")["ticket"]["number"]
    normal = issue(hub, d["kiosk"])["ticket"]["number"]
    hub.post(wire.COUNTER_OPEN, d["c3"], {"categories": ["A"]})
    order = []
    while (t := call(hub, d["c3"])) is not None:
        order.append(t["number"])
        act(hub, d["c3"], t["ticket_id"], "start")
        act(hub, d["c3"], t["ticket_id"], "finish")
    # the old normal ticket first (fairness), then two priority tickets (priority_run = 2), a normal one, the rest
    assert order == [old_normal["number"], appointment, elderly[0], normal, elderly[1], elderly[2]]


def test_the_estimate_uses_the_days_service_times_and_the_open_counters(hall: Any) -> None:
    hub, d = hall
    hub.post(wire.COUNTER_OPEN, d["c3"], {"categories": ["A", "B"]})
    hub.post(wire.COUNTER_OPEN, d["c4"], {"categories": ["A"]})
    for _ in range(4):
        issue(hub, d["kiosk"])
    fifth = issue(hub, d["kiosk"])
    assert fifth["people_ahead"] == 4 and fifth["estimated_wait_minutes"] == 10  # 4 x 5 min / 2 counters
    assert issue(hub, d["kiosk"], "B")["estimated_wait_minutes"] == 0


def test_an_issue_request_is_idempotent_by_ticket_id(hall: Any) -> None:
    hub, d = hall
    body = {"ticket_id": str(uuid.uuid4()), "category": "B", "priority": "disabled"}
    once = hub.post(wire.TICKETS, d["kiosk"], body).json()
    twice = hub.post(wire.TICKETS, d["kiosk"], body).json()
    assert once["ticket"] == twice["ticket"] and once["ticket"]["number"] == "B001"
    r = hub.post(wire.TICKETS, d["kiosk"], {**body, "category": "A"})
    assert r.status_code == 409
    assert len(hub.get(wire.EVENTS, d["board"]).json()) == 1
    counter_ticket = hub.post(wire.TICKETS, d["c3"], {**body, "ticket_id": str(uuid.uuid4())}).json()
    assert counter_ticket["ticket"]["issued_by"] == "window-3"  # a counter may issue for a walk-in


def test_a_public_url_from_the_config_is_used_for_the_ticket_page(tmp_path: Any) -> None:
    hub = HubProcess(tmp_path / "hub", config='public_url = "http://192.0.2.7:8770/"\n')
    try:
        kiosk = hub.pair("kiosk", "k", cli=False)
        got = issue(hub, kiosk)
        assert got["status_url"] == f"http://192.0.2.7:8770/t/{got['ticket']['ticket_id']}"
    finally:
        hub.stop()


def test_counters_calling_at_once_never_get_the_same_ticket(tmp_path: Any) -> None:
    import threading

    hub = HubProcess(tmp_path / "hub")
    try:
        kiosk = hub.pair("kiosk", "kiosk-1", cli=False)
        counters = [hub.pair("counter", f"window-{n}", counter_no=n, cli=False) for n in range(1, 7)]
        for _ in range(24):
            issue(hub, kiosk)
        for c in counters:
            hub.post(wire.COUNTER_OPEN, c, {"categories": ["A"]})
        called: list[str] = []
        lock = threading.Lock()
        barrier = threading.Barrier(len(counters))

        def work(counter: Pairing) -> None:
            session = requests.Session()
            barrier.wait()
            while True:
                r = session.post(hub.url(wire.CALL_NEXT), headers=hub.headers(counter), timeout=30)
                if r.status_code == 204:
                    return
                assert r.status_code == 200, r.text
                t = r.json()
                with lock:
                    called.append(t["number"])
                session.post(hub.url(wire.TICKET_ACTION.format(ticket_id=t["ticket_id"], action="no-show")),
                             headers=hub.headers(counter), timeout=30)

        threads = [threading.Thread(target=work, args=(c,)) for c in counters]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert sorted(called) == [f"A{n:03d}" for n in range(1, 25)]  # each once, none left
    finally:
        hub.stop()
    assert hub.tracebacks() == ""
