"""Malformed, oversized and hostile requests get a bilingual 4xx and change nothing at the hub."""
from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from sync.hall import wire
from tests.hall.hub_process import HubProcess


@pytest.fixture
def hall(tmp_path: Any) -> Any:
    hub = HubProcess(tmp_path / "hub")
    try:
        yield hub, hub.pair("kiosk", "kiosk-1", cli=False), hub.pair("counter", "window-3", counter_no=3, cli=False)
    finally:
        hub.stop()
    assert hub.tracebacks() == ""


def raw_post(hub: HubProcess, path: str, token: str, data: Any, content_type: str = "application/json") -> requests.Response:
    return requests.post(hub.url(path), data=data, timeout=30,
                         headers={"Authorization": f"Bearer {token}", "Content-Type": content_type})


def snapshot(hub: HubProcess, counter: Any) -> tuple[Any, ...]:
    day = datetime_today()
    return (hub.get(wire.EVENTS + "?limit=1000", counter).json(), hub.get(wire.TICKETS + f"?day={day}", counter).json(),
            hub.get(wire.STATE, counter).json()["waiting"])


def datetime_today() -> str:
    from datetime import datetime

    return datetime.now().astimezone().date().isoformat()


def check_refused(r: requests.Response, *statuses: int) -> None:
    assert r.status_code in statuses, (r.status_code, r.text[:300])
    assert r.headers[wire.PROTOCOL_HEADER] == wire.PROTOCOL_VERSION
    body = r.json()
    assert isinstance(body["error"], str) and body["message"]["zh"] and body["message"]["en"]


GOOD = {"ticket_id": "", "category": "A", "priority": "normal"}
BAD_ISSUES: list[Any] = [
    b"not json", b"{", b"[]", b"null", b'"A"', b"{}", "{\"ticket_id\": \"\u0000\"}".encode(),
    {"category": "A", "priority": "normal"},
    {"ticket_id": "x", "category": "A", "priority": "normal"},
    {"ticket_id": "ID", "category": "A", "priority": "vip"},
    {"ticket_id": "ID", "category": "Z", "priority": "normal"},
    {"ticket_id": "ID", "category": "A'; DROP TABLE tickets; --", "priority": "normal"},
    {"ticket_id": "ID", "category": ["A"], "priority": "normal"},
    {"ticket_id": "ID", "category": "A", "priority": "normal", "appointment_at": "2026-11-30T09:00:00"},
    {"ticket_id": "ID", "category": "A", "priority": "normal", "appointment_at": "2026-11-30T09:00:00+08:00"},
    {"ticket_id": "ID".upper(), "category": "A", "priority": 3},
    {"ticket_id": "../../etc/passwd", "category": "A", "priority": "normal"},
    {"ticket_id": "ID", "category": "A" * 100000, "priority": "normal"},
]


def test_malformed_issue_requests_are_refused_and_change_nothing(hall: Any) -> None:
    hub, kiosk, counter = hall
    before = snapshot(hub, counter)
    for body in BAD_ISSUES:
        if isinstance(body, dict):
            body = json.dumps({k: (str(uuid.uuid4()) if v == "ID" else v) for k, v in body.items()}).encode()
        check_refused(raw_post(hub, wire.TICKETS, kiosk.token, body), 400, 422)
    check_refused(raw_post(hub, wire.TICKETS, kiosk.token, b"[" * 200_000 + b"]" * 200_000), 400, 413, 422)
    assert snapshot(hub, counter) == before
    good = raw_post(hub, wire.TICKETS, kiosk.token, json.dumps({**GOOD, "ticket_id": str(uuid.uuid4())}))
    assert good.status_code == 200 and good.json()["ticket"]["number"] == "A001"


def test_an_oversized_body_is_refused_whether_declared_or_streamed(hall: Any) -> None:
    hub, kiosk, counter = hall
    before = snapshot(hub, counter)
    huge = json.dumps({**GOOD, "ticket_id": str(uuid.uuid4()), "pad": "x" * (3 * 1024 * 1024)}).encode()
    check_refused(raw_post(hub, wire.TICKETS, kiosk.token, huge), 413)

    def chunks() -> Iterator[bytes]:  # no Content-Length: the hub must stop reading at its cap
        yield b'{"tickets": ['
        for _ in range(4096):
            yield b'{"ticket_id": "' + b"y" * 1000 + b'"},'
        yield b"{}]}"

    check_refused(raw_post(hub, wire.HANDOVER, kiosk.token, chunks()), 413)
    assert snapshot(hub, counter) == before


def test_hostile_counter_and_help_requests_change_nothing(hall: Any) -> None:
    hub, kiosk, counter = hall
    hub.post(wire.COUNTER_OPEN, counter, {"categories": ["A"]})
    ticket = hub.post(wire.TICKETS, kiosk, {**GOOD, "ticket_id": str(uuid.uuid4())}).json()["ticket"]
    called = hub.post(wire.CALL_NEXT, counter).json()
    before = snapshot(hub, counter)
    tid = ticket["ticket_id"]
    for path, body in [
        (wire.COUNTER_OPEN, {"categories": []}), (wire.COUNTER_OPEN, {"categories": ["A", "A"]}),
        (wire.COUNTER_OPEN, {"categories": ["Q"]}), (wire.COUNTER_OPEN, {"categories": "A"}),
        (wire.TICKET_ACTION.format(ticket_id=tid, action="link"), {"application_ref": ""}),
        (wire.TICKET_ACTION.format(ticket_id=tid, action="link"), {"application_ref": "x" * 500}),
        (wire.TICKET_ACTION.format(ticket_id=tid, action="link"), {"application_ref": "ref\nINJECT"}),
        (wire.TICKET_ACTION.format(ticket_id=tid, action="link"), {"application_ref": 12}),
        (wire.TICKET_ACTION.format(ticket_id=tid, action="transfer"), {"to_counter": 10**30}),
        (wire.TICKET_ACTION.format(ticket_id=tid, action="transfer"), {"to_counter": True}),
        (wire.TICKET_ACTION.format(ticket_id="%2e%2e", action="start"), None),
    ]:
        check_refused(hub.post(path, counter, body), 400, 404, 409, 422)
    for body in [{"step": "", "step_label": {"zh": "a", "en": "b"}}, {"step": "x" * 65, "step_label": {"zh": "a", "en": "b"}},
                 {"step": "welcome", "step_label": {"zh": "a"}}, {"step": "welcome", "step_label": "help"},
                 {"step": "welcome\u0007", "step_label": {"zh": "a", "en": "b"}}]:
        check_refused(hub.post(wire.HELP, kiosk, body), 422)
    assert snapshot(hub, counter) == before
    assert called["ticket_id"] == tid


def test_a_hostile_pairing_request_leaves_the_code_usable(hall: Any) -> None:
    hub, kiosk, counter = hall
    code = hub.pair_code("board", cli=False)
    for body in [{"code": code}, {"code": code, "device_name": ""}, {"code": code, "device_name": "a\u0000b"},
                 {"code": code, "device_name": "n" * 65}, {"code": code, "device_name": " padded "},
                 {"code": ["x"], "device_name": "b"}, {"code": code * 1000, "device_name": "b"}]:
        check_refused(requests.post(hub.url(wire.PAIR), json=body, timeout=10), 401, 422)
    r = requests.post(hub.url(wire.PAIR), json={"code": code, "device_name": "board-1"}, timeout=10)
    assert r.status_code == 200 and r.json()["role"] == "board"


def test_unknown_addresses_and_methods_answer_in_the_protocols_shape(hall: Any) -> None:
    hub, kiosk, counter = hall
    check_refused(hub.get("/hall/v1/nothing", kiosk), 404)
    check_refused(requests.delete(hub.url(wire.TICKETS), timeout=10), 405)
    check_refused(hub.get(wire.TICKETS + "?day=yesterday", counter), 422)
    check_refused(hub.get(wire.COUNTER_SESSIONS + "?day=2026-02-30", counter), 422)
