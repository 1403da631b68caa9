"""`onewindow staff`: accounts for counter staff (the password never on the command line).

A hall's accounts are the platform's (`onewindow platform staff ...`) and reach
a counter when it syncs; accounts made here ("local") are for a terminal that
has never received the platform's list, and `list` says where each came from.
"""
from __future__ import annotations

import argparse
import getpass
import json
import sys

from sqlalchemy import select

from kiosk import staff as staff_accounts
from kiosk.cli import terminal_from_args
from kiosk.errors import Message, UserFacingError
from kiosk.store.models import Staff

CLI_ACTOR = "admin:cli"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("staff", help="add, disable or reset counter staff accounts")
    actions = p.add_subparsers(dest="staff_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add an account (password from a prompt, or stdin when not a terminal)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=[r.value for r in staff_accounts.Role])
    add.add_argument("--display-name")
    add.set_defaults(handler=run_add)
    dis = actions.add_parser("disable", help="disable an account")
    dis.add_argument("name")
    dis.set_defaults(handler=run_disable)
    reset = actions.add_parser("reset-password", help="set a new password")
    reset.add_argument("name")
    reset.set_defaults(handler=run_reset)
    lst = actions.add_parser("list", help="list accounts")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=run_list)


def read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("密码 / Password: ")
        second = getpass.getpass("再次输入 / Again: ")
        if first != second:
            raise UserFacingError(Message("两次输入的密码不一致。", "The two passwords differ."), code="password_mismatch")
        return first
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def run_add(args: argparse.Namespace) -> int:
    terminal = terminal_from_args(args)
    password = read_password()
    with terminal.store.transaction() as s:
        member = staff_accounts.add_staff(s, args.name, password, args.role, display_name=args.display_name,
                                          actor=CLI_ACTOR)
        print(json.dumps({"id": member.id, "username": member.username, "role": member.role}))
    return 0


def run_disable(args: argparse.Namespace) -> int:
    terminal = terminal_from_args(args)
    with terminal.store.transaction() as s:
        staff_accounts.disable_staff(s, args.name, actor=CLI_ACTOR)
    print(f"已停用 / disabled: {args.name}")
    return 0


def run_reset(args: argparse.Namespace) -> int:
    terminal = terminal_from_args(args)
    password = read_password()
    with terminal.store.transaction() as s:
        staff_accounts.reset_password(s, args.name, password, actor=CLI_ACTOR)
    print(f"密码已重置 / password reset: {args.name}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    terminal = terminal_from_args(args)
    with terminal.store.transaction() as s:
        rows = [{"id": m.id, "username": m.username, "display_name": m.display_name, "role": m.role,
                 "disabled": m.disabled, "source": m.source} for m in s.scalars(select(Staff).order_by(Staff.username))]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for r in rows:
            print(f"{r['username']:<20} {r['role']:<14} {'disabled' if r['disabled'] else 'active':<9} "
                  f"{r['source']:<9} {r['display_name']}")
    return 0
