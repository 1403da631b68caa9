"""The two kinds of error the hall's software knows.

A `UserFacingError` carries a message a citizen or clerk can act on, in both
languages; anything else is a defect, logged with its traceback and shown once
as "something went wrong, your data is safe".
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    """A sentence in Simplified Chinese first, with its complete English."""

    zh: str
    en: str

    def text(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh

    def both(self) -> str:
        return f"{self.zh} / {self.en}"

    def __str__(self) -> str:
        return self.both()


class UserFacingError(Exception):
    """An error whose message is fit to show the person at the screen."""

    def __init__(self, message: Message, *, code: str = "error") -> None:
        super().__init__(message.both())
        self.message = message
        self.code = code

    def text(self, lang: str = "zh") -> str:
        return self.message.text(lang)


class ValidationFailed(UserFacingError):
    """Input that breaks several rules at once: every problem is listed."""

    def __init__(self, problems: list["Problem"]) -> None:
        self.problems = problems
        zh = "；".join(p.message.zh for p in problems)
        en = "; ".join(p.message.en for p in problems)
        super().__init__(Message(zh, en), code="invalid")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, tied to the field it concerns."""

    field: str
    message: Message

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "zh": self.message.zh, "en": self.message.en}


SOMETHING_WENT_WRONG = Message(
    "系统出了点问题，您的资料已安全保存。请联系大厅工作人员。",
    "Something went wrong. Your data is safe. Please ask the hall staff for help.",
)
