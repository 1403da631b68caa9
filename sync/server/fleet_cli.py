"""`onewindow platform devices` and `onewindow platform fleet-viewer`: the fleet view from a shell.

`devices` lists the hall's (or every hall's) terminals with what needs attention, judged as the fleet page
judges it (`sync.server.fleet`); `--json` for scripts. Exit status 0 either way: a printer out of paper is a
finding, not a failure of the command. `fleet-viewer add` makes an account for the fleet page.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from sync.server.password_prompt import read_password


def register(psub: argparse._SubParsersAction, common: Callable[[argparse.ArgumentParser], None]) -> None:  # type: ignore[type-arg]
    q = psub.add_parser("devices", help="terminals by hall from their heartbeats, with what needs attention")
    common(q)
    q.add_argument("--hall", default=None, help="only this hall")
    q.add_argument("--attention", action="store_true", help="only terminals that need attention")
    q.add_argument("--json", action="store_true", help="print JSON")
    q.set_defaults(handler=run_devices)

    q = psub.add_parser("fleet-viewer", help="accounts that may open the fleet page (GET /fleet)")
    vsub = q.add_subparsers(dest="viewer_command", metavar="ACTION", required=True)
    a = vsub.add_parser("add", help="make an account for the fleet page")
    common(a)
    a.add_argument("username")
    a.add_argument("--hall", default=None, help="sees this hall only (default: every hall)")
    a.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")
    a.set_defaults(handler=run_viewer_add)


def _store(args: argparse.Namespace):  # -> PlatformStore
    from sync.server.db import open_platform

    return open_platform(args.platform_home, args.db, blob_key_file=args.blob_key_file)


def run_devices(args: argparse.Namespace) -> int:
    from sync.server import fleet

    with _store(args).read() as session:
        rows = fleet.fleet(session, args.hall)
    if args.attention:
        rows = [r for r in rows if r.attention]
    if args.json:
        print(json.dumps({"terminals": [r.as_dict() for r in rows],
                          "needing_attention": sum(1 for r in rows if r.attention)}, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("没有终端。 / No terminals.")
        return 0
    hall = None
    for row in rows:
        report = row.report or {}
        if row.hall_code != hall:
            hall = row.hall_code
            name = report.get("hall_name") or {}
            print(f"大厅 / Hall {hall} {name.get('zh', '')} {name.get('en', '')}".rstrip())
        heard = row.last_heard_at.strftime("%Y-%m-%d %H:%M") if row.last_heard_at else "从未 / never"
        mark = "需处理 / NEEDS ATTENTION" if row.attention else "正常 / ok"
        print(f"  #{row.device_no} {row.name} ({row.role}) v{report.get('version', '?')}  "
              f"上次联系 / last heard {heard}  {mark}")
        for a in row.attention:
            print(f"      - {a.message.zh} / {a.message.en}")
    return 0


def run_viewer_add(args: argparse.Namespace) -> int:
    from sync.server import fleet

    viewer = fleet.add_viewer(_store(args), args.username, read_password(args), args.hall)
    print(f"已添加查看账号 {viewer.username}（{viewer.hall_code or '全部大厅'}） / "
          f"Fleet viewer {viewer.username} added ({viewer.hall_code or 'every hall'})")
    return 0
