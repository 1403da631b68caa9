"""A reader through its vendor's C library (ctypes), for models whose protocol is closed.

Two families of API are common, and both are bound here by their symbol names:

- the ministry's SDT API (``SDT_OpenPort``, ``SDT_StartFindIDCard``,
  ``SDT_SelectIDCard``, ``SDT_ReadBaseMsg``, ``SDT_ClosePort``): it hands
  back the chip's raw 256 bytes of text, which `card_text` parses and checks
  exactly as it does for the serial reader;
- the "termb" style (``InitComm``/``CVR_InitComm``, ``Authenticate``,
  ``Read_Content``, field getters such as ``GetPeopleName`` and
  ``GetPeopleIDCode``, ``CloseComm``), whose getters return GB 18030 text.

Ports follow the vendors' numbering: 1-16 serial, 1001-1016 USB. A library
that is missing or lacks the calls is `no_device`, said plainly. Every call
runs on the device thread (these libraries are not thread-safe).
"""
from __future__ import annotations

import ctypes
import logging
from typing import Any

from kiosk.devices.id_card_reader import IdCardData, IdCardError, IdCardReader
from kiosk.devices.idcard.card_text import check_card, parse_card_text
from kiosk.devices.thread import DeviceThread

log = logging.getLogger("onewindow.devices.idcard")

SDT_OK, SDT_FOUND = 0x90, 0x9F
SDT_CALLS = ("SDT_OpenPort", "SDT_ClosePort", "SDT_StartFindIDCard", "SDT_SelectIDCard", "SDT_ReadBaseMsg")
TERMB_PREFIXES = ("CVR_", "")
TERMB_CALLS = ("InitComm", "Authenticate", "Read_Content", "CloseComm")


def load_library(path: str) -> Any:
    """The library, or `no_device` saying why (missing file, wrong architecture, missing dependency)."""
    try:
        return ctypes.CDLL(path)
    except OSError as exc:
        raise IdCardError("no_device", detail=f"vendor library {path}: {exc}") from None


def _has(lib: Any, name: str) -> bool:
    try:
        getattr(lib, name)
    except AttributeError:
        return False
    return True


class VendorLibraryReader(IdCardReader):
    watchable = True

    def __init__(self, library: str, port: int = 1001, *, thread: DeviceThread | None = None) -> None:
        super().__init__(f"vendor:{library}", thread)
        self.library = library
        self.port = port
        self._lib: Any = None
        self._flavour = ""
        self._prefix = ""
        self._open = False
        self._placement_used = False

    def _load(self) -> Any:
        if self._lib is None:
            lib = load_library(self.library)
            if all(_has(lib, name) for name in SDT_CALLS):
                self._flavour = "sdt"
            else:
                for prefix in TERMB_PREFIXES:
                    if all(_has(lib, prefix + name) for name in TERMB_CALLS):
                        self._flavour, self._prefix = "termb", prefix
                        break
                else:
                    raise IdCardError("no_device", detail=f"{self.library} has neither the SDT calls "
                                                          f"({', '.join(SDT_CALLS)}) nor InitComm/Authenticate/"
                                                          "Read_Content/CloseComm")
            self._lib = lib
        return self._lib

    def _connect(self) -> Any:
        lib = self._load()
        if not self._open:
            if self._flavour == "sdt":
                ok = lib.SDT_OpenPort(ctypes.c_int(self.port)) == SDT_OK
            else:
                ok = getattr(lib, self._prefix + "InitComm")(ctypes.c_int(self.port)) == 1
            if not ok:
                raise IdCardError("no_device", detail=f"{self.library}: port {self.port} did not open")
            self._open = True
        return lib

    def _close(self) -> None:
        if self._lib is not None and self._open:
            if self._flavour == "sdt":
                self._lib.SDT_ClosePort(ctypes.c_int(self.port))
            else:
                getattr(self._lib, self._prefix + "CloseComm")()
        self._open = False

    def _poll_once(self) -> IdCardData | None:
        lib = self._connect()
        return self._poll_sdt(lib) if self._flavour == "sdt" else self._poll_termb(lib)

    def _poll_sdt(self, lib: Any) -> IdCardData | None:
        scratch = ctypes.create_string_buffer(64)
        if lib.SDT_StartFindIDCard(ctypes.c_int(self.port), scratch, ctypes.c_int(0)) != SDT_FOUND:
            self._placement_used = False
            return None
        if self._placement_used:
            return None
        if lib.SDT_SelectIDCard(ctypes.c_int(self.port), scratch, ctypes.c_int(0)) != SDT_OK:
            return None
        self._placement_used = True
        text, photo = ctypes.create_string_buffer(256), ctypes.create_string_buffer(2048)
        text_len, photo_len = ctypes.c_uint(0), ctypes.c_uint(0)
        status = lib.SDT_ReadBaseMsg(ctypes.c_int(self.port), text, ctypes.byref(text_len), photo,
                                     ctypes.byref(photo_len), ctypes.c_int(0))
        if status != SDT_OK or text_len.value != 256:
            raise IdCardError("read_failed", detail=f"SDT_ReadBaseMsg {status:#x}, text {text_len.value} bytes")
        return check_card(parse_card_text(text.raw[:256]))

    def _field(self, lib: Any, name: str) -> str:
        getter = getattr(lib, name, None)
        if getter is None:
            return ""
        buf, size = ctypes.create_string_buffer(256), ctypes.c_int(256)
        if getter(buf, ctypes.byref(size)) != 1:
            return ""
        return buf.raw[:max(0, min(size.value, 256))].split(b"\0", 1)[0].decode("gb18030", "replace").strip()

    def _poll_termb(self, lib: Any) -> IdCardData | None:
        if getattr(lib, self._prefix + "Authenticate")() != 1:
            self._placement_used = False
            return None
        if self._placement_used:
            return None
        self._placement_used = True
        if getattr(lib, self._prefix + "Read_Content")(ctypes.c_int(1)) != 1:
            raise IdCardError("read_failed", detail="Read_Content failed")
        sex = self._field(lib, "GetPeopleSex")
        card = IdCardData(name=self._field(lib, "GetPeopleName"), id_number=self._field(lib, "GetPeopleIDCode").upper(),
                          sex={"男": "male", "女": "female"}.get(sex, ""),
                          address=self._field(lib, "GetPeopleAddress"), issuer=self._field(lib, "GetDepartment"))
        return check_card(card)

    def _probe(self) -> str:
        self._connect()
        return f"{self._flavour} library, port {self.port} open"

    def _read(self) -> IdCardData:
        card = self._poll_once()
        if card is None:
            raise IdCardError("no_card")
        return card
