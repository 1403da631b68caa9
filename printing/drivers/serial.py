"""Serial printers (RS-232 or USB-serial), through python-escpos's Serial (pyserial)."""
from __future__ import annotations

from typing import Any

from escpos.printer import Serial

from printing.drivers.escpos_device import EscposDevice


class SerialPrinter(EscposDevice):
    transport_reads_status = True

    def _make(self) -> Any:
        opts = self.address.options
        return Serial(devfile=self.address.target, baudrate=int(opts.get("baudrate", "9600")),
                      bytesize=int(opts.get("bytesize", "8")), parity=opts.get("parity", "N"),
                      stopbits=int(opts.get("stopbits", "1")), timeout=float(opts.get("timeout", self.timeout)),
                      dsrdtr=opts.get("dsrdtr", "true").lower() in ("1", "true", "yes"))

    def _read_byte(self) -> int | None:
        port = getattr(self._device, "device", None)
        if port is None:
            return None
        port.timeout = float(self.address.options.get("status_timeout", min(self.timeout, 2.0)))
        data = port.read(1)
        return data[0] if data else None
