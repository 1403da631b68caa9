"""The platform's database and files under its home directory.

The platform manages its own schema (separate from the terminal's Alembic
history): tables are created when missing and the schema version is
recorded, so a database made by a newer platform is refused instead of being
written to with the wrong idea of its shape.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, select
from sqlalchemy.orm import Session, sessionmaker

from kiosk.errors import Message, UserFacingError
from kiosk.store.sqlite import configure_sqlite
from sync.server.models import SCHEMA_VERSION, PlatformBase, SchemaInfo

CONFIG_NAME = "platform.json"


def default_db_url(home: Path) -> str:
    return f"sqlite:///{home / 'platform.sqlite3'}"


def resolve_db_url(home: Path, db_url: str | None) -> str:
    """The URL given, else the one the last `serve --db` recorded, else SQLite in the home."""
    if db_url:
        return db_url
    config = home / CONFIG_NAME
    if config.is_file():
        try:
            recorded = json.loads(config.read_text(encoding="utf-8")).get("db_url")
        except (OSError, ValueError):
            recorded = None
        if recorded:
            return str(recorded)
    return default_db_url(home)


def remember_db_url(home: Path, db_url: str) -> None:
    path = home / CONFIG_NAME
    path.write_text(json.dumps({"db_url": db_url}), encoding="utf-8")
    os.chmod(path, 0o600)  # a PostgreSQL URL may hold a password


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        return configure_sqlite(create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}))
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def ensure_schema(engine: Engine) -> None:
    PlatformBase.metadata.create_all(engine)
    with Session(engine) as session, session.begin():
        info = session.scalar(select(SchemaInfo))
        if info is None:
            session.add(SchemaInfo(id=1, version=SCHEMA_VERSION))
        elif info.version > SCHEMA_VERSION:
            raise UserFacingError(Message(
                f"平台数据库版本（{info.version}）比本程序新，拒绝使用。",
                f"The platform database is at schema version {info.version}, newer than this program; refusing to use it."),
                code="schema")


@dataclass
class PlatformStore:
    home: Path
    engine: Engine
    Session: sessionmaker[Session]

    @property
    def blobs_dir(self) -> Path:
        return self.home / "blobs"

    @property
    def uploads_dir(self) -> Path:
        return self.home / "uploads"

    def blob_path(self, sha256: str) -> Path:
        return self.blobs_dir / sha256[:2] / sha256

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self.Session() as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()


def open_platform(home: Path, db_url: str | None = None) -> PlatformStore:
    home = home.expanduser().resolve()
    home.mkdir(parents=True, exist_ok=True)
    url = resolve_db_url(home, db_url)
    engine = make_engine(url)
    ensure_schema(engine)
    store = PlatformStore(home=home, engine=engine, Session=sessionmaker(bind=engine, expire_on_commit=False))
    store.blobs_dir.mkdir(exist_ok=True)
    store.uploads_dir.mkdir(exist_ok=True)
    return store
