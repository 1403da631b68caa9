"""The read-aloud voice, in a process of its own.

speech-dispatcher is a daemon; when it is wedged, every client call blocks
(seen here: `spd-say` and Qt's speechd engine hang forever). A kiosk whose
GUI thread waits on it would freeze in front of a citizen, so speech lives
in this child process. The protocol, one JSON object a line:

- it announces itself once: {"engine": name or null, "languages": [...],
  "error": the engine's complaint or ""}; a wedged daemon blocks the engine's
  start, so no announcement at all means "no answer";
- it reads requests, {"say": text, "lang": "zh", "id": n} or
  {"stop": true, "id": n}, and answers each with {"ack": n} once the
  daemon has taken it. A request with no answer means the daemon stopped
  answering; the parent (`ui.speech.ReadAloud`, `onewindow doctor`) gives
  up on this process after a few seconds.
- "say" cuts off what is being said (the kiosk reads the step the citizen
  is on now); {"say": ..., "queue": true} is spoken after whatever is being
  said, never cutting it off (the call board's announcements);
- once an utterance has been spoken (or cut off, or the engine failed on
  it) it reports {"done": n}, so a caller can wait for the end of a call
  before it hands over the next one.

`ONEWINDOW_SPEECH_ENGINE` picks an engine by name (Qt's "mock" engine
speaks English silently with realistic timing: tests of the protocol).
"""
from __future__ import annotations

import json
import os
import sys
from collections import deque

from PySide6.QtCore import QCoreApplication, QLocale, QSocketNotifier
from PySide6.QtTextToSpeech import QTextToSpeech

from kiosk.child_process import die_with_parent


def _mandarin(tts: QTextToSpeech):  # noqa: ANN202 - a QVoice or None
    """espeak-ng's Mandarin ("cmn") reaches Qt under the C locale, known only by its voice name."""
    previous = tts.locale()
    tts.setLocale(QLocale.c())
    voice = next((v for v in tts.availableVoices() if "Mandarin" in v.name() and "+" not in v.name()), None)
    tts.setLocale(previous)
    return voice


ENGINE_ENV = "ONEWINDOW_SPEECH_ENGINE"


class _Spoken:
    """Which requests the engine is still working on, in order, so each is reported done once.

    Qt announces each utterance as it starts (`aboutToSynthesize`) and goes back to Ready when its
    queue is empty: the start of one is the end of the one before it.
    """

    def __init__(self) -> None:
        self.pending: deque[object] = deque()
        self.head_started = False

    def add(self, request_id: object) -> None:
        self.pending.append(request_id)  # before the engine is asked: it may announce the start at once

    def started_next(self) -> None:
        if self.head_started and self.pending:
            _tell({"done": self.pending.popleft()})
        self.head_started = bool(self.pending)

    def all_done(self) -> None:
        while self.pending:
            _tell({"done": self.pending.popleft()})
        self.head_started = False


def _tell(message: dict[str, object]) -> None:
    print(json.dumps(message, ensure_ascii=False), flush=True)


def main() -> int:
    die_with_parent()  # a kiosk killed outright must not leave its voice behind
    app = QCoreApplication(sys.argv[:1])
    wanted = os.environ.get(ENGINE_ENV, "")
    engines = [e for e in QTextToSpeech.availableEngines() if (e == wanted if wanted else e != "mock")]
    if not engines:
        _tell({"engine": None, "languages": [], "error": "no text-to-speech engine is installed"})
        return 0
    tts = QTextToSpeech(engines[0])  # blocks for as long as a wedged daemon does: the parent times out
    error = tts.errorString() if tts.state() == QTextToSpeech.State.Error else ""
    english = next((loc for loc in tts.availableLocales() if loc.language() == QLocale.Language.English), None)
    chinese = next((loc for loc in tts.availableLocales() if loc.language() == QLocale.Language.Chinese), None)
    mandarin = None if chinese is not None else _mandarin(tts)
    languages = [lang for lang, ok in (("zh", chinese is not None or mandarin is not None),
                                       ("en", english is not None)) if ok]
    _tell({"engine": engines[0], "languages": languages, "error": error})
    spoken = _Spoken()
    tts.aboutToSynthesize.connect(lambda _id: spoken.started_next())
    tts.stateChanged.connect(lambda state: spoken.all_done() if state in (QTextToSpeech.State.Ready,
                                                                          QTextToSpeech.State.Error)
                             and tts.state() == state else None)

    def choose_voice(lang: object) -> bool:
        if lang == "zh" and chinese is not None:
            tts.setLocale(chinese)
        elif lang == "zh" and mandarin is not None:
            tts.setVoice(mandarin)
        elif lang == "en" and english is not None:
            tts.setLocale(english)
        else:
            return False
        return True

    def handle(request: dict[str, object]) -> None:
        queued = bool(request.get("queue"))
        if not queued:
            tts.stop()
            spoken.all_done()  # cut off
        if request.get("stop"):
            return
        lang, text = request.get("lang"), str(request.get("say", ""))[:2000]
        if lang not in languages:
            _tell({"done": request.get("id")})
            return
        if not queued or tts.state() == QTextToSpeech.State.Ready:  # a queued one keeps the voice it follows
            choose_voice(lang)
        spoken.add(request.get("id"))
        if queued:
            tts.enqueue(text)
        else:
            tts.say(text)

    pending_bytes = bytearray()

    def on_readable() -> None:
        """Reads what is there and handles every whole line: two requests written at once (a board's call
        right after another) come in one read, and Python's buffered `readline` would leave the second
        waiting in its buffer with nothing left on the pipe to wake the notifier."""
        try:
            chunk = os.read(sys.stdin.fileno(), 65536)
        except BlockingIOError:
            return
        if not chunk:
            app.quit()
            return
        pending_bytes.extend(chunk)
        while b"\n" in pending_bytes:
            end = pending_bytes.index(b"\n")
            line = bytes(pending_bytes[:end])
            del pending_bytes[:end + 1]
            on_line(line)

    def on_line(line: bytes) -> None:
        try:
            request = json.loads(line)
        except ValueError:
            return
        if not isinstance(request, dict):
            return
        handle(request)
        if "id" in request:
            _tell({"ack": request["id"]})

    notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
    notifier.activated.connect(on_readable)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
