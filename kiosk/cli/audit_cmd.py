"""`onewindow audit verify`: prove the audit log was not edited, against the platform's heads too.

Exit codes: 0 intact (and vouched for by the platform, or a terminal that was
never enrolled), 2 tampered with, 4 intact locally but the platform could not
be asked, so only the local check was possible.
"""
from __future__ import annotations

import argparse
import json

from kiosk.cli import EXIT_INVALID, EXIT_OK, terminal_from_args
from kiosk.usecases.audit import verify_audit

EXIT_BROKEN = EXIT_INVALID
EXIT_PLATFORM_UNREACHABLE = 4


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("audit", help="audit log tools")
    actions = p.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    v = actions.add_parser("verify", help="check the audit log's hash chain and the heads the platform holds; "
                                          "exit 2 if an entry was edited or removed, 4 if the platform could not "
                                          "be asked (only the local check was done)")
    v.add_argument("--json", action="store_true")
    v.set_defaults(handler=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    result = verify_audit(terminal_from_args(args))
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False))
    else:
        if result.ok:
            print(f"审计日志完整 / The audit log is intact ({result.rows} rows)")
        else:
            print(f"审计日志已被篡改 / The audit log was tampered with "
                  f"({len(result.breaks) + len(result.mismatches)} problems):")
        for b in result.breaks:
            print(f"  row {b.entry_id if b.entry_id is not None else '-'}: {b.problem}")
        for m in result.mismatches:
            print(f"  {m.message.zh}\n    {m.message.en}")
        if result.platform == "checked":
            head = result.platform_head
            print(f"平台核对 / Checked against the platform: {result.heads_checked} 个审计头 heads"
                  + (f", 最新 newest #{head.last_id} ({head.count} rows)" if head else ""))
        for d in result.discrepancies:
            print(f"  平台拒收的审计头 head the platform refused: {d.zh} / {d.en}")
        for n in result.notes:
            print(n.both())
    if not result.ok:
        return EXIT_BROKEN
    if result.platform == "unreachable":
        return EXIT_PLATFORM_UNREACHABLE
    return EXIT_OK
