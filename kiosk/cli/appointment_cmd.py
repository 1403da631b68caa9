"""`onewindow appointment ...`: the hall's bookings as copied here, check-in, no-shows (the same use cases as
the kiosk's and the counter's screens; all of it works with the link down).

Exit codes: 0 done, 2 no booking to check in (too early, too late, cancelled, another day, unknown) or bad
input, nothing changed.
"""
from __future__ import annotations

import argparse
import json
from datetime import date
from typing import Any

from kiosk.cli import EXIT_OK, terminal_from_args
from kiosk.usecases.appointments import (AppointmentView, CheckIn, appointments_for_day, check_in_by_code,
                                         check_in_by_id_number, mark_no_shows)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("YYYY-MM-DD") from None


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Adds `onewindow appointment`."""
    p = sub.add_parser("appointment", help="appointments: the day's bookings, check in, no-shows")
    actions = p.add_subparsers(dest="appointment_command", metavar="ACTION", required=True)

    a = actions.add_parser("list", help="a day's bookings by slot, with who has arrived")
    a.add_argument("--day", type=_day, default=None, help="YYYY-MM-DD (default: today)")
    a.add_argument("--json", action="store_true")
    a.set_defaults(handler=run_list)

    a = actions.add_parser("check-in", help="check a citizen in and issue the appointment ticket")
    who = a.add_mutually_exclusive_group(required=True)
    who.add_argument("--id-number")
    who.add_argument("--code", help="the booking code (what the QR code holds)")
    a.add_argument("--actor", default="cli", help="who checks in, for the audit (default: cli)")
    a.add_argument("--json", action="store_true")
    a.set_defaults(handler=run_check_in)

    a = actions.add_parser("no-shows", help="mark bookings past their slot's end plus the grace as no-shows")
    a.add_argument("--json", action="store_true")
    a.set_defaults(handler=run_no_shows)


def _view(v: AppointmentView) -> dict[str, Any]:
    return {"id": v.id, "booking_code": v.booking_code, "service_item": v.service_item,
            "item_name": {"zh": v.item_name.zh, "en": v.item_name.en}, "day": v.day.isoformat(),
            "slot_start": v.slot_start.strftime("%H:%M"), "slot_end": v.slot_end.strftime("%H:%M"),
            "holder_name": v.holder_name, "id_masked": v.id_masked, "state": v.state.value,
            "checked_in_at": v.checked_in_at.isoformat() if v.checked_in_at else None,
            "ticket_number": v.ticket_number}


def run_list(args: argparse.Namespace) -> int:
    t = terminal_from_args(args)
    views = appointments_for_day(t, args.day)
    if args.json:
        print(json.dumps([_view(v) for v in views], ensure_ascii=False))
        return EXIT_OK
    for v in views:
        print(f"{v.slot_start:%H:%M}-{v.slot_end:%H:%M}  {v.booking_code}  {v.state.value:<10}  {v.id_masked}  "
              f"{v.holder_name}  {v.item_name.zh}" + (f"  #{v.ticket_number}" if v.ticket_number else ""))
    if not views:
        print("这一天没有预约 / No bookings that day")
    return EXIT_OK


def _done(c: CheckIn) -> dict[str, Any]:
    ticket = c.ticket.ticket if c.ticket else None
    return {"appointment": _view(c.appointment), "already": c.already,
            "ticket": {"number": ticket.number, "category": ticket.category, "priority": ticket.priority.value,
                       "offline": c.ticket.offline if c.ticket else False} if ticket else None,
            "note": {"zh": c.note.zh, "en": c.note.en} if c.note else None}


def run_check_in(args: argparse.Namespace) -> int:
    t = terminal_from_args(args)
    if args.id_number is not None:
        done = check_in_by_id_number(t, args.id_number, actor=args.actor)
    else:
        done = check_in_by_code(t, args.code, actor=args.actor)
    if args.json:
        print(json.dumps(_done(done), ensure_ascii=False))
        return EXIT_OK
    v = done.appointment
    head = "已签到（此前）/ Already checked in" if done.already else "签到成功 / Checked in"
    print(f"{head}: {v.booking_code} {v.slot_start:%H:%M}-{v.slot_end:%H:%M} {v.item_name.zh} / {v.item_name.en}")
    if done.ticket is not None:
        print(f"号码 / Number: {done.ticket.ticket.number}")
    if done.note is not None:
        print(done.note.both())
    return EXIT_OK


def run_no_shows(args: argparse.Namespace) -> int:
    t = terminal_from_args(args)
    marked = mark_no_shows(t)
    print(json.dumps({"no_shows": marked}) if args.json else f"爽约 / No-shows marked: {marked}")
    return EXIT_OK
