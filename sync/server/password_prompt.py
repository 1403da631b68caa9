"""A password typed by an administrator at the platform's command line (staff and fleet viewer accounts)."""
from __future__ import annotations

import argparse
import getpass
import sys

from kiosk.errors import Message, UserFacingError


def read_password(args: argparse.Namespace) -> str:
    """One line of stdin with --password-stdin, else asked twice at a terminal; never on the command line."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise UserFacingError(Message("请在终端输入密码，或使用 --password-stdin 从标准输入读取。",
                                      "Type the password at a terminal, or give --password-stdin to read it from "
                                      "stdin."), code="password_input")
    first = getpass.getpass("密码 / Password: ")
    if getpass.getpass("再次输入 / Again: ") != first:
        raise UserFacingError(Message("两次输入的密码不一致。", "The two passwords differ."), code="password_mismatch")
    return first
