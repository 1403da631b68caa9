"""`onewindow`: every command of the terminal, the platform and the tools.

Subcommands come from the ``onewindow.commands`` entry point group; each
package registers its own, so this bottom layer never imports the ones above.
Exit codes: 0 done, 1 unexpected failure (logged; the message says what
happened to the data), 2 bad input (nothing was changed), 3 done but
something is still pending (a receipt waiting for the printer), 4 the
platform could not be asked (`audit verify`: only the local check was done).

A command whose failure means something more precise than the generic
message sets `failure_message` (a `kiosk.errors.Message`) in its defaults.
"""
from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from kiosk import service_notify
from kiosk.errors import OPERATION_NOT_COMPLETED, Message, UserFacingError, ValidationFailed

if TYPE_CHECKING:
    from kiosk.terminal import Terminal

log = logging.getLogger("onewindow.cli")

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_PENDING = 0, 1, 2, 3


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser with every command, or with `command`'s alone when it is one: each command's module imports
    what it runs on, and loading all of them cost a verb about a second before it began."""
    parser = argparse.ArgumentParser(prog="onewindow", description="OneWindow government service hall terminal")
    parser.add_argument("--home", type=Path, default=None,
                        help="data directory (default: $ONEWINDOW_HOME or the platform's user data dir)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands = entry_points(group="onewindow.commands")
    chosen = [ep for ep in commands if ep.name == command] or sorted(commands, key=lambda e: e.name)
    for ep in chosen:
        try:
            register: Callable[[argparse._SubParsersAction], None] = ep.load()  # type: ignore[type-arg]
        except Exception:  # one broken package must not take every other command down
            log.exception("command %s could not be loaded", ep.name)
            print(f"warning: command '{ep.name}' is unavailable (see the log)", file=sys.stderr)
            continue
        register(sub)
    return parser


def command_named(argv: Sequence[str]) -> str | None:
    """The command word of a command line, if it has one (an unknown word or `--help` alone: None is fine, the
    full parser then lists every command)."""
    first = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    first.add_argument("--home")
    first.add_argument("command", nargs="?")
    try:
        known, _rest = first.parse_known_args(argv)
    except argparse.ArgumentError:  # e.g. `--home` without its value: the full parser says so
        return None
    return known.command


def console() -> NoReturn:
    """The `onewindow` program. Under systemd, only this process may notify it (`service_notify.claim`)."""
    service_notify.claim()
    sys.exit(main(program=True))


def main(argv: Sequence[str] | None = None, *, program: bool = False) -> int:
    """`program`: this process is the command, so what its imports made is kept out of every later collection
    (`gc.freeze`), as the windows do after start-up. Not when called in a process with a life of its own (the
    tests): what is frozen is never collected, garbage or not."""
    collecting = gc.isenabled()  # off already under the windows' own collector (ui.threads) in the tests
    gc.disable()  # importing a command's modules makes a few hundred thousand objects and little garbage:
    try:  # collecting while they were made, and walking them again later, took a quarter of a short verb's time
        parser = build_parser(command_named(sys.argv[1:] if argv is None else argv))
        args = parser.parse_args(argv)
    finally:
        if program:
            gc.freeze()
        if collecting:
            gc.enable()
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_INVALID
    if args.home is not None:
        os.environ["ONEWINDOW_HOME"] = str(args.home.expanduser().resolve())
    try:
        return int(args.handler(args) or 0)
    except ValidationFailed as exc:
        print("提交内容有误，未保存任何内容 / The input has problems; nothing was stored:", file=sys.stderr)
        for problem in exc.problems:
            print(f"- {problem.field}: {problem.message.zh} / {problem.message.en}", file=sys.stderr)
        return EXIT_INVALID
    except UserFacingError as exc:
        print(exc.message.both(), file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception:  # a defect: log it whole, tell the person calmly
        log.exception("unexpected failure in onewindow %s", args.command)
        message: Message = getattr(args, "failure_message", None) or OPERATION_NOT_COMPLETED
        print(message.both(), file=sys.stderr)
        return EXIT_FAILED


def terminal_from_args(args: argparse.Namespace) -> "Terminal":
    from kiosk.logs import configure_logging
    from kiosk.settings import load_settings
    from kiosk.terminal import Terminal

    settings = load_settings(getattr(args, "home", None))
    configure_logging(settings.home)
    return Terminal.open(settings)
