"""Shared fixtures: every test gets its own data dir and terminal."""
from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from kiosk.settings import load_settings  # noqa: E402
from kiosk.store import close_all  # noqa: E402
from kiosk.terminal import Terminal  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ID_CARD_ITEM = "330106000173002001"  # 居民身份证换领: three materials, a date, a choice, an address


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for key in list(os.environ):
        if key.startswith("ONEWINDOW_") and key != "ONEWINDOW_ASSETS":
            monkeypatch.delenv(key)
    monkeypatch.setenv("ONEWINDOW_CONFIG", str(tmp_path / "no-config.toml"))
    # Tests run as a terminal of a hall without a platform, whose operator set its device number; a terminal
    # enrolled with the platform uses the number the platform assigns instead (tests/test_device_numbers.py
    # removes this to see an unset number refused).
    monkeypatch.setenv("ONEWINDOW_DEVICE_NO", "1")
    # A platform's blob key lives outside its home (sync.server.blob_crypto); a test's platform gets its own,
    # never the user's ~/.config one.
    monkeypatch.setenv("ONEWINDOW_PLATFORM_BLOB_KEY_FILE", str(tmp_path.parent / f"{tmp_path.name}-platform-key" / "blob.key"))
    # Each test's keys (kiosk.data_key) in its own folder outside its data dir, never in the user's config dir;
    # a plain 0600 file there, since sealing with systemd-creds costs two processes per new data dir
    # (tests/test_pii_at_rest_keys.py seals with systemd-creds for real).
    monkeypatch.setenv("ONEWINDOW_KEY_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("ONEWINDOW_KEY_SEALING", "file")
    yield
    close_all()
    _forget_finished_apps()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """A test worker collects its garbage before it reports finished, then freezes what is left.

    After a worker reports finished, execnet gives it 5 s to exit before it sends SIGINT. pytest's exit walks
    the whole heap twice (its unraisable-exception check collects at unconfigure and again at cleanup); with
    the worker's heap after hundreds of tests (imports, SQLAlchemy's per-mapper statement caches) each walk
    took 1.6-1.8 s on a 2-core machine, 3-4.5 s before the FastAPI caches below were cleared. Collected
    here, after the session's fixtures are torn down and before the report, a finalizer's exception is still
    reported; frozen, the exit's two walks see only what is new since.
    """
    if os.environ.get("PYTEST_XDIST_WORKER"):
        gc.collect()
        gc.freeze()


# FastAPI keeps, per process, which endpoints and dependencies are coroutines or generators, in caches of 4096
# callables each (fastapi.dependencies.models). A platform's endpoints are closures over its store, so in a test
# worker, which builds hundreds of platform apps, those caches held the last few dozen apps alive with their
# stores, engines and pools (after four sync test files: 723 k live objects and 1.2 s a full garbage collection,
# against 501 k and 0.44 s with them cleared; 2-4.5 s a collection late in a full run). Two such collections at a
# worker's exit outlasted execnet's 5 s grace and it interrupted the worker (a KeyboardInterrupt reported after
# the last test). A real platform builds one app, so only tests clear them.
_FASTAPI_CALL_CACHES = ("_is_gen_callable_cached", "_is_async_gen_callable_cached", "_is_coroutine_callable_cached")


def _forget_finished_apps() -> None:
    models = sys.modules.get("fastapi.dependencies.models")
    for name in _FASTAPI_CALL_CACHES if models is not None else ():
        cached = getattr(models, name, None)
        if cached is not None:
            cached.cache_clear()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def terminal(home: Path) -> Terminal:
    return Terminal.open(load_settings(home))
