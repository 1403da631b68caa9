"""`onewindow platform ...`: run the reference platform and handle cases online."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from kiosk.catalog import read_catalog_file


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("platform", help="the reference central platform (server and online handling)")
    psub = p.add_subparsers(dest="platform_command", metavar="ACTION", required=True)

    def common(q: argparse.ArgumentParser) -> None:
        q.add_argument("--home", dest="platform_home", type=Path, required=True, help="the platform's data directory")
        q.add_argument("--db", default=None, help="database URL (default: SQLite in the home, or the one `serve --db` recorded)")

    q = psub.add_parser("serve", help="run the platform's HTTP API")
    common(q)
    q.add_argument("--host", default="127.0.0.1")
    q.add_argument("--port", type=int, default=8765)
    q.add_argument("--tls-cert", type=Path, default=None)
    q.add_argument("--tls-key", type=Path, default=None)
    q.add_argument("--max-json-kb", type=int, default=2048, help="largest JSON request body")
    q.add_argument("--max-chunk-kb", type=int, default=4096, help="largest upload chunk (PATCH body)")
    q.add_argument("--max-upload-mb", type=int, default=64, help="largest attachment")
    q.add_argument("--header-timeout", type=float, default=10.0, help="seconds a request head may take to arrive")
    q.add_argument("--body-timeout", type=float, default=15.0,
                   help="seconds a request body may stall (and the grace before --body-min-rate applies)")
    q.add_argument("--body-min-rate", type=int, default=1024, help="slowest average body rate in bytes per second")
    q.add_argument("--max-connections", type=int, default=1000, help="connections held at once, in total")
    q.add_argument("--max-connections-per-peer", type=int, default=64, help="connections held at once per client address")
    q.add_argument("--max-requests-per-device", type=int, default=16, help="requests in flight per device token")
    q.add_argument("--behind-proxy", action="store_true",
                   help="nginx (deploy/nginx/) is in front: no per-address cap (every connection is the proxy's); "
                        "needs a loopback --host, so nothing reaches the platform around the proxy")
    q.set_defaults(handler=serve)

    q = psub.add_parser("enroll-code", help="print a one-time enrollment code for a new device")
    common(q)
    q.add_argument("--hall", required=True, help="hall code the device will belong to")
    q.add_argument("--device-name", required=True)
    q.add_argument("--ttl-minutes", type=int, default=30, help="minutes until the code expires")
    q.set_defaults(handler=enroll_code)

    q = psub.add_parser("revoke-device", help="revoke a device's credential")
    common(q)
    q.add_argument("device_id", type=int)
    q.set_defaults(handler=revoke_device)

    q = psub.add_parser("cases", help="list received cases")
    common(q)
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=list_cases)

    q = psub.add_parser("decide", help="move a case (online handling); the hall sees it through the changes feed")
    common(q)
    q.add_argument("case", metavar="CASE_OR_ID", help="case number or application UUID")
    q.add_argument("--to", required=True, choices=["accepted", "needs_supplement", "approved", "rejected"])
    q.add_argument("--note", required=True)
    q.add_argument("--missing", nargs="*", default=[], metavar="MATERIAL_CODE",
                   help="materials to supplement (needed with --to needs_supplement)")
    q.set_defaults(handler=decide)

    q = psub.add_parser("submit-online", help="take an application submitted online and assign it to a hall "
                                              "for checking the originals in person")
    common(q)
    q.add_argument("--hall", required=True, help="hall code the case is assigned to")
    q.add_argument("file", type=Path, help="the application as JSON, the shape `onewindow submit` takes (file paths)")
    q.set_defaults(handler=submit_online)

    q = psub.add_parser("doctor", help="schema, device numbers per hall, and files left by interrupted uploads")
    common(q)
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=doctor)

    q = psub.add_parser("purge", help="remove files left by interrupted uploads (untouched for an hour or more)")
    common(q)
    q.add_argument("--dry-run", action="store_true", help="list what would be removed; remove nothing")
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=purge)

    q = psub.add_parser("publish-catalog", help="validate and publish a service catalog to every terminal")
    common(q)
    q.add_argument("file", type=Path)
    q.set_defaults(handler=publish_catalog)


def _store(args: argparse.Namespace):  # -> PlatformStore
    from sync.server.db import open_platform

    return open_platform(args.platform_home, args.db)


def serve(args: argparse.Namespace) -> int:
    import logging

    import uvicorn

    from kiosk.child_process import die_with_parent
    from sync.server.app import Limits, create_app
    from sync.server.db import remember_db_url
    from sync.server.http_limits import ConnectionLimits, bounded_protocol

    die_with_parent()  # started by a window as its local platform: it ends with that window (kiosk.child_process)

    if (args.tls_cert is None) != (args.tls_key is None):
        print("--tls-cert 与 --tls-key 须同时给出 / give both --tls-cert and --tls-key", file=sys.stderr)
        return 2
    if args.behind_proxy and args.host not in ("127.0.0.1", "::1", "localhost"):
        print("--behind-proxy 时须监听本机回环地址（--host 127.0.0.1），否则可绕过 nginx 的限制直连平台 / with "
              "--behind-proxy listen on loopback (--host 127.0.0.1), or clients could bypass nginx's limits",
              file=sys.stderr)
        return 2
    from sync.server.uploads import remove_leftovers

    store = _store(args)
    if args.db:
        remember_db_url(store.home, args.db)
    logging.basicConfig(level=logging.INFO)
    # Chunks of requests a previous platform process was serving when it died; nothing will ever finish them.
    cleaned = remove_leftovers(store).stale
    if cleaned:
        logging.getLogger("onewindow.platform").info(
            "removed %d file(s) left by interrupted uploads (%d bytes)", len(cleaned), sum(f.size for f in cleaned))
    limits = Limits(max_json_bytes=args.max_json_kb * 1024, max_chunk_bytes=args.max_chunk_kb * 1024,
                    max_upload_bytes=args.max_upload_mb * 1024 * 1024,
                    max_requests_per_device=args.max_requests_per_device)
    connections = ConnectionLimits(
        header_timeout=args.header_timeout, body_idle_timeout=args.body_timeout, body_min_rate=args.body_min_rate,
        max_connections=_connection_cap(args.max_connections),
        max_per_peer=None if args.behind_proxy else args.max_connections_per_peer)
    uvicorn.run(create_app(store, limits), host=args.host, port=args.port, log_level="warning",
                http=bounded_protocol(connections), timeout_keep_alive=30, backlog=2048,
                ssl_certfile=str(args.tls_cert) if args.tls_cert else None,
                ssl_keyfile=str(args.tls_key) if args.tls_key else None)
    return 0


def _connection_cap(wanted: int) -> int:
    """The connection cap the process's descriptor limit can hold (raised to its hard limit first).

    Past the limit `accept` fails and asyncio retries it a second later, for
    ever: the platform then looks dead to everyone. Below it, a connection past
    the cap is answered 503 and closed at once.
    """
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        try:
            target = 65536 if hard == resource.RLIM_INFINITY else hard
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return max(16, min(wanted, soft - 128))  # descriptors for the database, blobs and chunk files


def enroll_code(args: argparse.Namespace) -> int:
    from sync.server.enrollment import create_code

    print(create_code(_store(args), args.hall, args.device_name, args.ttl_minutes))
    return 0


def revoke_device(args: argparse.Namespace) -> int:
    from sync.server.enrollment import revoke

    if not revoke(_store(args), args.device_id):
        print(f"没有设备 {args.device_id} / no device {args.device_id}", file=sys.stderr)
        return 2
    return 0


def list_cases(args: argparse.Namespace) -> int:
    from sync.server.cases import list_cases as cases

    rows = cases(_store(args))
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for r in rows:
        arrived = sum(1 for a in r["attachments"] if a["arrived"])
        print(f"{r['case_no'] or '-':28} {r['status']:17} {r['id']} {r['service_item']} "
              f"attachments {arrived}/{len(r['attachments'])}" + (f" conflicts {r['conflicts']}" if r["conflicts"] else "")
              + (" online" if r.get("channel") == "online" else ""))
    return 0


def decide(args: argparse.Namespace) -> int:
    from sync.server.cases import decide as do_decide

    row = do_decide(_store(args), args.case, args.to, args.note, list(args.missing or []), actor="staff:cli")
    print(json.dumps({"id": row["id"], "case_no": row["case_no"], "status": row["status"]}, ensure_ascii=False))
    return 0


def submit_online(args: argparse.Namespace) -> int:
    from kiosk.submission_file import read_submission_file
    from sync.server.online import submit_online as do_submit

    doc, base = read_submission_file(args.file)
    result = do_submit(_store(args), args.hall, doc, base)
    out = {"id": result.id, "case_no": result.case_no, "hall_code": result.hall_code,
           "promised_date": result.promised_date.isoformat()}
    if result.duplicate:
        out["duplicate"] = True
    print(json.dumps(out, ensure_ascii=False))
    return 0


def _leftover_lines(removed: bool, stale: list[Any], young: list[Any]) -> list[str]:
    verb = ("已删除", "removed") if removed else ("可删除", "to remove")
    lines = [f"中断上传遗留文件 leftover upload files: {len(stale)} {verb[0]} / {verb[1]} "
             f"({sum(f.size for f in stale)} bytes), {len(young)} 一小时内仍有写入，保留 / written to within the hour, kept"]
    lines += [f"  {f.kind:8} {f.size:>10}  {f.path}" for f in stale]
    return lines


def doctor(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from sync.server.models import Device, ReceiptCollision, SchemaInfo
    from sync.server.uploads import leftover_files

    store = _store(args)
    scan = leftover_files(store)
    with store.transaction() as session:
        version = session.scalar(select(SchemaInfo.version))
        halls = [{"hall_code": hall, "devices": int(n), "highest_device_no": top, "revoked": int(revoked or 0)}
                 for hall, n, top, revoked in session.execute(
                     select(Device.hall_code, func.count(), func.max(Device.device_no), func.count(Device.revoked_at))
                     .where(Device.device_no.is_not(None)).group_by(Device.hall_code).order_by(Device.hall_code))]
        collisions = [{"hall_code": hall, "receipt_no": receipt, "case_uuid": case_uuid}
                      for hall, receipt, case_uuid in session.execute(
                          select(ReceiptCollision.hall_code, ReceiptCollision.receipt_no, ReceiptCollision.case_uuid)
                          .order_by(ReceiptCollision.id))]
    report = {"schema_version": version, "halls": halls, "receipt_collisions": collisions,
              "leftover_files": [f.as_dict() for f in scan.stale], "young_files_kept": len(scan.young)}
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(f"平台数据库 platform database: schema {version}, {store.home}")
        for h in halls:
            print(f"大厅 hall {h['hall_code']}: {h['devices']} 台设备 devices ({h['revoked']} 已停用 revoked), "
                  f"最大设备编号 highest device number {h['highest_device_no']}")
        for c in collisions:
            print(f"回执编号重复 duplicate receipt number {c['receipt_no']} (hall {c['hall_code']}): 申请 application "
                  f"{c['case_uuid']} 被拒收 was refused; 按此编号查询将被拒绝 lookups by this number are refused")
        for line in _leftover_lines(False, scan.stale, scan.young):
            print(line)
    return 0


def purge(args: argparse.Namespace) -> int:
    from sync.server.uploads import remove_leftovers

    scan = remove_leftovers(_store(args), dry_run=args.dry_run)
    if args.json:
        print(json.dumps({"dry_run": args.dry_run, "removed" if not args.dry_run else "would_remove":
                          [f.as_dict() for f in scan.stale], "young_files_kept": len(scan.young)},
                         ensure_ascii=False, indent=2))
    else:
        for line in _leftover_lines(not args.dry_run, scan.stale, scan.young):
            print(line)
    return 0


def publish_catalog(args: argparse.Namespace) -> int:
    from sync.server.models import PublishedCatalog

    catalog = read_catalog_file(args.file)  # refuses an incomplete catalog, listing every problem
    store = _store(args)
    with store.transaction() as session:
        session.add(PublishedCatalog(version=catalog.version, etag=catalog.etag, document=catalog.document))
    print(json.dumps({"version": catalog.version, "etag": catalog.etag}))
    return 0
