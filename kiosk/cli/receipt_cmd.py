"""`onewindow receipt verify`: check a receipt number's check character offline."""
from __future__ import annotations

import argparse
import json

from kiosk.receipt_numbers import parse_receipt_no


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("receipt", help="receipt number tools")
    rs = p.add_subparsers(dest="receipt_command", metavar="ACTION", required=True)
    v = rs.add_parser("verify", help="check a receipt number and show what it encodes")
    v.add_argument("number")
    v.set_defaults(handler=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    receipt = parse_receipt_no(args.number)
    print(json.dumps({"receipt_no": str(receipt), "hall_code": receipt.hall_code, "device_no": receipt.device_no,
                      "date": receipt.day.isoformat(), "sequence": receipt.sequence, "valid": True}))
    return 0
