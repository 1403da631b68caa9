"""`onewindow board --fullscreen` on a real X server (Xvfb, Qt's xcb plugin), both ways round, as on a hall's wall.

The screenshot is read back from the X server: the board covers the screen (its background in every
corner) and its Chinese is readable (tesseract's Simplified Chinese model reads the hall's name).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from tests.ui.test_xcb_app import NO_PLUGIN, close_to, read_chinese, xvfb

BACKGROUND = (0x0B, 0x1F, 0x3A)  # ui/board/widgets.py


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)], ids=["portrait", "landscape"])
def test_fullscreen_board_covers_the_screen_with_readable_chinese(size: tuple[int, int], tmp_path: Path) -> None:
    width, height = size
    shot = tmp_path / "board.png"
    with xvfb(width, height) as display:
        env = dict(os.environ, QT_QPA_PLATFORM="xcb", DISPLAY=display)
        done = subprocess.run([sys.executable, "-m", "kiosk", "--home", str(tmp_path / "home"), "board",
                               "--fullscreen", "--screenshot", str(shot)], env=env, capture_output=True, text=True,
                              timeout=180)
    assert NO_PLUGIN not in done.stderr, done.stderr
    assert done.returncode == 0, done.stderr
    image = Image.open(shot).convert("RGB")
    assert image.size == (width, height)
    for corner in ((2, 2), (width - 3, 2), (2, height - 3), (width - 3, height - 3)):
        assert close_to(image.getpixel(corner), BACKGROUND), (corner, image.getpixel(corner))
    inverted = Image.eval(image, lambda v: 255 - v)  # dark text on light for tesseract
    assert "政务服务中心" in read_chinese(inverted, tmp_path)
