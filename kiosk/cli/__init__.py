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
import logging
import os
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.errors import OPERATION_NOT_COMPLETED, Message, UserFacingError, ValidationFailed

if TYPE_CHECKING:
    from kiosk.terminal import Terminal

log = logging.getLogger("onewindow.cli")

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_PENDING = 0, 1, 2, 3


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="onewindow", description="OneWindow government service hall terminal")
    parser.add_argument("--home", type=Path, default=None,
                        help="data directory (default: $ONEWINDOW_HOME or the platform's user data dir)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for ep in sorted(entry_points(group="onewindow.commands"), key=lambda e: e.name):
        try:
            register: Callable[[argparse._SubParsersAction], None] = ep.load()  # type: ignore[type-arg]
        except Exception:  # one broken package must not take every other command down
            log.exception("command %s could not be loaded", ep.name)
            print(f"warning: command '{ep.name}' is unavailable (see the log)", file=sys.stderr)
            continue
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
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
