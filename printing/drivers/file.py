"""A device node (/dev/usb/lp0) or a plain file, through python-escpos's File. Write-only: no status."""
from __future__ import annotations

from typing import Any

from escpos.printer import File

from printing.drivers.escpos_device import EscposDevice


class FilePrinter(EscposDevice):
    transport_reads_status = False

    def _make(self) -> Any:
        return File(devfile=self.address.target, auto_flush=True)
