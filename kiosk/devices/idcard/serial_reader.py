"""A reader on a serial port (USB models show up as /dev/ttyUSB* or /dev/ttyACM*), through pyserial.

Every read from the port is bounded (the port's own timeout is short and each
exchange has a deadline), so a reader that was unplugged or a card that left
mid-read costs at most one exchange's timeout, never a hang of the device thread.

One placement, one read: after find-card succeeds the placement counts as
used (read or failed) until find-card fails, which is what lifting the card
does. A card pulled away mid-read leaves a truncated or corrupt answer; that
is `read_failed`, and nothing of the half-read text is handed out.
"""
from __future__ import annotations

import logging
import time
from typing import Any

from kiosk.devices.id_card_reader import IdCardData, IdCardError, IdCardReader
from kiosk.devices.idcard.card_text import check_card, parse_card_text
from kiosk.devices.idcard.protocol import (FIND_CARD, READ_BASE, SAM_STATUS, SELECT_CARD, SW_FIND_OK, SW_OK,
                                           FrameBuffer, FrameError, Response, decode_base_message,
                                           decode_response, encode_command)
from kiosk.devices.thread import DeviceThread

log = logging.getLogger("onewindow.devices.idcard")

PORT_READ_TIMEOUT = 0.05  # one blocking read of the port; the exchange's deadline bounds the whole


class SerialIdCardReader(IdCardReader):
    watchable = True

    def __init__(self, port: str, baudrate: int = 115200, *, thread: DeviceThread | None = None,
                 timeout: float = 1.0, read_timeout: float = 3.0, wait: float = 10.0,
                 poll_interval: float = 0.3) -> None:
        """`timeout` bounds the quick exchanges (find, select), `read_timeout` the text read, `wait` how long
        `read()` waits for a card to be placed."""
        super().__init__(f"serial:{port}", thread)
        self.port = port
        self.baudrate = baudrate
        self.timeout = timeout
        self.read_timeout = read_timeout
        self.wait = wait
        self.poll_interval = poll_interval
        self._serial: Any = None
        self._buffer = FrameBuffer()
        self._placement_used = False

    # --- the port -----------------------------------------------------------------------------

    def _open(self) -> Any:
        if self._serial is None:
            import serial

            try:
                self._serial = serial.Serial(self.port, self.baudrate, timeout=PORT_READ_TIMEOUT,
                                             write_timeout=self.timeout, exclusive=True)
            except (serial.SerialException, OSError, ValueError) as exc:
                raise IdCardError("no_device", detail=f"{self.port}: {exc}") from None
        return self._serial

    def _close(self) -> None:
        port, self._serial = self._serial, None
        if port is not None:
            try:
                port.close()
            except OSError:
                log.debug("closing %s failed", self.port, exc_info=True)

    def exchange(self, command: tuple[int, int], timeout: float, data: bytes = b"") -> Response:
        """One command and its answer (device thread). `no_device` when the port fails or nothing answers,
        `read_failed` when the answer is corrupt."""
        import serial

        port = self._open()
        self._buffer.clear()
        try:
            port.reset_input_buffer()  # leftovers of an earlier, abandoned answer are not this one's
            port.write(encode_command(command, data))
            deadline = time.monotonic() + timeout
            while True:
                try:
                    body = self._buffer.next_frame()
                except FrameError as exc:
                    raise IdCardError("read_failed", detail=f"{command[0]:02x}{command[1]:02x}: {exc}") from None
                if body is not None:
                    try:
                        return decode_response(body)
                    except FrameError as exc:
                        raise IdCardError("read_failed", detail=str(exc)) from None
                if time.monotonic() >= deadline:
                    code = "read_failed" if len(self._buffer) else "no_device"
                    raise IdCardError(code, detail=f"{command[0]:02x}{command[1]:02x}: no whole answer in "
                                                   f"{timeout:.1f} s ({len(self._buffer)} bytes)")
                self._buffer.feed(port.read(max(1, port.in_waiting)))  # blocks at most PORT_READ_TIMEOUT
        except (serial.SerialException, OSError) as exc:  # unplugged: open it afresh next time
            self._close()
            raise IdCardError("no_device", detail=f"{self.port}: {exc}") from None

    # --- reading ------------------------------------------------------------------------------

    def _poll_once(self) -> IdCardData | None:
        found = self.exchange(FIND_CARD, self.timeout)
        if found.sw3 != SW_FIND_OK:
            self._placement_used = False  # lifted (or never placed): the next placement is new
            return None
        if self._placement_used:
            return None
        selected = self.exchange(SELECT_CARD, self.timeout)
        if selected.sw3 != SW_OK:
            return None  # still sliding into the field; the next look tries again
        self._placement_used = True  # from here on, this placement has had its one read, good or bad
        answer = self.exchange(READ_BASE, self.read_timeout)
        if answer.sw3 != SW_OK:
            raise IdCardError("read_failed", detail=f"read answered {answer.status}")
        try:
            message = decode_base_message(answer.data)
        except FrameError as exc:
            raise IdCardError("read_failed", detail=str(exc)) from None
        return check_card(parse_card_text(message.text))

    def _read(self) -> IdCardData:
        deadline = time.monotonic() + self.wait
        while True:
            card = self._poll_once()
            if card is not None:
                return card
            if time.monotonic() >= deadline:
                raise IdCardError("no_card")
            time.sleep(self.poll_interval)  # the device thread waits for a hand, not for a result

    def _probe(self) -> str:
        """The SAM's status, for `onewindow devices`: "ok" or what it answered (device thread)."""
        return self.exchange(SAM_STATUS, self.timeout).status
