"""The hall's queue as the kiosk and the CLI use it: taking a ticket, the hub's status, help on request.

Every function goes through `Terminal.hall` (`sync.hall.part`, which the domain never imports). With no hub
configured they raise `HallUnavailable` saying so; `take_ticket` issues from the kiosk's own numbers when
the hub cannot be reached (the ticket says `offline=True`). Pairing, which must work before there is any
`Terminal.hall`, reaches the link's code through the `onewindow.hall_pairing` entry point.
"""
from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points

from kiosk.errors import Message, UserFacingError
from kiosk.queue.model import (Category, HallPart, HallState, HallUnavailable, HelpRequest, HubStatus, IssuedTicket,
                               Pairing, Priority, QueueEvent)
from kiosk.terminal import Terminal

PAIRING_GROUP = "onewindow.hall_pairing"
NO_HUB = Message("本终端未连接叫号服务器（未设置 hall_url，也未配对）。",
                 "This terminal has no hall queue server (hall_url is not set and it is not paired).")
NO_LINK_CODE = Message("本安装不含叫号服务器连接组件，无法配对。",
                       "This installation lacks the queue server link; it cannot be paired.")
STEP_MAX = 64


def _hall(t: Terminal) -> HallPart:
    if t.hall is None:
        raise HallUnavailable(NO_HUB)
    return t.hall


def hall_status(t: Terminal) -> HubStatus:
    """What a screen says about the hub; never raises for link trouble."""
    if t.hall is None:
        return HubStatus(configured=False, reachable=None, note=NO_HUB)
    return t.hall.status()


def queue_categories(t: Terminal) -> tuple[Category, ...]:
    """The hub's lines; offline, the last list it gave (empty if it never did)."""
    return _hall(t).categories()


def take_ticket(t: Terminal, category: str, priority: Priority) -> IssuedTicket:
    if not isinstance(priority, Priority):
        raise UserFacingError(Message("优先类别无效。", "Invalid priority."), code="priority")
    code = category.strip().upper() if isinstance(category, str) else ""
    if not code:
        raise UserFacingError(Message("请选择业务类别。", "Please choose a queue line."), code="category")
    return _hall(t).issue(code, priority)


def hand_over_tickets(t: Terminal) -> int:
    """Send the tickets issued offline to the hub now; how many it accepted."""
    return _hall(t).hand_over()


def hall_state(t: Terminal) -> HallState:
    return _hall(t).state()


def queue_events(t: Terminal, since: int, limit: int = 500) -> list[QueueEvent]:
    if since < 0 or not 1 <= limit <= 500:
        raise UserFacingError(Message("事件序号须不小于 0，条数须在 1 到 500 之间。",
                                      "The event number must be 0 or more, and the limit 1 to 500."), code="since")
    return _hall(t).events_since(since, limit)


def request_help(t: Terminal, step: str, step_label: Message) -> HelpRequest:
    if not step or len(step) > STEP_MAX or not step.isprintable():
        raise UserFacingError(Message("求助的步骤名称无效。", "The step name of the help request is invalid."),
                              code="step")
    return _hall(t).request_help(step, step_label)


def help_request(t: Terminal, help_id: str) -> HelpRequest:
    return _hall(t).help_request(help_id)


def pair_with_hub(t: Terminal, code: str, url: str | None = None) -> Pairing:
    """Pair this terminal with the hall hub (the address from `url`, else the `hall_url` setting); works with
    the platform link down. Bad input is refused with a message and changes nothing."""
    pair: Callable[[Terminal, str, str | None], Pairing] | None = None
    for ep in entry_points(group=PAIRING_GROUP):
        pair = ep.load()
        break
    if pair is None:
        raise HallUnavailable(NO_LINK_CODE)
    return pair(t, code, url)
