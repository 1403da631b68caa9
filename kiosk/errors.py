"""The two kinds of error the hall's software knows.

A `UserFacingError` carries a message a citizen or clerk can act on, in both
languages; anything else is a defect, logged with its traceback and shown once
as a calm message that says truthfully what happened to the person's data:
never "saved" when nothing was.
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

    def __reduce__(self) -> tuple[object, ...]:
        """Whole across a process boundary (work done in the process pool): message, code and the rest,
        whatever the subclass's own constructor takes."""
        return _restore_user_error, (type(self), self.message, self.code, dict(self.__dict__))


def _restore_user_error(cls: type[UserFacingError], message: Message, code: str,
                        state: dict[str, object]) -> UserFacingError:
    error = cls.__new__(cls)
    UserFacingError.__init__(error, message, code=code)
    error.__dict__.update(state)
    return error


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


# Shown by the windows for a defect, which can strike before or after a step's transaction commits: so it
# claims neither "saved" nor "not saved" for the last step, only what is certain (a receipt means stored).
SOMETHING_WENT_WRONG = Message(
    "系统出了点问题，刚才这一步可能没有完成。已经拿到回执的申请不受影响；其他内容是否已保存，请大厅工作人员帮您核对。",
    "Something went wrong and the last step may not have completed. An application you have a receipt for is "
    "not affected; please ask the hall staff to check whether anything else was saved.",
)

# The command line's message for a defect, unless the command says more precisely (`failure_message`).
OPERATION_NOT_COMPLETED = Message(
    "命令没有完成：出错的这一步没有保存任何内容，此前已完成的步骤（例如已提交的申请）不受影响。详情已记入日志，请联系技术人员。",
    "The command did not complete: the step that failed saved nothing, and steps completed before it (such as "
    "applications already submitted) are not affected. The details are in the log; please contact technical staff.",
)

# `onewindow submit`'s message for a defect: the application is one transaction that did not commit.
SUBMISSION_NOT_STORED = Message(
    "申请没有提交：未保存任何内容，也没有生成回执编号。详情已记入日志，请联系技术人员。",
    "The application was not submitted: nothing was stored and no receipt number was issued. The details are in "
    "the log; please contact technical staff.",
)
