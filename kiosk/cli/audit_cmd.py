"""`onewindow audit verify`: prove the audit log was not edited."""
from __future__ import annotations

import argparse
import json

from sqlalchemy import func, select

from kiosk.audit import verify_chain
from kiosk.cli import terminal_from_args
from kiosk.store.models import AuditEntry


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("audit", help="audit log tools")
    actions = p.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    v = actions.add_parser("verify", help="check the audit log's hash chain; exit 1 if a row was edited or removed")
    v.add_argument("--json", action="store_true")
    v.set_defaults(handler=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    terminal = terminal_from_args(args)
    with terminal.store.transaction() as s:
        breaks = verify_chain(s)
        rows = s.scalar(select(func.count()).select_from(AuditEntry))
    if args.json:
        print(json.dumps({"ok": not breaks, "rows": rows,
                          "breaks": [{"entry_id": b.entry_id, "problem": b.problem} for b in breaks]}))
    elif breaks:
        print(f"审计日志已被篡改 / The audit log was tampered with ({len(breaks)} problems):")
        for b in breaks:
            print(f"  row {b.entry_id if b.entry_id is not None else '-'}: {b.problem}")
    else:
        print(f"审计日志完整 / The audit log is intact ({rows} rows)")
    return 1 if breaks else 0
