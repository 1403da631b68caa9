"""Flatbed and sheet-fed scanners through SANE (python-sane over libsane).

SANE is initialised once per process, on the device thread, and every
handle is used only there. Its errors arrive as strings from
``sane_strstatus``; they are mapped to the documented `ScannerError` codes.
"""
from __future__ import annotations

from typing import Any

from kiosk.devices.base import Scanner, ScannerError, ScannerInfo, ScanSettings
from kiosk.devices.thread import DeviceThread, device_thread
from kiosk.materials.pages import CapturedPage

_STATUS_CODES = {
    "Document feeder jammed": "jammed",
    "Document feeder out of documents": "no_documents",
    "Scanner cover is open": "cover_open",
    "Device busy": "busy",
    "Error during device I/O": "io_error",
    "Access to resource has been denied": "busy",
    "Invalid argument": "bad_settings",
    "Operation not supported": "bad_settings",
}

_initialised = False


def _ignore_sigpipe() -> None:
    """Put back the SIGPIPE disposition Python starts with (ignored), which libsane's reader resets to the
    default during a scan: a socket or pipe that breaks afterwards (a printer, the platform link, a child)
    would otherwise kill the whole process instead of raising BrokenPipeError. Through libc, because
    `signal.signal` works only on the main thread and this runs on the device thread."""
    import ctypes
    import signal

    libc = ctypes.CDLL(None, use_errno=True)
    libc.signal.restype = ctypes.c_void_p
    libc.signal.argtypes = (ctypes.c_int, ctypes.c_void_p)
    libc.signal(int(signal.SIGPIPE), ctypes.c_void_p(1))  # 1 = SIG_IGN


def _sane() -> Any:
    """The python-sane module, initialised (device thread only)."""
    global _initialised
    try:
        import sane
    except ImportError as exc:  # the 'scanner' extra is not installed
        raise ScannerError("no_device", f"python-sane is not installed: {exc}") from None
    if not _initialised:
        sane.init()
        _initialised = True
    return sane


def reset() -> None:
    """Forget SANE's state (its device list is read at init); for tests that change SANE_CONFIG_DIR."""
    def _exit() -> None:
        global _initialised
        if _initialised:
            import sane
            sane.exit()
            _initialised = False

    device_thread().call(_exit)


def _error(exc: Exception, opening: bool = False) -> ScannerError:
    text = str(exc.args[0]) if exc.args else str(exc)
    code = _STATUS_CODES.get(text, "io_error")
    if opening and code in ("bad_settings", "io_error"):
        code = "no_device"
    return ScannerError(code, text)


def _list_devices() -> list[ScannerInfo]:
    sane = _sane()
    return [ScannerInfo(name=name, vendor=vendor, model=model, kind=kind, transport="sane")
            for name, vendor, model, kind in sane.get_devices(localOnly=True)]


def list_scanners(thread: DeviceThread | None = None) -> list[ScannerInfo]:
    return (thread or device_thread()).call(_list_devices, timeout=60)


def _set(dev: Any, option: str, value: Any) -> None:
    if option in dev.opt and dev.opt[option].is_active() and dev.opt[option].is_settable():
        setattr(dev, option, value)


class SaneScanner(Scanner):
    transport = "sane"

    def __init__(self, name: str, thread: DeviceThread | None = None) -> None:
        super().__init__(name, thread)
        self._dev: Any = None

    def _open(self) -> Any:
        if self._dev is None:
            sane = _sane()
            try:
                self._dev = sane.open(self.name)
            except Exception as exc:
                raise _error(exc, opening=True) from None
        return self._dev

    def _configure(self, dev: Any, settings: ScanSettings) -> None:
        mode_names = dev.opt["mode"].constraint if "mode" in dev.opt else []
        wanted = ("Color", "Colour") if settings.colour == "colour" else ("Gray", "Grey", "Lineart")
        for mode in wanted:
            if mode in (mode_names or []):
                _set(dev, "mode", mode)
                break
        _set(dev, "resolution", settings.dpi)
        if "source" in dev.opt and dev.opt["source"].constraint:
            sources = list(dev.opt["source"].constraint)
            feeder = [s for s in sources if any(k in s for k in ("ADF", "Automatic", "Feeder", "Duplex"))]
            flatbed = [s for s in sources if s not in feeder]
            choice = feeder if settings.source == "feeder" else flatbed
            if choice:
                _set(dev, "source", choice[0])
        # The whole scan area: the pipeline finds the page itself.
        for option, bound in (("tl_x", 0), ("tl_y", 0), ("br_x", 1), ("br_y", 1)):
            if option in dev.opt and isinstance(dev.opt[option].constraint, tuple):
                _set(dev, option, dev.opt[option].constraint[bound])

    def _scan(self, settings: ScanSettings) -> list[CapturedPage]:
        try:
            return self._scan_pages(settings)
        finally:
            _ignore_sigpipe()

    def _scan_pages(self, settings: ScanSettings) -> list[CapturedPage]:
        dev = self._open()
        try:
            self._configure(dev, settings)
            dpi = float(getattr(dev, "resolution", settings.dpi) or settings.dpi)
            if settings.source == "feeder":
                pages: list[CapturedPage] = []
                for image in dev.multi_scan():
                    pages.append(CapturedPage(image=image, dpi=dpi, source="scanner", label=self.name))
                    if len(pages) >= settings.max_pages:
                        break
                if not pages:
                    raise ScannerError("no_documents", "feeder returned no pages")
                return pages
            image = dev.scan()
            return [CapturedPage(image=image, dpi=dpi, source="scanner", label=self.name)]
        except ScannerError:
            raise
        except Exception as exc:
            if type(exc).__name__ != "error":  # not SANE's own error type: a defect, keep the traceback
                raise
            try:
                dev.cancel()
            except Exception:
                pass
            raise _error(exc) from None

    def _close(self) -> None:
        if self._dev is not None:
            try:
                self._dev.close()
            finally:
                self._dev = None
