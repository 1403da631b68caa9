"""`onewindow platform ...` commands for online cases pre-reviewed on the platform and visits per case (V)."""
from __future__ import annotations

import argparse
import json
from collections.abc import Callable


def _codes(value: str | None) -> list[str]:
    return [c.strip() for c in (value or "").split(",") if c.strip()]


def register(psub: argparse._SubParsersAction, common: Callable[[argparse.ArgumentParser], None]) -> None:  # type: ignore[type-arg]
    """Adds this capability's actions under `onewindow platform`; `common` adds --home/--db/--blob-key-file."""
    q = psub.add_parser("prereview", help="record the pre-review of an online case (each material passed, or its "
                                          "original to be seen at the counter); its hall's counters receive it")
    common(q)
    q.add_argument("case", help="the case number (or application id)")
    q.add_argument("--passed", default="", help="material codes the pre-review passed, comma-separated")
    q.add_argument("--original", default="", help="material codes whose originals must be seen at the counter")
    q.add_argument("--by", required=True, help="the reviewer's name")
    q.add_argument("--note", default="", help="the reviewer's note to the counter")
    q.set_defaults(handler=_prereview)

    q = psub.add_parser("visits", help="cases by the number of trips to the hall their counters reported, and "
                                       "the share finished in at most one visit")
    common(q)
    q.add_argument("--hall", default=None, help="one hall (default: all)")
    q.set_defaults(handler=_visits)


def _store(args: argparse.Namespace):  # -> PlatformStore
    from sync.server.db import open_platform

    return open_platform(args.platform_home, args.db, blob_key_file=args.blob_key_file)


def _prereview(args: argparse.Namespace) -> int:
    from sync.server.prereview import record_prereview

    result = record_prereview(_store(args), args.case, passed=_codes(args.passed), original=_codes(args.original),
                              by=args.by, note=args.note)
    print(json.dumps({"case_no": result.case_no, "hall_code": result.hall_code, "verdicts": result.verdicts,
                      "feed_seq": result.change_id}, ensure_ascii=False))
    return 0


def _visits(args: argparse.Namespace) -> int:
    from sync.server.prereview import visits_summary

    print(json.dumps(visits_summary(_store(args), args.hall), ensure_ascii=False))
    return 0
