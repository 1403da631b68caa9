"""Second-generation resident ID card readers (GA 467 / GA 450 compliant).

Real readers speak a framed serial protocol (`kiosk.devices.idcard`), or come
with a vendor library; each transport gets a module subclassing
`IdCardReader`. Calls run on the device thread, like the scanners, and
return a `Future`. `FakeIdCardReader` plays back cards in order and records calls.

Two ways to read. `read()` waits for one card (a button press). `poll()`
asks once whether a *new* card lies on the reader, for screens that fill
themselves when a card is placed: a reader that can tell placements apart
(`watchable`) hands out each placement exactly once, so a card left lying
there is not read again until it has been lifted and placed again.

Error codes (``IdCardError.code``): no_device, no_card, read_failed,
invalid_number (the chip's number fails its check), unsupported_card.
"""
from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import date

from kiosk.devices.thread import ID_CARDS, DeviceThread, device_thread
from kiosk.errors import Message, UserFacingError

MESSAGES: dict[str, Message] = {
    "no_device": Message("身份证阅读器未连接，请手动输入或联系工作人员。",
                         "The ID card reader is not connected; please type the details or ask the staff."),
    "no_card": Message("没有读到身份证，请把身份证平放在感应区上。",
                       "No ID card was found; please lay the card flat on the reader."),
    "read_failed": Message("读取身份证失败，请拿起身份证，重新放在感应区上，读完前不要移动。",
                           "The ID card could not be read; please lift it, lay it on the reader again and "
                           "keep it still until it has been read."),
    "invalid_number": Message("这张证件上的号码未通过校验，不能使用，请联系工作人员。",
                              "The number on this card fails its check and cannot be used; please ask the staff."),
    "unsupported_card": Message("本机不能识别这种证件，请使用居民身份证，或到窗口办理。",
                                "This kind of card cannot be read here; please use a resident ID card or go to "
                                "a counter."),
}


class IdCardError(UserFacingError):
    """`detail` is for the log (what the reader said); `reason` adds the citizen-facing why, if there is one."""

    def __init__(self, code: str, *, detail: str = "", reason: Message | None = None) -> None:
        base = MESSAGES.get(code, MESSAGES["read_failed"])
        message = Message(f"{base.zh}（{reason.zh}）", f"{base.en} ({reason.en})") if reason else base
        super().__init__(message, code=code)
        self.detail = detail
        self.reason = reason


@dataclass(frozen=True)
class IdCardData:
    """What the chip says. An application uses `name` and `id_number`; the photo stays on the card.

    `kind`: resident, hmt_residence (Hong Kong/Macao/Taiwan residents' residence
    permit) or foreign_permanent (a foreigner's permanent residence card, whose
    `name` is the Chinese name when it has one and `english_name` the English).
    """

    name: str
    id_number: str
    kind: str = "resident"
    sex: str = ""  # male, female, or "" when unknown
    birth: date | None = None
    address: str = ""
    issuer: str = ""
    valid_from: date | None = None
    valid_to: date | None = None
    valid_for_life: bool = False
    nation: str = ""  # the GB 3304 nation code on a resident card, the nationality on a foreigner's
    english_name: str = ""

    @property
    def resident(self) -> bool:
        """Whether its number is a citizen identity number (what the application forms take)."""
        return self.kind in ("resident", "hmt_residence")


class IdCardReader(ABC):
    watchable = False  # True when `poll` can tell one placement from the next

    def __init__(self, name: str, thread: DeviceThread | None = None) -> None:
        self.name = name
        self._thread = thread or device_thread(ID_CARDS)  # not behind a stuck scanner

    def read(self) -> Future[IdCardData]:
        return self._thread.submit(self._read)

    def poll(self) -> Future[IdCardData | None]:
        """One look at the reader on the device thread: a newly placed card, or None. Quick (< 1 s)."""
        return self._thread.submit(self._poll_once)

    def close(self) -> Future[None]:
        return self._thread.submit(self._close)

    def probe_now(self, timeout: float = 10.0) -> str:
        """Whether the reader answers, for set-up checks (`onewindow devices`): what it said, or `IdCardError`."""
        return self._thread.call(self._probe, timeout=timeout)

    def watch(self, stop: threading.Event, interval: float = 0.5,
              timeout: float = 10.0) -> Iterator[IdCardData | IdCardError]:
        """Each new card (or the error reading it) until `stop` is set; waits `interval` between looks.

        Headless use (the simulator's demo, scripts); the windows poll from a timer instead.
        """
        while not stop.is_set():
            try:
                card = self.poll().result(timeout)
            except IdCardError as exc:
                yield exc
            else:
                if card is not None:
                    yield card
            stop.wait(interval)

    @abstractmethod
    def _read(self) -> IdCardData:
        """Runs on the device thread; raises `IdCardError`."""

    def _poll_once(self) -> IdCardData | None:
        """Runs on the device thread. Readers that cannot tell placements apart read on every call."""
        try:
            return self._read()
        except IdCardError as exc:
            if exc.code == "no_card":
                return None
            raise

    def _close(self) -> None:
        """Release the port or library (device thread)."""

    def _probe(self) -> str:
        return "ok"


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
