"""Read-aloud of the current step, where Qt Text to Speech has a voice.

Qt's speechd engine needs speech-dispatcher (with espeak-ng for Mandarin);
without an engine or a voice for the language the kiosk stays silent and
hides the read-aloud button rather than failing.
"""
from __future__ import annotations

import logging

from PySide6.QtCore import QLocale, QObject

log = logging.getLogger(__name__)


class ReadAloud(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tts = None
        self.engine = ""
        try:
            from PySide6.QtTextToSpeech import QTextToSpeech

            engines = [e for e in QTextToSpeech.availableEngines() if e != "mock"]
            if engines:
                self.engine = engines[0]
                self._tts = QTextToSpeech(self.engine, self)
        except Exception:  # noqa: BLE001 - speech is a convenience, never a reason to fail
            log.info("no text-to-speech engine; read-aloud is off", exc_info=True)
            self._tts = None

    def has_voice(self, lang: str) -> bool:
        return self._pick_locale(lang) is not None or (lang == "zh" and self._mandarin_voice() is not None)

    def _mandarin_voice(self):  # noqa: ANN202 - a QVoice or None
        """espeak-ng's Mandarin ("cmn") reaches Qt under the C locale, known only by its voice name."""
        if self._tts is None:
            return None
        try:
            previous = self._tts.locale()
            self._tts.setLocale(QLocale.c())
            voice = next((v for v in self._tts.availableVoices()
                          if "Mandarin" in v.name() and "+" not in v.name()), None)
            if voice is None:
                self._tts.setLocale(previous)
            return voice
        except Exception:  # noqa: BLE001
            return None

    def _pick_locale(self, lang: str) -> QLocale | None:
        if self._tts is None:
            return None
        want = QLocale.Language.Chinese if lang == "zh" else QLocale.Language.English
        try:
            return next((loc for loc in self._tts.availableLocales() if loc.language() == want), None)
        except Exception:  # noqa: BLE001
            return None

    def say(self, text: str, lang: str) -> bool:
        """Speak `text`; False (and silence) when no voice exists for `lang`."""
        locale = self._pick_locale(lang)
        if self._tts is None:
            return False
        if locale is None:
            voice = self._mandarin_voice() if lang == "zh" else None
            if voice is None:
                return False
            self._tts.stop()
            self._tts.setVoice(voice)
        else:
            self._tts.stop()
            self._tts.setLocale(locale)
        self._tts.say(text)
        return True

    def stop(self) -> None:
        if self._tts is not None:
            self._tts.stop()
