"""USB printers by vendor and product id, through python-escpos's Usb (pyusb).

No status answers: many USB printers send DLE EOT replies on an endpoint
python-escpos does not read reliably, so a USB job is judged by the write.
"""
from __future__ import annotations

from typing import Any

from escpos.printer import Usb

from printing.drivers.escpos_device import EscposDevice


class UsbPrinter(EscposDevice):
    transport_reads_status = False

    def _make(self) -> Any:
        return Usb(self.address.vendor_id, self.address.product_id, timeout=int(self.timeout * 1000))
