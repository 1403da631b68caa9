"""`onewindow licence` actions: ask which materials a citizen's licences stand for, and use them (L2)."""
from __future__ import annotations

import argparse


def add(lsub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Adds this module's actions under `onewindow licence` (filled in by its owner)."""
