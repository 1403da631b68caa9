"""`onewindow queue ...`: the kiosk's side of the hall queue, headless (pairing, tickets, help).

Exit codes: 0 done, 2 bad input or a refusal by the hub (nothing changed), 3 a ticket issued from the
kiosk's own numbers while the hub was away (done; it is handed over when the hub is back), 4 the hub could
not be reached (or no hub is configured).
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from kiosk.cli import EXIT_OK, EXIT_PENDING, terminal_from_args
from kiosk.errors import Message
from kiosk.queue.model import PRIORITY_LABELS, HallUnavailable, Priority
from kiosk.terminal import Terminal
from kiosk.usecases.queue import (hall_state, hall_status, hand_over_tickets, pair_with_hub, queue_categories,
                                  queue_events, request_help, take_ticket)

EXIT_HUB_UNREACHABLE = 4


def _wire(value: Any) -> Any:
    """The hub protocol's JSON shapes, without the domain importing `sync` (same rules as `sync.hall.wire`)."""
    import dataclasses
    from datetime import datetime, timezone
    from enum import Enum

    if isinstance(value, Enum):
        return value.value
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat()
    if isinstance(value, Message):
        return {"zh": value.zh, "en": value.en}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _wire(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_wire(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _wire(v) for k, v in value.items()}
    return str(value)


def _print_json(value: Any) -> None:
    print(json.dumps(_wire(value), ensure_ascii=False))


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("queue", help="the hall queue at this terminal: pair with the hub, take tickets, ask for help")
    actions = p.add_subparsers(dest="queue_command", metavar="ACTION", required=True)

    a = actions.add_parser("pair", help="pair this terminal with the hall hub using a code from `onewindow hall`")
    a.add_argument("code")
    a.add_argument("--url", help="the hub's address, e.g. http://10.0.0.5:8770 (default: the hall_url setting)")
    a.add_argument("--json", action="store_true")
    a.set_defaults(handler=_guard(run_pair))

    a = actions.add_parser("status", help="the hub link: paired, reachable, offline tickets not yet handed over")
    a.add_argument("--json", action="store_true")
    a.set_defaults(handler=_guard(run_status))

    a = actions.add_parser("categories", help="the hub's queue lines (offline: the last list the hub gave)")
    a.add_argument("--json", action="store_true")
    a.set_defaults(handler=_guard(run_categories))

    a = actions.add_parser("take", help="issue a ticket (from the kiosk's own numbers when the hub is away: exit 3)")
    a.add_argument("--category", required=True, help="the line's letter, e.g. A")
    a.add_argument("--priority", choices=[p.value for p in Priority], default=Priority.NORMAL.value)
    a.add_argument("--json", action="store_true")
    a.set_defaults(handler=_guard(run_take))

    a = actions.add_parser("handover", help="send the tickets issued offline to the hub now")
    a.add_argument("--json", action="store_true")
    a.set_defaults(handler=_guard(run_handover))

    a = actions.add_parser("state", help="the hall's queue now: waiting per line, counters, recent calls")
    a.add_argument("--json", action="store_true")
    a.set_defaults(handler=_guard(run_state))

    a = actions.add_parser("events", help="the hub's events after number N (JSON lines)")
    a.add_argument("--since", type=int, required=True)
    a.add_argument("--limit", type=int, default=500)
    a.set_defaults(handler=_guard(run_events))

    a = actions.add_parser("help", help="ask for a member of staff to come to this kiosk")
    a.add_argument("--step", required=True, help="the screen the citizen is on, e.g. materials")
    a.add_argument("--label-zh", help="the step's name in Chinese (default: the step)")
    a.add_argument("--label-en", help="the step's name in English (default: the step)")
    a.add_argument("--json", action="store_true")
    a.set_defaults(handler=_guard(run_help))


def _guard(handler: Any) -> Any:
    """The hub away is an answer with its own exit code, not a failure of the command."""
    def run(args: argparse.Namespace) -> int:
        try:
            return int(handler(args))
        except HallUnavailable as exc:
            print(exc.message.both(), file=sys.stderr)
            return EXIT_HUB_UNREACHABLE
    return run


def _terminal(args: argparse.Namespace) -> Terminal:
    return terminal_from_args(args)


def run_pair(args: argparse.Namespace) -> int:
    pairing = pair_with_hub(_terminal(args), args.code, args.url)
    if args.json:
        print(json.dumps({"hub_id": pairing.hub_id, "device_name": pairing.device_name, "role": pairing.role.value,
                          "counter_no": pairing.counter_no, "kiosk_slot": pairing.kiosk_slot,
                          "categories": [c.code for c in pairing.categories]}, ensure_ascii=False))
    else:
        seat = (f"{pairing.counter_no} 号窗口 / counter {pairing.counter_no}" if pairing.counter_no is not None
                else f"取号机位 {pairing.kiosk_slot} / kiosk slot {pairing.kiosk_slot}"
                if pairing.kiosk_slot is not None else pairing.role.value)
        print(f"已与叫号服务器配对 / Paired with the queue server: {pairing.device_name} ({pairing.role.value}, {seat})")
    return EXIT_OK


def run_status(args: argparse.Namespace) -> int:
    status = hall_status(_terminal(args))
    if args.json:
        _print_json(status)
    else:
        reach = {None: "未尝试 / not tried", True: "可连接 / reachable", False: "无法连接 / unreachable"}[status.reachable]
        print(f"叫号服务器 / Queue server: {'已配对 / paired' if status.configured else '未配置 / not configured'}, {reach}")
        print(f"待交接的离线号码 / Offline tickets not yet handed over: {status.offline_tickets_pending}")
        if status.note is not None:
            print(status.note.both())
    return EXIT_OK


def run_categories(args: argparse.Namespace) -> int:
    categories = queue_categories(_terminal(args))
    if args.json:
        _print_json(list(categories))
    else:
        for c in categories:
            print(f"{c.code}  {c.name.zh} / {c.name.en}")
    return EXIT_OK


def run_take(args: argparse.Namespace) -> int:
    issued = take_ticket(_terminal(args), args.category, Priority(args.priority))
    if args.json:
        _print_json(issued)
    else:
        t = issued.ticket
        label = PRIORITY_LABELS[t.priority]
        print(f"{t.number}  ({label.zh} / {label.en})")
        print(f"前面还有 {issued.people_ahead} 人，约等 {issued.estimated_wait_minutes} 分钟 / "
              f"{issued.people_ahead} ahead, about {issued.estimated_wait_minutes} min")
        print(issued.status_url)
        if issued.offline:
            print("叫号服务器暂时无法连接：本号码由本机发出，服务器恢复后自动交接。 / The queue server cannot be reached: "
                  "this kiosk issued the number itself and hands it over when the server is back.")
    return EXIT_PENDING if issued.offline else EXIT_OK


def run_handover(args: argparse.Namespace) -> int:
    terminal = _terminal(args)
    accepted = hand_over_tickets(terminal)
    left = hall_status(terminal).offline_tickets_pending
    if args.json:
        print(json.dumps({"accepted": accepted, "pending": left}))
    else:
        print(f"叫号服务器已接收 {accepted} 张离线号码，尚余 {left} 张 / The queue server accepted {accepted} offline "
              f"tickets; {left} left")
    return EXIT_OK if left == 0 else EXIT_PENDING


def run_state(args: argparse.Namespace) -> int:
    state = hall_state(_terminal(args))
    if args.json:
        _print_json(state)
    else:
        print(f"{state.service_day}  #{state.seq}")
        names = {c.code: c.name for c in state.categories}
        for code, n in sorted(state.waiting.items()):
            name = names.get(code)
            print(f"  {code} {name.zh + ' / ' + name.en if name else ''}: 等候 {n} 人 / {n} waiting")
        for counter in state.counters:
            current = counter.current.number if counter.current else "-"
            print(f"  {counter.counter_no} 号窗口 / counter {counter.counter_no}: "
                  f"{'开放 / open' if counter.open else '关闭 / closed'} {','.join(counter.categories)} {current}")
        for call in state.recent_calls:
            print(f"  {call.caption().both()}")
    return EXIT_OK


def run_events(args: argparse.Namespace) -> int:
    for event in queue_events(_terminal(args), args.since, args.limit):
        _print_json(event)
    return EXIT_OK


def run_help(args: argparse.Namespace) -> int:
    label = Message(args.label_zh or args.step, args.label_en or args.step)
    request = request_help(_terminal(args), args.step, label)
    if args.json:
        _print_json(request)
    else:
        print(f"已通知工作人员 / Staff have been asked to come: {request.help_id}")
    return EXIT_OK
