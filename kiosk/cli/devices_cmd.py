"""`onewindow devices`: the ID card readers, scanners and cameras this machine has (set-up checks, IT staff)."""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("devices", help="list ID card readers, scanners and cameras")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--probe-ports", action="store_true",
                   help="also send a status query to every candidate serial port (not only the configured reader)")
    p.add_argument("--no-scanners", action="store_true", help="skip asking SANE (it can take a while on a network)")
    p.set_defaults(handler=run)


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


def list_scanner_dicts() -> tuple[list[dict[str, Any]], str]:
    try:
        from kiosk.devices.sane_scanner import list_scanners

        return [dict(s.__dict__) for s in list_scanners()], ""
    except Exception as exc:  # noqa: BLE001 - SANE missing or failing is a finding, not a crash
        return [], f"{type(exc).__name__}: {exc}"


def run(args: argparse.Namespace) -> int:
    from kiosk.devices.idcard.discovery import list_readers
    from kiosk.devices.idcard.factory import make_reader
    from kiosk.settings import load_settings

    settings = load_settings(getattr(args, "home", None))
    settings.validate()
    reader = make_reader(settings)
    try:
        readers = list_readers(reader, settings.id_reader_port, probe_candidates=args.probe_ports)
    finally:
        if reader is not None:
            reader.close().result(10)
    scanners, scanner_error = ([], "skipped") if args.no_scanners else list_scanner_dicts()
    report = {"id_card_readers": [r.as_dict() for r in readers], "scanners": scanners,
              "scanner_error": scanner_error, "cameras": list_cameras()}
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    print("身份证阅读器 / ID card readers:")
    for r in readers:
        answer = {True: "应答 / answers", False: "无应答 / no answer", None: "未询问 / not asked"}[r.answers]
        mark = " [已配置 / configured]" if r.configured else ""
        print(f"  {r.port}{mark}  {r.why}  {answer}  {r.status}".rstrip())
    if not readers:
        print("  （无 / none）")
    print("扫描仪 / Scanners:")
    for s in scanners:
        print(f"  {s['name']}  {s['vendor']} {s['model']}  {s['kind']}")
    if not scanners:
        print(f"  （无 / none）{'  ' + scanner_error if scanner_error else ''}")
    print("摄像头 / Cameras:")
    for c in report["cameras"]:
        capture = {True: "可拍摄 / capture", False: "非拍摄节点 / not a capture node", None: "未知 / unknown"}[c["capture"]]
        print(f"  {c['device']}  {c['name']}  {capture}")
    if not report["cameras"]:
        print("  （无 / none）")
    return 0
