"""The read-aloud voice, in a process of its own.

speech-dispatcher is a daemon; when it is wedged, every client call blocks
(seen here: `spd-say` and Qt's speechd engine hang forever). A kiosk whose
GUI thread waits on it would freeze in front of a citizen, so speech lives
in this child process: it announces the languages it can speak with one JSON
line, then speaks each JSON line it reads ({"say": text, "lang": "zh"} or
{"stop": true}). If it never answers, the kiosk simply stays silent.
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


def main() -> int:
    die_with_parent()  # a kiosk killed outright must not leave its voice behind
    app = QCoreApplication(sys.argv[:1])
    engines = [e for e in QTextToSpeech.availableEngines() if e != "mock"]
    if not engines:
        print(json.dumps({"engine": None, "languages": []}), flush=True)
        return 0
    tts = QTextToSpeech(engines[0])
    english = next((loc for loc in tts.availableLocales() if loc.language() == QLocale.Language.English), None)
    chinese = next((loc for loc in tts.availableLocales() if loc.language() == QLocale.Language.Chinese), None)
    mandarin = None if chinese is not None else _mandarin(tts)
    languages = [lang for lang, ok in (("zh", chinese is not None or mandarin is not None),
                                       ("en", english is not None)) if ok]
    print(json.dumps({"engine": engines[0], "languages": languages}), flush=True)

    def on_line() -> None:
        line = sys.stdin.readline()
        if not line:
            app.quit()
            return
        try:
            request = json.loads(line)
        except ValueError:
            return
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

    notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
    notifier.activated.connect(on_line)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
