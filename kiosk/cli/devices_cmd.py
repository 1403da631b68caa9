"""`onewindow devices`: the ID card readers, scanners and cameras this machine has (set-up checks, IT staff)."""
from __future__ import annotations

import argparse
import json
from typing import Any

from kiosk.devices.v4l2 import list_cameras

__all__ = ["list_cameras", "list_scanner_dicts", "register", "run"]


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("devices", help="list ID card readers, scanners and cameras")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--probe-ports", action="store_true",
                   help="also send a status query to every candidate serial port (not only the configured reader)")
    p.add_argument("--no-scanners", action="store_true", help="skip asking SANE (it can take a while on a network)")
    p.set_defaults(handler=run)


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
