"""The device tests the domain can run itself: a page scanned, a camera frame taken, an ID card read.

Each test is an object with the device's key, a prompt (what the technician puts in place first) and
`run(settings, wait_seconds)`, which never raises for a device's trouble: it returns a `DeviceResult`.
The receipt printer's test comes from `printing`, the voice's from `ui`, through the
``onewindow.device_tests`` entry points; the seams (`cameras`, `grab`, `make_reader`, `open_scanner`) are
where tests put their doubles.
"""
from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from kiosk.devices.base import Scanner, ScannerError, ScanSettings
from kiosk.devices.id_card_reader import IdCardData, IdCardError, IdCardReader
from kiosk.errors import Message
from kiosk.identity import mask_id
from kiosk.settings import Settings
from kiosk.setup.results import ABSENT, FAIL, PASS, DeviceResult

log = logging.getLogger("onewindow.setup")
UNIFORM_STDDEV = 3.0  # grey levels: below this a frame is one flat colour (lens covered, no light)


def evidence_dir(settings: Settings) -> Path:
    """Where the scanned page and the camera frame are kept for the technician to look at."""
    path = settings.home / "setup"
    path.mkdir(parents=True, exist_ok=True)
    return path


class DeviceTest(ABC):
    device: str = ""
    order: int = 100
    prompt: Message | None = None

    @abstractmethod
    def run(self, settings: Settings, *, wait_seconds: float) -> DeviceResult:
        """Test the device; a device's trouble is a result (fail), never an exception."""

    def expects_hands(self, settings: Settings) -> bool:
        """Whether the technician should put something in place first (the prompt): not for a device the
        settings say is not there, so a counter's set-up does not ask for an ID card it has no reader for."""
        return self.prompt is not None

    def live(self, settings: Settings) -> DeviceResult | None:
        """A quick look for `onewindow doctor` that prints, scans and waits for nothing: is the device there and
        ready now? None when there is no such look (the full test is the only one)."""
        return None


# --- scanner ----------------------------------------------------------------------------------------

SANE_FIND, SANE_PACKAGE = "sane-find-scanner", "sane-utils"  # what the technician runs and installs
SCANNER_ACTIONS: dict[str, Message] = {
    "no_device": Message("检查扫描仪的电源和USB线；`onewindow devices` 列出系统找到的扫描仪，把名称填入设置项 \"scanner\"。",
                         "Check the scanner's power and USB cable; `onewindow devices` lists what SANE finds: put "
                         "its name in the scanner setting."),
    "busy": Message("关闭其他正在使用扫描仪的程序，然后重新检测。", "Close any other program using the scanner, then test again."),
    "jammed": Message("取出卡住的纸张，然后重新检测。", "Remove the jammed paper, then test again."),
    "no_documents": Message("在进纸器中放一页纸，然后重新检测。", "Load a page into the feeder, then test again."),
    "cover_open": Message("关好扫描仪盖板，然后重新检测。", "Close the scanner's cover, then test again."),
}
SCANNER_OTHER = Message(f"重新检测；仍失败时用 {SANE_FIND} 检查驱动。",
                        f"Test again; if it fails again, check the driver with {SANE_FIND}.")


def _sane_scanners() -> list[str]:
    from kiosk.devices.sane_scanner import list_scanners

    return [s.name for s in list_scanners()]


def _sane_scanner(name: str) -> Scanner:
    from kiosk.devices.sane_scanner import SaneScanner

    return SaneScanner(name)


class ScannerTest(DeviceTest):
    device = "scanner"
    order = 20
    prompt = Message("在扫描仪上放一页测试纸。", "Put a test page on the scanner.")

    def __init__(self, find: Callable[[], list[str]] = _sane_scanners,
                 open_scanner: Callable[[str], Scanner] = _sane_scanner) -> None:
        self.find = find
        self.open_scanner = open_scanner

    def run(self, settings: Settings, *, wait_seconds: float) -> DeviceResult:
        name = settings.scanner.strip()
        if not name:
            try:
                found = self.find()
            except Exception as exc:  # noqa: BLE001 - SANE missing is a finding
                return DeviceResult(self.device, ABSENT, Message(f"无法查找扫描仪（{exc}）。", f"Scanners cannot be "
                                                                                         f"looked for ({exc})."),
                                    Message(f"需要扫描仪时安装扫描驱动（{SANE_PACKAGE}）。",
                                            f"Install SANE ({SANE_PACKAGE}) if this terminal needs a scanner."))
            if not found:
                return DeviceResult(self.device, ABSENT, Message("未设置也未找到扫描仪。", "No scanner is set or found."),
                                    Message("需要扫描仪时连接扫描仪后重新检测；不需要则无需处理。",
                                            "If this terminal needs a scanner, connect it and test again; if not, "
                                            "nothing to do."))
            name = found[0]
        scanner = self.open_scanner(name)
        try:
            pages = scanner.scan_now(ScanSettings(dpi=100, colour="grayscale"), timeout=max(60.0, wait_seconds))
        except ScannerError as exc:
            return DeviceResult(self.device, FAIL, exc.message, SCANNER_ACTIONS.get(exc.code, SCANNER_OTHER),
                                {"scanner": name, "code": exc.code, "detail": exc.detail})
        except TimeoutError:
            return DeviceResult(self.device, FAIL, Message(f"扫描仪 {name} 未在规定时间内完成扫描。",
                                                           f"The scanner {name} did not finish the scan in time."),
                                SCANNER_OTHER, {"scanner": name})
        finally:
            try:
                scanner.close().result(30)
            except Exception:  # noqa: BLE001 - closing is best effort; the result is what counts
                log.exception("closing scanner %s failed", name)
        if not pages or pages[0].image.width == 0:
            return DeviceResult(self.device, FAIL, Message(f"扫描仪 {name} 没有返回图像。",
                                                           f"The scanner {name} returned no image."),
                                SCANNER_OTHER, {"scanner": name})
        image = pages[0].image
        saved = evidence_dir(settings) / "scan-test.png"
        image.save(saved)
        keep = Message("", "") if settings.scanner else Message(f"；请在设置项 \"scanner\" 中填入 {name}",
                                                                 f"; put scanner = \"{name}\" in the settings")
        action = Message(f"查看 {saved}，确认图像清晰{keep.zh}。", f"Look at {saved} and check the image is sharp{keep.en}.")
        return DeviceResult(self.device, PASS, Message(f"扫描仪 {name} 扫描了一页（{image.width}×{image.height}像素）。",
                                                       f"The scanner {name} scanned a page ({image.width}×"
                                                       f"{image.height} px)."),
                            action, {"scanner": name, "width": image.width, "height": image.height,
                                     "image": str(saved)})


# --- document camera --------------------------------------------------------------------------------

def _v4l2_cameras() -> list[dict[str, Any]]:
    from kiosk.devices.v4l2 import list_cameras

    return list_cameras()


def grab_v4l2_frame(device: str, frames: int = 8) -> np.ndarray | None:
    """An RGB frame from a V4L2 node, after a few for the exposure to settle; None when it gives none."""
    import cv2

    capture = cv2.VideoCapture(device, cv2.CAP_V4L2)
    try:
        if not capture.isOpened():
            return None
        frame = None
        for _ in range(frames):
            ok, got = capture.read()
            if ok and got is not None:
                frame = got
        return None if frame is None else cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
    finally:
        capture.release()


CAMERA_CONNECT = Message("检查高拍仪的USB线，拔下重插后重新检测；`onewindow devices` 列出系统找到的摄像头。",
                         "Check the document camera's USB cable, plug it in again and test again; `onewindow devices` "
                         "lists the cameras the system finds.")


class CameraTest(DeviceTest):
    device = "camera"
    order = 30
    prompt = Message("在高拍仪下放一页有文字的纸。", "Put a page with text under the document camera.")

    def __init__(self, cameras: Callable[[], list[dict[str, Any]]] = _v4l2_cameras,
                 grab: Callable[[str], np.ndarray | None] | None = grab_v4l2_frame) -> None:
        """`grab` None: only look for the camera (doctor's live look)."""
        self.cameras = cameras
        self.grab = grab

    def live(self, settings: Settings) -> DeviceResult | None:
        return CameraTest(self.cameras, None).run(settings, wait_seconds=0)

    def expects_hands(self, settings: Settings) -> bool:
        return settings.camera.strip().lower() != "none"

    def run(self, settings: Settings, *, wait_seconds: float) -> DeviceResult:
        wanted = settings.camera.strip()
        if wanted.lower() == "none":
            return DeviceResult(self.device, ABSENT, Message("设置中写明本终端没有高拍仪（设置项 \"camera\" 为 \"none\"）。",
                                                             "The settings say this terminal has no document camera "
                                                             "(camera = \"none\")."))
        nodes = [c for c in self.cameras() if c.get("capture") is not False]
        if wanted and wanted.lower() != "default":
            nodes = [c for c in nodes if wanted.lower() in (c.get("name", "") + " " + c["device"]).lower()]
            if not nodes:
                return DeviceResult(self.device, FAIL, Message(f"未找到设置中的高拍仪“{wanted}”。",
                                                               f"The document camera \"{wanted}\" named in the "
                                                               "settings was not found."), CAMERA_CONNECT,
                                    {"camera": wanted})
        if not nodes:
            return DeviceResult(self.device, ABSENT, Message("未找到摄像头。", "No camera was found."),
                                Message("自助终端用高拍仪拍摄材料：连接后重新检测；窗口终端没有也可以。",
                                        "A kiosk photographs materials with a document camera: connect one and "
                                        "test again; a counter can do without."))
        camera = nodes[0]
        device, name = camera["device"], camera.get("name", "")
        if self.grab is None:
            return DeviceResult(self.device, PASS, Message(f"摄像头 {name}（{device}）已连接。",
                                                           f"The camera {name} ({device}) is connected."),
                                detail={"device": device, "name": name})
        frame = self.grab(device)
        detail: dict[str, Any] = {"device": device, "name": name}
        if frame is None or frame.size == 0:
            return DeviceResult(self.device, FAIL, Message(f"摄像头 {name}（{device}）没有给出画面。",
                                                           f"The camera {name} ({device}) gave no picture."),
                                Message("关闭可能占用摄像头的其他程序，拔下重插后重新检测。",
                                        "Close any other program that may use the camera, plug it in again and "
                                        "test again."), detail)
        spread = float(np.asarray(frame, dtype=np.float32).std())
        detail.update(width=int(frame.shape[1]), height=int(frame.shape[0]), stddev=round(spread, 1))
        if spread < UNIFORM_STDDEV:
            return DeviceResult(self.device, FAIL, Message(f"摄像头 {name} 的画面是一片纯色（镜头被遮住或没有光线）。",
                                                           f"The camera {name}'s picture is one flat colour (the lens "
                                                           "is covered or there is no light)."),
                                Message("取下镜头盖，打开补光灯，在镜头下放一页有文字的纸，然后重新检测。",
                                        "Take off the lens cap, switch on its light, put a page with text under it "
                                        "and test again."), detail)
        saved = evidence_dir(settings) / "camera-test.png"
        Image.fromarray(np.ascontiguousarray(frame[:, :, :3]).astype(np.uint8), "RGB").save(saved)
        detail["image"] = str(saved)
        return DeviceResult(self.device, PASS, Message(f"摄像头 {name} 拍到一帧画面（{frame.shape[1]}×{frame.shape[0]}）。",
                                                       f"The camera {name} took a frame ({frame.shape[1]}×"
                                                       f"{frame.shape[0]})."),
                            Message(f"查看 {saved}，确认文字清晰可读。", f"Look at {saved} and check the text is sharp."),
                            detail)


# --- ID card reader ---------------------------------------------------------------------------------

def _configured_reader(settings: Settings) -> IdCardReader | None:
    from kiosk.devices.idcard.factory import make_reader

    return make_reader(settings)


READER_CONNECT = Message("检查阅读器的USB线和 id_reader_port 设置中的端口；`onewindow devices --probe-ports` 可找到它。",
                         "Check the reader's USB cable and the port in the id_reader_port setting; `onewindow devices "
                         "--probe-ports` finds it.")


class IdCardTest(DeviceTest):
    device = "id_reader"
    order = 40
    prompt = Message("把一张身份证平放在阅读器上。", "Lay an ID card flat on the reader.")
    poll_interval = 0.5

    def __init__(self, make_reader: Callable[[Settings], IdCardReader | None] = _configured_reader) -> None:
        self.make_reader = make_reader

    def expects_hands(self, settings: Settings) -> bool:
        return settings.id_reader not in ("", "none")

    def live(self, settings: Settings) -> DeviceResult | None:
        """Whether the configured reader answers its status query (no card needed)."""
        reader = self.make_reader(settings)
        if reader is None:
            return DeviceResult(self.device, ABSENT, Message("未设置身份证阅读器。", "No ID card reader is set."))
        try:
            status = reader.probe_now(timeout=10)
        except IdCardError as exc:
            return DeviceResult(self.device, FAIL, exc.message, READER_CONNECT, {"code": exc.code})
        finally:
            try:
                reader.close().result(10)
            except Exception:  # noqa: BLE001 - closing is best effort
                log.exception("closing the ID card reader failed")
        return DeviceResult(self.device, PASS, Message("身份证阅读器有应答。", "The ID card reader answers."),
                            detail={"status": status})

    def run(self, settings: Settings, *, wait_seconds: float) -> DeviceResult:
        reader = self.make_reader(settings)
        if reader is None:
            return DeviceResult(self.device, ABSENT, Message("未设置身份证阅读器（id_reader 为空）。",
                                                             "No ID card reader is set (id_reader is empty)."),
                                Message("有阅读器时设置 id_reader = \"serial\" 和 id_reader_port，然后重新检测。",
                                        "If there is a reader, set id_reader = \"serial\" and id_reader_port, then "
                                        "test again."))
        detail: dict[str, Any] = {"reader": settings.id_reader, "port": settings.id_reader_port}
        try:
            try:
                detail["status"] = reader.probe_now(timeout=10)
            except IdCardError as exc:
                return DeviceResult(self.device, FAIL, exc.message, READER_CONNECT, {**detail, "code": exc.code})
            card, last = self._wait_for_card(reader, wait_seconds)
        finally:
            try:
                reader.close().result(10)
            except Exception:  # noqa: BLE001 - closing is best effort
                log.exception("closing the ID card reader failed")
        if card is None:
            if last is not None and last.code in ("invalid_number", "unsupported_card"):
                return DeviceResult(self.device, FAIL, last.message, Message(
                    "阅读器能读卡，但这张证件不能用于测试：换一张居民身份证后重新检测。",
                    "The reader reads cards, but this one cannot be used for the test: lay a resident ID card on it "
                    "and test again."), {**detail, "code": last.code})
            reason = last.message if last is not None and last.code != "no_card" else Message(
                f"阅读器有应答，但 {wait_seconds:.0f} 秒内没有读到身份证。",
                f"The reader answers, but no ID card was read within {wait_seconds:.0f} s.")
            return DeviceResult(self.device, FAIL, reason, Message(
                "把身份证平放在阅读器感应区上，读完前不要移动，然后重新检测。",
                "Lay an ID card flat on the reader, keep it still until it is read, and test again."),
                {**detail, "code": last.code if last else "no_card"})
        masked = mask_id(card.id_number)
        return DeviceResult(self.device, PASS, Message(f"读到了 {card.name} 的身份证（{masked}）。",
                                                       f"Read the ID card of {card.name} ({masked})."),
                            detail={**detail, "id_number": masked})

    def _wait_for_card(self, reader: IdCardReader, wait_seconds: float) -> tuple[IdCardData | None, IdCardError | None]:
        deadline = time.monotonic() + wait_seconds
        last: IdCardError | None = None
        while True:
            try:
                card = reader.poll().result(15)
            except IdCardError as exc:
                last, card = exc, None
                if exc.code in ("no_device",):
                    return None, exc
            if card is not None:
                return card, None
            if time.monotonic() >= deadline:
                return None, last
            time.sleep(min(self.poll_interval, max(0.0, deadline - time.monotonic())))  # between two looks


BUILT_IN: tuple[DeviceTest, ...] = (ScannerTest(), CameraTest(), IdCardTest())
