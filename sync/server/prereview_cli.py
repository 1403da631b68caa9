"""`onewindow platform ...` commands for online cases pre-reviewed on the platform and visits per case (V)."""
from __future__ import annotations

import argparse
from collections.abc import Callable


def register(psub: argparse._SubParsersAction, common: Callable[[argparse.ArgumentParser], None]) -> None:  # type: ignore[type-arg]
    """Adds this capability's actions under `onewindow platform`; `common` adds --home/--db/--blob-key-file."""
