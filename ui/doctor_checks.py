"""Doctor checks that need Qt, which only `ui` may load."""
from __future__ import annotations

import os
from typing import Any

from kiosk.doctor import Check


def check_qt(_terminal: Any) -> Check:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")
    from PySide6 import QtCore
    from PySide6.QtWidgets import QApplication

    # A QApplication (not a QGuiApplication), so widgets can still be made later in this process.
    app = QApplication.instance() or QApplication([])
    from PySide6.QtGui import QFontDatabase

    from kiosk.assets import asset

    families: list[str] = []
    for path in sorted(asset("fonts").glob("*.tt[fc]")):
        fid = QFontDatabase.addApplicationFont(str(path))
        families += QFontDatabase.applicationFontFamilies(fid) if fid >= 0 else []
    chinese = [f for f in QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)]
    status = "ok" if chinese else "fail"
    detail = f"Qt {QtCore.qVersion()} on {app.platformName()}; {len(chinese)} font families cover Simplified Chinese"
    return Check("qt", status, detail, {"qt": QtCore.qVersion(), "chinese_families": chinese[:10]})


SPEECH_START_SECONDS = 8.0  # speech-dispatcher, started on demand, lists its voices in about 3 s
SPEECH_REPLY_SECONDS = 5.0


def check_speech(_terminal: Any) -> Check:
    """Whether the kiosk can read aloud: the same voice process the kiosk starts, given the same deadlines.

    A wedged or dead speech daemon, or no engine at all, is a warning, not a
    failure: the terminal works (the kiosk silently, a counter needs no
    voice), but a kiosk cannot read aloud to a blind or elderly citizen
    until IT restarts or installs speech-dispatcher.
    """
    import json
    import select
    import subprocess
    import sys
    import time

    from kiosk.child_process import child_environment

    started = time.monotonic()
    child = subprocess.Popen([sys.executable, "-m", "ui.speech_service"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=child_environment())
    assert child.stdin is not None and child.stdout is not None
    buffer = b""

    def answer(deadline: float) -> dict[str, Any] | None:
        nonlocal buffer
        while b"\n" not in buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([child.stdout], [], [], left)[0]:
                return None
            chunk = child.stdout.read1(4096)  # type: ignore[attr-defined]
            if not chunk:
                return None
            buffer += chunk
        line, buffer = buffer.split(b"\n", 1)
        try:
            found = json.loads(line)
        except ValueError:
            return {}
        return found if isinstance(found, dict) else {}

    try:
        hello = answer(started + SPEECH_START_SECONDS)
        if hello is None:
            return Check("speech", "warn", f"the voice did not answer within {SPEECH_START_SECONDS:.0f} s: the "
                                           "speech daemon (speech-dispatcher) is wedged or cannot start; the kiosk "
                                           "runs silently. Restart speech-dispatcher.", {"answered": False})
        engine, languages, error = hello.get("engine"), hello.get("languages") or [], hello.get("error") or ""
        data = {"answered": True, "engine": engine, "languages": languages, "error": error}
        if not engine:
            return Check("speech", "warn", "no text-to-speech engine installed: the kiosk runs without read-aloud "
                                           "(install speech-dispatcher and espeak-ng)", data)
        if not languages:
            return Check("speech", "warn", f"the speech daemon cannot be reached ({error or 'no voices'}): "
                                           "speech-dispatcher is not running or dead; the kiosk runs silently", data)
        child.stdin.write(b'{"stop": true, "id": 1}\n')
        child.stdin.flush()
        ack = answer(time.monotonic() + SPEECH_REPLY_SECONDS)
        if ack is None or ack.get("ack") != 1:
            return Check("speech", "warn", f"the speech daemon stopped answering (no reply within "
                                           f"{SPEECH_REPLY_SECONDS:.0f} s); the kiosk runs silently", data)
        status = "ok" if "zh" in languages else "warn"
        detail = f"{engine}: voices for {', '.join(languages)}" + ("" if "zh" in languages else "; no Chinese voice")
        return Check("speech", status, detail, {**data, "seconds": round(time.monotonic() - started, 2)})
    finally:
        child.kill()
        child.wait(5)
        for stream in (child.stdin, child.stdout):
            stream.close()
