"""ID card readers: the SAM serial protocol, a vendor library through ctypes, and a pty simulator.

`kiosk.devices.id_card_reader` stays the public base (`IdCardReader`,
`IdCardData`, `IdCardError`); `make_reader` builds the one the settings name.
"""
from __future__ import annotations
