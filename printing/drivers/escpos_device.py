"""Shared plumbing for the transports that wrap a python-escpos printer object."""
from __future__ import annotations

from typing import Any

from escpos.exceptions import Error as EscposError

from printing.drivers.base import PrinterDriver
from printing.errors import PrinterUnreachable


class EscposDevice(PrinterDriver):
    """Holds an escpos printer object (`Network`, `Serial`, ...) and maps its failures to ours."""

    _device: Any = None

    def _make(self) -> Any:
        raise NotImplementedError

    def open(self) -> None:
        device = self._make()
        try:
            device.open()
        except (EscposError, OSError, AssertionError) as exc:
            raise PrinterUnreachable(self.uri, _short(exc)) from None
        if getattr(device, "device", None) is None:
            raise PrinterUnreachable(self.uri, "device not found")
        self._device = device

    def write(self, data: bytes) -> None:
        if self._device is None:
            raise PrinterUnreachable(self.uri, "not connected")
        try:
            self._device._raw(data)
        except (EscposError, OSError) as exc:
            raise PrinterUnreachable(self.uri, _short(exc)) from None

    def close(self) -> None:
        if self._device is not None:
            try:
                self._device.close()
            except (EscposError, OSError):
                pass
            self._device = None


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]
