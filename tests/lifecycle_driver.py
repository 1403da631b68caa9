"""Runs the real `onewindow` command in this process and plays a citizen at the window it opens.

Used by `tests/test_process_lifecycle.py` as a subprocess:

    python -m tests.lifecycle_driver MODE onewindow-args...

It wraps `ui.kiosk.app.build_window` (the entry points import it when they
run) so that, once the store is attached, the window is driven on the GUI
thread and a line `READY {...}` is printed for the test, which then sends
signals from outside. Nothing in the product knows about this driver.

Modes:
- idle: nothing typed (the window simply runs).
- typing: the citizen has chosen a service and typed on the identity
  screen; nothing has necessarily been saved yet.
- saved: as typing, and the background draft save has finished; a thread
  parked in `parked_for_crash_test` is started, to be found in crash.log.
- stuck: as typing, plus a background job that never returns.
- synced: nothing typed; READY once the sync process's first pass has
  ended, with whether it found the platform and the error it reported.
- inspect: report what the screen shows after a start-up, then close the
  window the way a person would.
- early: SIGTERM to itself just before the entry point watches for signals
  (as systemd's stop during a slow start-up): the window is still built,
  and the pending signal closes it before its first frame; nothing driven.
"""
from __future__ import annotations

import atexit
import json
import sys
import threading
import time
from typing import Any

ITEM = "330106000173002001"
NAME = "李明轩"
ID_BODY = "33010619850612003"  # a made-up sequence; the check character is computed
PHONE = "13800138000"
_parked = threading.Event()


def parked_for_crash_test() -> None:
    _parked.wait()


def _identity() -> dict[str, str]:
    from kiosk.demo import valid_id

    return {"name": NAME, "id_number": valid_id(ID_BODY), "phone": PHONE}


def _report(tag: str, **data: Any) -> None:
    print(f"{tag} {json.dumps(data, ensure_ascii=False)}", flush=True)


def _threads() -> list[str]:
    """Python threads besides the main one; Qt's pool threads that ran Python show as dummies for ever."""
    return sorted(t.name for t in threading.enumerate() if t.is_alive() and t is not threading.main_thread()
                  and not isinstance(t, threading._DummyThread))


def _when(condition: Any, then: Any, *, timeout: float = 30.0, otherwise: Any = None) -> None:
    """Poll on the GUI thread (no blocking) until `condition()`, then `then()`."""
    from PySide6.QtCore import QTimer

    deadline = time.monotonic() + timeout

    def poll() -> None:
        if condition():
            then()
        elif time.monotonic() > deadline:
            (otherwise or (lambda: _report("TIMEOUT", waiting_for=getattr(condition, "__name__", "?"))))()
        else:
            QTimer.singleShot(50, poll)

    QTimer.singleShot(0, poll)


def _type_identity(window: Any) -> None:
    window.nav.start_application(window.ctx.catalog.item(ITEM))
    screen = window.nav.current()
    assert screen.name == "identity", screen.name
    for field in screen.fields:
        value = _identity()[field.key]
        field.edit.setText(value)  # as the input method commits it
        field.edit.textEdited.emit(value)


def _speech_settled(window: Any) -> bool:
    """The read-aloud child has answered (or there is none): its own start-up is over."""
    return window.speech is None or bool(window.speech.engine) or not window._speech_wanted


def _drive(window: Any, mode: str) -> None:
    def attached() -> bool:
        return window.terminal is not None and window.ctx.catalog is not None

    def start() -> None:
        if mode == "idle":
            _report("READY", mode=mode, threads=_threads())
        elif mode == "typing":
            _type_identity(window)
            _report("READY", mode=mode, draft_id=window.ctx.session.draft_id)
        elif mode == "saved":
            _type_identity(window)
            window.ctx.save_draft()
            threading.Thread(target=parked_for_crash_test, name="parked", daemon=True).start()
            _when(lambda: window.saver.saves >= 1 and not window.saver.busy,
                  lambda: _report("READY", mode=mode, draft_id=window.ctx.session.draft_id))
        elif mode == "stuck":
            from ui.jobs import run_job

            _type_identity(window)
            never = threading.Event()
            run_job("stuck-for-test", never.wait)  # a job on a dead device or network: it never returns
            _report("READY", mode=mode, draft_id=window.ctx.session.draft_id)
        elif mode == "synced":  # the sync process's first pass has ended, with what it said
            def first_pass_over() -> bool:
                state = window.terminal.sync.state()
                return state.online is not None and not state.syncing

            def report() -> None:
                state = window.terminal.sync.state()
                _report("READY", mode=mode, online=state.online, last_error=state.last_error)

            _when(first_pass_over, report, timeout=60)
        elif mode == "inspect":
            _inspect(window)
        else:
            raise SystemExit(f"unknown mode {mode}")

    # The read-aloud child starts after the first frame and may spawn the system's speech daemon;
    # the test counts this process's children, so their start-up must be over first.
    _when(attached, lambda: _when(lambda: _speech_settled(window), start, timeout=10, otherwise=start))


def _inspect(window: Any) -> None:
    from PySide6.QtWidgets import QLabel, QLineEdit

    shown = [w.text() for w in window.findChildren(QLineEdit) if w.isVisible()]
    shown += [w.text() for w in window.findChildren(QLabel) if w.isVisible()]
    identity = _identity()
    current = window.nav.current()
    _report("SCREEN", screen=current.name if current else None,
            personal_data=window.ctx.session.has_personal_data,
            draft_id=window.ctx.session.draft_id,
            shows_citizen=any(v and (v in text) for text in shown for v in identity.values()),
            screens=sorted(window.nav.screens), switch_interval=sys.getswitchinterval())
    window.close()


def main() -> int:
    mode, argv = sys.argv[1], sys.argv[2:]
    import ui.kiosk.app as kiosk_app

    original = kiosk_app.build_window

    def build_window(*args: Any, **kwargs: Any) -> Any:
        window = original(*args, **kwargs)
        if mode != "early":
            _drive(window, mode)
        return window

    kiosk_app.build_window = build_window
    if mode == "early":
        import os
        import signal

        from ui.lifecycle import WindowProcess

        watch = WindowProcess.watch

        def signalled_then_watch(self: WindowProcess, app: Any) -> None:
            os.kill(os.getpid(), signal.SIGTERM)  # taken by the start-up handler from `begin()`: remembered
            watch(self, app)

        WindowProcess.watch = signalled_then_watch  # type: ignore[method-assign]
    # After main() returns: which Python threads the shutdown left running (daemon threads would not stop the exit).
    atexit.register(lambda: _report("EXIT", threads=_threads()))
    from kiosk.cli import main as onewindow

    return onewindow(argv)


if __name__ == "__main__":
    sys.exit(main())
