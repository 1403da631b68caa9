"""Document cameras: frames in, pages out.

The UVC "high-shot" cameras on hall counters are opened by the UI with Qt
Multimedia, which delivers video frames on its own schedule; the UI hands
each frame's raw bytes (or a numpy array) to a `FrameSource` here, with no
Qt type crossing into this layer. When the clerk presses "capture", the
newest frame becomes a `CapturedPage` and goes through the same pipeline as
a scan. A frame has no dpi: the pipeline works it out from the sheet.
"""
from __future__ import annotations

import io
import threading
from dataclasses import dataclass

import numpy as np
from PIL import Image

from kiosk.devices.base import Scanner, ScannerError, ScanSettings
from kiosk.devices.thread import CAMERAS, DeviceThread, device_thread
from kiosk.materials.pages import CapturedPage

# Pixel layouts a frame may arrive in. Qt's QImage.Format_RGB32/ARGB32 are
# "BGRA" in memory on little-endian machines; MJPEG cameras give "JPEG".
FORMATS = {"RGB": 3, "BGR": 3, "RGBA": 4, "BGRA": 4, "RGBX": 4, "BGRX": 4, "GRAY": 1, "JPEG": 0}
MAX_FRAME_PIXELS = 40_000_000


@dataclass(frozen=True)
class Frame:
    pixels: np.ndarray  # H x W (gray) or H x W x 3 (RGB), uint8, owned (a copy)


def frame_from_bytes(data: bytes, width: int, height: int, fmt: str, stride: int | None = None) -> Frame:
    """Copy a raw frame out of the caller's buffer (Qt reuses its buffers) into an RGB or gray array."""
    fmt = fmt.upper()
    if fmt not in FORMATS:
        raise ValueError(f"unknown frame format {fmt!r}; expected one of {sorted(FORMATS)}")
    if fmt == "JPEG":
        with Image.open(io.BytesIO(data)) as img:
            if img.width * img.height > MAX_FRAME_PIXELS:
                raise ValueError("frame too large")
            return Frame(np.asarray(img.convert("RGB")).copy())
    if width <= 0 or height <= 0 or width * height > MAX_FRAME_PIXELS:
        raise ValueError(f"bad frame size {width}x{height}")
    channels = FORMATS[fmt]
    row = width * channels
    stride = stride or row
    if stride < row or len(data) < stride * (height - 1) + row:
        raise ValueError(f"frame buffer too short for {width}x{height} {fmt} (stride {stride})")
    buf = np.frombuffer(data, dtype=np.uint8, count=stride * (height - 1) + row)
    rows = np.lib.stride_tricks.as_strided(buf, shape=(height, row), strides=(stride, 1))
    pixels = rows.reshape(height, width, channels) if channels > 1 else rows.reshape(height, width)
    if fmt in ("BGR", "BGRA", "BGRX"):
        pixels = pixels[:, :, 2::-1]
    elif fmt in ("RGBA", "RGBX"):
        pixels = pixels[:, :, :3]
    return Frame(np.ascontiguousarray(pixels))


def frame_from_array(array: np.ndarray, fmt: str = "RGB") -> Frame:
    array = np.asarray(array)
    if array.dtype != np.uint8 or array.ndim not in (2, 3):
        raise ValueError("a frame is an H x W or H x W x C uint8 array")
    if array.ndim == 2:
        return Frame(array.copy())
    height, width, channels = array.shape
    return frame_from_bytes(np.ascontiguousarray(array).tobytes(), width, height, fmt, stride=width * channels)


class FrameSource(Scanner):
    """A document camera as a scanner: `push_*` from the UI's frame callback, `scan` to capture."""

    transport = "camera"

    def __init__(self, name: str = "camera", thread: DeviceThread | None = None) -> None:
        super().__init__(name, thread or device_thread(CAMERAS))  # not behind a stuck scanner
        self._lock = threading.Lock()
        self._latest: Frame | None = None
        self.frames_seen = 0

    def push_frame(self, frame: Frame) -> None:
        """Keep only the newest frame: a camera sends 15-30 a second and only one is captured."""
        with self._lock:
            self._latest = frame
            self.frames_seen += 1

    def latest(self) -> tuple[Frame | None, int]:
        """The newest frame and how many have arrived: the preview and the stillness watch poll this."""
        with self._lock:
            return self._latest, self.frames_seen

    def push_bytes(self, data: bytes, width: int, height: int, fmt: str, stride: int | None = None) -> None:
        self.push_frame(frame_from_bytes(data, width, height, fmt, stride))

    def push_array(self, array: np.ndarray, fmt: str = "RGB") -> None:
        self.push_frame(frame_from_array(array, fmt))

    def _scan(self, settings: ScanSettings) -> list[CapturedPage]:
        with self._lock:
            frame = self._latest
        if frame is None:
            raise ScannerError("no_device", "no frame has arrived from the camera")
        mode = "L" if frame.pixels.ndim == 2 else "RGB"
        image = Image.fromarray(frame.pixels, mode)
        if settings.colour != "colour" and mode == "RGB":
            image = image.convert("L")
        return [CapturedPage(image=image, dpi=None, source="camera", label=self.name)]
