"""`onewindow licence` actions: verify an identifier's form and check character (L1)."""
from __future__ import annotations

import argparse


def add(lsub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Adds this module's actions under `onewindow licence` (filled in by its owner)."""
