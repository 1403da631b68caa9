"""Taking a number and asking for help in the real app on a real X server (Xvfb, Qt's xcb plugin), full screen.

The window is built as `onewindow app` builds it (`tests/ui/kiosk_ticket_xcb_run.py`, with the in-memory
hall); the screens are read back from the X server and their Chinese read by tesseract (chi_sim): boxes
instead of characters, or a screen the window does not cover, would not read.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from tests.ui.test_xcb_app import NO_PLUGIN, xvfb

ROOT = Path(__file__).resolve().parents[2]


def _read(image: Image.Image, box: tuple[int, int, int, int], tmp_path: Path) -> str:
    path = tmp_path / "crop.png"
    image.convert("L").crop(box).save(path)
    done = subprocess.run(["tesseract", str(path), "-", "-l", "chi_sim", "--psm", "6"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return "".join(done.stdout.split())


@pytest.mark.parametrize(("size", "large"), [((1080, 1920), False), ((1366, 768), True)],
                         ids=["portrait", "laptop-large-text"])
def test_the_number_and_the_help_banner_on_a_real_display(size: tuple[int, int], large: bool, tmp_path: Path) -> None:
    width, height = size
    prefix = tmp_path / "shot"
    with xvfb(width, height) as display:
        env = dict(os.environ, QT_QPA_PLATFORM="xcb", DISPLAY=display)
        env.pop("QT_IM_MODULE", None)
        done = subprocess.run([sys.executable, "-m", "tests.ui.kiosk_ticket_xcb_run", str(tmp_path / "home"),
                               str(prefix)] + (["--large"] if large else []),
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert NO_PLUGIN not in done.stderr, done.stderr
    assert done.returncode == 0, done.stderr[-4000:]
    number = Image.open(f"{prefix}-number.png")
    assert number.size == size  # the whole screen, as the X server has it
    words = _read(number, (0, 0, width, height * 3 // 4), tmp_path)
    for expected in ("您的号码", "前面还有14人", "号票已打印"):
        assert expected in words, words
    helped = Image.open(f"{prefix}-help.png")
    banner = (0, 80, width, 220)  # under the top bar
    assert "工作人员马上就到" in _read(helped, banner, tmp_path)
