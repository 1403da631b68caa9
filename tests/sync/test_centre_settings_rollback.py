"""A settings push tried by the real `onewindow kiosk` process: confirmed after a healthy start; and a push with
which the window fails to start (killed while hung, then crashed at start-up) rolled back at the next start,
which runs on the last good settings and tells the platform with the next sync."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiosk import centre_settings_trial as trial
from kiosk.settings import load_settings
from sync.server.centre_settings import set_values, show
from tests.sync.conftest import engine_for, enroll, make_terminal
from tests.sync.servers import PlatformServer

ROOT = Path(__file__).resolve().parents[2]
HALL = "330106001"
WITHIN = 90.0  # seconds: a hang guard for a window starting on a busy machine, not a speed target
_started: list[subprocess.Popen[str]] = []


@pytest.fixture(autouse=True)
def _reap() -> Iterator[None]:
    yield
    for proc in _started:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    _started.clear()


def _kiosk(home: Path, *, confirm_seconds: float, **extra: str) -> subprocess.Popen[str]:
    keep = ("ONEWINDOW_ASSETS", "ONEWINDOW_KEY_DIR", "ONEWINDOW_KEY_SEALING")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONEWINDOW_") or k in keep}
    env.update({"QT_QPA_PLATFORM": "offscreen", "ONEWINDOW_CONFIG": os.devnull, "ONEWINDOW_SPEECH_ENGINE": "mock",
                "ONEWINDOW_SETTINGS_CONFIRM_SECONDS": str(confirm_seconds), **extra})
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "--home", str(home), "kiosk", "--no-keyboard"], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _started.append(proc)
    return proc


def _log(home: Path) -> str:
    path = home / "logs" / "onewindow.log"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def _wait(proc: subprocess.Popen[str], what: str, done: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WITHIN
    while time.monotonic() < deadline:
        if done():
            return
        if proc.poll() is not None:
            _out, err = proc.communicate()
            pytest.fail(f"the kiosk ended (exit {proc.returncode}) before {what}:\n{err[-3000:]}")
        time.sleep(0.2)  # polling a file another process writes; the bound above is the guard
    proc.kill()
    _out, err = proc.communicate()
    pytest.fail(f"no {what} within {WITHIN:.0f} s:\n{err[-3000:]}")


def _terminate(proc: subprocess.Popen[str]) -> int:
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=WITHIN)
    return proc.returncode


@pytest.fixture
def server(tmp_path: Path) -> Iterator[PlatformServer]:
    platform = PlatformServer(tmp_path / "platform")
    yield platform
    platform.stop()


def test_a_push_is_confirmed_by_a_healthy_start_and_a_failing_one_rolled_back(server: PlatformServer,
                                                                              tmp_path: Path) -> None:
    terminal = make_terminal(tmp_path / "kiosk")
    home = terminal.settings.home
    credential = enroll(terminal, server, role="kiosk")
    engine = engine_for(terminal, credential)

    # version 1 reaches the kiosk with a sync pass; its next start runs on it and, healthy, confirms it
    set_values(server.store, HALL, None, {"idle_timeout_seconds": 240, "language": "en"}, "test")
    assert engine.run_pass().centre_settings["result"] == "staged"  # type: ignore[index]
    proc = _kiosk(home, confirm_seconds=1)
    _wait(proc, "version 1 confirmed", lambda: (s := trial.read_state(home)).good is not None and s.trial is None)
    assert _terminate(proc) == 0
    assert "window up on centre settings version 1 (on trial)" in _log(home)

    # version 2 arrives; the window starting with it hangs and is killed (as systemd's watchdog does), then
    # crashes at start-up (its display is gone): two starts, neither confirmed
    set_values(server.store, HALL, None, {"idle_timeout_seconds": 60, "max_files_per_material": 3}, "test")
    outcome = engine.run_pass().centre_settings
    assert outcome is not None and outcome["result"] == "staged" and outcome["version"] == 2
    assert load_settings(home).idle_timeout_seconds == 60  # what the next start will try
    proc = _kiosk(home, confirm_seconds=600)
    _wait(proc, "the window up on trial version 2",
          lambda: "window up on centre settings version 2 (on trial)" in _log(home))
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=WITHIN)
    assert trial.read_state(home).trial_starts == 1

    proc = _kiosk(home, confirm_seconds=600, QT_QPA_PLATFORM="xcb", DISPLAY=":nowhere")
    _out, err = proc.communicate(timeout=WITHIN)
    assert proc.returncode != 0 and "display" in err.lower()  # Qt could not start: the process ended at once
    state = trial.read_state(home)
    assert state.trial is not None and state.trial.version == 2 and state.trial_starts == 2

    # the next start goes back to version 1, runs on it, and notes why for the platform
    proc = _kiosk(home, confirm_seconds=1)
    _wait(proc, "the window up on version 1",
          lambda: "window up on centre settings version 1 (last good)" in _log(home))
    log = _log(home)
    assert "centre settings version 2 rolled back to version 1 after 2 failed starts" in log
    state = trial.read_state(home)
    assert state.trial is None and state.good is not None and state.good.version == 1
    assert load_settings(home).idle_timeout_seconds == 240 and load_settings(home).max_files_per_material == 20
    assert _terminate(proc) == 0

    # the platform learns it with the next pass; version 2 is not taken again, a corrected version 3 is
    report = engine.run_pass()  # (the window's own sync worker may have sent the report already)
    assert report.centre_settings is not None and report.centre_settings["result"] == "unchanged"
    assert report.centre_settings["version"] == 2 and trial.take_reports(home) == []
    last = show(server.store, HALL, credential.device_id)["terminals"][0]["last_report"]
    assert last["outcome"] == "rolled_back" and last["version"] == 2
    assert "2 times" in last["reason"]["en"] and "version 1" in last["reason"]["en"] and last["reason"]["zh"]
    assert load_settings(home).idle_timeout_seconds == 240
    set_values(server.store, HALL, None, {"idle_timeout_seconds": 90}, "test")
    assert engine.run_pass().centre_settings["result"] == "staged"  # type: ignore[index]
