"""Taking a number and asking for help in the real app on a real X server (Xvfb, Qt's xcb plugin), full screen.

The window is built as `onewindow app` builds it (`tests/ui/kiosk_ticket_xcb_run.py`, with the in-memory
hall); the screens are read back from the X server and their Chinese read by tesseract (chi_sim), one line
at a time where the runner says the line was drawn: boxes instead of characters, or a screen the window does not
cover, would not read.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from tests.ui.test_xcb_app import NO_PLUGIN, xvfb

ROOT = Path(__file__).resolve().parents[2]


def _read(image: Image.Image, box: list[int], tmp_path: Path) -> str:
    """One line of text, cropped with a margin and doubled in size (tesseract reads 20-px Chinese poorly)."""
    left, top, right, bottom = box
    margin = 8
    crop = image.convert("L").crop((max(0, left - margin), max(0, top - margin), min(image.width, right + margin),
                                    min(image.height, bottom + margin)))
    path = tmp_path / "crop.png"
    crop.resize((crop.width * 2, crop.height * 2), Image.Resampling.LANCZOS).save(path)
    done = subprocess.run(["tesseract", str(path), "-", "-l", "chi_sim", "--psm", "7"], capture_output=True,
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
    boxes = json.loads(Path(f"{prefix}-boxes.json").read_text(encoding="utf-8"))
    for where, expected in (("caption", "您的号码"), ("ahead", "前面还有14人"), ("printed", "号票已打印")):
        box = boxes[where]
        assert 0 <= box[0] < box[2] <= width and 0 <= box[1] < box[3] <= height, (where, box)  # on the screen
        words = _read(number, box, tmp_path)
        assert expected in words, (where, words)
    helped = Image.open(f"{prefix}-help.png")
    assert "工作人员马上就到" in _read(helped, boxes["banner"], tmp_path)
