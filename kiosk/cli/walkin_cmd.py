"""`onewindow walk-in`: a counter takes a walk-in's application from a submission file.

The file is the one `onewindow submit` reads (`--example CODE` prints one);
the application is stored as the counter's, under the staff member's name,
and `--draft ID` closes the kiosk draft it finishes.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from kiosk.cli import EXIT_OK, terminal_from_args
from kiosk.cli.staff_login import add_staff_options, staff_from_args
from kiosk.submission_file import draft_from_submission, read_submission_file
from kiosk.usecases.applications import take_walk_in


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("walk-in", help="take a walk-in's application at a counter from a JSON file")
    p.add_argument("file", type=Path)
    p.add_argument("--draft", help="the kiosk draft this application finishes (it is closed)")
    add_staff_options(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    terminal = terminal_from_args(args)
    staff = staff_from_args(terminal, args)
    doc, base = read_submission_file(args.file)
    draft, problems = draft_from_submission(terminal.catalog, doc, base, terminal.intake_limits)
    if problems:
        from kiosk.errors import ValidationFailed

        raise ValidationFailed(problems)
    result = take_walk_in(terminal, staff.id, draft, args.draft)
    print(json.dumps({"id": result.id, "receipt_no": result.receipt_no,
                      "promised_date": result.promised_date.isoformat()}, ensure_ascii=False))
    return EXIT_OK
