"""Read-aloud of the current step, where a voice exists; never a reason to wait.

The voice runs in a child process (`ui.speech_service`), started without
blocking; requests are written to its stdin (Qt buffers them, the GUI
thread never waits) and each is acknowledged. Until the child says which
languages it speaks the kiosk is silent and the read-aloud button hidden.
A child that does not announce itself within `start_timeout_ms`, or leaves
a request unanswered for `reply_timeout_ms` (a wedged speech daemon), or
dies, is given up: killed, the kiosk silent, `problem` saying why, and a
new child tried later with growing pauses, in case the daemon recovers.
"""
from __future__ import annotations

import json
import logging
import os
import sys

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, Signal

from kiosk.child_process import PARENT_ENV

log = logging.getLogger(__name__)

MAX_RETRY_MS = 10 * 60_000


class ReadAloud(QObject):
    changed = Signal()  # the set of languages with a voice is known (or lost)
    spoken_done = Signal(int)  # the request with this id has been spoken (or cut off, or could not be)

    def __init__(self, parent: QObject | None = None, *, command: list[str] | None = None,
                 start_timeout_ms: int = 20_000, reply_timeout_ms: int = 5_000, retry_ms: int = 60_000) -> None:
        """`retry_ms`: the first pause before a failed voice is tried again (0: never again)."""
        super().__init__(parent)
        self.engine = ""
        self.languages: set[str] = set()
        self.state = "starting"  # starting, ready, silent (no voice here), failed (no answer, or it died)
        self.problem = ""
        self.spoken = 0
        self._command = command or [sys.executable, "-m", "ui.speech_service"]
        self._start_timeout_ms = start_timeout_ms
        self._reply_timeout_ms = reply_timeout_ms
        self._retry_ms = retry_ms
        self._next_retry_ms = retry_ms
        self._closing = False
        self._buffer = b""
        self._next_id = 0
        self._unanswered: set[int] = set()
        self._process: QProcess | None = None
        self._start_timer = self._single_shot(lambda: self._fail(
            f"no answer from the voice within {self._start_timeout_ms // 1000} s (speech daemon wedged?)"))
        self._reply_timer = self._single_shot(lambda: self._fail(
            f"the voice left a request unanswered for {self._reply_timeout_ms // 1000} s (speech daemon wedged?)"))
        self._retry_timer = self._single_shot(self._start)
        self._start()

    def _single_shot(self, slot) -> QTimer:  # noqa: ANN001 - any callable
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.timeout.connect(slot)
        return timer

    # --- the child's life --------------------------------------------------------------------------
    def _start(self) -> None:
        if self._closing:
            return  # a retry due after close(): a child started now would outlive the window
        old, self._process = self._process, None
        if old is not None and old.state() != QProcess.ProcessState.NotRunning:
            old.kill()  # a silent child from the last try (its daemon was down)
        self.state = "starting"
        self._buffer = b""
        self._unanswered.clear()
        process = QProcess(self)
        process.setProcessChannelMode(QProcess.ProcessChannelMode.SeparateChannels)
        process.readyReadStandardOutput.connect(lambda p=process: self._read(p))
        process.finished.connect(lambda code, _status, p=process: self._ended(p, code=code))
        process.errorOccurred.connect(lambda error, p=process: self._ended(p, error))
        environment = QProcessEnvironment.systemEnvironment()
        environment.insert(PARENT_ENV, str(os.getpid()))  # the voice ends with this process (kiosk.child_process)
        process.setProcessEnvironment(environment)
        self._process = process
        program, *args = self._command
        self._start_timer.start(self._start_timeout_ms)
        process.start(program, args)

    def _read(self, process: QProcess) -> None:
        if process is not self._process:
            return
        self._buffer += bytes(process.readAllStandardOutput())
        while b"\n" in self._buffer:
            line, self._buffer = self._buffer.split(b"\n", 1)
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if isinstance(message, dict) and "ack" in message:
                self._acknowledged(message["ack"])
            elif isinstance(message, dict) and isinstance(message.get("done"), int):
                self.spoken_done.emit(message["done"])
            elif isinstance(message, dict) and "languages" in message:
                self._hello(message)

    def _hello(self, hello: dict[str, object]) -> None:
        self._start_timer.stop()
        self.engine = str(hello.get("engine") or "")
        self.languages = set(hello.get("languages") or [])  # type: ignore[arg-type]
        error = str(hello.get("error") or "")
        if self.languages:
            self.state, self.problem = "ready", ""
            self._next_retry_ms = self._retry_ms
            log.info("read-aloud engine %r speaks %s", self.engine, sorted(self.languages))
        else:
            self.state = "silent"
            self.problem = error or (f"the engine {self.engine!r} has no Chinese or English voice" if self.engine
                                     else "no text-to-speech engine is installed")
            log.warning("read-aloud is silent: %s", self.problem)
            if self.engine:  # a daemon that was down may come back: look again later
                self._schedule_retry()
        self.changed.emit()

    def _acknowledged(self, request_id: object) -> None:
        self._unanswered.discard(request_id)  # type: ignore[arg-type]
        if self._unanswered:
            self._reply_timer.start(self._reply_timeout_ms)
        else:
            self._reply_timer.stop()

    def _ended(self, process: QProcess, error: QProcess.ProcessError | None = None, *, code: int = 0) -> None:
        if process is not self._process or self._closing:
            return
        if error is not None and error != QProcess.ProcessError.FailedToStart:
            return  # a crash also arrives as `finished`
        if self.state == "silent" and error is None:
            return  # said "no voice here" and left: nothing more to learn
        self._fail("the voice could not start" if error is not None
                   else f"the voice process ended (exit code {code})")

    def _fail(self, why: str) -> None:
        if self._closing:
            return
        log.warning("read-aloud given up: %s", why)
        self._start_timer.stop()
        self._reply_timer.stop()
        process, self._process = self._process, None
        if process is not None and process.state() != QProcess.ProcessState.NotRunning:
            process.kill()  # never waited for: its `finished` arrives later and is ignored
        self.state, self.problem, self.languages = "failed", why, set()
        self._schedule_retry()
        self.changed.emit()

    def _schedule_retry(self) -> None:
        if self._retry_ms > 0 and not self._closing:
            self._retry_timer.start(self._next_retry_ms)
            self._next_retry_ms = min(MAX_RETRY_MS, self._next_retry_ms * 2)

    # --- what the kiosk calls ------------------------------------------------------------------------
    def has_voice(self, lang: str) -> bool:
        return lang in self.languages

    def _send(self, request: dict[str, object]) -> int | None:
        """The request's id once written to the voice, or None (no voice process running)."""
        process = self._process
        if process is None or process.state() != QProcess.ProcessState.Running:
            return None
        self._next_id += 1
        request["id"] = self._next_id
        if not self._unanswered:
            self._reply_timer.start(self._reply_timeout_ms)
        self._unanswered.add(self._next_id)
        process.write((json.dumps(request, ensure_ascii=False) + "\n").encode("utf-8"))
        return self._next_id

    def say(self, text: str, lang: str) -> bool:
        """Speak `text` (cutting off what is being said); False (and silence) when no voice exists for `lang`."""
        sent = self.has_voice(lang) and bool(text.strip()) and self._send({"say": text, "lang": lang}) is not None
        self.spoken += bool(sent)
        return sent

    def announce(self, text: str, lang: str) -> int | None:
        """Speak `text` after whatever is being said, never cutting it off; its id (`spoken_done` carries it
        once spoken), or None (and silence) when no voice exists for `lang`."""
        if not (self.has_voice(lang) and text.strip()):
            return None
        request_id = self._send({"say": text, "lang": lang, "queue": True})
        self.spoken += request_id is not None
        return request_id

    def stop(self) -> None:
        if self.state == "ready":
            self._send({"stop": True})

    def close(self) -> None:
        """At quit: the child ends when its stdin does (at most a second), else it is killed."""
        self._closing = True
        for timer in (self._start_timer, self._reply_timer, self._retry_timer):
            timer.stop()
        process, self._process = self._process, None
        if process is not None and process.state() != QProcess.ProcessState.NotRunning:
            process.closeWriteChannel()
            if not process.waitForFinished(1000):
                process.kill()
                process.waitForFinished(1000)
