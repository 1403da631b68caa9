"""`onewindow call`: the counter's queue verbs, headless: the same use cases as the window's queue panel.

A clerk logs in as at the window (`--staff`, password prompt or `--password-stdin`). A verb that acts on a
ticket takes its id, or its number when it is this counter's current ticket, or nothing: then this
counter's current ticket. Exit 2 with a bilingual message for a refusal or for no hub configured; exit 4
when the hub cannot be reached (nothing was changed there).
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from kiosk.cli import EXIT_OK, terminal_from_args
from kiosk.cli.staff_login import add_staff_options, staff_from_args
from kiosk.errors import Message, UserFacingError
from kiosk.queue.model import PRIORITY_LABELS, CounterState, HallUnavailable, HelpRequest, Ticket
from kiosk.staff import Permission
from kiosk.terminal import Terminal
from kiosk.usecases import calling

EXIT_HUB_AWAY = 4
TICKET_VERBS = ("recall", "start", "finish", "no-show", "transfer", "link")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("call", help="the counter's queue: open, call next, recall, serve, transfer, figures")
    actions = p.add_subparsers(dest="call_command", metavar="ACTION", required=True)
    opened = actions.add_parser("open", help="open this counter for calls")
    opened.add_argument("--categories", help="the lines to call from, e.g. A,B (default: every line)")
    closing = actions.add_parser("close", help="close this counter")
    nxt = actions.add_parser("next", help="call the next ticket")
    verbs = [opened, closing, nxt]
    for verb in TICKET_VERBS:
        v = actions.add_parser(verb, help=f"{verb} a ticket (default: this counter's current one)")
        v.add_argument("ticket", nargs="?", help="ticket id, or this counter's current ticket's number")
        verbs.append(v)
        if verb == "transfer":
            v.add_argument("--to", dest="to_counter", type=int, required=True, metavar="N", help="counter number")
        if verb == "link":
            v.add_argument("--ref", required=True, metavar="R", help="receipt, case or application number")
    ack = actions.add_parser("help-ack", help="acknowledge a kiosk's help request: someone is coming")
    ack.add_argument("help_id")
    figures = actions.add_parser("figures", help="the day's queue figures (wait, walk, service, idle, no-shows)")
    figures.add_argument("--day", required=True, metavar="YYYY-MM-DD")
    verbs += [ack, figures]
    for v in verbs:
        add_staff_options(v)
        v.add_argument("--json", action="store_true")
        v.set_defaults(handler=run, failure_message=Message("叫号操作未完成。", "The queue action did not complete."))


def _ticket(t: Ticket) -> dict[str, Any]:
    def iso(v: Any) -> str | None:
        return v.isoformat() if v is not None else None

    return {"ticket_id": t.ticket_id, "number": t.number, "category": t.category, "priority": t.priority.value,
            "state": t.state.value, "counter_no": t.counter_no, "issued_at": iso(t.issued_at),
            "called_at": iso(t.called_at), "started_at": iso(t.started_at), "finished_at": iso(t.finished_at),
            "no_show_at": iso(t.no_show_at), "calls": t.calls, "application_ref": t.application_ref}


def _resolve(terminal: Terminal, given: str | None) -> str:
    if given and len(given) > 12:  # a UUID, as the hub names tickets
        return given
    current = calling.counter_view(terminal).current
    if current is None:
        raise UserFacingError(Message("本窗口当前没有号票；请写明号票编号。",
                                      "This counter has no current ticket; name the ticket."), code="no_current")
    if given and given.upper() != current.number.upper():
        raise UserFacingError(Message(f"{given} 不是本窗口当前的号票（{current.number}）；请用号票编号。",
                                      f"{given} is not this counter's current ticket ({current.number}); "
                                      "give the ticket's id."), code="not_current")
    return current.ticket_id


def _print_ticket(t: Ticket | None, as_json: bool) -> None:
    if as_json:
        print(json.dumps(_ticket(t) if t else None, ensure_ascii=False, indent=2))
    elif t is None:
        print("没有人在等候 / Nobody is waiting")
    else:
        label = PRIORITY_LABELS[t.priority]
        where = f" → {t.counter_no} 号窗口 / counter {t.counter_no}" if t.counter_no else ""
        print(f"{t.number} [{label.zh}/{label.en}] {t.state.value}{where}  ({t.ticket_id})")


def _print_counter(c: CounterState, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"counter_no": c.counter_no, "open": c.open, "categories": list(c.categories)},
                         ensure_ascii=False))
    else:
        state = "开放 / open" if c.open else "关闭 / closed"
        print(f"{c.counter_no} 号窗口 / counter {c.counter_no}: {state} {','.join(c.categories)}")


def _print_help(h: HelpRequest, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"help_id": h.help_id, "kiosk": h.kiosk, "step": h.step,
                          "acknowledged_at": h.acknowledged_at.isoformat() if h.acknowledged_at else None,
                          "acknowledged_by": h.acknowledged_by}, ensure_ascii=False))
    else:
        print(f"已确认 / acknowledged: {h.kiosk} · {h.step_label.zh} / {h.step_label.en}")


def _print_figures(figures: Any, as_json: bool) -> None:
    data = figures.as_dict()
    if as_json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return
    total = data["total"]

    def m(v: Any) -> str:
        return "—" if v is None else f"{v:.1f}"

    share = "—" if total["within_target_share"] is None else f"{total['within_target_share'] * 100:.0f}%"
    print(f"{data['service_day']}  取号 issued {total['issued']}  办结 served {total['served']}  "
          f"未到 no-shows {total['no_shows']}  仍在等候 still waiting {total['still_waiting']}")
    print(f"平均等候 mean wait {m(total['mean_wait_minutes'])} min  步行 walk {m(total['mean_walk_minutes'])} min  "
          f"办理 service {m(total['mean_service_minutes'])} min  "
          f"{data['target_minutes']} 分钟内 within {data['target_minutes']} min: {share}")
    for title, rows in (("按小时 / by hour", data["by_hour"]), ("按类别 / by line", data["by_category"])):
        print(title)
        for r in rows:
            print(f"  {r['key']:>4}  issued {r['issued']:>4}  served {r['served']:>4}  no-shows {r['no_shows']:>3}  "
                  f"wait {m(r['mean_wait_minutes']):>6}  service {m(r['mean_service_minutes']):>6}")
    print("窗口空闲 / idle per counter")
    for c in data["counters"]:
        print(f"  {c['counter_no']:>3}  open {c['open_minutes']:.1f} min  idle {c['idle_minutes']:.1f} min  "
              f"served {c['served']}")


def run(args: argparse.Namespace) -> int:
    terminal = terminal_from_args(args)
    staff = staff_from_args(terminal, args)
    verb, as_json = args.call_command, args.json
    if verb == "figures" and not staff.may(Permission.DASHBOARD):
        raise UserFacingError(Message("只有值班长可以查看大厅统计。", "Only a supervisor may see the hall's figures."),
                              code="forbidden")
    try:
        if verb == "open":
            cats = tuple(args.categories.split(",")) if args.categories is not None else None
            _print_counter(calling.open_counter(terminal, cats), as_json)
        elif verb == "close":
            _print_counter(calling.close_counter(terminal), as_json)
        elif verb == "next":
            _print_ticket(calling.call_next(terminal), as_json)
        elif verb == "help-ack":
            _print_help(calling.acknowledge_help(terminal, args.help_id), as_json)
        elif verb == "figures":
            _print_figures(calling.queue_figures(terminal, args.day), as_json)
        else:
            ticket_id = _resolve(terminal, args.ticket)
            if verb == "transfer":
                ticket = calling.transfer(terminal, ticket_id, args.to_counter)
            elif verb == "link":
                ticket = calling.link_ticket(terminal, ticket_id, args.ref)
            else:
                act = {"recall": calling.recall, "start": calling.start, "finish": calling.finish,
                       "no-show": calling.no_show}[verb]
                ticket = act(terminal, ticket_id)
            _print_ticket(ticket, as_json)
    except HallUnavailable as exc:
        print(exc.message.both(), file=sys.stderr)
        return EXIT_HUB_AWAY
    finally:
        terminal.close()
    return EXIT_OK

