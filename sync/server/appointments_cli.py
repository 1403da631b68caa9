"""`onewindow platform ...` commands for appointments (A1): booking, slots, the hall's 7-day feed, check-ins and no-shows reported.

`book` prints the booking code (what the citizen's QR code holds); `slots` shows or sets a hall's slots and
places; `appointments` lists a hall's bookings; `cancel-booking` gives a place back. Refusals exit 2 with
the bilingual reason (through `onewindow`'s main) and change nothing.
"""
from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import date, datetime


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("YYYY-MM-DD") from None


def register(psub: argparse._SubParsersAction, common: Callable[[argparse.ArgumentParser], None]) -> None:  # type: ignore[type-arg]
    """Adds this capability's actions under `onewindow platform`; `common` adds --home/--db/--blob-key-file."""
    q = psub.add_parser("book", help="book an appointment slot for a citizen; prints the booking code")
    common(q)
    q.add_argument("--hall", required=True)
    q.add_argument("--item", required=True, help="service item code of the published catalog")
    q.add_argument("--day", required=True, type=_day, help="YYYY-MM-DD")
    q.add_argument("--slot", required=True, help="the slot's start, HH:MM (see `slots`)")
    q.add_argument("--id-number", required=True)
    q.add_argument("--name", required=True)
    q.add_argument("--json", action="store_true", help="print the whole booking as JSON")
    q.set_defaults(handler=run_book)

    q = psub.add_parser("slots", help="show a hall's appointment slots, or set them with --capacity")
    common(q)
    q.add_argument("--hall", required=True)
    q.add_argument("--capacity", type=int, default=None, help="places per slot (default plan: 4)")
    q.add_argument("--starts", default=None,
                   help="slot starts, one hour each, e.g. 09:00,10:00,11:00,14:00,15:00,16:00 (the default)")
    q.add_argument("--every-day", action="store_true", help="also weekends and public holidays")
    q.add_argument("--day", type=_day, default=None, help="also show the places taken that day")
    q.set_defaults(handler=run_slots)

    q = psub.add_parser("appointments", help="a hall's bookings")
    common(q)
    q.add_argument("--hall", required=True)
    q.add_argument("--day", type=_day, default=None, help="first day (default: today)")
    q.add_argument("--days", type=int, default=7)
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=run_list)

    q = psub.add_parser("cancel-booking", help="cancel a booking not yet used; its place goes back")
    common(q)
    q.add_argument("code")
    q.set_defaults(handler=run_cancel)


def _store(args: argparse.Namespace):  # -> PlatformStore
    from sync.server.db import open_platform

    return open_platform(args.platform_home, args.db, blob_key_file=args.blob_key_file)


def run_book(args: argparse.Namespace) -> int:
    from sync.server import appointments

    with _store(args).transaction() as session:
        row = appointments.book(session, hall=args.hall, service_item=args.item, day=args.day, slot_start=args.slot,
                                id_number=args.id_number, name=args.name, by="cli")
        doc = appointments.document(row)
    print(json.dumps(doc, ensure_ascii=False) if args.json else doc["booking_code"])
    return 0


def run_slots(args: argparse.Namespace) -> int:
    from sync.server import appointments

    with _store(args).transaction() as session:
        if args.capacity is not None or args.starts is not None or args.every_day:
            current = appointments.plan_of(session, args.hall)
            starts = [s.strip() for s in args.starts.split(",")] if args.starts is not None else list(current.starts)
            plan = appointments.set_plan(session, args.hall,
                                         capacity=args.capacity if args.capacity is not None else current.capacity,
                                         starts=starts, working_days_only=not args.every_day)
        else:
            plan = appointments.plan_of(session, args.hall)
        out = plan.as_dict()
        if args.day is not None:
            out["day"] = args.day.isoformat()
            out["taken"] = appointments.slot_use(session, args.hall, args.day)
    print(json.dumps(out, ensure_ascii=False))
    return 0


def run_list(args: argparse.Namespace) -> int:
    from kiosk.errors import Message, UserFacingError
    from kiosk.identity import mask_id
    from sync.server import appointments

    if not 1 <= args.days <= 31:
        raise UserFacingError(Message("天数应在 1 到 31 之间。", "--days must be 1 to 31."), code="days")
    first = args.day or datetime.now().astimezone().date()
    with _store(args).transaction() as session:
        docs = [appointments.document(r) for r in appointments.hall_bookings(session, args.hall, first, args.days)]
    for doc in docs:
        doc["id_number"] = mask_id(doc["id_number"])
    if args.json:
        print(json.dumps(docs, ensure_ascii=False))
    else:
        for d in docs:
            print(f"{d['day']} {d['slot_start']}-{d['slot_end']}  {d['booking_code']}  {d['state']:<10}  "
                  f"{d['id_number']}  {d['holder_name']}  {d['item_name']['zh']}"
                  + (f"  #{d['ticket_number']}" if d["ticket_number"] else ""))
    return 0


def run_cancel(args: argparse.Namespace) -> int:
    from sync.server import appointments

    with _store(args).transaction() as session:
        row = appointments.cancel(session, args.code)
        print(row.booking_code, row.state)
    return 0
