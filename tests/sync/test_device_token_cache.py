"""Device tokens from a per-process cache: no database round trip per request, revocation seen within seconds."""
from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from sqlalchemy import func, inspect, select, text

from sync.server import enrollment, token_cache
from sync.server.db import open_platform
from sync.server.models import DEVICES_REVOKED_INDEX, SCHEMA_VERSION, Device, SchemaInfo, utcnow
from sync.server.token_cache import DeviceTokenCache, configured_ttl
from tests.sync.servers import PlatformServer

HALL = "330106001"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def enrolled(store, name: str = "counter-1", role: str = "counter") -> tuple[int, str]:
    with store.transaction() as s:
        new = enrollment.redeem(s, enrollment.create_code(store, HALL, name, role=role))
    return new.device_id, new.token


def test_a_device_is_read_once_per_hold_and_revocations_are_asked_every_ttl(tmp_path: Path) -> None:
    store = open_platform(tmp_path / "platform")
    try:
        clock = Clock()
        store.tokens = DeviceTokenCache(ttl=5.0, clock=clock, hold=60.0)
        device_id, token = enrolled(store)
        first = enrollment.authenticate_cached(store, token)
        again = enrollment.authenticate_cached(store, token)
        assert first is not None and again is not None and (first.id, first.hall_code, first.role) == (
            device_id, HALL, "counter")
        assert store.tokens.loads == 1 and first is not again  # each request its own object
        assert store.tokens.checks == 1
        clock.now += 4.9
        assert enrollment.authenticate_cached(store, token) is not None
        assert (store.tokens.loads, store.tokens.checks) == (1, 1)
        for _ in range(11):  # a terminal's passes over most of a minute: revocations asked, the device not read
            clock.now += 5.0
            assert enrollment.authenticate_cached(store, token) is not None
        assert (store.tokens.loads, store.tokens.checks) == (1, 12)
        clock.now += 5.0  # its hold is over: read again
        assert enrollment.authenticate_cached(store, token) is not None and store.tokens.loads == 2

        # the cached device is detached: adding it to a session attaches the row, never a second device
        with store.transaction() as s:
            s.add(first)
            assert inspect(first).persistent
        with store.read() as s:
            assert s.scalar(select(func.count()).select_from(Device)) == 1

        # revoked by another process (`platform revoke`, another instance): taken until the next check, no later
        with store.transaction() as s:
            s.get(Device, device_id).revoked_at = utcnow()
        clock.now += 4.0
        assert enrollment.authenticate_cached(store, token) is not None
        clock.now += 1.0
        assert enrollment.authenticate_cached(store, token) is None and store.tokens.loads == 3
        assert enrollment.authenticate_cached(store, token) is None and store.tokens.loads == 3  # refusal cached

        other_id, other = enrolled(store, "counter-2")
        assert enrollment.authenticate_cached(store, other) is not None
        assert enrollment.revoke(store, other_id)
        assert enrollment.authenticate_cached(store, other) is None  # this process forgot it at once
        assert enrollment.authenticate_cached(store, "no-such-token") is None
    finally:
        store.close()


def test_without_an_answer_about_revocations_devices_are_kept_only_ttl() -> None:
    """The database is away for the check: within two intervals a known device is read again every `ttl`
    seconds, as it was before revocations were asked for."""
    clock = Clock()
    cache = DeviceTokenCache(ttl=5.0, clock=clock, hold=600.0)
    row = SimpleNamespace(id=7, hall_code=HALL, device_no=1, name="kiosk-7", token_hash="h", enrolled_at=utcnow(),
                          revoked_at=None, last_seen_at=None, role="kiosk")
    loads: list[str] = []
    database_up = [True]

    def load(token_hash: str) -> SimpleNamespace:
        loads.append(token_hash)
        return row

    def revoked_since(_since: datetime) -> list[int]:
        if not database_up[0]:
            raise OSError("connection refused")
        return []

    assert cache.device("h", load, revoked_since) is not None and len(loads) == 1
    database_up[0] = False
    clock.now += 5.0
    assert cache.device("h", load, revoked_since) is not None and len(loads) == 1  # one check missed: kept
    clock.now += 5.0
    assert cache.device("h", load, revoked_since) is not None and len(loads) == 2  # two: read again
    clock.now += 1.0
    assert cache.device("h", load, revoked_since) is not None and len(loads) == 2  # for `ttl` seconds
    database_up[0] = True
    clock.now += 4.0
    assert cache.device("h", load, revoked_since) is not None and len(loads) == 2
    clock.now += 100.0
    assert cache.device("h", load, revoked_since) is not None and len(loads) == 2  # held again
    row.revoked_at = utcnow()  # the next check names it, and the device read again is refused
    clock.now += 5.0
    assert cache.device("h", load, lambda _since: [7]) is None and len(loads) == 3


def test_the_cache_is_bounded_and_a_ttl_of_zero_turns_it_off(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_platform(tmp_path / "platform")
    try:
        _device_id, token = enrolled(store)
        store.tokens = DeviceTokenCache(ttl=60.0, max_entries=2)
        for n in range(5):  # random tokens never grow it past its bound
            assert enrollment.authenticate_cached(store, f"guess-{n}") is None
        assert len(store.tokens._entries) == 2
        store.tokens = DeviceTokenCache(ttl=0)
        for _ in range(3):
            assert enrollment.authenticate_cached(store, token) is not None
        assert store.tokens.loads == 3 and not store.tokens._entries
    finally:
        store.close()
    for raw, ttl in (("", token_cache.DEFAULT_TTL), ("0", 0.0), ("2.5", 2.5), ("soon", token_cache.DEFAULT_TTL),
                     ("-1", token_cache.DEFAULT_TTL), ("100000", token_cache.DEFAULT_TTL)):
        monkeypatch.setenv(token_cache.TTL_ENV, raw)
        assert configured_ttl() == ttl
    assert token_cache.DEFAULT_TTL <= 5  # "within seconds"


def test_a_revoked_token_is_refused_by_every_instance_within_seconds(tmp_path: Path, db_url: str | None,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Two platform instances on one database: each answers from its own cache, and a revocation made
    through one (or by `platform revoke` in another process) reaches the other within its TTL."""
    monkeypatch.setenv(token_cache.TTL_ENV, "1")
    one = PlatformServer(tmp_path / "platform", db_url)
    two = PlatformServer(tmp_path / "platform", db_url)
    try:
        device_id, token = enrolled(one.store)
        headers = {"Authorization": f"Bearer {token}"}
        for server in (one, two):
            for _ in range(5):
                assert requests.get(server.url("/api/v1/summary"), headers=headers, timeout=10).status_code == 200
            assert server.store.tokens.loads == 1  # five requests, one look-up in the database
        assert enrollment.revoke(one.store, device_id)
        assert requests.get(one.url("/api/v1/summary"), headers=headers, timeout=10).status_code == 401
        revoked_at = time.monotonic()
        while requests.get(two.url("/api/v1/summary"), headers=headers, timeout=10).status_code == 200:
            assert time.monotonic() - revoked_at < 1.0 + 2.0, "the other instance still takes a revoked token"
            time.sleep(0.05)
        answer = requests.get(two.url("/api/v1/summary"), headers=headers, timeout=10)
        assert answer.status_code == 401 and answer.json()["code"] == "enrollment_required"
    finally:
        two.stop()
        one.stop()


def test_the_revocation_check_reads_an_index_of_the_revoked_devices_and_the_upgrade_makes_it(
        tmp_path: Path, db_url: str | None) -> None:
    """Every platform process asks for the newest revocations every few seconds: a province's devices are
    thousands, its revoked devices few, so the question reads a partial index of those, never the table."""
    store = open_platform(tmp_path / "platform", db_url)
    with store.engine.begin() as conn:  # as schema 9 left it
        conn.execute(text(f"DROP INDEX {DEVICES_REVOKED_INDEX}"))
        conn.execute(text("UPDATE platform_schema SET version = 9"))
    store.close()
    store = open_platform(tmp_path / "platform", db_url)
    try:
        with store.read() as s:
            assert s.scalar(select(SchemaInfo.version)) == SCHEMA_VERSION >= 10
        indexes = {i["name"]: i for i in inspect(store.engine).get_indexes("devices")}
        assert indexes[DEVICES_REVOKED_INDEX]["column_names"] == ["revoked_at"]
        if store.engine.dialect.name == "sqlite":  # (PostgreSQL's planner reads a table this small whole)
            statement = str(enrollment._REVOKED_SINCE.compile(store.engine))
            with store.engine.connect() as conn:
                plan = " | ".join(str(row[-1]) for row in conn.exec_driver_sql(
                    "EXPLAIN QUERY PLAN " + statement, (utcnow(),)))
            assert f"INDEX {DEVICES_REVOKED_INDEX}" in plan, plan
        enrolled(store)
        device_id, _token = enrolled(store, "kiosk-2", "kiosk")
        assert enrollment.revoke(store, device_id)
        with store.reading() as conn:
            found = list(conn.scalars(enrollment._REVOKED_SINCE, {"since": utcnow() - token_cache.LOOKBACK}))
        assert found == [device_id]
    finally:
        store.close()
