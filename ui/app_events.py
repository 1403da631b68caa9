"""One application-wide event filter that hands each kind of event only to the objects that asked for it.

Several parts of a window need to see input anywhere in the application: the
idle countdown, read-aloud, keypad navigation, the pop-up guard, the barcode
wedge, the keyboard's language. Each used to install its own filter on the
QApplication, so every event of every widget (polish, layout request, child
added, paint: thousands for one screen being built) passed through six Python
calls, each converting the event's type to a Python enum. In the soak
(`bench/terminal_soak.py`) that was a tenth of the GUI thread's time, spent
mostly while a screen was being built, which is when the citizen waits for it.
Here each event costs one Python call and one dictionary lookup, and only the
kinds someone subscribed to go further.

Handlers run in the order Qt runs application filters: the newest first; the
first that returns True consumes the event.

One Python call per event was still a fifth of the GUI thread's time in the
soak (issue 10): PySide makes a wrapper for the event and for the object it
is sent to, takes Python's lock (waiting for it while a job holds it), and
`event.type()` makes a Python enum. So the hub does two cheaper things:

- It looks at the wrapper's class first, which PySide has already chosen
  from the event's type in C++, and goes no further for classes that carry
  no kind anyone asked for (`_CARRIERS`): polish, layout, child, property,
  timer, paint, move and resize events, most of what a screen being built
  sends. Kinds carried by a plain `QEvent` (LanguageChange) are handed on
  only when they reach the application object itself, where Qt sends them
  first; nobody needs each widget's copy.
- `quiet()` takes the filter off the application while a window builds,
  shows or deletes its own widgets in one Python call: no person's input can
  arrive in the middle of a call, and the thousands of events such a call
  sends to its own widgets (child added, polish, show, style and font
  changes) are none of the listeners' business.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial, wraps
from typing import ParamSpec, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtGui import (QHelpEvent, QInputMethodEvent, QKeyEvent, QMouseEvent, QNativeGestureEvent, QShowEvent,
                           QStatusTipEvent, QTabletEvent, QTouchEvent, QWheelEvent)
from PySide6.QtWidgets import QGestureEvent

Handler = Callable[[QObject, QEvent], bool]
_R = TypeVar("_R")
_P = ParamSpec("_P")

_T = QEvent.Type
# The Python class PySide gives each kind's events (tests/ui/test_app_events.py checks them). A kind not listed
# makes the hub look at every event's type, as it did before.
_CARRIERS: dict[QEvent.Type, type[QEvent]] = {
    **dict.fromkeys((_T.MouseButtonPress, _T.MouseButtonRelease, _T.MouseButtonDblClick, _T.MouseMove), QMouseEvent),
    **dict.fromkeys((_T.KeyPress, _T.KeyRelease), QKeyEvent),
    **dict.fromkeys((_T.TouchBegin, _T.TouchUpdate, _T.TouchEnd, _T.TouchCancel), QTouchEvent),
    **dict.fromkeys((_T.TabletPress, _T.TabletMove, _T.TabletRelease), QTabletEvent),
    **dict.fromkeys((_T.ToolTip, _T.WhatsThis), QHelpEvent),
    _T.Wheel: QWheelEvent, _T.InputMethod: QInputMethodEvent, _T.Gesture: QGestureEvent,
    _T.NativeGesture: QNativeGestureEvent, _T.StatusTip: QStatusTipEvent, _T.Show: QShowEvent,
    _T.LanguageChange: QEvent,
}


class AppEvents(QObject):
    def __init__(self, app: QCoreApplication) -> None:
        super().__init__(app)
        self._app = app
        self._handlers: dict[QEvent.Type, tuple[tuple[int, Handler], ...]] = {}
        self._classes: frozenset[type] | None = frozenset()  # the event classes worth a look; None: all
        self._quiet = 0
        app.installEventFilter(self)

    def subscribe(self, owner: QObject, kinds: Iterable[QEvent.Type], handler: Handler) -> None:
        """`handler(watched, event)` for every event of these kinds, until `owner` is destroyed."""
        key = id(owner)
        for kind in set(kinds):
            self._handlers[kind] = self._handlers.get(kind, ()) + ((key, handler),)
        self._recount()
        owner.destroyed.connect(partial(self._forget, key))

    def _recount(self) -> None:
        classes = {_CARRIERS.get(kind) for kind in self._handlers}
        self._classes = None if None in classes else frozenset(c for c in classes if c is not None)

    def unsubscribe(self, owner: QObject) -> None:
        self._forget(id(owner))

    def _forget(self, key: int, *_: object) -> None:
        for kind, handlers in list(self._handlers.items()):
            kept = tuple(h for h in handlers if h[0] != key)
            if kept:
                self._handlers[kind] = kept
            else:
                del self._handlers[kind]
        self._recount()

    def pause(self) -> None:
        """Off the application until `resume` (nested pauses count)."""
        self._quiet += 1
        if self._quiet == 1:
            self._app.removeEventFilter(self)

    def resume(self) -> None:
        self._quiet -= 1
        if self._quiet == 0:
            self._app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        classes = self._classes
        if classes is not None:
            kind_class = type(event)
            if kind_class not in classes or (kind_class is QEvent and watched is not self._app):
                return False
        handlers = self._handlers.get(event.type())
        if handlers:
            for _, handler in reversed(handlers):  # a tuple: a handler may subscribe or leave meanwhile
                if handler(watched, event):
                    return True
        return False


_hub: AppEvents | None = None


def app_events() -> AppEvents | None:
    """The application's hub, made on first use; None while there is no QApplication (some unit tests)."""
    app = QCoreApplication.instance()
    if app is None:
        return None
    global _hub
    if _hub is None or not shiboken6.isValid(_hub) or _hub.parent() is not app:
        _hub = AppEvents(app)
    return _hub


def subscribe(owner: QObject, kinds: Iterable[QEvent.Type], handler: Handler) -> None:
    hub = app_events()
    if hub is not None:
        hub.subscribe(owner, kinds, handler)


@contextmanager
def quiet() -> Iterator[None]:
    """The listeners hear nothing while a window builds, shows or deletes its own widgets in this call.

    Only for code that runs no event loop of its own (no dialog's `exec`, no
    `processEvents`) and shows no top-level window: input reaches a window
    only from the event loop, so none is missed, and what such code sends its
    widgets is not input.
    """
    hub = _hub
    if hub is None or not shiboken6.isValid(hub):
        yield
        return
    hub.pause()
    try:
        yield
    finally:
        if shiboken6.isValid(hub):
            hub.resume()


def quietly(method: Callable[_P, _R]) -> Callable[_P, _R]:
    """A method that runs in `quiet()`."""
    @wraps(method)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with quiet():
            return method(*args, **kwargs)

    return run
