"""A refusal the hub answers with a status code and a bilingual message; nothing was changed."""
from __future__ import annotations

from kiosk.errors import Message


class HubError(Exception):
    def __init__(self, status: int, code: str, message: Message) -> None:
        super().__init__(message.both())
        self.status = status
        self.code = code
        self.message = message


def bad_request(code: str, zh: str, en: str) -> HubError:
    return HubError(422, code, Message(zh, en))


def conflict(code: str, zh: str, en: str) -> HubError:
    return HubError(409, code, Message(zh, en))


def not_found(code: str, zh: str, en: str) -> HubError:
    return HubError(404, code, Message(zh, en))
