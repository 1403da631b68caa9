"""Driving windows to a state for screenshots and benchmarks, without a person at the screen."""
from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.terminal import Terminal

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


def shoot(window: Any, names: Iterable[str], out: Path, sizes: tuple[tuple[int, int], ...], stem: Callable[[str], str],
          default: tuple[int, int]) -> list[Path]:
    """For each screen a walk shows (`names`), a PNG at every size; the size is in the file name unless default."""
    shots: list[Path] = []
    for name in names:
        for width, height in sizes:
            window.resize(width, height)
            pump(lambda: True)
            suffix = "" if sizes == (default,) else f"_{width}x{height}"
            path = out / f"{stem(name)}{suffix}.png"
            window.grab().save(str(path))
            shots.append(path)
    return shots


def application(out: Path) -> Any:
    """The QApplication with the bundled fonts, and the folder for the pictures."""
    from PySide6.QtWidgets import QApplication

    from ui.fonts import install_fonts

    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    install_fonts(app)
    return app


def main(argv: list[str] | None, render: Callable[[Path, tuple[tuple[int, int], ...]], list[Path]], default_out: str,
         default: tuple[int, int]) -> int:
    args = sys.argv[1:] if argv is None else argv
    rest, sizes = parse_sizes(args, default=(default,))
    for path in render(Path(rest[0]) if rest else Path(default_out), sizes):
        print(path)
    return 0


@contextmanager
def demo_terminal(prefix: str, home: Path | None = None, **settings: Any) -> Iterator[Terminal]:
    """A terminal on a throw-away data dir (a hall without a platform: device number 1) for a walk."""
    from kiosk.settings import load_settings
    from kiosk.terminal import Terminal
    from ui.jobs import wait_idle

    home = home or Path(tempfile.mkdtemp(prefix=prefix))
    terminal = Terminal.open(load_settings(home, device_no=1, **settings))
    try:
        yield terminal
    finally:
        wait_idle()
        terminal.close()


def shown(window: Any, size: tuple[int, int]) -> Any:
    window.resize(*size)
    window.show()
    return window


def close_window(window: Any) -> None:
    window.close()
    window.deleteLater()
    pump(lambda: True)
