"""`onewindow platform ...` commands for appointments (A1): booking, slots, the hall's 7-day feed, check-ins and no-shows reported."""
from __future__ import annotations

import argparse
from collections.abc import Callable


def register(psub: argparse._SubParsersAction, common: Callable[[argparse.ArgumentParser], None]) -> None:  # type: ignore[type-arg]
    """Adds this capability's actions under `onewindow platform`; `common` adds --home/--db/--blob-key-file."""
