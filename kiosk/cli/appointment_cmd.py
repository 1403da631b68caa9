"""`onewindow appointment ...`: appointments: list, check in, no-shows (A1)."""
from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Adds `onewindow appointment` (filled in by its owner)."""
