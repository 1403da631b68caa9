"""Counter verbs on the command line act as a named staff member, who must log in like at the window.

The password never goes on the command line: a prompt, or one line on stdin
with `--password-stdin` (for scripts). Failed attempts are audited as at the
window.
"""
from __future__ import annotations

import argparse
import getpass
import sys

from kiosk.terminal import Terminal
from kiosk.usecases.staff import log_in
from kiosk.usecases.views import StaffView


def add_staff_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--staff", required=True, metavar="USER", help="the staff member acting (as at the counter)")
    p.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")


def staff_from_args(terminal: Terminal, args: argparse.Namespace) -> StaffView:
    if args.password_stdin or not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("密码 / Password: ")
    return log_in(terminal, args.staff, password)
