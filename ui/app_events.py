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
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject

Handler = Callable[[QObject, QEvent], bool]


class AppEvents(QObject):
    def __init__(self, app: QCoreApplication) -> None:
        super().__init__(app)
        self._handlers: dict[QEvent.Type, tuple[tuple[int, Handler], ...]] = {}
        app.installEventFilter(self)

    def subscribe(self, owner: QObject, kinds: Iterable[QEvent.Type], handler: Handler) -> None:
        """`handler(watched, event)` for every event of these kinds, until `owner` is destroyed."""
        key = id(owner)
        for kind in set(kinds):
            self._handlers[kind] = self._handlers.get(kind, ()) + ((key, handler),)
        owner.destroyed.connect(partial(self._forget, key))

    def unsubscribe(self, owner: QObject) -> None:
        self._forget(id(owner))

    def _forget(self, key: int, *_: object) -> None:
        for kind, handlers in list(self._handlers.items()):
            kept = tuple(h for h in handlers if h[0] != key)
            if kept:
                self._handlers[kind] = kept
            else:
                del self._handlers[kind]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
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
