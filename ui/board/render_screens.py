"""Render the call board to PNG, landscape and portrait (and the small laptop panel).

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m ui.board.render_screens [OUT_DIR] [--size WxH ...]

A demo hall (a snapshot with a morning's calls, then a new call, then the link lost) stands in for
the hub. Look at the pictures from across the room: anything too small, cut off or shown as boxes
is a bug.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from ui.screenshots import application, close_window, main, pump, shoot, shown  # noqa: E402 - after the platform

SIZE = (1920, 1080)
SIZES = ((1920, 1080), (1080, 1920), (1366, 768))


class DemoHall:
    """Just enough of `HallPart` for a board: a fixed snapshot, and events the walk pushes."""

    def __init__(self) -> None:
        from kiosk.errors import Message
        from kiosk.queue.model import Call, Category, HallState

        at = datetime(2026, 11, 30, 1, 40, tzinfo=timezone.utc)
        self.categories = (
            Category("A", Message("社会保障", "Social security")),
            Category("B", Message("户籍与出入境", "Household registration and travel")),
            Category("C", Message("不动产与公积金", "Property and housing fund")),
            Category("D", Message("企业开办", "Starting a business")))
        calls = [("A014", 2), ("B031", 5), ("C007", 8), ("A013", 1), ("D002", 10), ("B030", 4), ("A012", 3)]
        recent = tuple(Call(40 - i, f"t-{number}", number, number[0], counter, at - timedelta(minutes=i))
                       for i, (number, counter) in enumerate(calls))
        self.state_now = HallState(40, "2026-11-30", self.categories, {"A": 12, "B": 7, "C": 3, "D": 0}, (), recent)
        self.on_events: Callable[[list[Any]], None] | None = None
        self.on_link: Callable[[bool], None] | None = None

    def state(self) -> Any:
        return self.state_now

    def subscribe(self, since: int, on_events: Callable[[list[Any]], None], on_link: Callable[[bool], None]) -> Any:
        self.on_events, self.on_link = on_events, on_link
        on_link(True)
        return self

    def call(self, seq: int, number: str, counter: int) -> None:
        from kiosk.queue.model import EventKind, Priority, QueueEvent, Ticket, TicketState

        at = datetime.now(timezone.utc)
        ticket = Ticket(f"t-{number}", number, number[0], Priority.NORMAL, TicketState.CALLED, "2026-11-30", at,
                        "kiosk-1", called_at=at, counter_no=counter, calls=1)
        assert self.on_events is not None
        self.on_events([QueueEvent(seq, EventKind.CALLED, at, ticket=ticket, counter_no=counter)])

    def stop(self, timeout: float = 5.0) -> None:
        self.on_events = self.on_link = None


def walk(window: Any, hall: DemoHall) -> Iterator[str]:
    pump(lambda: window.link.view is not None)
    yield "01_board"
    hall.call(41, "A015", 3)
    pump(lambda: window.headline().startswith("A015"))
    yield "02_new_call"
    assert hall.on_link is not None
    hall.on_link(False)
    pump(lambda: window.link.link_up is False)
    yield "03_link_down"


def render(out: Path, sizes: tuple[tuple[int, int], ...] = SIZES) -> list[Path]:
    from kiosk.errors import Message
    from ui.board.window import BoardWindow

    application(out)
    hall = DemoHall()
    window = shown(BoardWindow(hall, hall_name=Message("西湖区政务服务中心", "Xihu District Government Service Center"),
                               speaker=None, clock=lambda: datetime(2026, 11, 30, 9, 41)), sizes[0])
    shots = shoot(window, walk(window, hall), out, sizes, lambda name: f"board_{name}", SIZE)
    close_window(window)
    return shots


if __name__ == "__main__":
    import sys

    args = sys.argv[1:]
    if "--size" not in args:  # both orientations and the laptop panel unless asked otherwise
        args += [part for width, height in SIZES for part in ("--size", f"{width}x{height}")]
    raise SystemExit(main(args, render, "out/board", SIZE))
