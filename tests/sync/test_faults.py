"""A bad link and a misbehaving platform: every application arrives exactly once,
every attachment byte-identical, nothing lost."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kiosk.terminal import Terminal
from sync.demo_data import submit_demo
from sync.linksim import BadLink
from sync.server.cases import list_cases
from sync.server.models import Case, Upload
from tests.sync.conftest import engine_for, enroll, make_terminal
from tests.sync.faults import wrap_faulty
from tests.sync.servers import PlatformServer


#: the error prefixes of the pass's steps after the count check (sync.engine.SyncEngine.run_pass)
AFTER_THE_COUNT_CHECK = ("heartbeat not sent", "settings from the centre", "update ", "offline: ")


def sync_until_done(engine, max_passes: int = 60) -> int:
    """Done when a pass went through every application step (`online` is set after the count check) with
    nothing left to send. The steps after it (heartbeat, settings from the centre, updates) meet the same
    injected faults and report them in `errors`; they have their own tests and do not count here."""
    for n in range(1, max_passes + 1):
        report = engine.run_pass()
        application_errors = [e for e in report.errors if not e.startswith(AFTER_THE_COUNT_CHECK)]
        if report.online and report.pending == 0 and not application_errors:
            return n
    raise AssertionError(f"not done after {max_passes} passes: {report}")


def assert_arrived_once(terminal: Terminal, platform: PlatformServer) -> None:
    apps = terminal.applications()
    with platform.store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == len(apps)
    cases = {c["id"]: c for c in list_cases(platform.store)}
    for app in apps:
        assert cases[app.id]["complete"] and cases[app.id]["content_hash"] == app.content_hash
        assert app.status == "received" and app.case_no == cases[app.id]["case_no"]
        for m in app.materials:
            for f in m.files:
                assert platform.store.read_blob(f.attachment_sha256) == terminal.attachments.get(f.attachment_sha256)
    with platform.store.transaction() as s:  # every upload finished: nothing half-assembled is left behind
        assert s.scalar(select(func.count()).select_from(Upload)) == 0
    assert not list(platform.store.uploads_dir.iterdir())


def test_throttled_link_cut_mid_upload(tmp_path: Path, platform) -> None:
    terminal = make_terminal(tmp_path / "t")
    submit_demo(terminal, 4, pages=2, page_kb=120, seed=10)
    link = BadLink(platform.port, rate=4_000_000, cut_every=150_000, seed=1)
    try:
        credential = enroll(terminal, platform, url=link.url())
        passes = sync_until_done(engine_for(terminal, credential))
        assert link.stats.cuts >= 4  # the link really did drop mid-upload
        assert_arrived_once(terminal, platform)
        payload = sum(a.size for a in {f.attachment.sha256: f.attachment for app in terminal.applications()
                                       for m in app.materials for f in m.files}.values())
        # a cut costs at most the chunk in flight (plus protocol overhead)
        assert link.stats.upstream_bytes < payload + (link.stats.cuts + 1) * 32 * 1024 + 200_000, passes
    finally:
        link.close()


def test_link_down_then_back(tmp_path: Path, sqlite_platform) -> None:
    terminal = make_terminal(tmp_path / "t")
    submit_demo(terminal, 2, pages=1, page_kb=20, seed=11)
    link = BadLink(sqlite_platform.port)
    try:
        credential = enroll(terminal, sqlite_platform, url=link.url())
        link.down = True
        engine = engine_for(terminal, credential)
        report = engine.run_pass()
        assert not report.online and report.pending == 2 and report.errors
        from kiosk.store.models import OutboxItem
        with terminal.store.transaction() as s:
            items = list(s.scalars(select(OutboxItem)))
            assert all(i.state == "pending" for i in items)
        link.down = False
        sync_until_done(engine)
        assert_arrived_once(terminal, sqlite_platform)
    finally:
        link.close()


@pytest.mark.parametrize("seed", [1, 2])
def test_5xx_timeouts_and_truncated_answers(tmp_path: Path, seed: int, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.CRITICAL, logger="uvicorn.error")
    wrap = wrap_faulty(seed, slow_seconds=1.2)
    platform = PlatformServer(tmp_path / "platform", wrap=wrap)
    try:
        terminal = make_terminal(tmp_path / "t")
        submit_demo(terminal, 5, pages=2, page_kb=60, seed=seed)
        wrap.holder["app"].enabled = False
        credential = enroll(terminal, platform)
        wrap.holder["app"].enabled = True
        engine = engine_for(terminal, credential, read_timeout=0.6, chunk_bytes=32 * 1024)
        sync_until_done(engine, max_passes=150)
        counts = wrap.holder["app"].counts
        assert counts["before"] and counts["after"] and counts["truncate"], counts
        assert_arrived_once(terminal, platform)
    finally:
        platform.stop()


def test_captive_portal_200_is_not_success(tmp_path: Path) -> None:
    """A 200 without the protocol header (a login page) must never mark anything sent."""
    import http.server
    import threading

    class Portal(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            body = b"<html>please log in to the hotel wifi</html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PATCH = do_HEAD = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Portal)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        terminal = make_terminal(tmp_path / "t")
        submit_demo(terminal, 1, pages=1, page_kb=10, seed=5)
        from sync.credentials import Credential
        credential = Credential(f"http://127.0.0.1:{server.server_address[1]}/api/v1", 1, "330106001", "k", "tok")
        report = engine_for(terminal, credential).run_pass()
        assert not report.online and report.sent == 0 and report.pending == 1
        assert "captive portal" in report.errors[0]
    finally:
        server.shutdown()
