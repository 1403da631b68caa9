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
"""
from __future__ import annotations

import json
import sys

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


def _tell(message: dict[str, object]) -> None:
    print(json.dumps(message, ensure_ascii=False), flush=True)


def main() -> int:
    die_with_parent()  # a kiosk killed outright must not leave its voice behind
    app = QCoreApplication(sys.argv[:1])
    engines = [e for e in QTextToSpeech.availableEngines() if e != "mock"]
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

    def handle(request: dict[str, object]) -> None:
        tts.stop()
        if request.get("stop"):
            return
        lang, text = request.get("lang"), str(request.get("say", ""))[:2000]
        if lang == "zh" and chinese is not None:
            tts.setLocale(chinese)
        elif lang == "zh" and mandarin is not None:
            tts.setVoice(mandarin)
        elif lang == "en" and english is not None:
            tts.setLocale(english)
        else:
            return
        tts.say(text)

    def on_line() -> None:
        line = sys.stdin.readline()
        if not line:
            app.quit()
            return
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
    notifier.activated.connect(on_line)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
