"""`onewindow rate`: a satisfaction rating as the kiosk records it (for a paper form typed in, or tests)."""
from __future__ import annotations

import argparse

from kiosk.cli import EXIT_OK, terminal_from_args
from kiosk.ratings import LEVELS, REASONS
from kiosk.usecases.ratings import rate_service


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("rate", help="record a five-level satisfaction rating (1 and 2 need a reason)")
    p.add_argument("score", type=int, choices=sorted(LEVELS))
    p.add_argument("--reason", choices=sorted(REASONS))
    p.add_argument("--comment")
    p.add_argument("--service-item")
    p.add_argument("--channel", choices=("kiosk", "counter"), default="kiosk")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    terminal = terminal_from_args(args)
    rate_service(terminal, args.score, reason_code=args.reason, comment=args.comment,
                 service_item=args.service_item, channel=args.channel)
    level = LEVELS[args.score]
    print(f"已记录 / recorded: {level.zh} / {level.en}")
    return EXIT_OK
