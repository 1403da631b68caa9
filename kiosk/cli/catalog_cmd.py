"""`onewindow catalog`: the service items this terminal can accept."""
from __future__ import annotations

import argparse
import json

from kiosk.catalog import ITEM_TYPES
from kiosk.cli import terminal_from_args


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("catalog", help="show the current service catalog")
    p.add_argument("--json", action="store_true", help="print the whole catalog document as JSON")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    catalog = terminal_from_args(args).catalog
    if args.json:
        print(json.dumps({"version": catalog.version, "etag": catalog.etag, **catalog.document},
                         ensure_ascii=False, indent=2))
        return 0
    print(f"服务目录 / Catalog {catalog.version} ({len(catalog.items)} items)")
    for dep in catalog.departments():
        print(f"\n{dep.name.zh} / {dep.name.en}")
        for item in (i for i in catalog.items if i.department.code == dep.code):
            kind = ITEM_TYPES[item.item_type]
            print(f"  {item.code}  {item.name.zh} / {item.name.en}  [{kind.zh}; "
                  f"承诺 {item.promised_limit_days} 个工作日 / promised {item.promised_limit_days} working days]")
    return 0
