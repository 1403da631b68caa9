"""`onewindow doctor`: health of this terminal, for IT staff."""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from kiosk.cli import terminal_from_args
from kiosk.doctor import run_checks

MARK = {"ok": "✔", "warn": "!", "fail": "✘"}


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("doctor", help="check Qt, fonts, store, data dir, configuration, device number, stuck devices and leftover files")
    p.add_argument("--json", action="store_true")
    p.add_argument("--verify", action="store_true", help="re-hash every attachment and report mismatches")
    p.add_argument("--only", metavar="NAME[,NAME]", default=None,
                   help="run only these checks, by the names the full report shows (e.g. last_run,store)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    only = frozenset(n.strip() for n in args.only.split(",") if n.strip()) if args.only is not None else None
    checks = run_checks(terminal_from_args(args), verify=args.verify, only=only)
    if only is not None and not checks:
        print(f"没有名为 {args.only} 的检查项 / no check is named {args.only}", file=sys.stderr)
        return 2
    failed = any(c.status == "fail" for c in checks)
    if args.json:
        print(json.dumps({"ok": not failed, "checks": [asdict(c) for c in checks]}, ensure_ascii=False, indent=2))
    else:
        for c in checks:
            print(f"{MARK[c.status]} {c.name:<17} {c.detail}")
    return 1 if failed else 0
