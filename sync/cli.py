"""Terminal-side sync commands: `enroll`, `sync`, `status`, `demo-data`."""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from kiosk.cli import EXIT_INVALID, EXIT_OK, EXIT_PENDING


def _home_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--home", dest="sub_home", type=Path, default=None, help="data directory (as the global --home)")


def _terminal(args: argparse.Namespace):  # -> kiosk.terminal.Terminal
    from kiosk.cli import terminal_from_args

    if getattr(args, "sub_home", None) is not None:
        args.home = args.sub_home
        os.environ["ONEWINDOW_HOME"] = str(Path(args.sub_home).expanduser().resolve())
    return terminal_from_args(args)


# --- enroll -------------------------------------------------------------------------------------

def register_enroll(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("enroll", help="enroll this terminal with the platform using a one-time code")
    p.add_argument("--platform", default=None, help="platform API URL (default: the platform_url setting)")
    p.add_argument("--code", required=True, help="the one-time code from `onewindow platform enroll-code`")
    p.add_argument("--ca", type=Path, default=None, help="CA certificate file to trust for the platform's TLS")
    p.add_argument("--insecure", action="store_true",
                   help="allow plain http:// to another machine (a lab only: the token then travels in clear)")
    _home_option(p)
    p.set_defaults(handler=run_enroll)


def _is_loopback(host: str | None) -> bool:
    import ipaddress

    if host is None:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_transport(url: str, insecure: bool) -> None:
    """Enrollment sends the one-time code and receives the device token: never in clear to another machine.

    Loopback (the embedded local platform, tests) stays allowed; `--insecure`
    allows a lab's plain http with a warning.
    """
    from urllib.parse import urlsplit

    from kiosk.errors import Message, UserFacingError

    parts = urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and _is_loopback(parts.hostname)):
        return
    if parts.scheme != "http":
        raise UserFacingError(Message(f"平台地址 {url} 无效，须为 https://平台域名/api/v1 形式的加密地址。",
                                      f"The platform URL {url} must start with https://."),
                              code="platform_url")
    if not insecure:
        raise UserFacingError(Message(
            f"拒绝以未加密方式（{url}）向 {parts.hostname} 注册：注册码和设备令牌将以明文传输，可被同一网络中的任何人截获。"
            f"请改用加密地址 https://{parts.hostname}/api/v1（并用 --ca 指定平台证书）；仅在实验环境中可加 --insecure。",
            f"Refusing to enroll with {parts.hostname} over plain http: the enrollment code and the device token would "
            "travel in clear, readable by anyone on the network. Use an https:// URL (with --ca for the platform's "
            "certificate); only in a lab, add --insecure."), code="insecure_transport")
    print(f"警告：正在以未加密方式（{url}）注册（--insecure），设备令牌以明文传输，仅限实验环境。 / "
          f"Warning: enrolling with {parts.hostname} over plain http (--insecure); the device token travels in clear. "
          "For a lab only.", file=sys.stderr)


def run_enroll(args: argparse.Namespace) -> int:
    from kiosk.errors import Message, UserFacingError
    from sync.client import Offline, PlatformClient, Refused
    from sync.credentials import check_ca_file, credential_from_enrollment, save_enrollment

    terminal = _terminal(args)
    url = (args.platform or terminal.settings.platform_url).rstrip("/")
    _check_transport(url, args.insecure)
    ca = str(args.ca.resolve()) if args.ca else None
    if ca:
        check_ca_file(ca)
    client = PlatformClient(url, verify=ca or True)
    try:
        answer = client.json("POST", "enroll", json_body={"code": args.code})
    except Refused as exc:
        raise UserFacingError(exc.message, code="enrollment_refused") from None
    except Offline as exc:
        raise UserFacingError(Message(f"无法连接平台：{exc}", f"Cannot reach the platform: {exc}"), code="offline") from None
    credential = credential_from_enrollment(answer, url, ca)
    path = save_enrollment(terminal.store, credential)
    _pin_update_root(terminal.settings, credential)
    if credential.hall_code != terminal.settings.hall_code:
        print(f"注意：平台注册的大厅为 {credential.hall_code}，本机配置为 {terminal.settings.hall_code}；"
              f"申请将被平台拒绝，请修改 hall_code。 / Warning: enrolled for hall {credential.hall_code} but this "
              f"terminal is configured for hall {terminal.settings.hall_code}; the platform will refuse its "
              "applications until hall_code is changed.", file=sys.stderr)
    if credential.device_no is None:
        print("注意：平台未分配设备编号（平台版本较旧），回执编号将使用配置中的 device_no。 / Warning: the platform "
              "assigned no device number (an older platform); receipt numbers use the device_no setting.",
              file=sys.stderr)
    if terminal.settings.device_kind == "counter" and not credential.is_counter:
        print("注意：本机配置为窗口终端，但平台将其注册为自助终端（kiosk），其决定将被平台拒绝；请用 --role counter 的注册码"
              "重新注册。 / Warning: this terminal is configured as a counter but the platform enrolled it as a kiosk, "
              "so the platform will refuse its decisions; enroll it again with a code made with --role counter.",
              file=sys.stderr)
    print(json.dumps({"device_id": credential.device_id, "device_no": credential.device_no,
                      "hall_code": credential.hall_code, "device_name": credential.device_name, "role": credential.role,
                      "credential_file": str(path)}, ensure_ascii=False))
    return EXIT_OK


def _pin_update_root(settings: Any, credential: Any) -> None:
    """Trust in updates starts here, over the link the technician just authenticated (sync.updates)."""
    from tuf.api import exceptions

    from sync.updates import pin_root

    try:
        pin_root(settings, credential.platform_url, credential.token, verify=credential.verify)
    except (exceptions.DownloadError, exceptions.RepositoryError, ValueError) as exc:
        print(f"注意：未能获取平台的更新根密钥，终端不会自动更新，稍后请运行 onewindow update pin。 / Warning: the "
              f"platform's update root could not be pinned ({exc}); this terminal will not update itself until "
              "`onewindow update pin` succeeds.", file=sys.stderr)


# --- sync ---------------------------------------------------------------------------------------

def register_sync(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("sync", help="sync with the platform: push applications and attachments, pull changes")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="one pass (the default)")
    mode.add_argument("--until-idle", action="store_true", help="passes until nothing is pending or the link stays down")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--timeout", type=float, default=600.0, help="give up --until-idle after this many seconds")
    p.add_argument("--idle-passes", type=int, default=5, help="give up after this many passes without progress")
    p.add_argument("--backoff-base", type=float, default=2.0, help="seconds of the first retry delay (doubles, jittered)")
    p.add_argument("--backoff-cap", type=float, default=300.0, help="longest retry delay in seconds")
    p.add_argument("--chunk-kb", type=int, default=None,
                   help="a fixed upload chunk size in KB (default: sized to the link, larger while chunks get through)")
    p.add_argument("--connect-timeout", type=float, default=5.0)
    p.add_argument("--read-timeout", type=float, default=30.0, help="also the stall limit for uploads")
    _home_option(p)
    p.set_defaults(handler=run_sync)


def _merge(total: dict[str, Any], report: dict[str, Any]) -> None:
    for key in ("pushed", "sent", "conflicts", "rejected", "uploaded_files", "uploaded_bytes", "pulled",
                "decisions_sent", "downloaded_files", "downloaded_bytes"):
        total[key] = total.get(key, 0) + report[key]
    for key in ("online", "pending", "pending_bytes", "count_check", "decisions_waiting", "downloads_pending"):
        total[key] = report[key]
    total["catalog_updated"] = total.get("catalog_updated", False) or report["catalog_updated"]
    total["errors"] = report["errors"]
    total["passes"] = total.get("passes", 0) + 1


def run_sync(args: argparse.Namespace) -> int:
    from kiosk.retry import RetryPolicy
    from sync.client import PlatformClient, Timeouts
    from sync.credentials import require_credential
    from sync.engine import SyncEngine
    from sync.upload import UploadPolicy

    terminal = _terminal(args)
    credential = require_credential(terminal.settings)
    client = PlatformClient.for_credential(credential, Timeouts(args.connect_timeout, args.read_timeout))
    retry = RetryPolicy(args.backoff_base, args.backoff_cap)
    engine = SyncEngine(terminal, client, retry=retry,
                        chunk_bytes=None if args.chunk_kb is None else max(1, args.chunk_kb) * 1024,
                        upload_policy=UploadPolicy(retry=RetryPolicy(min(args.backoff_base, 0.2), args.backoff_cap)))
    total: dict[str, Any] = {}
    deadline = time.monotonic() + args.timeout
    idle = 0
    while True:
        report = engine.run_pass()
        _merge(total, report.as_dict())
        if not args.until_idle or report.pending == 0:
            break
        idle = 0 if report.progressed else idle + 1
        if idle >= args.idle_passes or time.monotonic() >= deadline:
            break
        wait = engine.next_due_in() or 0.0
        if not report.online:
            wait = max(wait, retry.delay(idle))
        time.sleep(max(0.0, min(wait, deadline - time.monotonic(), args.backoff_cap)))
    if args.json:
        print(json.dumps(total, ensure_ascii=False))
    else:
        print(f"推送 pushed {total['pushed']}, 已确认 confirmed {total['sent']}, 上传 uploaded {total['uploaded_files']} "
              f"files / {total['uploaded_bytes']} bytes, 决定 decisions {total['decisions_sent']}, "
              f"拉取 pulled {total['pulled']} changes, 下载 downloaded {total['downloaded_files']} files, "
              f"冲突 conflicts {total['conflicts']}, 拒收 rejected {total['rejected']}, "
              f"待同步 pending {total['pending']} ({total['pending_bytes']} bytes)")
        for error in total["errors"]:
            print(f"  ! {error}", file=sys.stderr)
    return EXIT_PENDING if total["pending"] else EXIT_OK


# --- status lookup ------------------------------------------------------------------------------

def register_status(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("status", help="look up an application by receipt number or case number")
    p.add_argument("number", help="receipt number, case number or application id")
    p.add_argument("--json", action="store_true")
    p.add_argument("--offline", action="store_true", help="answer from the local store only")
    _home_option(p)
    p.set_defaults(handler=run_status)


def run_status(args: argparse.Namespace) -> int:
    from sync.status_lookup import lookup

    terminal = _terminal(args)
    result = lookup(terminal, args.number.strip(), online=not args.offline)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        for line in result["lines"]:
            print(line)
    return EXIT_OK if result["found"] else EXIT_INVALID


# --- demo data ----------------------------------------------------------------------------------

def register_demo_data(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("demo-data", help="submit realistic demo applications with incompressible page images")
    p.add_argument("--applications", type=int, required=True)
    p.add_argument("--pages", type=int, default=3, help="pages per application (at least one per required material)")
    p.add_argument("--page-kb", type=int, default=300, help="size of each page image in KB")
    p.add_argument("--seed", type=int, default=None)
    _home_option(p)
    p.set_defaults(handler=run_demo_data)


def run_demo_data(args: argparse.Namespace) -> int:
    from sync.demo_data import submit_demo

    if not (1 <= args.applications <= 100000 and 0 <= args.pages <= 200 and 1 <= args.page_kb <= 20000):
        print("参数超出范围 / arguments out of range", file=sys.stderr)
        return EXIT_INVALID
    terminal = _terminal(args)
    results = submit_demo(terminal, args.applications, args.pages, args.page_kb, seed=args.seed)
    print(json.dumps({"submitted": len(results), "receipts": [r.receipt_no for r in results]}, ensure_ascii=False))
    return EXIT_OK
