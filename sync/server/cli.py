"""`onewindow platform ...`: run the reference platform and handle cases online."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from kiosk.catalog import read_catalog_file
from sync.server.password_prompt import read_password


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("platform", help="the reference central platform (server and online handling)")
    psub = p.add_subparsers(dest="platform_command", metavar="ACTION", required=True)

    def common(q: argparse.ArgumentParser) -> None:
        q.add_argument("--home", dest="platform_home", type=Path, required=True, help="the platform's data directory")
        q.add_argument("--db", default=None, help="database URL (default: SQLite in the home, or the one `serve --db` recorded)")
        q.add_argument("--blob-key-file", type=Path, default=None,
                       help="the key that encrypts attachment files at rest, kept outside the home (default: "
                            "$ONEWINDOW_PLATFORM_BLOB_KEY_FILE, the systemd credential onewindow-platform-blob-key, "
                            "or $XDG_CONFIG_HOME/onewindow-platform/blob.key; created 0600 when missing)")
        q.add_argument("--s3-endpoint", default=None, metavar="URL",
                       help="keep attachment files in S3-compatible object storage at this address (MinIO, Ceph's "
                            "gateway, SeaweedFS); credentials from $ONEWINDOW_S3_ACCESS_KEY_ID and "
                            "$ONEWINDOW_S3_SECRET_ACCESS_KEY only. `serve` records endpoint, bucket and region (never "
                            "the credentials) in the home's platform.json for the other commands")
        q.add_argument("--s3-bucket", default=None, metavar="NAME", help="the object storage bucket (with --s3-endpoint)")
        q.add_argument("--s3-region", default=None, metavar="REGION", help="the bucket's region (default us-east-1)")

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
    q.add_argument("--workers", type=int, default=1,
                   help="worker processes sharing the port (each builds its own app, sync.server.asgi); the "
                        "connection caps then hold per worker. Several instances on their own ports behind "
                        "nginx keep an upload on one process (deploy/nginx/)")
    q.set_defaults(handler=serve)

    q = psub.add_parser("enroll-code", help="print a one-time enrollment code for a new device")
    common(q)
    q.add_argument("--hall", required=True, help="hall code the device will belong to")
    q.add_argument("--device-name", required=True)
    q.add_argument("--ttl-minutes", type=int, default=30, help="minutes until the code expires")
    q.add_argument("--role", required=True, choices=["kiosk", "counter"],
                   help="kiosk: pushes applications and reads back only its own; counter: works the hall's cases "
                        "and posts decisions")
    q.set_defaults(handler=enroll_code)

    q = psub.add_parser("staff", help="a hall's staff accounts (counters receive them when they sync)")
    ssub = q.add_subparsers(dest="staff_command", metavar="ACTION", required=True)
    a = ssub.add_parser("add", help="register a staff member of a hall")
    common(a)
    a.add_argument("--hall", required=True)
    a.add_argument("username")
    a.add_argument("--role", required=True, choices=["clerk", "supervisor", "administrator"])
    a.add_argument("--display-name")
    a.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")
    a.set_defaults(handler=staff_add)
    a = ssub.add_parser("list", help="a hall's staff accounts")
    common(a)
    a.add_argument("--hall", required=True)
    a.add_argument("--json", action="store_true")
    a.set_defaults(handler=staff_list)
    a = ssub.add_parser("disable", help="disable an account; counters stop accepting it after their next sync")
    common(a)
    a.add_argument("--hall", required=True)
    a.add_argument("username")
    a.set_defaults(handler=staff_disable)
    a = ssub.add_parser("reset-password", help="set a new password")
    common(a)
    a.add_argument("--hall", required=True)
    a.add_argument("username")
    a.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")
    a.set_defaults(handler=staff_reset)

    q = psub.add_parser("revoke-device", help="revoke a device's credential")
    common(q)
    q.add_argument("device_id", type=int)
    q.set_defaults(handler=revoke_device)

    q = psub.add_parser("cases", help="list received cases")
    common(q)
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=list_cases)

    q = psub.add_parser("hall-stats", help="a hall's queue statistics as its counters sent them (per day, hour and line)")
    common(q)
    q.add_argument("--hall", required=True, help="the hall code")
    q.add_argument("--from", dest="date_from", default=None, metavar="YYYY-MM-DD")
    q.add_argument("--to", dest="date_to", default=None, metavar="YYYY-MM-DD")
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=show_hall_stats)

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

    q = psub.add_parser("purge", help="remove files left by interrupted uploads (untouched for an hour or more) and "
                                      "encrypt attachment files an older platform stored in plaintext")
    common(q)
    q.add_argument("--dry-run", action="store_true", help="list what would be removed; remove nothing")
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=purge)

    q = psub.add_parser("audit", help="the platform's own audit log")
    asub = q.add_subparsers(dest="platform_audit_command", metavar="ACTION", required=True)
    q = asub.add_parser("verify", help="check the platform audit chain against the anchor file outside the database; "
                                       "exit 2 if an entry was edited or removed")
    common(q)
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=audit_verify)

    q = psub.add_parser("publish-catalog", help="validate and publish a service catalog to every terminal")
    common(q)
    q.add_argument("file", type=Path)
    q.set_defaults(handler=publish_catalog)

    from sync.server import (
        appointments_cli, centre_settings_cli, fleet_cli, licences_cli, prereview_cli, updates_cli,
    )

    for capability in (appointments_cli, licences_cli, prereview_cli, updates_cli, fleet_cli, centre_settings_cli):
        capability.register(psub, common)


def _object_settings(args: argparse.Namespace):  # -> S3Settings | None
    from sync.server.s3_settings import resolve

    return resolve(args.s3_endpoint, args.s3_bucket, args.s3_region, home=args.platform_home.expanduser())


def _store(args: argparse.Namespace):  # -> PlatformStore
    from sync.server.db import open_platform

    return open_platform(args.platform_home, args.db, blob_key_file=args.blob_key_file,
                         objects=_object_settings(args))


def serve(args: argparse.Namespace) -> int:
    import logging
    import os

    os.umask(0o077)  # everything the platform writes (database, blobs, uploads, logs) is its own user's only

    import uvicorn

    from kiosk.child_process import PARENT_ENV, die_with_parent
    from sync.server import serve_options
    from sync.server.app import create_app
    from sync.server.db import remember_db_url
    from sync.server.http_limits import bounded_protocol
    from sync.server.serve_options import MAX_WORKERS, connection_limits, serve_limits

    die_with_parent()  # started by a window as its local platform: it ends with that window (kiosk.child_process)

    if (args.tls_cert is None) != (args.tls_key is None):
        print("--tls-cert 与 --tls-key 须同时给出 / give both --tls-cert and --tls-key", file=sys.stderr)
        return 2
    if args.behind_proxy and args.host not in ("127.0.0.1", "::1", "localhost"):
        print("--behind-proxy 时须监听本机回环地址（--host 127.0.0.1），否则可绕过 nginx 的限制直连平台 / with "
              "--behind-proxy listen on loopback (--host 127.0.0.1), or clients could bypass nginx's limits",
              file=sys.stderr)
        return 2
    if not 1 <= args.workers <= MAX_WORKERS:
        print(f"--workers 须在 1 到 {MAX_WORKERS} 之间（收到 {args.workers}）/ --workers must be between 1 and "
              f"{MAX_WORKERS} (got {args.workers})", file=sys.stderr)
        return 2
    from sync.server.uploads import remove_leftovers

    from sync.server import s3_settings

    objects = _object_settings(args)  # refused before anything is opened or written
    store = _store(args)
    check = getattr(store.blobs, "check", None)
    if check is not None:
        check()  # a wrong endpoint, bucket or credential stops here, named, not at the first upload
    if args.db:
        remember_db_url(store.home, args.db)
    if args.s3_endpoint or args.s3_bucket:
        s3_settings.record(store.home, objects)
    logging.basicConfig(level=logging.INFO)
    # Chunks of requests a previous platform process was serving when it died; nothing will ever finish them.
    cleaned = remove_leftovers(store).stale
    if cleaned:
        logging.getLogger("onewindow.platform").info(
            "removed %d file(s) left by interrupted uploads (%d bytes)", len(cleaned), sum(f.size for f in cleaned))
    # no access log: at "warning" it wrote nothing, yet every answer built its line's parts (path quoted) first
    served: dict[str, Any] = dict(host=args.host, port=args.port, log_level="warning", access_log=False,
                                  timeout_keep_alive=30,
                                  backlog=2048, ssl_certfile=str(args.tls_cert) if args.tls_cert else None,
                                  ssl_keyfile=str(args.tls_key) if args.tls_key else None)
    if args.workers == 1:
        app = create_app(store, serve_limits(args))
        serve_options.freeze_startup_objects()
        uvicorn.run(app, http=bounded_protocol(connection_limits(args)), **served)
        return 0
    # Workers are spawned processes: each opens its own store and app from the same arguments (sync.server.asgi),
    # and ends when this supervisor ends, however it ends (a SIGKILL too: no orphan keeps serving the port).
    store.close()
    os.environ[serve_options.SERVE_ENV] = serve_options.encode_args(args)
    os.environ[PARENT_ENV] = str(os.getpid())
    uvicorn.run(serve_options.APP, factory=True, http=serve_options.PROTOCOL, workers=args.workers,
                timeout_graceful_shutdown=30, **served)
    return 0


def enroll_code(args: argparse.Namespace) -> int:
    from sync.server.enrollment import create_code

    print(create_code(_store(args), args.hall, args.device_name, args.ttl_minutes, role=args.role))
    return 0


def _account(a: Any) -> dict[str, Any]:
    return {"hall_code": a.hall_code, "username": a.username, "display_name": a.display_name, "role": a.role,
            "active": a.active}


def staff_add(args: argparse.Namespace) -> int:
    from sync.server.staff import add_staff

    account = add_staff(_store(args), args.hall, args.username, read_password(args), args.role,
                        display_name=args.display_name)
    print(json.dumps(_account(account), ensure_ascii=False))
    return 0


def staff_list(args: argparse.Namespace) -> int:
    from sync.server.staff import hall_staff

    with _store(args).transaction() as session:
        rows = [_account(a) for a in hall_staff(session, args.hall)]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for r in rows:
            print(f"{r['username']:<20} {r['role']:<14} {'active' if r['active'] else 'disabled':<9} {r['display_name']}")
    return 0


def staff_disable(args: argparse.Namespace) -> int:
    from sync.server.staff import disable_staff

    account = disable_staff(_store(args), args.hall, args.username)
    print(f"已停用 / disabled: {account.username} (hall {account.hall_code})")
    return 0


def staff_reset(args: argparse.Namespace) -> int:
    from sync.server.staff import reset_password

    account = reset_password(_store(args), args.hall, args.username, read_password(args))
    print(f"密码已重置 / password reset: {account.username} (hall {account.hall_code})")
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


def show_hall_stats(args: argparse.Namespace) -> int:
    from sync.server.hall_stats import rows_of

    store = _store(args)
    with store.transaction() as session:
        rows = rows_of(session, args.hall, args.date_from, args.date_to)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print(f"大厅 {args.hall} 没有叫号统计 / no queue statistics for hall {args.hall}")
        return 0
    print("day         hour line  issued served no-shows  mean wait min  within target")
    for r in rows:
        wait = f"{r['wait_seconds_sum'] / r['served'] / 60:.1f}" if r["served"] else "—"
        print(f"{r['service_day']}  {r['hour']:02d}  {r['category']:<4}  {r['issued']:>6} {r['served']:>6} "
              f"{r['no_shows']:>8}  {wait:>13}  {r['served_within_target']:>13}")
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
    from sync.server.blob_maintenance import scan_blobs
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
    blobs = scan_blobs(store)
    at_rest = {"blob_key_file": str(store.key.path), "blob_key_source": store.key.source, **blobs.as_dict(),
               "store": store.blobs.kind}
    settings = getattr(store.blobs, "settings", None)
    if settings is not None:  # where the objects are; never the credentials
        at_rest.update(settings.recorded())
    report = {"schema_version": version, "halls": halls, "receipt_collisions": collisions,
              "leftover_files": [f.as_dict() for f in scan.stale], "young_files_kept": len(scan.young),
              "at_rest": at_rest}
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
        for line in _at_rest_lines(at_rest):
            print(line)
    return 0


def _at_rest_lines(at_rest: dict[str, Any]) -> list[str]:
    lines = [f"文件密钥 blob key: {at_rest['blob_key_file']} ({at_rest['blob_key_source']})"]
    if at_rest.get("store") == "s3":
        lines.append(f"附件存储 attachment store: 对象存储 object storage {at_rest['s3_endpoint']} "
                     f"bucket {at_rest['s3_bucket']} ({at_rest['s3_region']}); 下列为本地目录中的旧文件 / below: older "
                     "files in the local directory")
    lines.append(f"附件文件 attachment files: {at_rest['encrypted']} 已加密 encrypted, {at_rest['plaintext']} 仍为明文 "
                 "still plaintext" + (" (platform purge 加密它们 / platform purge encrypts them)"
                                      if at_rest["plaintext"] else ""))
    if at_rest["other_key"]:
        lines.append(f"警告 warning: {at_rest['other_key']} 个文件由其他密钥加密，无法读取 / file(s) sealed with another "
                     "key cannot be read: is --blob-key-file the key this home was written with?")
    for path in at_rest["not_private"]:
        lines.append(f"警告 warning: 其他用户可读写 readable or writable by other users: {path}")
    return lines


def purge(args: argparse.Namespace) -> int:
    from sync.server.blob_maintenance import encrypt_plaintext_blobs, object_leftovers
    from sync.server.uploads import remove_leftovers

    store = _store(args)
    scan = remove_leftovers(store, dry_run=args.dry_run)
    objects = object_leftovers(store, dry_run=args.dry_run)
    sealed = encrypt_plaintext_blobs(store, dry_run=args.dry_run)
    if args.json:
        print(json.dumps({"dry_run": args.dry_run, "removed" if not args.dry_run else "would_remove":
                          [f.as_dict() for f in scan.stale] + objects, "young_files_kept": len(scan.young),
                          "encrypted" if not args.dry_run else "would_encrypt": len(sealed.encrypted),
                          "damaged_plaintext": sealed.damaged},
                         ensure_ascii=False, indent=2))
    else:
        for line in _leftover_lines(not args.dry_run, scan.stale, scan.young):
            print(line)
        if objects:
            verb = ("可删除 to remove" if args.dry_run else "已删除 removed")
            print(f"对象存储中的中断上传遗留 leftovers in object storage: {len(objects)} {verb} "
                  f"({sum(int(str(o['size'])) for o in objects)} bytes)")
            for o in objects:
                print(f"  {o['kind']:9} {o['size']:>10}  {o['path']}")
        verb = ("可加密 to encrypt" if args.dry_run else "已加密 encrypted")
        print(f"明文附件文件 plaintext attachment files: {len(sealed.encrypted)} {verb}")
        for sha in sealed.damaged:
            print(f"警告 warning: 明文文件 {sha} 与其 SHA-256 不符，保留原样 / the plaintext file {sha} does not match "
                  "its SHA-256; left as it was")
    return 1 if sealed.damaged else 0


def audit_verify(args: argparse.Namespace) -> int:
    from sync.server.platform_audit import anchor_path, verify

    store = _store(args)
    with store.transaction() as session:
        report = verify(session, anchor_path(store.home))
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        if report.ok:
            print(f"平台审计日志完整 / The platform audit log is intact ({report.entries} entries, "
                  f"anchored through #{report.anchored_through or 0} in {report.anchor_file})")
        else:
            print(f"平台审计日志已被篡改 / The platform audit log was tampered with ({len(report.problems)} problems):")
        for _entry_id, message in report.problems:
            print(f"  {message.zh}\n    {message.en}")
        for message in report.warnings:
            print(message.both())
    return 0 if report.ok else 2


def publish_catalog(args: argparse.Namespace) -> int:
    from sync.server.models import PublishedCatalog

    catalog = read_catalog_file(args.file)  # refuses an incomplete catalog, listing every problem
    store = _store(args)
    with store.transaction() as session:
        session.add(PublishedCatalog(version=catalog.version, etag=catalog.etag, document=catalog.document))
    print(json.dumps({"version": catalog.version, "etag": catalog.etag}))
    return 0
