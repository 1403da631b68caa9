"""Kiosk UI fixtures: fonts once, forgetful fake printers, no leftover background jobs, and the threading model checked.

Every Qt test runs the way the windows run: Python's garbage collector on
the GUI thread only (`ui.threads.install_gc_guard`). And every Qt test fails
when a Qt object was touched off its thread, which is a crash waiting to
happen (see "Threading model" in the README). Three witnesses:

- Qt's own cross-thread warnings ("Cannot create children for a parent that
  is in a different thread", "Timers cannot be stopped from another thread",
  ...), from pytest-qt's capture during the test and from our handler
  between tests;
- the off-thread check (`ui.threads.OffThreadCheck`), which watches job
  threads and every `threading.Thread` for calls into a QObject that lives on
  another thread, or into a QPixmap/QIcon/QCursor;
- the GC guard's count of collections that started on another thread.

`tests/ui/thread_violations.py` breaks each rule on purpose and
`test_thread_checks.py` runs it to show that each one fails.
"""
from __future__ import annotations

import re
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest

CROSS_THREAD = re.compile(
    r"different thread|another thread|other thread|outside the GUI thread|from the GUI thread"
    r"|QObject::killTimer|QObject::startTimer|threads started with QThread|Deferred deletion of"
    r"|moveToThread: Current thread", re.IGNORECASE)


class _QtMessages:
    """Our Qt message handler for the time between pytest-qt's captures; keeps the cross-thread warnings."""

    def __init__(self) -> None:
        self.cross_thread: list[str] = []
        self._lock = threading.Lock()

    def handle(self, _mode: Any, _context: Any, message: str) -> None:  # any thread
        if CROSS_THREAD.search(message):
            with self._lock:
                self.cross_thread.append(f"{message} (on thread {threading.current_thread().name!r})")
        sys.stderr.write(message + "\n")

    def take(self) -> list[str]:
        with self._lock:
            found, self.cross_thread = self.cross_thread, []
        return found


@pytest.fixture(scope="package", autouse=True)
def _threading_model(qapp: Any) -> Iterator[_QtMessages]:  # noqa: ARG001 - the guard needs the QApplication
    from PySide6.QtCore import qInstallMessageHandler

    from ui.pyside_fixes import repair_singleton_refcounts
    from ui.threads import (disable_off_thread_check, enable_off_thread_check, favour_gui_thread, install_gc_guard,
                            uninstall_gc_guard)

    repair_singleton_refcounts()  # as the windows' entry points do
    install_gc_guard()
    switch_interval = sys.getswitchinterval()
    favour_gui_thread()
    enable_off_thread_check()
    messages = _QtMessages()
    previous = qInstallMessageHandler(messages.handle)
    yield messages
    qInstallMessageHandler(previous)
    disable_off_thread_check()
    uninstall_gc_guard()
    sys.setswitchinterval(switch_interval)


def thread_model_violations(messages: _QtMessages, capture: Any) -> list[str]:
    """Everything the three witnesses saw since the last call (and clears it)."""
    from ui.threads import current_check, gc_guard

    found = [f"Qt: {m}" for m in messages.take()]
    if capture is not None:  # pytest-qt's capture of this test's setup and call
        found += [f"Qt: {r.message}" for r in capture.records if CROSS_THREAD.search(r.message)]
    check = current_check()
    if check is not None:
        found += [f"off-thread call: {v}" for v in check.take()]
    collector = gc_guard()
    if collector is not None and collector.off_thread_collections:
        found += [f"garbage collection started on thread {name!r}" for name in collector.off_thread_collections]
        collector.off_thread_collections.clear()
    return found


@pytest.fixture(autouse=True)
def _kiosk_clean(qapp, qtbot, request, _threading_model) -> Iterator[None]:  # noqa: ANN001 - pytest-qt fixtures; torn down before qtbot closes windows
    from ui.fonts import install_fonts
    from ui.jobs import wait_idle
    from ui.threads import gc_guard

    capture = getattr(request.node, "qt_log_capture", None)
    earlier = [f"(before this test began, while the previous one's windows closed) {v}"
               for v in thread_model_violations(_threading_model, None)]
    install_fonts(qapp)
    yield
    wait_idle(20_000)
    qapp.processEvents()
    collector = gc_guard()
    if collector is not None:
        collector.collect_due()  # a test that never spun the event loop still has its garbage collected here
    try:
        from printing.drivers.fake import FakePrinter

        FakePrinter.forget_all()
    except ImportError:
        pass
    found = earlier + thread_model_violations(_threading_model, capture)
    if found:
        pytest.fail("Qt objects touched off their thread (see 'Threading model' in the README):\n\n"
                    + "\n\n".join(found), pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:  # noqa: ARG001
    """After pytest-qt closed the test's windows (and asked Qt to delete them) and the fixtures were torn down:
    the deletions run now. pytest-qt only processes events, which does not run deletions asked for outside
    an event loop, so a window was deleted only once a later test spun one, holding its terminal (the store,
    a test's scanner with its pages: some 60 MB) meanwhile."""
    result = yield
    from PySide6.QtCore import QCoreApplication, QEvent

    if QCoreApplication.instance() is not None:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return result
