"""`onewindow purge`: delete local copies of citizens' documents and personal data the platform already holds."""
from __future__ import annotations

import argparse
import json

from kiosk.cli import terminal_from_args


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("purge", help="apply the retention rules and remove files left by interrupted submissions "
                                     "(see --dry-run first)")
    p.add_argument("--dry-run", action="store_true", help="show what would be deleted; change nothing")
    p.add_argument("--json", action="store_true")
    p.add_argument("--days", type=int, default=None, help="override the retention_days setting")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from kiosk.device_identity import device_number
    from kiosk.retention import purge

    terminal = terminal_from_args(args)
    with terminal.store.transaction() as session:  # the audit names the device; purging needs no number
        device_no = device_number(session, terminal.settings).device_no
    report = purge(terminal.store, terminal.attachments, dry_run=args.dry_run, retention_days=args.days,
                   actor=f"cli:device{device_no}" if device_no else "cli")
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return 0
    verb = ("将清除", "would purge") if report.dry_run else ("已清除", "purged")
    print(f"{verb[0]} {len(report.items)} 份申请的个人资料 / {verb[1]} personal data of {len(report.items)} application(s)")
    for item in report.items:
        reason = {"closed": "已办结 / case closed", "expired": "超过保存期限 / retention period over"}[item.reason]
        print(f"  {item.receipt_no or item.application_id}  {item.status}  {reason}  "
              f"附件 attachments: {len(item.delete_attachments)} 删除 deleted, {len(item.keep_attachments)} 保留 kept")
    if not report.dry_run:
        print(f"删除文件 {len(report.files_deleted)} 个 / {len(report.files_deleted)} file(s) deleted")
    left = report.leftovers
    verb = ("将删除", "would remove") if report.dry_run else ("已删除", "removed")
    print(f"中断提交遗留的附件文件：{verb[0]} {len(left.stale)} 个（{left.bytes} 字节） / files left by interrupted "
          f"submissions: {verb[1]} {len(left.stale)} ({left.bytes} bytes)"
          + (f"；{left.young} 个一小时内写入，保留 / {left.young} written within the hour, kept" if left.young else ""))
    if report.waiting_for_platform:
        print(f"{report.waiting_for_platform} 份申请尚未得到平台确认，暂不清除 / "
              f"{report.waiting_for_platform} application(s) wait for the platform's confirmation and are kept")
    return 0
