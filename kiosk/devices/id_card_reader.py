"""Second-generation resident ID card readers (GA 467 / GA 450 compliant).

Real readers come with a vendor SDK (a shared library speaking to a SAM
module); each one gets a module subclassing `IdCardReader` and implementing
`_read`. Calls run on the device thread, like the scanners, and return a
`Future`. `FakeIdCardReader` plays back cards in order and records calls.

Error codes (``IdCardError.code``): no_device, no_card, read_failed.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass

from kiosk.devices.thread import DeviceThread, device_thread
from kiosk.errors import Message, UserFacingError

MESSAGES: dict[str, Message] = {
    "no_device": Message("身份证阅读器未连接，请手动输入或联系工作人员。",
                         "The ID card reader is not connected; please type the details or ask the staff."),
    "no_card": Message("没有读到身份证，请把身份证平放在感应区上。",
                       "No ID card was found; please lay the card flat on the reader."),
    "read_failed": Message("读取身份证失败，请重新放置身份证后再试。",
                           "The ID card could not be read; please place it again and retry."),
}


class IdCardError(UserFacingError):
    def __init__(self, code: str) -> None:
        super().__init__(MESSAGES.get(code, MESSAGES["read_failed"]), code=code)


@dataclass(frozen=True)
class IdCardData:
    """Only what an application needs; the photo and address stay on the card."""

    name: str
    id_number: str


class IdCardReader(ABC):
    def __init__(self, name: str, thread: DeviceThread | None = None) -> None:
        self.name = name
        self._thread = thread or device_thread()

    def read(self) -> Future[IdCardData]:
        return self._thread.submit(self._read)

    @abstractmethod
    def _read(self) -> IdCardData:
        """Runs on the device thread; raises `IdCardError`."""


class FakeIdCardReader(IdCardReader):
    """Hands out the queued cards (or errors) in order and records every read."""

    def __init__(self, cards: list[IdCardData | str] | None = None, thread: DeviceThread | None = None) -> None:
        super().__init__("fake", thread)
        self.queue: deque[IdCardData | str] = deque(cards or [])
        self.reads = 0

    def _read(self) -> IdCardData:
        self.reads += 1
        if not self.queue:
            raise IdCardError("no_card")
        card = self.queue.popleft()
        if isinstance(card, str):
            raise IdCardError(card)
        return card
