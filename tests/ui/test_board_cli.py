"""`onewindow board` as a process: it starts on a data dir, shows itself, and ends cleanly on SIGTERM."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from PIL import Image

from tests.conftest import ROOT


def board(home: Path, *args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.Popen([sys.executable, "-m", "kiosk", "--home", str(home), "board", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_board_screenshot_of_an_unpaired_board(tmp_path):
    shot = tmp_path / "board.png"
    process = board(tmp_path / "home", "--screenshot", str(shot))
    _out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    image = Image.open(shot).convert("RGB")
    assert image.width > 300 and image.height > 300
    assert image.getpixel((2, image.height // 2)) == (0x0B, 0x1F, 0x3A)  # the board's background, drawn


def test_board_ends_cleanly_on_sigterm(tmp_path):
    home = tmp_path / "home"
    process = board(home, "--silent")
    log = home / "logs" / "onewindow.log"
    deadline = time.monotonic() + 60
    try:
        while not (log.exists() and "board shown" in log.read_text(encoding="utf-8")):
            assert process.poll() is None, process.communicate()[1]
            assert time.monotonic() < deadline, "the board did not show within 60 s"
            time.sleep(0.1)  # polling another process's log: nothing to wait on in this one
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "onewindow board shut down" in log.read_text(encoding="utf-8")
