#!/usr/bin/env python3
"""Sync over a bad link: throttled, and cut every ~1 MB.

Runs the real platform (`onewindow platform serve`, a separate process) behind a
loopback proxy that limits the upstream rate and drops the connection after
about every `--cut-kb` upstream bytes, then syncs N applications with M
incompressible ~300 KB attachments each, twice in the same run:

- resumable: the terminal's chunked, checksummed uploads (32 KB chunks, two files at a time);
- baseline: whole-file re-upload (one request per file; a cut loses the file).

Printed per variant: payload bytes (unique attachment bytes), bytes sent
upstream (what crossed the link), wasted percent (upstream bytes that were
not payload, over upstream bytes), elapsed seconds and link efficiency =
payload / (rate x elapsed). Targets for the resumable variant with a cut
every ~1 MB: efficiency >= 0.85, waste <= 5 %.

    .venv/bin/python bench/sync_bad_link.py --applications 10 --attachments 3
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk.settings import load_settings  # noqa: E402
from kiosk.terminal import Terminal  # noqa: E402
from kiosk.retry import RetryPolicy  # noqa: E402
from sync.client import PlatformClient, Timeouts  # noqa: E402
from sync.demo_data import submit_demo  # noqa: E402
from sync.embedded import start_platform  # noqa: E402
from sync.engine import SyncEngine  # noqa: E402
from sync.linksim import BadLink  # noqa: E402
from sync.upload import UploadPolicy  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def onewindow(*args: str) -> str:
    out = subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, check=True,
                         env={**os.environ, "ONEWINDOW_CONFIG": os.devnull + ".toml"})
    return out.stdout.strip()


def payload_bytes(terminal: Terminal) -> tuple[int, int]:
    unique = {f.attachment.sha256: f.attachment.size for app in terminal.applications()
              for m in app.materials for f in m.files}
    return sum(unique.values()), len(unique)


def run_variant(name: str, work: Path, platform_home: Path, port: int, args: argparse.Namespace,
                chunk_bytes: int, seed: int) -> dict[str, float | int | str]:
    home = work / name
    home.mkdir()
    terminal = Terminal.open(load_settings(home, device_no=1))
    submit_demo(terminal, args.applications, args.attachments, args.kb, seed=seed)
    payload, files = payload_bytes(terminal)
    code = onewindow("platform", "enroll-code", "--home", str(platform_home), "--hall", terminal.settings.hall_code,
                     "--device-name", name, "--role", "kiosk")
    rate = args.rate_kb * 1024
    link = BadLink(port, rate=rate, cut_every=args.cut_kb * 1024, seed=seed)
    answer = PlatformClient(link.url()).json("POST", "enroll", json_body={"code": code})
    client = PlatformClient(link.url(), answer["token"], timeouts=Timeouts(connect=5, read=20))
    engine = SyncEngine(terminal, client, chunk_bytes=chunk_bytes, retry=RetryPolicy(base=0.05, cap=1.0),
                        upload_policy=UploadPolicy(max_failures_without_progress=50, retry=RetryPolicy(0.05, 1.0)))
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
    upstream = link.stats.upstream_bytes
    return {
        "variant": name, "files": files, "payload_bytes": payload, "upstream_bytes": upstream,
        "wasted_percent": round(100.0 * (upstream - payload) / upstream, 2) if upstream else 0.0,
        "elapsed_s": round(elapsed, 2), "efficiency": round(payload / (rate * elapsed), 3),
        "cuts": link.stats.cuts, "connections": link.stats.connections, "passes": passes,
        "pending_after": report.pending,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applications", type=int, default=10)
    parser.add_argument("--attachments", type=int, default=3, help="attachments (pages) per application")
    parser.add_argument("--kb", type=int, default=300, help="size of each attachment in KB")
    parser.add_argument("--rate-kb", type=int, default=1024, help="link rate in KB/s")
    parser.add_argument("--cut-kb", type=int, default=1024, help="cut the connection every ~this many KB upstream")
    parser.add_argument("--chunk-kb", type=int, default=32, help="resumable upload chunk size")
    parser.add_argument("--max-seconds", type=float, default=600)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ow-bench-") as tmp:
        work = Path(tmp)
        platform_home = work / "platform"
        port = free_port()
        server = start_platform(platform_home, "127.0.0.1", port)
        try:
            rows = [run_variant("resumable", work, platform_home, port, args, args.chunk_kb * 1024, seed=1),
                    run_variant("whole-file", work, platform_home, port, args, 1 << 30, seed=2)]
        finally:
            server.terminate()
            server.wait(10)
    print(f"link: {args.rate_kb} KB/s upstream, cut every ~{args.cut_kb} KB; "
          f"{args.applications} applications x {args.attachments} attachments x ~{args.kb} KB (incompressible)")
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        head = f"{'variant':12} {'files':>5} {'payload B':>11} {'upstream B':>11} {'waste %':>8} {'elapsed s':>9} " \
               f"{'efficiency':>10} {'cuts':>5}"
        print(head)
        for r in rows:
            print(f"{r['variant']:12} {r['files']:>5} {r['payload_bytes']:>11} {r['upstream_bytes']:>11} "
                  f"{r['wasted_percent']:>8} {r['elapsed_s']:>9} {r['efficiency']:>10} {r['cuts']:>5}")
    ok = rows[0]["efficiency"] >= 0.85 and rows[0]["wasted_percent"] <= 5 and rows[0]["pending_after"] == 0
    print("targets (resumable: efficiency >= 0.85, waste <= 5 %):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
