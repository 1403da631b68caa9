#!/usr/bin/env python3
"""Materials a citizen hands in per application, without and with electronic licence reuse.

Starts the real platform (`onewindow platform serve`, a separate process) in a temporary home, publishes
the demo catalog, seeds the demo licence holdings (`onewindow platform licences seed-demo`: a dozen
citizens, some licences expired, one revoked; what is assumed is in `sync/server/licence_demo.py`), enrolls
a kiosk, and for each demo citizen x each service item asks the real `POST /licences/offers` (with a
recorded consent) which materials the citizen's valid licences stand for.

Counted: the item's REQUIRED materials (what every applicant must hand in; optional ones depend on the case
and are shown separately). Without reuse a citizen hands in all of them; with reuse, those no licence was
offered for. Printed: per item the materials without and the average with reuse, the averages over every
citizen x item, the cut in %, and a last line saying whether the issue's 60% target is met.

    .venv/bin/python bench/materials_saved.py
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from kiosk.catalog import demo_catalog_path, read_catalog_file  # noqa: E402
from kiosk.licences.model import CONSENT_TEXT_VERSION  # noqa: E402
from sync.embedded import LocalPlatform, start_platform  # noqa: E402
from tests.free_ports import free_port  # noqa: E402

TARGET_CUT = 60.0
HALL = "330106001"


def onewindow(*args: str) -> str:
    out = subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, check=True,
                         env={**os.environ, "ONEWINDOW_CONFIG": os.devnull + ".toml"})
    return out.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    args = parser.parse_args()
    catalog = read_catalog_file(demo_catalog_path())
    with tempfile.TemporaryDirectory(prefix="ow-bench-licences-") as tmp:
        home = Path(tmp) / "platform"
        key = ["--blob-key-file", str(Path(tmp) / "blob.key")]
        port = free_port()
        process = start_platform(home, "127.0.0.1", port, blob_key_file=Path(tmp) / "blob.key")
        platform = LocalPlatform(f"http://127.0.0.1:{port}/api/v1", home, process)
        try:
            onewindow("platform", "publish-catalog", "--home", str(home), *key, str(demo_catalog_path()))
            people = json.loads(onewindow("platform", "licences", "seed-demo", "--home", str(home), *key, "--json"))
            code = onewindow("platform", "enroll-code", "--home", str(home), *key, "--hall", HALL, "--device-name",
                             "bench kiosk", "--role", "kiosk")
            token = requests.post(f"{platform.url}/enroll", json={"code": code}, timeout=30).json()["token"]
            headers = {"Authorization": f"Bearer {token}"}
            started = time.perf_counter()
            queries = 0
            rows = []
            for item in catalog.items:
                required = [m.code for m in item.materials if m.required]
                optional = [m.code for m in item.materials if not m.required]
                with_reuse: list[int] = []
                optional_left: list[int] = []
                for person in people:
                    body = {"id_number": person["id_number"], "service_item": item.code,
                            "application_id": str(uuid.uuid4()),
                            "consent": {"given_at": datetime.now(timezone.utc).isoformat(), "by": "citizen",
                                        "text_version": CONSENT_TEXT_VERSION}}
                    resp = requests.post(f"{platform.url}/licences/offers", json=body, headers=headers, timeout=30)
                    resp.raise_for_status()
                    queries += 1
                    covered = {o["material_code"] for o in resp.json()["offers"]}
                    with_reuse.append(sum(1 for m in required if m not in covered))
                    optional_left.append(sum(1 for m in optional if m not in covered))
                rows.append({"item": item.code, "name": item.name.zh, "required": len(required),
                             "optional": len(optional),
                             "with_reuse": sum(with_reuse) / len(with_reuse),
                             "optional_with_reuse": sum(optional_left) / len(optional_left),
                             "licenceable": sum(1 for m in item.materials if m.required and m.licence_types)})
            elapsed = time.perf_counter() - started
        finally:
            platform.stop()
    print(f"demo citizens: {len(people)}, service items: {len(rows)}, offers asked: {queries} "
          f"({elapsed / max(queries, 1) * 1000:.1f} ms each)")
    print("assumed holdings (sync/server/licence_demo.py): all hold an e-ID card (one expired); 10 of 12 this "
          "province's household register; 2 migrants a residence permit (one expired); marriage, property, "
          "birth, business (one revoked), disability and social security licences as their lives suggest. "
          "A material naming someone else's document (both parents', the host's, family members') has no "
          "licence type: only the applicant consented.")
    print(f"{'item':<20}{'required':>9}{'licence-able':>13}{'with reuse':>12}{'cut':>8}  name")
    for r in rows:
        cut = 100.0 * (r["required"] - r["with_reuse"]) / r["required"] if r["required"] else 0.0
        print(f"{r['item']:<20}{r['required']:>9}{r['licenceable']:>13}{r['with_reuse']:>12.2f}{cut:>7.1f}%  {r['name']}")
    without = sum(r["required"] for r in rows) / len(rows)
    with_ = sum(r["with_reuse"] for r in rows) / len(rows)
    cut = 100.0 * (without - with_) / without
    best = sum(r["required"] - r["licenceable"] for r in rows) / len(rows)
    best_cut = 100.0 * (without - best) / without
    all_without = sum(r["required"] + r["optional"] for r in rows) / len(rows)
    all_with = sum(r["with_reuse"] + r["optional_with_reuse"] for r in rows) / len(rows)
    print(f"required materials per application: {without:.2f} without reuse, {with_:.2f} with reuse: "
          f"cut {cut:.1f}% (ceiling if every citizen held every licence type: {best_cut:.1f}%)")
    print(f"counting optional materials as handed in too: {all_without:.2f} -> {all_with:.2f} "
          f"(cut {100.0 * (all_without - all_with) / all_without:.1f}%)")
    if args.json:
        print(json.dumps({"without": without, "with": with_, "cut_percent": cut, "ceiling_percent": best_cut,
                          "items": rows}, ensure_ascii=False))
    met = cut >= TARGET_CUT
    print(f"target: cut materials by {TARGET_CUT:.0f}%: {'MET' if met else 'NOT MET'} ({cut:.1f}%)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
