"""What the uploads learnt about the link outlives the sync process (sync.link_memory).

A terminal restarted each morning used to learn its link again from 32 KB chunks, so the platform took
several requests per scan page all day. Here a real platform (SQLite, over HTTP) takes a first engine's
uploads, and a second engine on the same store, as after a restart, goes on from what the first learnt;
what does not fit (another platform, a damaged row) is ignored, and the sizer starts over.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.store.models import KeyValue
from sync.chunk_size import ChunkSizer
from sync.demo_data import submit_demo
from sync.engine import SyncEngine
from sync.link_memory import LINK_KEY, restore_link
from tests.sync.conftest import engine_for, enroll, make_terminal, record_requests
from tests.sync.servers import PlatformServer

PAGE_KB = 100


def sized_engine(terminal, credential) -> SyncEngine:  # type: ignore[no-untyped-def]
    return engine_for(terminal, credential, chunk_bytes=None)  # type: ignore[arg-type]  # sized to the link


def kept(terminal) -> dict:  # type: ignore[no-untyped-def]
    with terminal.store.read() as session:
        row = session.get(KeyValue, LINK_KEY)
        assert row is not None, "nothing was kept"
        return json.loads(row.value)


def set_kept(terminal, value: str) -> None:  # type: ignore[no-untyped-def]
    with terminal.store.transaction() as session:
        row = session.get(KeyValue, LINK_KEY)
        if row is None:
            session.add(KeyValue(key=LINK_KEY, value=value))
        else:
            row.value = value


def test_a_restarted_engine_goes_on_from_what_the_last_one_learnt(tmp_path: Path,
                                                                  sqlite_platform: PlatformServer) -> None:
    terminal = make_terminal(tmp_path / "t")
    credential = enroll(terminal, sqlite_platform)
    submit_demo(terminal, 2, pages=2, page_kb=PAGE_KB, seed=1)
    first = sized_engine(terminal, credential)
    report = first.run_pass()
    assert report.errors == [] and report.sent == 2
    learnt = kept(terminal)
    assert learnt["platform"] == first.client.base_url
    assert learnt["sizer"] == first.upload_link.sizer.snapshot()
    assert learnt["sizer"]["run"] >= report.uploaded_bytes > 4 * PAGE_KB * 1000  # heads count too

    submit_demo(terminal, 1, pages=2, page_kb=PAGE_KB, seed=2)
    second = sized_engine(terminal, credential)  # a new process: a new engine on the same store
    again = second.run_pass()
    assert again.errors == [] and again.sent == 1
    # it went on counting from the first engine's bytes instead of from zero
    assert second.upload_link.sizer.snapshot()["run"] >= learnt["sizer"]["run"] + again.uploaded_bytes
    assert kept(terminal)["sizer"] == second.upload_link.sizer.snapshot()


@pytest.mark.parametrize("value", [
    "not json",
    json.dumps([1, 2]),
    json.dumps({"platform": "X", "sizer": "no"}),
    json.dumps({"platform": "X", "sizer": {"version": 1, "mean_gap": None, "gaps": [], "run": -5, "cuts": 0}}),
    json.dumps({"platform": "X", "sizer": {"version": 1, "mean_gap": 1e6, "gaps": [], "run": 0, "cuts": 1}}),
    json.dumps({"platform": "X", "sizer": {"version": 1, "mean_gap": None, "gaps": [], "run": 1e308 * 10,
                                           "cuts": 0}}),
    json.dumps({"platform": "X", "sizer": {"version": 2, "mean_gap": None, "gaps": [], "run": 1e9, "cuts": 0}}),
    json.dumps({"platform": "elsewhere", "sizer": {"version": 1, "mean_gap": None, "gaps": [], "run": 1e9,
                                                   "cuts": 0}}),
], ids=["not-json", "a-list", "sizer-not-a-dict", "negative-run", "mean-without-gaps", "infinite-run",
        "unknown-version", "another-platform"])
def test_a_kept_state_that_does_not_fit_is_ignored_and_the_sizer_starts_over(
        tmp_path: Path, sqlite_platform: PlatformServer, value: str) -> None:
    terminal = make_terminal(tmp_path / "t")
    credential = enroll(terminal, sqlite_platform)
    engine = sized_engine(terminal, credential)
    set_kept(terminal, value.replace('"X"', json.dumps(engine.client.base_url)))
    fresh = ChunkSizer()
    assert restore_link(terminal.store, fresh, engine.client.base_url) is False
    assert fresh.snapshot() == ChunkSizer().snapshot()

    submit_demo(terminal, 1, pages=1, page_kb=PAGE_KB, seed=3)
    report = engine.run_pass()
    assert report.errors == [] and report.sent == 1
    run = engine.upload_link.sizer.snapshot()["run"]
    assert report.uploaded_bytes <= run < 2 * report.uploaded_bytes  # this pass's bytes only: started over
    assert kept(terminal)["platform"] == engine.client.base_url  # and the damaged row is replaced


def test_the_kept_state_matches_the_platform_it_was_learnt_on(tmp_path: Path,
                                                              sqlite_platform: PlatformServer) -> None:
    terminal = make_terminal(tmp_path / "t")
    credential = enroll(terminal, sqlite_platform)
    engine = sized_engine(terminal, credential)
    good = ChunkSizer()
    good.delivered(50_000_000)
    set_kept(terminal, json.dumps({"platform": engine.client.base_url, "sizer": good.snapshot()}))
    restored = ChunkSizer()
    assert restore_link(terminal.store, restored, engine.client.base_url) is True
    assert restored.size(400) == good.size(400) > 4 * ChunkSizer().size(400)


def test_the_sync_worker_keeps_its_engine_while_the_credential_holds(tmp_path: Path,
                                                                     sqlite_platform: PlatformServer,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker built a new engine for every pass, so whatever an engine keeps across passes was lost each
    time: the sizer (every pass's uploads from 32 KB), the previous feed's catalog ETag (the catalog asked
    for every pass), the time of the last update check. One engine now serves while the credential holds;
    enrolling again gives a new one. Connections are not kept between passes."""
    from sync.worker import SyncWorker

    asked = record_requests(monkeypatch)
    from tests.sync.licence_fixtures import publish_demo_catalog

    publish_demo_catalog(sqlite_platform)
    terminal = make_terminal(tmp_path / "t")
    enroll(terminal, sqlite_platform, role="kiosk")
    worker = SyncWorker(terminal)
    submit_demo(terminal, 1, pages=2, page_kb=PAGE_KB, seed=4)
    first = worker.run_once()
    assert first is not None and first.errors == [] and first.sent == 1 and "GET catalog" in asked
    engine = worker._default_engine()
    assert len(engine.client.session.get_adapter("http://").poolmanager.pools) == 0  # closed after the pass
    asked.clear()
    submit_demo(terminal, 1, pages=2, page_kb=PAGE_KB, seed=5)
    second = worker.run_once()
    assert second is not None and second.errors == [] and second.sent == 1
    assert worker._default_engine() is engine and "GET catalog" not in asked  # the feed named the catalog held
    enroll(terminal, sqlite_platform, name="kiosk-again", role="kiosk")  # a new credential
    assert worker._default_engine() is not engine
