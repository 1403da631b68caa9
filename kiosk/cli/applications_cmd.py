"""`onewindow applications`: what this terminal holds."""
from __future__ import annotations

import argparse
import json

from kiosk.cli import terminal_from_args
from kiosk.terminal import describe_application


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("applications", help="list stored applications (ID numbers masked)")
    p.add_argument("--json", action="store_true", help="JSON with each material's attachments and SHA-256")
    p.add_argument("--status", action="append", help="only these statuses (repeatable)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    terminal = terminal_from_args(args)
    catalog = terminal.catalog
    described = [describe_application(a, catalog) for a in terminal.applications(args.status)]
    if args.json:
        print(json.dumps(described, ensure_ascii=False, indent=2))
        return 0
    for app in described:
        name = app["service_item_name"]["zh"] if app["service_item_name"] else app["service_item"]
        files = sum(len(m["attachments"]) for m in app["materials"])
        print(f"{app['receipt_no']}  {app['status_label']['zh']:<8} {name}  {app['applicant']['name']} "
              f"{app['applicant']['id_number']}  {files} files  promised {app['promised_date']}")
    print(f"共 {len(described)} 件 / {len(described)} applications")
    return 0
