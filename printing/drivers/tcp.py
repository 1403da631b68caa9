"""Network printers on TCP port 9100 (raw/JetDirect), through python-escpos's Network."""
from __future__ import annotations

import socket
from typing import Any

from escpos.printer import Network

from printing.drivers.escpos_device import EscposDevice


class TcpPrinter(EscposDevice):
    transport_reads_status = True

    def _make(self) -> Any:
        return Network(self.address.target, port=self.address.port or 9100,
                       timeout=float(self.address.options.get("timeout", self.timeout)))

    def _read_byte(self) -> int | None:
        sock: socket.socket | None = getattr(self._device, "device", None)
        if sock is None:
            return None
        # A printer that ignores DLE EOT never answers: wait briefly, then call it "unknown".
        wait = float(self.address.options.get("status_timeout", min(self.timeout, 2.0)))
        previous = sock.gettimeout()
        sock.settimeout(wait)
        try:
            data = sock.recv(1)
        except (socket.timeout, OSError):
            return None
        finally:
            sock.settimeout(previous)
        return data[0] if data else None
