"""Printing for the hall: thermal receipts over ESC/POS and A4 documents as PDFs.

- `printing.drivers`: one module per transport (tcp, usb, serial, file) and a
  recording fake, all behind `PrinterDriver`; `open_printer(uri)` picks one.
- `printing.receipt`: the receipt's content, its layout, and the ESC/POS bytes
  (Chinese mode, GB18030, rare characters as small bit images, native QR).
- `printing.pdf`: the A4 documents with embedded CJK fonts.
- `printing.queue`: print jobs as rows in the store, so nothing is lost when a
  printer is out of paper; the worker that sends them; the audit trail.

No Qt here (an import-linter contract enforces it) and no import of `sync`.
"""

from printing.escpos_capabilities import use_lasting_cache

use_lasting_cache()  # before any module here imports python-escpos: see printing/escpos_capabilities.py
