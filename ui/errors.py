"""Turning an exception into what the person at the screen reads.

A `UserFacingError` is shown in plain words in the current language. Any
other exception is a defect: it is logged once with its traceback and the
person sees only the calm SOMETHING_WENT_WRONG message (their data is safe).
"""
from __future__ import annotations

import logging
import traceback
from collections.abc import Callable

from kiosk.errors import SOMETHING_WENT_WRONG, Message, UserFacingError

log = logging.getLogger("onewindow.ui")


def message_for(exc: BaseException) -> Message:
    if isinstance(exc, UserFacingError):
        return exc.message
    text = getattr(exc, "__traceback_text__", None) or "".join(
        traceback.format_exception(type(exc), exc, exc.__traceback__))
    log.error("unexpected error shown to the citizen as 'something went wrong':\n%s", text)
    return SOMETHING_WENT_WRONG


def install_excepthook(show: Callable[[BaseException], None]) -> None:
    """A defect raised inside a Qt slot reaches the log and the calm message, never a crash dialog."""
    import sys

    def hook(kind: type[BaseException], exc: BaseException, tb: object) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)  # type: ignore[arg-type]
            return
        exc.__traceback_text__ = "".join(traceback.format_exception(kind, exc, tb))  # type: ignore[attr-defined, arg-type]
        try:
            show(exc)
        except Exception:  # noqa: BLE001 - never recurse from the hook
            log.exception("error display failed")

    sys.excepthook = hook
