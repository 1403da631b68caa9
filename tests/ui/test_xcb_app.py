"""`onewindow app` on a real X server (Xvfb) through Qt's xcb plugin, as on a hall's terminal.

The rest of the suite runs offscreen, which is how a missing xcb library
went unnoticed: here the app is a real subprocess on a real display. Full
screen with no window manager running (plain Xvfb is exactly that), the
screenshot is read back from the X server: it must have the screen's size,
show the app's colours in opposite corners (the window covers the screen),
and its Chinese must be readable (tesseract's Simplified Chinese model,
which set-up installs, reads the welcome title; boxes would not read).
"""
from __future__ import annotations

import os
import select
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PIL import Image

TOP_BAR = (0x1D, 0x4F, 0x91)  # kiosk_normal.qss: the top bar
BACKGROUND = (0xF3, 0xF5, 0xF8)  # kiosk_normal.qss: the window
NO_PLUGIN = "Could not load the Qt platform plugin"


@contextmanager
def xvfb(width: int, height: int) -> Iterator[str]:
    """A fresh X server on a free display number (Xvfb picks it: -displayfd); killed afterwards."""
    read_end, write_end = os.pipe()
    server = subprocess.Popen(["Xvfb", "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp", "-noreset",
                               "-displayfd", str(write_end)],
                              pass_fds=(write_end,), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    os.close(write_end)
    try:
        ready, _w, _x = select.select([read_end], [], [], 30)
        number = os.read(read_end, 64).decode().strip() if ready else ""
        if not number:
            server.kill()
            raise AssertionError(f"Xvfb did not start: {server.communicate(timeout=10)[1].decode(errors='replace')}")
        yield f":{number}"
    finally:
        os.close(read_end)
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def run_app(display: str, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", DISPLAY=display)  # ./dev.sh test sets offscreen for pytest only
    env.pop("QT_IM_MODULE", None)
    return subprocess.run([sys.executable, "-m", "kiosk", "--home", str(home), "app", *args],
                          env=env, capture_output=True, text=True, timeout=180)


def close_to(pixel: tuple[int, ...], colour: tuple[int, int, int], tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour))


def read_chinese(image: Image.Image, tmp_path: Path) -> str:
    """What tesseract (chi_sim) reads in the top fifth of the screen: the hall's name and the welcome title."""
    crop = image.convert("L").crop((0, 0, image.width, image.height // 5))
    path = tmp_path / "title.png"
    crop.save(path)
    done = subprocess.run(["tesseract", str(path), "-", "-l", "chi_sim", "--psm", "3"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return "".join(done.stdout.split())


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)], ids=["portrait", "landscape"])
def test_fullscreen_app_covers_the_screen_with_readable_chinese(size: tuple[int, int], tmp_path: Path) -> None:
    width, height = size
    shot = tmp_path / "screen.png"
    with xvfb(width, height) as display:
        done = run_app(display, tmp_path / "home", "--fullscreen", "--screenshot", str(shot))
    assert NO_PLUGIN not in done.stderr, done.stderr
    assert done.returncode == 0, done.stderr
    image = Image.open(shot).convert("RGB")
    assert image.size == (width, height)  # read back from the X server: the whole screen
    assert close_to(image.getpixel((2, 2)), TOP_BAR), image.getpixel((2, 2))
    assert close_to(image.getpixel((width - 3, height - 3)), BACKGROUND), image.getpixel((width - 3, height - 3))
    assert close_to(image.getpixel((width - 3, 2)), TOP_BAR)  # no uncovered black root window at any edge
    assert close_to(image.getpixel((2, height - 3)), BACKGROUND)
    colours = image.crop((0, 0, width, height // 5)).getcolors(1 << 24) or []
    assert len(colours) > 50  # text, antialiased, not a blank bar
    assert "政务服务中心" in read_chinese(image, tmp_path)


def test_windowed_app_opens_no_larger_than_the_screen(tmp_path: Path) -> None:
    shot = tmp_path / "window.png"
    with xvfb(1080, 1920) as display:
        done = run_app(display, tmp_path / "home", "--screenshot", str(shot))
    assert NO_PLUGIN not in done.stderr, done.stderr
    assert done.returncode == 0, done.stderr
    image = Image.open(shot).convert("RGB")
    assert image.size == (1080, 900)  # 1600x900 as designed, narrowed to the portrait screen's width
    assert close_to(image.getpixel((2, 2)), TOP_BAR)
