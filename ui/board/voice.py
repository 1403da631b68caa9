"""The board's voice: calls handed to the read-aloud engine one at a time (`kiosk.queue.announcements`).

The queue's rules decide what is said next; this glue starts it on the speaker and waits for the
speaker's `spoken_done` before the next (a short pause between two calls, as a person would make).
The engine is another process and may never say it has finished (a daemon without a sound card, an
engine from before `spoken_done`): a call is then taken as finished after a generous estimate of
its length, and since the board hands calls to the engine with `announce` (queued behind what is
being said, never cutting it off), even a wrong estimate cannot cut a call short.

No voice (no engine, no Mandarin, a dead or wedged speech daemon): the board goes on silently and
`available` is False; the window says the calls go on as usual. Calls that arrive meanwhile are not
saved up to be read out later.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal, SignalInstance

from kiosk.queue.announcements import AnnouncementQueue, Utterance
from kiosk.queue.model import Call

log = logging.getLogger(__name__)

PAUSE_MS = 700  # between two calls
MS_PER_CHARACTER = 450  # Mandarin at a calm pace, generous: "请 A015 号到 3 号窗口" takes about 3 s
SLACK_MS = 3_000


class Speaker(Protocol):
    """What the board needs of a voice: `ui.speech.ReadAloud`, or a recording speaker in tests."""

    changed: SignalInstance  # the voice became available or went away
    spoken_done: SignalInstance  # (request id) that request has been spoken

    def announce(self, text: str, lang: str) -> int | None: ...
    def has_voice(self, lang: str) -> bool: ...


def estimated_ms(text: str) -> int:
    """How long to wait for a `spoken_done` that may never come."""
    return len(text) * MS_PER_CHARACTER + SLACK_MS


class BoardVoice(QObject):
    availability_changed = Signal()
    started = Signal(object)  # Utterance, as it is handed to the speaker

    def __init__(self, speaker: Speaker | None, parent: QObject | None = None, *,
                 queue: AnnouncementQueue | None = None, pause_ms: int = PAUSE_MS,
                 estimate: Callable[[str], int] = estimated_ms, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(parent)
        self.speaker = speaker
        self.queue = queue or AnnouncementQueue()
        self.unconfirmed = 0  # calls taken as finished by the estimate, the engine having said nothing
        self._estimate = estimate
        self._clock = clock
        self._request: int | None = None
        self._overdue = QTimer(self)
        self._overdue.setSingleShot(True)
        self._overdue.timeout.connect(self._took_too_long)
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(pause_ms)
        self._pause.timeout.connect(self._after_pause)
        if speaker is not None:
            speaker.spoken_done.connect(self._spoken)
            speaker.changed.connect(self._voice_changed)

    @property
    def available(self) -> bool:
        return self.speaker is not None and self.speaker.has_voice("zh")

    def hear(self, calls: list[Call]) -> None:
        """New calls from the hub, oldest first."""
        if not self.available:
            return
        for call in calls:
            self._start(self.queue.add(call, self._clock()))

    def _start(self, utterance: Utterance | None) -> None:
        if utterance is None or self.speaker is None:
            return
        request = self.speaker.announce(utterance.text, utterance.lang)
        if request is None:  # the voice went away between two calls
            self._request = None
            self._finished()
            return
        self._request = request
        self._overdue.start(self._estimate(utterance.text))
        self.started.emit(utterance)

    def _spoken(self, request: int) -> None:
        if request != self._request:
            return  # a late answer for a call already taken as finished
        self._overdue.stop()
        self._request = None
        self._pause.start()

    def _took_too_long(self) -> None:
        log.info("board voice: no word that call %s was spoken; taking it as finished", self._request)
        self.unconfirmed += 1
        self._request = None
        self._pause.start()

    def _after_pause(self) -> None:
        self._finished()

    def _finished(self) -> None:
        if self.queue.speaking is None:
            return
        if not self.available:
            self.queue.abandon()
            return
        self._start(self.queue.finished(self._clock()))

    def _voice_changed(self) -> None:
        if not self.available:
            self._overdue.stop()
            self._pause.stop()
            self._request = None
            self.queue.abandon()  # the voice is gone: nothing is being said any more
        self.availability_changed.emit()

    def close(self) -> None:
        self._overdue.stop()
        self._pause.stop()
        self.queue.abandon()
