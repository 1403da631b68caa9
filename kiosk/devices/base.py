"""What every scanner driver offers, and the errors it may raise.

Laid out like python-escpos's printers: a base class with the public
operations, one subclass per transport implementing a few underscore
methods, and errors with documented codes. The public methods never run
device code on the caller's thread: they queue it on the device thread and
return a `Future`; the `*_now` variants wait for it (CLI, tests).

Error codes (``ScannerError.code``):
  no_device      the scanner is not connected or not found
  busy           another program is using it
  jammed         paper jam in the feeder
  no_documents   the sheet feeder is empty
  cover_open     the lid or feeder cover is open
  io_error       communication with the scanner failed
  bad_settings   the scanner cannot scan with these settings
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from concurrent.futures import Future
from dataclasses import dataclass

from kiosk.devices.thread import DeviceThread, device_thread
from kiosk.errors import Message, UserFacingError
from kiosk.materials.pages import CapturedPage

MESSAGES: dict[str, Message] = {
    "no_device": Message("找不到扫描仪，请检查电源和连接线。", "The scanner was not found; check its power and cable."),
    "busy": Message("扫描仪正被其他程序使用，请稍后再试。", "The scanner is in use by another program; try again shortly."),
    "jammed": Message("扫描仪卡纸，请取出纸张后重试。", "Paper is jammed in the scanner; remove it and try again."),
    "no_documents": Message("进纸器中没有纸张，请放入材料。", "The document feeder is empty; please load the pages."),
    "cover_open": Message("扫描仪盖板未关好，请关好后重试。", "The scanner cover is open; close it and try again."),
    "io_error": Message("与扫描仪通信失败，请重试或联系工作人员。",
                        "Communication with the scanner failed; try again or ask the staff."),
    "bad_settings": Message("扫描仪不支持所选的扫描设置。", "The scanner does not support these scan settings."),
}


class ScannerError(UserFacingError):
    def __init__(self, code: str, detail: str = "") -> None:
        message = MESSAGES.get(code, MESSAGES["io_error"])
        super().__init__(message, code=code)
        self.detail = detail


@dataclass(frozen=True)
class ScannerInfo:
    name: str
    vendor: str
    model: str
    kind: str  # "flatbed scanner", "sheetfed scanner", "virtual device", ...
    transport: str  # "sane", "camera", "fake"


@dataclass(frozen=True)
class ScanSettings:
    """What to ask the scanner for. Bilevel material is scanned in grey: the pipeline thresholds better."""

    dpi: int = 300
    colour: str = "grayscale"  # "grayscale" | "colour"
    source: str = "flatbed"  # "flatbed" | "feeder"
    max_pages: int = 50


class Scanner(ABC):
    """One scanner. Subclasses implement `_scan` (and `_close` if they hold a handle)."""

    transport = "abstract"

    def __init__(self, name: str, thread: DeviceThread | None = None) -> None:
        self.name = name
        self._thread = thread or device_thread()

    def scan(self, settings: ScanSettings = ScanSettings()) -> Future[list[CapturedPage]]:
        """Scan one page (flatbed) or every page in the feeder; the pages arrive through the future."""
        return self._thread.submit(self._scan, settings)

    def scan_now(self, settings: ScanSettings = ScanSettings(), timeout: float | None = 300) -> list[CapturedPage]:
        return self._thread.call(self._scan, settings, timeout=timeout)

    def close(self) -> Future[None]:
        return self._thread.submit(self._close)

    def busy_for(self) -> float:
        """Seconds its thread's current call has run (0 when idle); see `kiosk.devices.thread`."""
        return self._thread.busy_for()

    @abstractmethod
    def _scan(self, settings: ScanSettings) -> list[CapturedPage]:
        """Runs on the device thread."""

    def _close(self) -> None:
        """Runs on the device thread."""
