#!/usr/bin/env python3
"""What sealing personal data at rest costs: submit, list and look up by ID number, sealed versus clear.

Each round opens a fresh data dir and submits N applications (a JPEG and a
two-page PDF each, through the real submit path), then lists them all as
`onewindow applications` does (every sealed field opened) and looks each
one up by ID number (the keyed index). The "clear" rounds replace the field
cipher with one that stores values as they are (what the code did before),
so the difference is the cost of AES-GCM, HMAC and the larger rows. Rounds
alternate; medians are printed. Also: opening the keys once per start,
from a plain key file and, where this user may, unsealed by systemd-creds.

    .venv/bin/python bench/pii_crypto.py [--applications 200] [--rounds 3]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@contextmanager
def clear_fields() -> Iterator[None]:
    """The field cipher replaced by the identity: rows as the store wrote them before sealing."""
    from kiosk.store.types import FieldCipher, SealedJSON, normalise_id_number

    saved = FieldCipher.seal, FieldCipher.open, FieldCipher.id_index
    saved_json = SealedJSON.process_bind_param, SealedJSON.process_result_value
    FieldCipher.seal = lambda self, plain, column: plain  # type: ignore[method-assign]
    FieldCipher.open = lambda self, token, column: token  # type: ignore[method-assign]
    FieldCipher.id_index = lambda self, number: normalise_id_number(number)  # type: ignore[method-assign]
    SealedJSON.process_bind_param = lambda self, value, dialect: value  # type: ignore[method-assign]
    SealedJSON.process_result_value = lambda self, value, dialect: value  # type: ignore[method-assign]
    try:
        yield
    finally:
        FieldCipher.seal, FieldCipher.open, FieldCipher.id_index = saved  # type: ignore[method-assign]
        SealedJSON.process_bind_param, SealedJSON.process_result_value = saved_json  # type: ignore[method-assign]


def one_round(n: int, sealed: bool) -> dict[str, float]:
    from sqlalchemy import select

    from kiosk import worklist
    from kiosk.demo_hall import id_card_draft, submit_at
    from kiosk.settings import load_settings
    from kiosk.store import close_all
    from kiosk.store.models import Application
    from kiosk.terminal import Terminal, describe_application

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["ONEWINDOW_KEY_DIR"] = str(Path(tmp) / "keys")
        os.environ["ONEWINDOW_KEY_SEALING"] = "file"
        os.environ["ONEWINDOW_CONFIG"] = str(Path(tmp) / "none.toml")
        os.environ["ONEWINDOW_DEVICE_NO"] = "1"  # a hall without a platform
        terminal = Terminal.open(load_settings(Path(tmp) / "home"), parts=False)
        drafts = [id_card_draft(i, tiff=False) for i in range(n)]
        submit_ms = []
        for draft in drafts:
            t0 = time.perf_counter()
            submit_at(terminal, draft)
            submit_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        with terminal.store.transaction() as s:
            listed = [describe_application(a, terminal.catalog)
                      for a in s.scalars(select(Application).order_by(Application.created_at))]
        list_ms = (time.perf_counter() - t0) * 1000
        assert len(listed) == n and listed[0]["applicant"]["name"]
        t0 = time.perf_counter()
        with terminal.store.transaction() as s:
            for draft in drafts:
                assert worklist.search(s, draft.applicant["id_number"], hall_code=terminal.settings.hall_code)
        lookup_ms = (time.perf_counter() - t0) * 1000 / n
        db_bytes = sum(p.stat().st_size for p in (Path(tmp) / "home").glob("onewindow.sqlite3*"))
        close_all()
    return {"submit_ms": statistics.median(submit_ms), "list_ms": list_ms, "lookup_ms": lookup_ms,
            "db_kib": db_bytes / 1024}


def key_open_ms(mode: str, runs: int = 5) -> tuple[str, float]:
    """Opening a data dir's keys once, as every start does (after the first, which makes them)."""
    from kiosk import data_key

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["ONEWINDOW_KEY_SEALING"] = mode
        home, keys = Path(tmp) / "home", Path(tmp) / "keys"
        made = data_key.load_data_keys(home, keys)
        times = []
        for _ in range(runs):
            data_key._cache.clear()
            t0 = time.perf_counter()
            data_key.load_data_keys(home, keys)
            times.append((time.perf_counter() - t0) * 1000)
    return made.protection, statistics.median(times)


def field_micro(runs: int = 20000) -> tuple[float, float, float]:
    from kiosk.store.types import FieldCipher

    cipher = FieldCipher(bytes(32))
    token = cipher.seal("欧阳娜娜", "applications.applicant_name")
    t0 = time.perf_counter()
    for _ in range(runs):
        cipher.seal("欧阳娜娜", "applications.applicant_name")
    seal_us = (time.perf_counter() - t0) * 1e6 / runs
    t0 = time.perf_counter()
    for _ in range(runs):
        cipher.open(token, "applications.applicant_name")
    open_us = (time.perf_counter() - t0) * 1e6 / runs
    t0 = time.perf_counter()
    for _ in range(runs):
        cipher.id_index("11010519491231002X")
    index_us = (time.perf_counter() - t0) * 1e6 / runs
    return seal_us, open_us, index_us


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    import logging

    logging.disable(logging.INFO)
    results: dict[str, list[dict[str, float]]] = {"clear": [], "sealed": []}
    for _ in range(args.rounds):
        with clear_fields():
            results["clear"].append(one_round(args.applications, sealed=False))
        results["sealed"].append(one_round(args.applications, sealed=True))
    med = {mode: {k: statistics.median(r[k] for r in rows) for k in rows[0]} for mode, rows in results.items()}
    print(f"{args.applications} applications per round, {args.rounds} rounds, medians")
    print(f"{'':28}{'clear':>12}{'sealed':>12}{'ratio':>8}")
    for key, label in (("submit_ms", "submit, ms per application"), ("list_ms", f"list all {args.applications}, ms"),
                       ("lookup_ms", "look up by ID number, ms"), ("db_kib", "database + WAL, KiB")):
        c, s = med["clear"][key], med["sealed"][key]
        print(f"{label:28}{c:12.2f}{s:12.2f}{s / c:8.2f}x")
    seal_us, open_us, index_us = field_micro()
    print(f"one field: seal {seal_us:.1f} us, open {open_us:.1f} us, keyed index {index_us:.1f} us")
    for mode in ("file", "auto"):
        protection, ms = key_open_ms(mode)
        print(f"opening the keys at start ({protection}): {ms:.1f} ms")


if __name__ == "__main__":
    main()
