"""Terminals paired with a real hub process, for the link tests: each has its own data dir."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from kiosk.queue.model import QueueEvent
from kiosk.settings import load_settings
from kiosk.terminal import Terminal
from kiosk.usecases.queue import pair_with_hub
from tests.hall.hub_process import HubProcess


def paired_terminal(hub: HubProcess, home: Path, role: str, name: str, *, counter_no: int | None = None,
                    background: bool = False) -> Terminal:
    t = Terminal.open(load_settings(home), background=background)
    assert t.hall is None  # not paired, no hall_url: no queue part
    pair_with_hub(t, hub.pair_code(role, counter_no=counter_no, name=name, cli=False), hub.base_url)
    assert t.hall is not None
    if background:  # the worker starts with a window's terminal: open it again as the window does
        t.close()
        t = Terminal.open(load_settings(home), background=True)
    return t


def wait_until(condition: Callable[[], bool], timeout: float = 20.0, what: str = "condition") -> None:
    """Polls a condition with a deadline (threads and processes, no Qt event loop here)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


class Board:
    """What a board keeps: every event handed on, and the link's ups and downs."""

    def __init__(self) -> None:
        self.events: list[QueueEvent] = []
        self.links: list[bool] = []
        self.lock = threading.Lock()

    def on_events(self, events: list[QueueEvent]) -> None:
        with self.lock:
            self.events.extend(events)

    def on_link(self, up: bool) -> None:
        with self.lock:
            self.links.append(up)

    @property
    def seqs(self) -> list[int]:
        with self.lock:
            return [e.seq for e in self.events]

    @property
    def last(self) -> int:
        seqs = self.seqs
        return seqs[-1] if seqs else 0
