"""Driving windows to a state for screenshots and benchmarks, without a person at the screen."""
from __future__ import annotations

import time
from collections.abc import Callable

SIZE = (1600, 900)
# The screens a terminal meets: a hall's portrait self-service terminal, full HD, a cheap laptop panel, 5:4.
SCREEN_SIZES = ((1080, 1920), (1920, 1080), (1366, 768), (1280, 1024))


def pump(until: Callable[[], bool], timeout: float = 20.0) -> None:
    """Process Qt events until `until()` holds; raise when the window does not get there in time."""
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + timeout
    while not until():
        if time.monotonic() > deadline:
            raise TimeoutError("the screen did not get there in time")
        QApplication.processEvents()
        time.sleep(0.01)
    for _ in range(5):
        QApplication.processEvents()


def parse_sizes(argv: list[str], default: tuple[tuple[int, int], ...] = (SIZE,)
                ) -> tuple[list[str], tuple[tuple[int, int], ...]]:
    """`--size 1080x1920` (repeatable) or `--screens` for the four screen shapes; the rest are positional."""
    rest: list[str] = []
    sizes: list[tuple[int, int]] = []
    args = iter(argv)
    for arg in args:
        if arg == "--size":
            width, height = next(args).lower().split("x")
            sizes.append((int(width), int(height)))
        elif arg == "--screens":
            sizes += SCREEN_SIZES
        else:
            rest.append(arg)
    return rest, tuple(sizes) or default
