"""Read-only transactions on the platform, and its PostgreSQL pool without a ping per checkout."""
from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from sync.server.db import POOL_RECYCLE_SECONDS, open_platform
from sync.server.models import EnrollmentCode, utcnow
from tests.sync.servers import PostgresServer


def a_code(n: int) -> EnrollmentCode:
    return EnrollmentCode(code_hash=f"{n:064d}", hall_code="330106001", device_name=f"d{n}",
                          expires_at=utcnow() + timedelta(minutes=5))


def codes(store) -> int:
    with store.read() as s:
        return int(s.scalar(select(func.count()).select_from(EnrollmentCode)))


def test_a_sqlite_read_never_waits_for_the_writer(tmp_path: Path) -> None:
    store = open_platform(tmp_path / "platform")
    try:
        with store.transaction() as s:
            s.add(a_code(1))
        seen: list[int] = []
        with store.transaction() as writer:
            writer.add(a_code(2))
            writer.flush()  # BEGIN IMMEDIATE holds the write lock from here to the commit
            reader = threading.Thread(target=lambda: seen.append(codes(store)))
            reader.start()
            reader.join(10)  # a reader taking BEGIN IMMEDIATE would wait here for 30 s (busy_timeout)
            assert not reader.is_alive() and seen == [1]  # it read its snapshot: the writer's row is not there
        assert codes(store) == 2
    finally:
        store.close()


def test_a_write_in_a_read_transaction_is_refused_and_changes_nothing(tmp_path: Path, db_url: str | None) -> None:
    store = open_platform(tmp_path / "platform", db_url)
    try:
        with pytest.raises(DBAPIError, match="(?i)read.?only"):
            with store.read() as s:
                s.add(a_code(1))
                s.flush()
        assert codes(store) == 0
        for n in range(2, 5):  # the pool's connections write again in the transactions that may
            with store.transaction() as s:
                s.add(a_code(n))
            assert codes(store) == n - 1
    finally:
        store.close()


def test_no_ping_per_checkout_and_a_dead_connection_costs_one_transaction(tmp_path: Path,
                                                                          postgres: PostgresServer) -> None:
    """Without pool_pre_ping a connection the server dropped is found by the transaction that uses it: that one
    fails (the request answers 500 and the terminal retries), the pool is invalidated, the next one works."""
    import psycopg

    store = open_platform(tmp_path / "platform", postgres.new_database())
    try:
        pool = store.engine.pool
        assert pool._pre_ping is False and pool._recycle == POOL_RECYCLE_SECONDS  # type: ignore[attr-defined]
        assert codes(store) == 0  # a connection now waits in the pool
        with psycopg.connect(f"host=127.0.0.1 port={postgres.port} user=postgres dbname=postgres",
                             autocommit=True) as admin:
            killed = admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s",
                                   (store.engine.url.database,)).fetchone()
        assert killed is not None and killed[0] >= 1
        with pytest.raises(DBAPIError) as failed:
            codes(store)
        assert failed.value.connection_invalidated
        assert codes(store) == 0
        with store.transaction() as s:
            s.add(a_code(1))
        assert codes(store) == 1
    finally:
        store.close()
