"""The read-aloud voice's set-up test: one sentence spoken by the same voice process the kiosk starts.

It lives in `ui` because that process is Qt's text-to-speech (`ui.speech_service`); the test itself only
talks to the child over its pipe, so `onewindow setup` runs it without a window. Offered to
`kiosk.usecases.setup` through the ``onewindow.device_tests`` entry point.
"""
from __future__ import annotations

import json
import select
import subprocess
import sys
import time
from typing import IO, Any

from kiosk.child_process import child_environment
from kiosk.errors import Message
from kiosk.settings import Settings
from kiosk.setup.device_checks import DeviceTest
from kiosk.setup.results import ABSENT, FAIL, PASS, DeviceResult

SENTENCE = {"zh": "欢迎使用一窗通办自助终端，语音播报测试。", "en": "Welcome to OneWindow. This is a read-aloud test."}
START_SECONDS = 8.0  # speech-dispatcher, started on demand, lists its voices in about 3 s
ACK_SECONDS = 5.0
SPOKEN_SECONDS = 30.0
RESTART_COMMAND, PACKAGES = "systemctl --user restart speech-dispatcher", "speech-dispatcher espeak-ng"
RESTART = Message(f"重启语音服务（{RESTART_COMMAND}，或重新登录），然后重新检测。",
                  f"Restart the speech service ({RESTART_COMMAND}, or log in again), then test again.")
INSTALL = Message(f"安装 {PACKAGES}（含普通话语音），然后重新检测。",
                  "Install speech-dispatcher and espeak-ng (with its Mandarin voice), then test again.")


class _Lines:
    """JSON lines from the voice process, each awaited with a deadline (a wedged daemon never answers)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.buffer = b""

    def next(self, seconds: float) -> dict[str, Any] | None:
        deadline = time.monotonic() + seconds
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.stream], [], [], left)[0]:
                return None
            chunk = self.stream.read1(4096)  # type: ignore[attr-defined]
            if not chunk:
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        try:
            found = json.loads(line)
        except ValueError:
            return {}
        return found if isinstance(found, dict) else {}

    def until(self, key: str, value: object, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            found = self.next(left)
            if found is None:
                return False
            if found.get(key) == value:
                return True
        return False


class SpeechTest(DeviceTest):
    device = "speech"
    order = 50
    prompt = Message("打开音箱，调好音量。", "Switch the speakers on and set the volume.")

    def expects_hands(self, settings: Settings) -> bool:
        return settings.device_kind == "kiosk"

    def run(self, settings: Settings, *, wait_seconds: float) -> DeviceResult:
        if settings.device_kind != "kiosk":
            return DeviceResult(self.device, ABSENT, Message("窗口终端不朗读，无需语音。",
                                                             "A counter does not read aloud; no voice is needed."))
        child = subprocess.Popen([sys.executable, "-m", "ui.speech_service"], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=child_environment())
        assert child.stdin is not None and child.stdout is not None
        try:
            return self._talk(child.stdin, _Lines(child.stdout))
        finally:
            child.kill()
            child.wait(5)
            for stream in (child.stdin, child.stdout):
                stream.close()

    def _talk(self, stdin: IO[bytes], lines: _Lines) -> DeviceResult:
        hello = lines.next(START_SECONDS)
        if hello is None:
            return DeviceResult(self.device, FAIL, Message(f"语音服务 {START_SECONDS:.0f} 秒内没有应答（语音服务卡住或无法启动）。",
                                                           f"The voice did not answer within {START_SECONDS:.0f} s "
                                                           "(speech-dispatcher is wedged or cannot start)."), RESTART)
        engine, languages, error = hello.get("engine"), hello.get("languages") or [], hello.get("error") or ""
        detail: dict[str, Any] = {"engine": engine, "languages": languages}
        if not engine:
            return DeviceResult(self.device, FAIL, Message("没有安装文字转语音引擎。", "No text-to-speech engine is "
                                                                                "installed."), INSTALL, detail)
        if not languages:
            return DeviceResult(self.device, FAIL, Message(f"无法连接语音服务（{error or '没有语音'}）。",
                                                           f"The speech service cannot be reached "
                                                           f"({error or 'no voices'})."), RESTART, detail)
        lang = "zh" if "zh" in languages else "en"
        stdin.write(json.dumps({"say": SENTENCE[lang], "lang": lang, "id": 1}, ensure_ascii=False).encode() + b"\n")
        stdin.flush()
        if not lines.until("ack", 1, ACK_SECONDS):
            return DeviceResult(self.device, FAIL, Message("语音服务不再应答，没有接收测试语句。",
                                                           "The speech service stopped answering; it did not take the "
                                                           "test sentence."), RESTART, detail)
        if not lines.until("done", 1, SPOKEN_SECONDS):
            return DeviceResult(self.device, FAIL, Message(
                f"语音服务接收了测试语句，但 {SPOKEN_SECONDS:.0f} 秒内没有读完（可能没有音频输出）。",
                f"The speech service took the test sentence but did not finish reading it within "
                f"{SPOKEN_SECONDS:.0f} s (perhaps there is no audio output)."), Message(
                "检查音箱和系统的音频输出（声卡和音频服务），重启语音服务，然后重新检测。",
                "Check the speakers and the system's audio output (sound card, PulseAudio/PipeWire), restart the "
                "speech service, then test again."), detail)
        detail["spoken"] = SENTENCE[lang]
        if lang != "zh":
            return DeviceResult(self.device, FAIL, Message(f"已用英文读出测试语句（{engine}），但没有普通话语音。",
                                                           f"The test sentence was read in English ({engine}), but "
                                                           "there is no Mandarin voice."), INSTALL, detail)
        return DeviceResult(self.device, PASS, Message(f"已用普通话读出：“{SENTENCE['zh']}”（{engine}）。",
                                                       f"Read aloud in Mandarin: \"{SENTENCE['zh']}\" ({engine})."),
                            Message("确认从音箱里听到了这句话；没听到时检查音量和音频输出。",
                                    "Check you heard the sentence from the speakers; if not, check the volume and "
                                    "the audio output."), detail)


SPEECH_TEST = SpeechTest()
