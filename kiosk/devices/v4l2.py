"""V4L2 video devices (document cameras) as the kernel lists them: no Qt, for `onewindow devices` and set-up."""
from __future__ import annotations

from pathlib import Path
from typing import Any


def list_cameras(sys_root: Path = Path("/sys/class/video4linux"), dev_root: Path = Path("/dev")) -> list[dict[str, Any]]:
    """V4L2 devices by their sysfs name; `capture` from the driver's capabilities when the node opens."""
    cameras = []
    if not sys_root.is_dir():
        return cameras
    for node in sorted(sys_root.iterdir(), key=lambda p: (len(p.name), p.name)):
        name_file = node / "name"
        name = name_file.read_text(encoding="utf-8", errors="replace").strip() if name_file.is_file() else ""
        device = dev_root / node.name
        cameras.append({"device": str(device), "name": name, "capture": _can_capture(device)})
    return cameras


def _can_capture(device: Path) -> bool | None:
    """VIDIOC_QUERYCAP's device capabilities: a video-capture node (a UVC camera also has metadata nodes)."""
    import fcntl
    import os
    import struct

    vidioc_querycap = 0x80685600  # _IOR('V', 0, struct v4l2_capability), 104 bytes
    try:
        fd = os.open(device, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        buf = bytearray(104)
        fcntl.ioctl(fd, vidioc_querycap, buf)
    except OSError:
        return None
    finally:
        os.close(fd)
    capabilities, device_caps = struct.unpack_from("<II", buf, 84)
    caps = device_caps if capabilities & 0x80000000 else capabilities  # V4L2_CAP_DEVICE_CAPS
    return bool(caps & (0x1 | 0x1000))  # VIDEO_CAPTURE or VIDEO_CAPTURE_MPLANE
