"""The hub protocol's JSON: every body is a `kiosk.queue.model` dataclass, field for field.

Datetimes travel as ISO 8601 with their offset (always UTC), `Message` as {"zh", "en"}, enums as their
value, tuples as lists. `decode` checks types as it goes, so a malformed body becomes `WireError` (a 422
at the hub, a protocol error at the client) rather than a half-built object.
"""
from __future__ import annotations

import dataclasses
import types
import typing
from datetime import datetime, timezone
from enum import Enum
from functools import cache
from typing import Any, TypeVar

from kiosk.errors import Message

T = TypeVar("T")
API = "/hall/v1"
PROTOCOL_HEADER = "X-OneWindow-Hall"  # set on every hub answer; anything without it is not the hub
PROTOCOL_VERSION = "1"


class WireError(ValueError):
    """A body that does not have the shape the protocol says."""


def encode(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise WireError("naive datetime on the wire")
        return value.astimezone(timezone.utc).isoformat()
    if isinstance(value, Message):
        return {"zh": value.zh, "en": value.en}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    raise WireError(f"cannot encode {type(value).__name__}")


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def decode(kind: Any, data: Any, where: str = "body") -> Any:
    """`data` (parsed JSON) as `kind`, or WireError naming where it went wrong."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(kind)
        if data is None and type(None) in options:
            return None
        errors = []
        for option in options:
            if option is type(None):
                continue
            try:
                return decode(option, data, where)
            except WireError as e:
                errors.append(str(e))
        raise WireError("; ".join(errors) or f"{where}: unexpected null")
    if kind is Any:
        return data
    if origin in (tuple, list):
        if not isinstance(data, list):
            raise WireError(f"{where}: expected a list")
        args = typing.get_args(kind)
        item = args[0] if args else Any
        items = [decode(item, v, f"{where}[{i}]") for i, v in enumerate(data)]
        return tuple(items) if origin is tuple else items
    if origin is dict:
        if not isinstance(data, dict):
            raise WireError(f"{where}: expected an object")
        key_kind, value_kind = typing.get_args(kind) or (str, Any)
        return {decode(key_kind, k, where): decode(value_kind, v, f"{where}.{k}") for k, v in data.items()}
    if isinstance(kind, type) and issubclass(kind, Enum):
        try:
            return kind(data)
        except ValueError:
            raise WireError(f"{where}: {data!r} is not one of {[m.value for m in kind]}") from None
    if kind is datetime:
        if not isinstance(data, str):
            raise WireError(f"{where}: expected an ISO 8601 time")
        try:
            value = datetime.fromisoformat(data)
        except ValueError:
            raise WireError(f"{where}: {data!r} is not an ISO 8601 time") from None
        if value.tzinfo is None:
            raise WireError(f"{where}: time without offset")
        return value.astimezone(timezone.utc)
    if kind is Message:
        if not (isinstance(data, dict) and isinstance(data.get("zh"), str) and isinstance(data.get("en"), str)):
            raise WireError(f"{where}: expected {{zh, en}}")
        return Message(data["zh"], data["en"])
    if kind is bool:
        if not isinstance(data, bool):
            raise WireError(f"{where}: expected true or false")
        return data
    if kind is int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise WireError(f"{where}: expected an integer")
        return data
    if kind is float:
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            raise WireError(f"{where}: expected a number")
        return float(data)
    if kind is str:
        if not isinstance(data, str):
            raise WireError(f"{where}: expected a string")
        return data
    if dataclasses.is_dataclass(kind):
        if not isinstance(data, dict):
            raise WireError(f"{where}: expected an object")
        hints = _hints(kind)
        values: dict[str, Any] = {}
        for f in dataclasses.fields(kind):
            if f.name in data:
                values[f.name] = decode(hints[f.name], data[f.name], f"{where}.{f.name}")
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise WireError(f"{where}: {f.name} is missing")
        return kind(**values)
    raise WireError(f"{where}: no decoder for {kind!r}")


def decode_as(kind: type[T], data: Any, where: str = "body") -> T:
    return typing.cast(T, decode(kind, data, where))


# --- the routes (under API) -------------------------------------------------------------------------------
# Authentication: "Authorization: Bearer <token>" from pairing, except PAIR and TICKET_PAGE.
# Roles: a kiosk may issue, hand over and ask for help; a counter may call and acknowledge help; a board
# only reads. Every device may read STATE, EVENTS, WS, CATEGORIES. Errors: JSON {"error": code,
# "message": {"zh","en"}} with 400/401/403/404/409/413/422; every answer carries PROTOCOL_HEADER.
#
# POST PAIR                {"code", "device_name"}            -> Pairing
# GET  CATEGORIES                                             -> [Category]
# POST TICKETS             IssueRequest                       -> IssuedTicket    (idempotent by ticket_id)
# POST HANDOVER            {"tickets": [Ticket]}              -> HandoverResult  (idempotent by ticket_id)
# POST BLOCKS                                                 -> [NumberBlock]   (kiosk: today's blocks)
# GET  TICKETS?day=YYYY-MM-DD                                 -> [Ticket]        (counter)
# GET  COUNTER_SESSIONS?day=YYYY-MM-DD                        -> [CounterSession] (counter)
# POST COUNTER_OPEN        {"categories": [..] | null}        -> CounterState    (counter: its own number)
# POST COUNTER_CLOSE                                          -> CounterState
# POST CALL_NEXT                                              -> Ticket | 204 when nobody waits
# POST TICKET_ACTION.format(ticket_id=..., action=recall|start|finish|no-show)   -> Ticket
# POST TICKET_ACTION ... action=transfer  {"to_counter": n}   -> Ticket
# POST TICKET_ACTION ... action=link      {"application_ref": s} -> Ticket
# GET  STATE                                                  -> HallState
# GET  EVENTS?since=N&limit=M                                 -> [QueueEvent] (seq > N, ascending)
# WS   WS?since=N&token=T  the hub sends each QueueEvent (JSON text frames) after N, in order, then live
# POST HELP                {"step", "step_label": {zh,en}}    -> HelpRequest (kiosk)
# GET  HELP_ONE.format(help_id=...)                            -> HelpRequest
# POST HELP_ONE + "/acknowledge" | "/close"                    -> HelpRequest (counter)
# GET  TICKET_PAGE.format(ticket_id=...)   public HTML: the ticket's place in the line (its QR points here)
# GET  STATS?since_day=YYYY-MM-DD                             -> [DailyStats] (counter; forwarded to the platform)
PAIR = f"{API}/pair"
CATEGORIES = f"{API}/categories"
TICKETS = f"{API}/tickets"
HANDOVER = f"{API}/tickets/handover"
BLOCKS = f"{API}/blocks"
COUNTER_SESSIONS = f"{API}/counter-sessions"
COUNTER_OPEN = f"{API}/counter/open"
COUNTER_CLOSE = f"{API}/counter/close"
CALL_NEXT = f"{API}/counter/call-next"
TICKET_ACTION = API + "/tickets/{ticket_id}/{action}"
STATE = f"{API}/state"
EVENTS = f"{API}/events"
WS = f"{API}/ws"
HELP = f"{API}/help"
HELP_ONE = API + "/help/{help_id}"
TICKET_PAGE = "/t/{ticket_id}"
STATS = f"{API}/stats"
