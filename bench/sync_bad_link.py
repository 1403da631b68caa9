#!/usr/bin/env python3
"""Sync over a bad link: throttled, and cut every few hundred kilobytes.

Runs the real platform (`onewindow platform serve`, a separate process) behind a
loopback proxy (sync.linksim) that limits the upstream rate and drops the
connection after about every `--cut-kb` upstream bytes, then syncs N
applications with M incompressible ~300 KB attachments each through the
terminal's `SyncEngine` with its defaults: chunks sized to the link
(sync.chunk_size), the first chunk in the POST when the platform takes it,
two files at a time.

Two link shapes by default, each with its own targets line:
  1024 KB/s with a cut every ~1024 KB, and 500 KB/s with a cut every ~300 KB
(`--rate-kb R --cut-kb C` runs one shape instead). `--compare` adds, per
shape, fixed `--chunk-kb` chunks and whole-file re-upload (a cut loses the
file; on short cuts it may never finish, bounded by `--max-seconds`).

Printed per variant: payload bytes (unique attachment bytes), bytes sent
upstream (what crossed the link), wasted percent (upstream bytes that were
not payload, over upstream bytes), elapsed seconds, link efficiency =
payload / (rate x elapsed), cuts, requests, the mean chunk and the
terminal's estimate of the bytes between cuts. Targets for the terminal's
own uploads on every shape: waste <= 5 %, efficiency >= 0.85, every
application sent.

    .venv/bin/python bench/sync_bad_link.py --applications 10 --attachments 3
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk import outbox  # noqa: E402
from kiosk.outbox import OutboxKind  # noqa: E402
from kiosk.settings import load_settings  # noqa: E402
from kiosk.terminal import Terminal  # noqa: E402
from kiosk.retry import RetryPolicy  # noqa: E402
from sync.client import PlatformClient, Timeouts  # noqa: E402
from sync.credentials import credential_from_enrollment, save_enrollment  # noqa: E402
from sync.demo_data import submit_demo  # noqa: E402
from sync.embedded import start_platform  # noqa: E402
from sync.engine import SyncEngine  # noqa: E402
from sync.linksim import BadLink  # noqa: E402
from sync.upload import UploadPolicy  # noqa: E402
from tests.free_ports import free_port  # noqa: E402


#: the link shapes issue 15 holds the terminal to: (KB/s upstream, KB between cuts)
SHAPES = ((1024, 1024), (500, 300))


def onewindow(*args: str) -> str:
    out = subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, check=True,
                         env={**os.environ, "ONEWINDOW_CONFIG": os.devnull + ".toml"})
    return out.stdout.strip()


def payload_bytes(terminal: Terminal) -> tuple[int, int]:
    unique = {f.attachment.sha256: f.attachment.size for app in terminal.applications()
              for m in app.materials for f in m.files}
    return sum(unique.values()), len(unique)


def run_variant(name: str, work: Path, platform_home: Path, port: int, args: argparse.Namespace,
                shape: tuple[int, int], chunk_bytes: int | None, seed: int) -> dict[str, float | int | str]:
    rate_kb, cut_kb = shape
    home = work / f"{name}-{rate_kb}-{cut_kb}"
    home.mkdir()
    terminal = Terminal.open(load_settings(home, device_no=seed))  # each its own receipt numbers in the hall
    submit_demo(terminal, args.applications, args.attachments, args.kb, seed=seed)
    payload, files = payload_bytes(terminal)
    code = onewindow("platform", "enroll-code", "--home", str(platform_home), "--hall", terminal.settings.hall_code,
                     "--device-name", home.name, "--role", "kiosk")
    rate = rate_kb * 1024
    link = BadLink(port, rate=rate, cut_every=cut_kb * 1024 or None, seed=seed)
    answer = PlatformClient(link.url()).json("POST", "enroll", json_body={"code": code})
    # kept as `onewindow enroll` keeps it: the engine then knows it is a kiosk (no staff list to ask for)
    save_enrollment(terminal.store, credential_from_enrollment(answer, link.url(), None))
    client = PlatformClient(link.url(), answer["token"], timeouts=Timeouts(connect=5, read=20))
    engine = SyncEngine(terminal, client, chunk_bytes=chunk_bytes, retry=RetryPolicy(base=0.05, cap=1.0),
                        upload_policy=UploadPolicy(max_failures_without_progress=50, retry=RetryPolicy(0.05, 1.0)))
    engine.batch_uploads = not args.no_batches
    start = time.monotonic()
    passes = 0
    while True:
        passes += 1
        report = engine.run_pass()
        if report.online and report.pending == 0:
            break
        if time.monotonic() - start > args.max_seconds:
            print(f"{name}: gave up after {args.max_seconds} s", file=sys.stderr)
            break
    elapsed = time.monotonic() - start
    link.close()
    with terminal.store.transaction() as session:
        sent = outbox.sent_count(session, OutboxKind.APPLICATION)
    terminal.close()
    upstream = link.stats.upstream_bytes
    stats = engine.upload_stats
    between = engine.upload_link.sizer.between_cuts()
    return {
        "variant": name, "rate_kb": rate_kb, "cut_kb": cut_kb, "files": files, "payload_bytes": payload,
        "upstream_bytes": upstream,
        "wasted_percent": round(100.0 * (upstream - payload) / upstream, 2) if upstream else 0.0,
        "elapsed_s": round(elapsed, 2), "efficiency": round(payload / (rate * elapsed), 3),
        "cuts": link.stats.cuts, "connections": link.stats.connections, "passes": passes,
        "requests": stats.requests, "mean_chunk_kb": round(stats.payload_bytes / stats.chunks / 1024, 1)
        if stats.chunks else 0.0, "between_cuts_kb": round(between / 1024) if between else None,
        "chunk_bytes_lost": stats.payload_bytes - stats.committed_bytes, "upload_bytes": stats.payload_bytes,
        "upload_head_bytes": stats.head_bytes,
        "pending_after": report.pending, "sent": sent, "applications": args.applications,
    }


def met(row: dict[str, float | int | str]) -> bool:
    return (float(row["wasted_percent"]) <= 5 and float(row["efficiency"]) >= 0.85
            and row["pending_after"] == 0 and row["sent"] == row["applications"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applications", type=int, default=10)
    parser.add_argument("--attachments", type=int, default=3, help="attachments (pages) per application")
    parser.add_argument("--kb", type=int, default=300, help="size of each attachment in KB")
    parser.add_argument("--rate-kb", type=int, help="one shape only: link rate in KB/s")
    parser.add_argument("--cut-kb", type=int, help="one shape only: cut the connection every ~this many KB upstream "
                        "(0: never)")
    parser.add_argument("--compare", action="store_true", help="also fixed --chunk-kb chunks and whole-file uploads")
    parser.add_argument("--chunk-kb", type=int, default=32, help="the fixed chunk size --compare runs")
    parser.add_argument("--no-batches", action="store_true",
                        help="every file in its own request, never several in POST /uploads/batch")
    parser.add_argument("--max-seconds", type=float, default=600)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if (args.rate_kb is None) != (args.cut_kb is None):
        parser.error("--rate-kb and --cut-kb go together")
    shapes = [(args.rate_kb, args.cut_kb)] if args.rate_kb is not None else list(SHAPES)
    variants: list[tuple[str, int | None]] = [("adaptive", None)]
    if args.compare:
        variants += [(f"fixed-{args.chunk_kb}K", args.chunk_kb * 1024), ("whole-file", 1 << 30)]

    rows: list[dict[str, float | int | str]] = []
    with tempfile.TemporaryDirectory(prefix="ow-bench-") as tmp:
        work = Path(tmp)
        platform_home = work / "platform"
        port = free_port()
        server = start_platform(platform_home, "127.0.0.1", port)
        try:
            seed = 0
            for shape in shapes:
                for name, chunk_bytes in variants:
                    seed += 1
                    rows.append(run_variant(name, work, platform_home, port, args, shape, chunk_bytes, seed))
        finally:
            server.terminate()
            server.wait(10)
    print(f"{args.applications} applications x {args.attachments} attachments x ~{args.kb} KB (incompressible)")
    if args.json:
        print(json.dumps(rows, indent=2))
    ok = True
    for shape in shapes:
        print(f"link: {shape[0]} KB/s upstream, cut every ~{shape[1]} KB")
        mine = [r for r in rows if (r["rate_kb"], r["cut_kb"]) == shape]
        if not args.json:
            print(f"  {'variant':12} {'files':>5} {'payload B':>11} {'upstream B':>11} {'waste %':>8} "
                  f"{'elapsed s':>9} {'efficiency':>10} {'cuts':>5} {'requests':>8} {'chunk KB':>8} {'D KB':>6}")
            for r in mine:
                print(f"  {r['variant']:12} {r['files']:>5} {r['payload_bytes']:>11} {r['upstream_bytes']:>11} "
                      f"{r['wasted_percent']:>8} {r['elapsed_s']:>9} {r['efficiency']:>10} {r['cuts']:>5} "
                      f"{r['requests']:>8} {r['mean_chunk_kb']:>8} {r['between_cuts_kb'] or '-':>6}")
        shape_ok = met(mine[0])
        ok = ok and shape_ok
        print(f"targets at {shape[0]} KB/s, cut every ~{shape[1]} KB (adaptive: waste <= 5 %, efficiency >= 0.85, "
              f"all sent): {'met' if shape_ok else 'NOT met'} (waste {mine[0]['wasted_percent']} %, "
              f"efficiency {mine[0]['efficiency']})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
