"""Read-aloud runs in its own process: a wedged speech daemon can never freeze the kiosk."""
import shutil
import sys

import pytest

from ui.speech import ReadAloud


def test_a_voice_that_never_answers_leaves_the_kiosk_silent_not_frozen(qtbot):
    reader = ReadAloud(command=[sys.executable, "-c", "import time; time.sleep(60)"])
    assert not reader.has_voice("zh")          # asked at once: no waiting on the child
    assert reader.say("请选择服务事项", "zh") is False
    reader.stop()
    reader.close()


def test_no_engine_means_no_languages(qtbot):
    reader = ReadAloud(command=[sys.executable, "-c", "print('{\"engine\": null, \"languages\": []}')"])
    with qtbot.waitSignal(reader.changed, timeout=10_000, raising=False):
        pass
    assert reader.languages == set() and not reader.say("hello", "en")
    reader.close()


def test_mandarin_and_english_voices_through_speech_dispatcher(qtbot, private_speechd):
    """On a daemon of the test's own: the machine's shared one may be wedged by another run (`bench/ui_repeat.py
    --jobs 2`), which is the wedged-daemon tests' case, not this one's."""
    reader = ReadAloud(retry_ms=0)
    qtbot.waitUntil(lambda: reader.state != "starting", timeout=30_000)
    assert reader.state == "ready", reader.problem
    assert reader.engine == "speechd"
    assert reader.has_voice("zh") and reader.has_voice("en")
    assert reader.say("请选择服务事项", "zh") is True
    reader.close()


# --- a voice that dies or wedges: the kiosk stays silent and responsive, doctor says so ---------------------

import json
import os
import socket
import subprocess
import threading
from pathlib import Path

from PySide6.QtCore import QTimer

from tests.conftest import ROOT


class WedgedDaemon:
    """A speech-dispatcher socket that accepts clients and never answers them: a wedged daemon, as seen in halls."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(path))
        self.server.listen(8)
        self.clients: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, name="wedged-speechd", daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            self.clients.append(client)  # read nothing, answer nothing

    def close(self) -> None:
        self.server.close()
        for client in self.clients:
            client.close()


@pytest.fixture
def wedged_speechd(tmp_path, monkeypatch):
    daemon = WedgedDaemon(tmp_path / "speechd.sock")
    monkeypatch.setenv("SPEECHD_ADDRESS", f"unix_socket:{daemon.path}")
    yield daemon
    daemon.close()


def test_a_wedged_daemon_is_given_up_while_the_kiosk_window_goes_on(qtbot, tmp_path, wedged_speechd):
    from tests.ui.kiosk_helpers import make_terminal, screen, tap
    from ui.kiosk.window import KioskWindow

    terminal = make_terminal(tmp_path / "home")
    window = KioskWindow(terminal, language="zh", large_text=True, speech=True, sync_poll_ms=200)
    qtbot.addWidget(window)
    window.resize(1600, 900)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.speech is not None, timeout=5_000)
    reader = window.speech
    # The real voice process is stuck inside Qt's speechd engine; meanwhile the screen answers every tap.
    ticks = []
    clock = QTimer()
    clock.timeout.connect(lambda: ticks.append(1))
    clock.start(20)
    tap(qtbot, window.nav.screens["welcome"].progress_button)
    qtbot.waitUntil(lambda: window.nav.current() is not None and window.nav.current().name == "progress",
                    timeout=5_000)
    tap(qtbot, screen(window, "progress").back_button)
    screen(window, "welcome")
    assert reader.state == "starting" and not reader.has_voice("zh") and not window.top.read_button.isVisible()
    assert window.voice.say("请选择服务事项") is False  # silent, at once
    qtbot.waitUntil(lambda: len(ticks) > 10, timeout=5_000)  # the event loop runs while the voice hangs
    assert reader.state == "starting"
    reader._start_timeout_ms = 0  # the deadline, brought forward rather than waited for (20 s in a kiosk)
    reader._start_timer.start(0)
    qtbot.waitUntil(lambda: reader.state == "failed", timeout=5_000)
    assert "no answer" in reader.problem and not window.top.read_button.isVisible()
    clock.stop()


def test_a_voice_that_stops_answering_is_killed_and_the_kiosk_goes_silent(qtbot):
    script = ("import json, sys, time\n"
              "print(json.dumps({'engine': 'speechd', 'languages': ['zh', 'en'], 'error': ''}), flush=True)\n"
              "time.sleep(60)\n")  # announces itself, then takes requests and never answers them
    reader = ReadAloud(command=[sys.executable, "-c", script], reply_timeout_ms=500, retry_ms=0)
    qtbot.waitUntil(lambda: reader.state == "ready", timeout=10_000)
    assert reader.say("请选择服务事项", "zh") is True
    with qtbot.waitSignal(reader.changed, timeout=5_000):
        pass
    assert reader.state == "failed" and "unanswered" in reader.problem
    assert reader._process is None and not reader.say("还在吗", "zh")
    reader.close()


def test_a_voice_process_killed_outright_leaves_the_kiosk_silent(qtbot):
    script = ("import json, sys\n"
              "print(json.dumps({'engine': 'speechd', 'languages': ['zh'], 'error': ''}), flush=True)\n"
              "for line in sys.stdin:\n"
              "    print(json.dumps({'ack': json.loads(line)['id']}), flush=True)\n")
    reader = ReadAloud(command=[sys.executable, "-c", script], retry_ms=0)
    qtbot.waitUntil(lambda: reader.state == "ready", timeout=10_000)
    assert reader.say("第一步", "zh")
    qtbot.waitUntil(lambda: not reader._unanswered, timeout=5_000)  # acknowledged
    os.kill(reader._process.processId(), 9)
    qtbot.waitUntil(lambda: reader.state == "failed", timeout=5_000)
    assert "ended" in reader.problem and not reader.has_voice("zh") and not reader.say("第二步", "zh")
    reader.close()


def doctor_speech(home: Path, env: dict[str, str]) -> dict:
    done = subprocess.run([sys.executable, "-m", "kiosk", "--home", str(home), "doctor", "--json"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    checks = {c["name"]: c for c in json.loads(done.stdout)["checks"]}
    assert done.returncode == 0, done.stderr  # the terminal works: a silent voice is a warning
    return checks["speech"]


def test_doctor_reports_a_wedged_and_a_dead_speech_daemon(tmp_path, wedged_speechd):
    home = tmp_path / "doctor-home"
    home.mkdir()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    wedged = doctor_speech(home, env)
    assert wedged["status"] == "warn" and "did not answer" in wedged["detail"]
    assert wedged["data"]["answered"] is False
    dead = doctor_speech(home, {**env, "SPEECHD_ADDRESS": f"unix_socket:{tmp_path / 'nobody-here.sock'}"})
    assert dead["status"] == "warn" and "cannot be reached" in dead["detail"] and dead["data"]["languages"] == []


@pytest.fixture
def private_speechd(tmp_path, monkeypatch):
    """A speech-dispatcher of this test's own (the machine's may be wedged, and other tests must not share it)."""
    if not shutil.which("speech-dispatcher") or not shutil.which("espeak-ng"):
        pytest.skip("speech-dispatcher with espeak-ng is not installed (./dev.sh setup installs it)")
    import shutil as sh

    conf = tmp_path / "speechd-conf"
    sh.copytree("/etc/speech-dispatcher", conf)
    (tmp_path / "speechd-log").mkdir()
    sock = tmp_path / "speechd.sock"
    daemon = subprocess.Popen(["speech-dispatcher", "-s", "-t", "0", "-c", "unix_socket", "-S", str(sock),
                               "-C", str(conf), "-L", str(tmp_path / "speechd-log"),
                               "-P", str(tmp_path / "speechd.pid")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    monkeypatch.setenv("SPEECHD_ADDRESS", f"unix_socket:{sock}")
    import time

    deadline = time.monotonic() + 30
    while True:  # ready once it accepts a client and answers it
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                probe.settimeout(10)
                probe.connect(str(sock))
                probe.sendall(b"SET self CLIENT_NAME test:probe:main\r\n")
                if probe.recv(100).startswith(b"208"):
                    break
        except OSError:
            if daemon.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the test's own speech-dispatcher did not start")
            time.sleep(0.1)
    yield sock
    daemon.terminate()
    try:
        daemon.wait(10)
    except subprocess.TimeoutExpired:
        daemon.kill()
        daemon.wait(10)


def test_the_real_voice_speaks_and_acknowledges_through_a_working_daemon(qtbot, tmp_path, private_speechd):
    home = tmp_path / "doctor-home"
    home.mkdir()
    check = doctor_speech(home, {**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert check["status"] == "ok" and "zh" in check["data"]["languages"], check
    # (first: with no sound card here, the daemon may wedge once it has spoken, as the machine's own did)
    reader = ReadAloud(retry_ms=0)
    qtbot.waitUntil(lambda: reader.state != "starting", timeout=30_000)
    assert reader.state == "ready", reader.problem
    assert reader.engine == "speechd" and reader.has_voice("zh") and reader.has_voice("en")
    assert reader.say("请选择服务事项", "zh") is True
    qtbot.waitUntil(lambda: not reader._unanswered, timeout=10_000)  # the daemon took it
    assert reader.state == "ready"
    reader.close()
