"""What every counter screen may use: the terminal, and the day it counts deadlines from.

`today` is fixed in tests and screenshots; None means the real date.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kiosk.terminal import Terminal


@dataclass
class CounterContext:
    terminal: Terminal
    today: date | None = None

    def day(self) -> date:
        return self.today or date.today()
