"""Talking to the hall hub over HTTP with `requests`: short timeouts (a citizen is waiting at the kiosk),
and only the hub's own answers count.

Errors fall in two kinds:
`HubUnreachable` (a `HallUnavailable`: no link, a timeout, a 5xx, a truncated or malformed answer, or an
answer without `wire.PROTOCOL_HEADER` such as a captive portal's login page): the caller falls back or
retries later; `delivered_maybe` says whether the hub may have acted on the request anyway (the answer was
lost), which matters for issuing a ticket.
`UserFacingError` (a 4xx from the hub): the hub's own bilingual message, for the person at the screen.

The event follower (`EventFollower`) lives in `sync.hall.follower`.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import requests

from kiosk.errors import Message, UserFacingError
from kiosk.queue.model import (Category, CounterSession, CounterState, HallState, HallUnavailable, HandoverResult,
                               HelpRequest, IssuedTicket, IssueRequest, NumberBlock, Pairing, QueueEvent, Ticket)
from sync.hall import wire

log = logging.getLogger("onewindow.sync.hall.client")
T = TypeVar("T")

UNREACHABLE = Message("叫号服务器暂时无法连接。", "The hall's queue server cannot be reached right now.")
NOT_THE_HUB = Message("收到的应答不是叫号服务器发出的（可能是网络登录页或代理），暂时无法连接叫号服务器。",
                      "The answer did not come from the hall's queue server (a network login page or a proxy?); "
                      "the queue server cannot be reached right now.")
HUB_FAULT = Message("叫号服务器出现故障，暂时无法使用。", "The hall's queue server has a fault and cannot be used right now.")


class HubUnreachable(HallUnavailable):
    """The hub did not answer properly. `delivered_maybe`: the request may have reached the hub and been
    carried out (read timeout, 5xx, a lost or mangled answer); False only when it certainly did not
    (the connection was never made)."""

    def __init__(self, message: Message, detail: str, *, delivered_maybe: bool) -> None:
        super().__init__(message)
        self.detail = detail
        self.delivered_maybe = delivered_maybe

    def __str__(self) -> str:
        return f"{self.message.both()} ({self.detail})"


@dataclass(frozen=True)
class Timeouts:
    connect: float = 2.0
    read: float = 4.0


#: what a citizen waits for at the kiosk, and what a clerk waits for at the counter
INTERACTIVE = Timeouts(connect=2.0, read=4.0)
#: background work (hand-over, blocks): no one waits, but a stuck hub must not hold the worker long
BACKGROUND = Timeouts(connect=3.0, read=10.0)


def _hub_message(resp: requests.Response) -> tuple[Message, str]:
    """The hub's {"error", "message": {zh, en}}; a generic bilingual refusal when it sent none."""
    try:
        body = resp.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        message = body.get("message")
        code = str(body.get("error") or "hub_refused")
        if isinstance(message, dict) and isinstance(message.get("zh"), str) and isinstance(message.get("en"), str):
            return Message(message["zh"], message["en"]), code
    else:
        code = "hub_refused"
    return (Message(f"叫号服务器拒绝了该请求（{resp.status_code}）。",
                    f"The hall's queue server refused the request ({resp.status_code})."), code)


class HubRefused(UserFacingError):
    """A 4xx from the hub: `status` and the hub's error code are kept for callers that branch on them."""

    def __init__(self, status: int, message: Message, code: str) -> None:
        super().__init__(message, code=code)
        self.status = status


class HubClient:
    """One hub, one token; not shared between threads (a requests session is not thread-safe): `clone`."""

    def __init__(self, base_url: str, token: str | None = None, *, timeouts: Timeouts = INTERACTIVE,
                 session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.timeouts = timeouts
        self.session = session or requests.Session()
        self.session.trust_env = False  # the hub is on the hall's LAN: never through a system proxy

    def clone(self, timeouts: Timeouts | None = None) -> "HubClient":
        return HubClient(self.base_url, self._token, timeouts=timeouts or self.timeouts)

    def __repr__(self) -> str:
        return f"HubClient({self.base_url!r})"  # never the token

    def url(self, path: str) -> str:
        return self.base_url + path

    # --- the one request path -----------------------------------------------------------------------------
    def request(self, method: str, path: str, *, json_body: Any = None, params: dict[str, Any] | None = None,
                expected: Sequence[int] = (200,)) -> requests.Response:
        headers = {"Accept": "application/json"}
        data: bytes | None = None
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        if json_body is not None:
            data = json.dumps(json_body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            headers["Content-Type"] = "application/json"
        try:
            resp = self.session.request(method, self.url(path), data=data, headers=headers, params=params,
                                        timeout=(self.timeouts.connect, self.timeouts.read), allow_redirects=False)
            _ = resp.content  # read it whole here, so a truncated answer is a network error
        except requests.ConnectTimeout as exc:
            raise HubUnreachable(UNREACHABLE, f"connect timeout: {_safe(exc)}", delivered_maybe=False) from None
        except requests.ConnectionError as exc:
            # refused or unroutable: nothing was sent; a connection dropped after sending counts as maybe
            maybe = not _never_connected(exc)
            raise HubUnreachable(UNREACHABLE, f"{type(exc).__name__}: {_safe(exc)}", delivered_maybe=maybe) from None
        except requests.RequestException as exc:  # read timeout, chunked-encoding errors, ...
            raise HubUnreachable(UNREACHABLE, f"{type(exc).__name__}: {_safe(exc)}", delivered_maybe=True) from None
        if resp.headers.get(wire.PROTOCOL_HEADER) != wire.PROTOCOL_VERSION:
            raise HubUnreachable(NOT_THE_HUB, f"HTTP {resp.status_code} without {wire.PROTOCOL_HEADER}",
                                 delivered_maybe=True)
        if resp.status_code >= 500:
            raise HubUnreachable(HUB_FAULT, f"hub error HTTP {resp.status_code}", delivered_maybe=True)
        if resp.status_code in expected:
            return resp
        if 400 <= resp.status_code < 500:
            message, code = _hub_message(resp)
            raise HubRefused(resp.status_code, message, code)
        raise HubUnreachable(HUB_FAULT, f"unexpected HTTP {resp.status_code}", delivered_maybe=True)

    def _get(self, kind: type[T] | Any, method: str, path: str, **kwargs: Any) -> T:
        resp = self.request(method, path, **kwargs)
        try:
            body = resp.json()
        except ValueError:
            raise HubUnreachable(NOT_THE_HUB, "the hub's answer was not complete JSON", delivered_maybe=True) from None
        try:
            return wire.decode(kind, body)  # type: ignore[no-any-return]
        except wire.WireError as exc:
            log.warning("malformed answer from the hub to %s %s: %s", method, path, exc)
            raise HubUnreachable(NOT_THE_HUB, f"malformed answer: {exc}", delivered_maybe=True) from None

    # --- the routes ---------------------------------------------------------------------------------------
    def pair(self, code: str, device_name: str) -> Pairing:
        return self._get(Pairing, "POST", wire.PAIR, json_body={"code": code, "device_name": device_name})

    def categories(self) -> tuple[Category, ...]:
        return tuple(self._get(list[Category], "GET", wire.CATEGORIES))

    def issue(self, request: IssueRequest) -> IssuedTicket:
        return self._get(IssuedTicket, "POST", wire.TICKETS, json_body=wire.encode(request), expected=(200, 201))

    def hand_over(self, tickets: Sequence[Ticket]) -> HandoverResult:
        return self._get(HandoverResult, "POST", wire.HANDOVER, json_body={"tickets": wire.encode(list(tickets))})

    def blocks(self) -> list[NumberBlock]:
        return self._get(list[NumberBlock], "POST", wire.BLOCKS, expected=(200, 201))

    def tickets(self, day: str) -> list[Ticket]:
        return self._get(list[Ticket], "GET", wire.TICKETS, params={"day": day})

    def counter_sessions(self, day: str) -> list[CounterSession]:
        return self._get(list[CounterSession], "GET", wire.COUNTER_SESSIONS, params={"day": day})

    def open_counter(self, categories: tuple[str, ...] | None) -> CounterState:
        return self._get(CounterState, "POST", wire.COUNTER_OPEN,
                         json_body={"categories": list(categories) if categories is not None else None})

    def close_counter(self) -> CounterState:
        return self._get(CounterState, "POST", wire.COUNTER_CLOSE)

    def call_next(self) -> Ticket | None:
        resp = self.request("POST", wire.CALL_NEXT, expected=(200, 204))
        if resp.status_code == 204:
            return None
        try:
            return wire.decode_as(Ticket, resp.json())
        except (ValueError, wire.WireError) as exc:
            raise HubUnreachable(NOT_THE_HUB, f"malformed answer: {exc}", delivered_maybe=True) from None

    def ticket_action(self, ticket_id: str, action: str, body: dict[str, Any] | None = None) -> Ticket:
        return self._get(Ticket, "POST", wire.TICKET_ACTION.format(ticket_id=ticket_id, action=action),
                         json_body=body)

    def state(self) -> HallState:
        return self._get(HallState, "GET", wire.STATE)

    def events_since(self, seq: int, limit: int = 500) -> list[QueueEvent]:
        return self._get(list[QueueEvent], "GET", wire.EVENTS, params={"since": seq, "limit": limit})

    def request_help(self, step: str, step_label: Message) -> HelpRequest:
        return self._get(HelpRequest, "POST", wire.HELP, json_body={"step": step, "step_label": wire.encode(step_label)},
                         expected=(200, 201))

    def help_request(self, help_id: str) -> HelpRequest:
        return self._get(HelpRequest, "GET", wire.HELP_ONE.format(help_id=help_id))

    def help_action(self, help_id: str, action: str) -> HelpRequest:
        return self._get(HelpRequest, "POST", wire.HELP_ONE.format(help_id=help_id) + "/" + action)

    def ticket_page_url(self, ticket_id: str) -> str:
        return self.url(wire.TICKET_PAGE.format(ticket_id=ticket_id))

    def close(self) -> None:
        self.session.close()


def _never_connected(exc: requests.ConnectionError) -> bool:
    """Connection refused / no route / name not resolved: the request never left this machine."""
    text = str(exc)
    return any(s in text for s in ("NewConnectionError", "Connection refused", "Name or service not known",
                                   "No route to host", "Network is unreachable", "Failed to resolve"))


def _safe(exc: BaseException) -> str:
    """Exceptions from requests quote URLs; never let a token through."""
    return str(exc).replace("Bearer", "Bearer <hidden>")[:300]
