#!/usr/bin/env python3
"""What a hall's long history costs the changes feed: a new terminal's start, a page, the count check.

    .venv/bin/python bench/feed_start.py [--changes 200000] [--halls 4] [--db postgresql+psycopg://...]

A platform store (SQLite in a temporary home unless `--db` names a database) is filled with `--changes`
changes spread over `--halls` halls (two per case: received, accepted), straight through SQL. Then, in this
process, as the routes run it (`sync.server.cases`), each timed in CPU seconds:
- a new counter of the first hall reading the whole history (what every new terminal did before:
  pages of 500 from 0 to the end);
- the same counter starting from the present (`GET /changes/start`, then its own application only);
- one page of 100 at the end of the hall's history, and a kiosk's page that finds none of its own;
- `/summary` for a device of the hall.
On PostgreSQL the tables are vacuumed and analysed first, as autovacuum would leave them.
A figure-printing script, not a test.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from sync.server.cases import changes_since, feed_head, summary  # noqa: E402
from sync.server.db import open_platform  # noqa: E402
from sync.server.models import Case, Change, Device, utcnow  # noqa: E402


def fill(store, changes: int, halls: int) -> tuple[str, Device, Device]:
    codes = [f"3301060{n:02d}" for n in range(1, halls + 1)]
    now = utcnow()
    with store.transaction() as s:
        devices = {h: Device(hall_code=h, name="counter-old", token_hash=f"old-{h}", device_no=1, role="counter")
                   for h in codes}
        new_counter = Device(hall_code=codes[0], name="counter-new", token_hash="new", device_no=2, role="counter")
        kiosk = Device(hall_code=codes[0], name="kiosk", token_hash="kiosk", device_no=3, role="kiosk")
        s.add_all([*devices.values(), new_counter, kiosk])
        s.flush()
        ids = {h: d.id for h, d in devices.items()}
    n_cases = changes // 2
    batch = 5000
    for start in range(0, n_cases, batch):
        with store.transaction() as s:
            rows = [{"uuid": f"{i:036d}", "hall_code": codes[i % halls], "device_id": ids[codes[i % halls]],
                     "device_no": 1, "service_item": "x", "catalog_version": "1", "content_hash": "0" * 64,
                     "document": {"channel": "kiosk"}, "status": "accepted", "complete": True, "case_no": f"C{i}",
                     "received_at": now, "updated_at": now} for i in range(start, min(start + batch, n_cases))]
            s.execute(insert(Case), rows)
            first = s.scalar(select(Case.id).where(Case.uuid == rows[0]["uuid"]))
            s.execute(insert(Change), [{"hall_code": r["hall_code"], "case_id": first + k, "status": st,
                                        "missing_materials": [], "actor": "platform", "at": now}
                                       for k, r in enumerate(rows) for st in ("received",)])  # then accepted
            s.execute(insert(Change), [{"hall_code": r["hall_code"], "case_id": first + k, "status": "accepted",
                                        "missing_materials": [], "actor": "clerk", "at": now}
                                       for k, r in enumerate(rows)])
    with store.transaction() as s:  # the new counter's own application, pushed just before it starts
        s.add(Case(uuid="f" * 36, hall_code=codes[0], device_id=new_counter.id, device_no=2, service_item="x",
                   catalog_version="1", content_hash="0" * 64, document={"channel": "counter"}, status="received",
                   complete=True, case_no="OWN"))
        s.flush()
        own = s.scalar(select(Case.id).where(Case.uuid == "f" * 36))
        s.add(Change(hall_code=codes[0], case_id=own, status="received", missing_materials=[], actor="platform"))
    return codes[0], new_counter, kiosk


def timed(fn):  # type: ignore[no-untyped-def]
    started_cpu, started = time.process_time(), time.perf_counter()
    result = fn()
    return result, time.process_time() - started_cpu, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=200_000)
    parser.add_argument("--halls", type=int, default=4)
    parser.add_argument("--db", default=None)
    args = parser.parse_args()
    store = open_platform(Path(tempfile.mkdtemp(prefix="ow-feed-bench-")) / "platform", args.db)
    (hall, counter, kiosk), _fill_cpu, fill_wall = timed(lambda: fill(store, args.changes, args.halls))
    if store.engine.dialect.name == "postgresql":  # as autovacuum leaves a table at rest: statistics, visibility map
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    with store.read() as s:
        head = feed_head(s, hall)
        in_hall = s.scalar(select(Change.id).where(Change.hall_code == hall).order_by(Change.id.desc()).limit(1))
    print(f"filled {args.changes:,} changes over {args.halls} halls in {fill_wall:.1f} s "
          f"({store.engine.dialect.name}); hall {hall} head #{head}")

    def whole_history() -> int:
        cursor, rows, more = 0, 0, True
        while more:
            with store.read() as s:
                page, cursor, more = changes_since(s, hall, cursor, 500)
            rows += len(page)
        return rows

    def from_present() -> int:
        with store.read() as s:
            start = feed_head(s, hall)
        cursor, rows, more = 0, 0, True
        while more:
            with store.read() as s:
                page, cursor, more = changes_since(s, hall, cursor, 500, start=start if cursor < start else None,
                                                   device=counter)
            rows += len(page)
        return rows

    def last_page() -> int:
        with store.read() as s:
            return len(changes_since(s, hall, max(0, (in_hall or 0) - 1000), 100)[0])

    def kiosk_page() -> int:
        with store.read() as s:
            return len(changes_since(s, hall, 0, 100, device_id=kiosk.id)[0])

    def count_check() -> int:
        with store.read() as s:
            return int(summary(s, counter)["hall_cases"])

    for label, fn in (("new counter, whole history", whole_history), ("new counter, from the present", from_present),
                      ("one page of 100 at the end of the history", last_page),
                      ("a kiosk's page with none of its own", kiosk_page), ("/summary (count check)", count_check)):
        rows, cpu, wall = timed(fn)
        print(f"{label:45s} {rows:>9,} rows/count {cpu * 1000:9.1f} ms CPU  {wall * 1000:9.1f} ms")
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
