"""Device tokens from a per-process cache: no database round trip per request, revocation seen within seconds."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, inspect, select

from sync.server import enrollment, token_cache
from sync.server.db import open_platform
from sync.server.models import Device
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


def test_a_token_is_read_once_per_ttl_and_revocation_here_is_at_once(tmp_path: Path) -> None:
    store = open_platform(tmp_path / "platform")
    try:
        clock = Clock()
        store.tokens = DeviceTokenCache(ttl=5.0, clock=clock)
        device_id, token = enrolled(store)
        first = enrollment.authenticate_cached(store, token)
        again = enrollment.authenticate_cached(store, token)
        assert first is not None and again is not None and (first.id, first.hall_code, first.role) == (
            device_id, HALL, "counter")
        assert store.tokens.loads == 1 and first is not again  # each request its own object
        clock.now += 4.9
        assert enrollment.authenticate_cached(store, token) is not None and store.tokens.loads == 1
        clock.now += 0.2  # the entry aged out: read again
        assert enrollment.authenticate_cached(store, token) is not None and store.tokens.loads == 2

        # the cached device is detached: adding it to a session attaches the row, never a second device
        with store.transaction() as s:
            s.add(first)
            assert inspect(first).persistent
        with store.read() as s:
            assert s.scalar(select(func.count()).select_from(Device)) == 1

        assert enrollment.revoke(store, device_id)
        assert enrollment.authenticate_cached(store, token) is None  # this process forgot it at once
        assert enrollment.authenticate_cached(store, token) is None and store.tokens.loads == 3  # refusal cached
        assert enrollment.authenticate_cached(store, "no-such-token") is None and store.tokens.loads == 4
    finally:
        store.close()


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
