"""The board's words, always in both languages at once: Chinese large, English under it.

A hall board is read by everyone in the hall at the same time, so it has no language switch. The
Chinese comes from the translation catalogue (the .ts/.qm every window uses, context "Board"),
the English is the source text, so a string without its Chinese shows up in the translation test.
"""
from __future__ import annotations

from datetime import datetime

from kiosk.errors import Message
from PySide6.QtCore import QT_TRANSLATE_NOOP

from ui.i18n import translate

WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


def both(source: str, *args: object) -> Message:
    """`source` (English, with %1, %2... for `args`) and its Chinese from the catalogue."""
    zh, en = translate("Board", source), source
    for i, arg in enumerate(args, start=1):
        zh, en = zh.replace(f"%{i}", str(arg)), en.replace(f"%{i}", str(arg))
    return Message(zh, en)


def now_calling() -> Message:
    return both(QT_TRANSLATE_NOOP("Board", "Now calling"))


def recent_calls() -> Message:
    return both(QT_TRANSLATE_NOOP("Board", "Recent calls"))


def waiting() -> Message:
    return both(QT_TRANSLATE_NOOP("Board", "People waiting"))


def no_calls_yet() -> Message:
    return both(QT_TRANSLATE_NOOP("Board", "No calls yet. Please wait for your number."))


def counter(n: int) -> Message:
    return both(QT_TRANSLATE_NOOP("Board", "Counter %1"), n)


def connecting() -> Message:
    return both(QT_TRANSLATE_NOOP("Board", "Connecting to the hall's queue server…"))


def link_down() -> Message:
    return both(QT_TRANSLATE_NOOP(
        "Board", "Queue server unreachable: showing the last calls received. Reconnecting…"))


def not_paired() -> Message:
    return both(QT_TRANSLATE_NOOP(
        "Board", "This board is not paired with the hall's queue server. Staff: onewindow queue pair CODE"))


def voice_off() -> Message:
    return both(QT_TRANSLATE_NOOP("Board", "Voice calls are unavailable; calling goes on as usual."))


def clock(moment: datetime) -> tuple[str, str]:
    """("14:05", "11月29日 星期日  Sun 29 Nov"): the time large, the date under it."""
    date_zh = f"{moment.month}月{moment.day}日 {WEEKDAYS_ZH[moment.weekday()]}"
    return moment.strftime("%H:%M"), f"{date_zh}  {moment.strftime('%a %d %b')}"
