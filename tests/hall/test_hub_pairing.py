"""Pairing with a real hub process: one-time codes, expiry, wrong codes, unpairing, and roles per route."""
from __future__ import annotations

import json
import uuid
from datetime import timedelta
from pathlib import Path

import requests

from kiosk.queue.model import Role
from sync.hall import wire
from sync.hall.server.pairing import create_code
from sync.hall.server.store import HubStore
from tests.hall.hub_process import HubProcess, hall_cli, hub  # noqa: F401  (fixture)


def refused(r: requests.Response, status: int, error: str | None = None) -> None:
    assert r.status_code == status, r.text
    assert r.headers[wire.PROTOCOL_HEADER] == wire.PROTOCOL_VERSION
    body = r.json()
    assert body["message"]["zh"] and body["message"]["en"]
    if error is not None:
        assert body["error"] == error


def event_count(hub: HubProcess, device: object) -> int:
    r = hub.get(wire.EVENTS + "?limit=1000", device)  # type: ignore[arg-type]
    assert r.status_code == 200
    return len(r.json())


def test_a_code_pairs_once_and_the_token_works_until_unpaired(hub: HubProcess) -> None:
    code = hub.pair_code("counter", counter_no=4)
    r = requests.post(hub.url(wire.PAIR), json={"code": code.lower().replace("-", " "), "device_name": "window-4"},
                      timeout=10)
    assert r.status_code == 200, r.text
    pairing = r.json()
    assert pairing["role"] == "counter" and pairing["counter_no"] == 4 and pairing["device_name"] == "window-4"
    assert [c["code"] for c in pairing["categories"]][:3] == ["A", "B", "C"]
    refused(requests.post(hub.url(wire.PAIR), json={"code": code, "device_name": "other"}, timeout=10), 401,
            "pairing_code")
    assert hub.get(wire.STATE, pairing["token"]).status_code == 200

    listed = json.loads(hall_cli(hub.home, "devices", "--json").stdout)
    assert [(d["name"], d["role"], d["counter_no"]) for d in listed] == [("window-4", "counter", 4)]
    assert "window-4" in hall_cli(hub.home, "unpair", "window-4").stdout
    refused(hub.get(wire.STATE, pairing["token"]), 401, "unauthorized")
    assert hall_cli(hub.home, "unpair", "window-4", check=False).returncode == 2

    raw = b"".join(p.read_bytes() for p in hub.home.glob("hall.sqlite3*"))
    assert pairing["token"].encode() not in raw and code.replace("-", "").encode() not in raw


def test_wrong_and_expired_codes_are_refused_and_pair_nobody(hub: HubProcess) -> None:
    refused(requests.post(hub.url(wire.PAIR), json={"code": "ABCDE-FGHJK", "device_name": "k"}, timeout=10), 401)
    store = HubStore(hub.home)
    try:
        expired = create_code(store, Role.KIOSK, ttl=timedelta(0))
    finally:
        store.close()
    refused(requests.post(hub.url(wire.PAIR), json={"code": expired, "device_name": "k"}, timeout=10), 401)
    assert json.loads(hall_cli(hub.home, "devices", "--json").stdout) == []


def test_pair_code_needs_a_counter_number_for_a_counter_only(hub: HubProcess) -> None:
    r = hall_cli(hub.home, "pair-code", "--role", "counter", check=False)
    assert r.returncode == 2 and "counter" in r.stderr
    r = hall_cli(hub.home, "pair-code", "--role", "kiosk", "--counter-no", "2", check=False)
    assert r.returncode == 2


def test_kiosks_get_their_own_slots_and_a_taken_name_or_counter_is_refused(hub: HubProcess) -> None:
    first = hub.pair("kiosk", "kiosk-1", cli=False)
    second = hub.pair("kiosk", "kiosk-2", cli=False)
    assert (first.kiosk_slot, second.kiosk_slot) == (1, 2)
    again = hub.pair("kiosk", "kiosk-1", cli=False)  # the same kiosk reinstalled keeps its slot, old token dies
    assert again.kiosk_slot == 1
    refused(hub.get(wire.STATE, first), 401)
    hub.pair("counter", "window-3", counter_no=3, cli=False)
    code = hub.pair_code("counter", counter_no=3, cli=False)
    refused(requests.post(hub.url(wire.PAIR), json={"code": code, "device_name": "window-3b"}, timeout=10), 409,
            "counter_taken")
    code = hub.pair_code("board", cli=False)
    refused(requests.post(hub.url(wire.PAIR), json={"code": code, "device_name": "kiosk-2"}, timeout=10), 409,
            "device_name_taken")


def test_each_role_is_refused_what_it_may_not_do_and_nothing_changes(hub: HubProcess) -> None:
    kiosk = hub.pair("kiosk", "kiosk-1", cli=False)
    counter = hub.pair("counter", "window-3", counter_no=3, cli=False)
    board = hub.pair("board", "board-1", cli=False)
    issue = {"ticket_id": str(uuid.uuid4()), "category": "A", "priority": "normal"}
    help_body = {"step": "welcome", "step_label": {"zh": "欢迎", "en": "Welcome"}}
    assert hub.post(wire.COUNTER_OPEN, counter).status_code == 200
    help_id = hub.post(wire.HELP, kiosk, help_body).json()["help_id"]
    before = event_count(hub, board)
    tid = str(uuid.uuid4())
    refusals: list[tuple[object, str, str, object]] = [
        (board, "POST", wire.TICKETS, issue), (board, "POST", wire.HANDOVER, {"tickets": []}),
        (board, "POST", wire.BLOCKS, None), (board, "GET", wire.TICKETS, None),
        (board, "POST", wire.CALL_NEXT, None), (board, "POST", wire.COUNTER_OPEN, None),
        (board, "POST", wire.HELP, help_body), (board, "POST", wire.HELP_ONE.format(help_id=help_id) + "/acknowledge", None),
        (kiosk, "POST", wire.CALL_NEXT, None), (kiosk, "POST", wire.COUNTER_OPEN, None),
        (kiosk, "POST", wire.COUNTER_CLOSE, None), (kiosk, "GET", wire.TICKETS, None),
        (kiosk, "GET", wire.COUNTER_SESSIONS, None),
        (kiosk, "POST", wire.TICKET_ACTION.format(ticket_id=tid, action="finish"), None),
        (kiosk, "POST", wire.HELP_ONE.format(help_id=help_id) + "/close", None),
        (counter, "POST", wire.HANDOVER, {"tickets": []}), (counter, "POST", wire.BLOCKS, None),
        (counter, "POST", wire.HELP, help_body),
    ]
    for device, method, path, body in refusals:
        r = hub.post(path, device, body) if method == "POST" else hub.get(path, device)  # type: ignore[arg-type]
        refused(r, 403, "forbidden")
    for method, path in [("GET", wire.STATE), ("GET", wire.EVENTS), ("GET", wire.CATEGORIES), ("POST", wire.TICKETS),
                         ("POST", wire.CALL_NEXT), ("POST", wire.HELP)]:
        r = hub.get(path) if method == "GET" else hub.post(path, None, {})
        refused(r, 401, "unauthorized")
        r = hub.get(path, "not-a-token") if method == "GET" else hub.post(path, "not-a-token", {})
        refused(r, 401, "unauthorized")
    assert event_count(hub, board) == before
    for device in (kiosk, counter, board):
        for path in (wire.STATE, wire.EVENTS, wire.CATEGORIES, wire.HELP_ONE.format(help_id=help_id)):
            assert hub.get(path, device).status_code == 200, path


def test_the_hub_home_is_private(tmp_path: Path) -> None:
    home = tmp_path / "hub-home"
    hall_cli(home, "devices")
    assert home.stat().st_mode & 0o777 == 0o700
