"""The printers as a part of the terminal (`Terminal.printing`).

`attach` is the `onewindow.terminal_parts` entry point. `print_now` makes one
attempt at a queued job while the citizen waits; jobs that could not print
stay in the queue (see `printing.queue`).
"""
from __future__ import annotations

from kiosk.print_jobs import PrintOutcome
from kiosk.terminal import Terminal
from printing import queue


class Printers:
    def __init__(self, terminal: Terminal) -> None:
        self.terminal = terminal

    def print_now(self, job_id: int, *, actor: str) -> PrintOutcome | None:
        return queue.run_job(self.terminal, job_id, actor=actor)

    def poke(self) -> None:
        """No background worker yet."""

    def stop(self, timeout: float = 5.0) -> None:
        """Nothing runs in the background yet."""


def attach(terminal: Terminal, *, background: bool) -> None:
    terminal.printing = Printers(terminal)
