"""Read-aloud of the current step, where a voice exists; never a reason to wait.

The voice runs in a child process (`ui.speech_service`), started without
blocking. Until it says which languages it speaks, and for ever if it never
does (no speech-dispatcher, or a wedged one), the kiosk is silent and the
read-aloud button stays hidden.
"""
from __future__ import annotations

import json
import logging
import os
import sys

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Signal

from kiosk.child_process import PARENT_ENV

log = logging.getLogger(__name__)


class ReadAloud(QObject):
    changed = Signal()  # the set of languages with a voice is known (or lost)

    def __init__(self, parent: QObject | None = None, *, command: list[str] | None = None) -> None:
        super().__init__(parent)
        self.engine = ""
        self.languages: set[str] = set()
        self._buffer = b""
        self._process = QProcess(self)
        self._process.setProcessChannelMode(QProcess.ProcessChannelMode.SeparateChannels)
        self._process.readyReadStandardOutput.connect(self._read)
        self._process.finished.connect(self._finished)
        self._process.errorOccurred.connect(lambda _e: self._finished())
        environment = QProcessEnvironment.systemEnvironment()
        environment.insert(PARENT_ENV, str(os.getpid()))  # the voice ends with this process (kiosk.child_process)
        self._process.setProcessEnvironment(environment)
        program, *args = command or [sys.executable, "-m", "ui.speech_service"]
        self._process.start(program, args)

    def _read(self) -> None:
        self._buffer += bytes(self._process.readAllStandardOutput())
        while b"\n" in self._buffer:
            line, self._buffer = self._buffer.split(b"\n", 1)
            try:
                hello = json.loads(line)
            except ValueError:
                continue
            self.engine = hello.get("engine") or ""
            self.languages = set(hello.get("languages") or [])
            log.info("read-aloud engine %r speaks %s", self.engine, sorted(self.languages))
            self.changed.emit()

    def _finished(self) -> None:
        if self.languages:
            self.languages = set()
            self.changed.emit()

    def has_voice(self, lang: str) -> bool:
        return lang in self.languages

    def _send(self, request: dict[str, object]) -> bool:
        if self._process.state() != QProcess.ProcessState.Running:
            return False
        self._process.write((json.dumps(request, ensure_ascii=False) + "\n").encode("utf-8"))
        return True

    def say(self, text: str, lang: str) -> bool:
        """Speak `text`; False (and silence) when no voice exists for `lang`."""
        return self.has_voice(lang) and self._send({"say": text, "lang": lang})

    def stop(self) -> None:
        self._send({"stop": True})

    def close(self) -> None:
        if self._process.state() != QProcess.ProcessState.NotRunning:
            self._process.closeWriteChannel()
            if not self._process.waitForFinished(1000):
                self._process.kill()
                self._process.waitForFinished(1000)
