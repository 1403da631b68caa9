"""`onewindow licence ...`: electronic licences (verify an identifier; offers and uses for an application)."""
from __future__ import annotations

import argparse

from kiosk.cli import licence_use_cmd, licence_verify_cmd


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("licence", help="electronic licences (电子证照): verify identifiers, offers and uses")
    lsub = p.add_subparsers(dest="licence_command", metavar="ACTION", required=True)
    licence_verify_cmd.add(lsub)
    licence_use_cmd.add(lsub)
